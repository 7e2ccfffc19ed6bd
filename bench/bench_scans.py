"""Benchmark the scan reader's decode passes on pages rendered by ``scans.synthetic``.

Every strategy runs on the same pages (150/200/300 dpi, clean and each degradation, plus a
form page without barcode), timed in CPU time (one core; the machine's other load does not
count). The two readers, the one of ``BASELINE_REVISION`` (extracted from git) and the
working tree's, each run in a process of their own on those pages: what each reader does to
a first page once it is open (quality figures, then its decode passes). Then
``ingest_scans`` end to end on one mixed folder, side by side, with 1 and 2 workers; pages
per CPU second count the reader's process and its workers. Results go to
bench/results/scans.md (all strategies) or scans-readers.md (the two readers only).

    .venv/bin/python bench/bench_scans.py --pages 2 --files 40 200 --readers-only
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from scans.decode import decode, decode_zxing, read_page
from scans.synthetic import DEGRADATIONS, render_pages, write_broken_file, write_document_scan

ROOT = Path(__file__).resolve().parent.parent
# The reader before its workers kept freed memory for the next page (issue 12 item 5, last
# step; 0428c2f before that): "today's reader" of the side-by-side figures.
BASELINE_REVISION = "d41e415b78645149a7aae8e5da492f4f9271e33b"
PATTERN = r"^(DG\d{12}|JZ\d{10})$"
ACCEPT = re.compile(PATTERN)
DPIS = (150, 200, 300)
FINDINGS = "## Findings"
# Harsher than the generator's degradations, to find where a second decoder earns its time.
HARD = {
    "hard_skew_8deg": lambda im, dpi: im.rotate(
        8, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=250
    ),
    "hard_blur": lambda im, dpi: im.filter(ImageFilter.GaussianBlur(radius=1.5 * dpi / 200)),
    "hard_contrast": lambda im, dpi: im.point(lambda v: 150 + v * 50 // 255),
    "jpeg_q20": lambda im, dpi: _jpeg(im, 20),
    "hard_noise_8pct": lambda im, dpi: _noise(im, 0.08),
}
CONDITIONS = ("clean", *DEGRADATIONS, *HARD, "continuation")


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L")


def _noise(image: Image.Image, share: float) -> Image.Image:
    pixels = np.array(image)
    mask = np.random.default_rng(7).random(pixels.shape, dtype=np.float32)
    pixels[mask < share / 2] = 0
    pixels[mask > 1 - share / 2] = 255
    return Image.fromarray(pixels, "L")


def _otsu(image: Image.Image) -> Image.Image:
    histogram = np.bincount(np.asarray(image).ravel(), minlength=256).astype(np.float64)
    total = histogram.sum()
    cum = np.cumsum(histogram)
    cum_mean = np.cumsum(histogram * np.arange(256))
    between = (cum_mean[-1] * cum / total - cum_mean) ** 2 / np.maximum(cum * (total - cum), 1)
    threshold = int(np.argmax(between))
    return image.point(lambda v: 255 if v > threshold else 0)


def _values(barcodes) -> list[str]:
    return [b.value for b in barcodes]


STRATEGIES: dict[str, Callable[[Image.Image], list[str]]] = {
    "pyzbar all symbologies, full page": lambda im: _values(decode(im, code128_only=False)),
    "pyzbar CODE128, full page": lambda im: _values(decode(im)),
    "pyzbar CODE128, downscaled 1/2": lambda im: _values(decode(im.reduce(2))),
    "pyzbar CODE128, Otsu": lambda im: _values(decode(_otsu(im))),
    "pyzbar CODE128, median always": lambda im: _values(decode(im.filter(ImageFilter.MedianFilter(3)))),
    "corners then full page": lambda im: _values(read_page(im, ACCEPT, median=False, zxing=False).accepted),
    "corners, full, median": lambda im: _values(read_page(im, ACCEPT).accepted),
    "zxing-cpp Code128, full page": lambda im: _values(decode_zxing(im)),
    "reader: corners, full, median, zxing": lambda im: _values(read_page(im, ACCEPT, zxing=True).accepted),
    "continuation passes: corners only": lambda im: _values(
        read_page(im, ACCEPT, full_page=False, median=False, zxing=False).accepted
    ),
}


def render_set(pages: int) -> list[tuple[int, str, str, Image.Image]]:
    """(dpi, condition, expected code or '', page) for every dpi and condition."""
    out = []
    for dpi in DPIS:
        for condition in CONDITIONS:
            for i in range(pages):
                code = f"DG2024{dpi:03d}{i:05d}"
                seed = 1000 * dpi + 17 * i + CONDITIONS.index(condition)
                if condition == "continuation":
                    image = render_pages(code, pages=2, dpi=dpi, seed=seed)[0][1]
                    code = ""
                elif condition in HARD:
                    image = HARD[condition](render_pages(code, dpi=dpi, seed=seed)[0][0], dpi)
                else:
                    degradation = None if condition == "clean" else condition
                    image = render_pages(code, dpi=dpi, degradation=degradation, seed=seed)[0][0]
                    code = "" if condition == "blank" else code
                out.append((dpi, condition, code, image))
    return out


# Run in a process of its own with the reader to measure first on sys.path, set up as that
# reader sets up its workers (its ``worker_init``, with the allocator setting where the
# reader has one): each page of the folder (saved losslessly, opened before the clock
# starts) goes through the reader's own per-page work, as the first page of a file;
# prints the codes read and CPU ms.
PAGE_DRIVER = """
import inspect, json, sys, time
from pathlib import Path
from PIL import Image
from scans.pages import Page
from scans.reader import FileTask, _read_one_page, worker_init
keep = {"keep_memory": True} if "keep_memory" in inspect.signature(worker_init).parameters else {}
worker_init(1 << 40, 0, **keep)
folder = Path(sys.argv[1])
out = {}
for path in sorted(folder.glob("*.png")):
    image = Image.open(path)
    image.load()
    task = FileTask(str(path), path.name, "0" * 64, 0, "", 1, 1 << 40)
    began = time.process_time()
    row = _read_one_page(task, Page(1, image, None), None, thorough=True)
    spent = time.process_time() - began
    out[path.stem] = [row.barcodes.split(";") if row.barcodes else [], 1000 * spent]
print(json.dumps(out))
"""


def measure_readers(
    pages: list[tuple[int, str, str, Image.Image]], trees: dict[str, Path]
) -> dict[str, dict[tuple[int, str], tuple[int, int, float]]]:
    """reader -> (dpi, condition) -> (read correctly, pages, CPU ms per page), each reader's
    per-page work timed in a process running that reader's code."""
    results: dict[str, dict[tuple[int, str], tuple[int, int, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for index, (_dpi, _condition, _code, image) in enumerate(pages):
            image.save(folder / f"{index:05d}.png", compress_level=1)
        for reader, tree in trees.items():
            done = subprocess.run(
                [sys.executable, "-c", PAGE_DRIVER, str(folder)],
                cwd=tree,
                env=dict(os.environ, PYTHONPATH=str(tree)),
                check=True,
                capture_output=True,
                text=True,
            )
            read = json.loads(done.stdout.strip().splitlines()[-1])
            cells: dict[tuple[int, str], list] = {}
            for index, (dpi, condition, code, _image) in enumerate(pages):
                values, spent = read[f"{index:05d}"]
                ok = (values == [code]) if code else not [v for v in values if ACCEPT.fullmatch(v)]
                cell = cells.setdefault((dpi, condition), [0, 0, 0.0])
                cell[0] += ok
                cell[1] += 1
                cell[2] += spent
            results[reader] = {key: (c[0], c[1], c[2] / c[1]) for key, c in cells.items()}
            print(f"measured {reader}", flush=True)
    return results


def measure(
    pages: list[tuple[int, str, str, Image.Image]], names: list[str]
) -> dict[str, dict[tuple[int, str], tuple[int, int, float]]]:
    """strategy -> (dpi, condition) -> (read correctly, pages, CPU ms per page)."""
    results: dict[str, dict[tuple[int, str], tuple[int, int, float]]] = {}
    for name in names:
        strategy = STRATEGIES[name]
        cells: dict[tuple[int, str], list] = {}
        for dpi, condition, code, image in pages:
            began = time.process_time()
            values = strategy(image)
            spent = time.process_time() - began
            ok = (values == [code]) if code else not [v for v in values if ACCEPT.fullmatch(v)]
            cell = cells.setdefault((dpi, condition), [0, 0, 0.0])
            cell[0] += ok
            cell[1] += 1
            cell[2] += spent
        results[name] = {key: (c[0], c[1], 1000 * c[2] / c[1]) for key, c in cells.items()}
        print(f"measured {name}", flush=True)
    return results


# Run in a process of its own with the reader to measure first on sys.path: reads the
# folder into an in-memory warehouse, prints wall and CPU seconds (its own and its
# workers') and the page counts. pyarrow imports pandas on its first conversion (~0.5 s
# CPU); that is done before the clock starts, as it is in every dangan process that has
# ingested anything, so the figures are the reader's.
DRIVER = """
import json, resource, sys, time
from pathlib import Path
import duckdb
import pyarrow
from scans.ingest import ingest_scans
pyarrow.array([0])
folder, pattern, workers = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
def cpu(who):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime
with duckdb.connect() as con:
    own0, workers0, began = cpu(resource.RUSAGE_SELF), cpu(resource.RUSAGE_CHILDREN), time.perf_counter()
    run = ingest_scans(con, folder, barcode_pattern=pattern, workers=workers)
    wall = time.perf_counter() - began
    own, spent_workers = cpu(resource.RUSAGE_SELF) - own0, cpu(resource.RUSAGE_CHILDREN) - workers0
    pages, decoded, blank = con.execute(
        "select count(*) filter (where page_no > 0 and decode_status <> 'error'),"
        " count(*) filter (where decode_status = 'decoded'),"
        " count(*) filter (where decode_status = 'blank') from raw.scan_pages"
    ).fetchone()
print(json.dumps({"wall": wall, "cpu": own + spent_workers, "cpu_parent": own, "cpu_workers": spent_workers,
                  "files": run.files_seen, "pages": pages, "decoded": decoded, "blank": blank}))
"""


def _baseline_tree(target: Path) -> Path:
    """The packages of BASELINE_REVISION (ingest, scans) extracted into ``target``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", BASELINE_REVISION, "ingest", "scans"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target


def _mixed_folder(folder: Path, files: int) -> None:
    """200 dpi documents in every format and degradation (TIFF/PDF with a continuation
    page), plus what a scans folder also holds: blank separator sheets, single form pages
    without barcode, broken files."""
    degradations = [None, None, None, "rotated_180", "skewed", "noisy", "blurred", "low_contrast"]
    for i in range(files):
        fmt = ("png", "jpeg", "tiff", "pdf")[i % 4]
        suffix = {"jpeg": "jpg", "tiff": "tif"}.get(fmt, fmt)
        write_document_scan(
            folder / f"doc-{i:04d}.{suffix}",
            f"DG2024{i:08d}",
            fmt=fmt,
            pages=2 if fmt in ("tiff", "pdf") else 1,
            dpi=200,
            degradation=degradations[i % len(degradations)],
            seed=i,
        )
    for i in range(max(2, files // 10)):
        write_document_scan(
            folder / f"blank-{i:03d}.png", "", fmt="png", dpi=200, degradation="blank", seed=i
        )
        page = render_pages("", pages=2, dpi=200, seed=500 + i)[0][1]
        page.save(folder / f"form-{i:03d}.png", dpi=(200, 200))
    for i, kind in enumerate(("truncated_png", "not_an_image", "zero_bytes")):
        write_broken_file(folder / f"broken-{i}.png", kind)


def reader_trees(tmp: Path) -> dict[str, Path]:
    """The two readers compared: BASELINE_REVISION's (extracted) and the working tree's."""
    return {
        f"baseline {BASELINE_REVISION[:7]}": _baseline_tree(tmp / "baseline"),
        "working tree": ROOT,
    }


def end_to_end(sizes: list[int], trees: dict[str, Path]) -> list[dict]:
    """One row per folder size, reader and worker count: wall and CPU seconds, pages,
    decoded pages."""
    rows = []
    for files in sizes:
        rows += _end_to_end(files, trees)
    return rows


def _end_to_end(files: int, trees: dict[str, Path]) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "scans"
        folder.mkdir()
        _mixed_folder(folder, files)
        for workers in (1, 2):
            for reader, tree in trees.items():
                env = dict(os.environ, PYTHONPATH=str(tree))
                done = subprocess.run(
                    [sys.executable, "-c", DRIVER, str(folder), "", str(workers)],
                    cwd=tree,
                    env=env,
                    check=True,
                    capture_output=True,
                    text=True,
                )
                figures = json.loads(done.stdout.strip().splitlines()[-1])
                rows.append({"reader": reader, "workers": workers, **figures})
                print(f"end to end: {reader}, {workers} workers: {figures}", flush=True)
    return rows


def write_markdown(results, e2e, pages: int, out: Path) -> None:
    names = list(results)
    lines = [
        "# Scan reader benchmark",
        "",
        f"Machine: {os.cpu_count()} cores (shared with other work while measured), {platform.python_implementation()} "
        f"{platform.python_version()}. Pages rendered by `scans.synthetic`, {pages} per dpi and condition, "
        "grayscale A4, decoded in memory. Cells: pages read correctly / pages, then CPU ms per page "
        "(one core; pages/s per core = 1000 / ms). For `blank` and `continuation` (a form page without "
        "barcode) 'correct' means no code accepted; their time is the cost of a page that has no barcode.",
        "",
    ]
    for dpi in DPIS:
        lines += [
            f"## {dpi} dpi",
            "",
            "| condition | " + " | ".join(names) + " |",
            "|---" * (len(names) + 1) + "|",
        ]
        for condition in CONDITIONS:
            cells = []
            for name in names:
                ok, n, ms = results[name][(dpi, condition)]
                cells.append(f"{ok}/{n} · {ms:.0f} ms")
            lines.append(f"| {condition} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += [
        "## Totals over all dpi and conditions",
        "",
        "| strategy | read correctly | mean CPU ms/page | pages/s per core |",
        "|---|---|---|---|",
    ]
    for name in names:
        cells = results[name].values()
        ok = sum(c[0] for c in cells)
        n = sum(c[1] for c in cells)
        ms = sum(c[2] * c[1] for c in cells) / n
        lines.append(f"| {name} | {ok}/{n} ({ok / n:.0%}) | {ms:.1f} | {1000 / ms:.1f} |")
    load = os.getloadavg()
    lines += [
        "",
        "## ingest_scans end to end (200 dpi, mixed formats and degradations, blank sheets, "
        "form pages without barcode, broken files)",
        "",
        f"Load average when written: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 min).",
        "",
        "| reader | workers | files | pages read | decoded | blank | wall s | pages/s (wall) "
        "| CPU s parent | CPU s workers | CPU s (all processes) | pages per CPU second |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in e2e:
        lines.append(
            f"| {row['reader']} | {row['workers']} | {row['files']} | {row['pages']} | {row['decoded']} "
            f"| {row['blank']} | {row['wall']:.1f} | {row['pages'] / row['wall']:.1f} "
            f"| {row['cpu_parent']:.2f} | {row['cpu_workers']:.2f} | {row['cpu']:.2f} "
            f"| {row['pages'] / row['cpu']:.1f} |"
        )
    # The hand-written reading of the figures survives a re-run.
    findings = ""
    if out.exists() and FINDINGS in out.read_text(encoding="utf-8"):
        findings = FINDINGS + out.read_text(encoding="utf-8").split(FINDINGS, 1)[1]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n" + (("\n" + findings) if findings else ""), encoding="utf-8")
    print(f"wrote {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=4, help="pages per dpi and condition")
    parser.add_argument(
        "--files",
        type=int,
        nargs="+",
        default=[40],
        help="documents of each end-to-end folder (one run per size; a folder also holds blank "
        "sheets and form pages, a tenth of the documents each, and 3 broken files)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="default bench/results/scans.md (scans-readers.md with --readers-only)",
    )
    parser.add_argument(
        "--readers-only", action="store_true", help="time only the two readers' strategies (a short run)"
    )
    args = parser.parse_args()
    pages = render_set(args.pages)
    print(f"rendered {len(pages)} pages", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        trees = reader_trees(Path(tmp))
        results = {} if args.readers_only else measure(pages, list(STRATEGIES))
        results.update(measure_readers(pages, trees))
        e2e = end_to_end(args.files, trees)
    results_dir = ROOT / "bench" / "results"
    out = args.out or results_dir / ("scans-readers.md" if args.readers_only else "scans.md")
    write_markdown(results, e2e, args.pages, out)


if __name__ == "__main__":
    main()
