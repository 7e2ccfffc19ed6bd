"""Scanned pages for a sample of the generated documents and dossiers.

The pages themselves are rendered by ``scans.synthetic`` (barcode on the first page, title,
optional degradation); this module only decides which documents get scanned, in which
file format, how degraded, and adds a few blank and broken files as real scanning produces.
"""

from __future__ import annotations

import csv
import logging
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

FORMATS = (("png", "png", 0.35), ("jpeg", "jpg", 0.30), ("tiff", "tif", 0.20), ("pdf", "pdf", 0.15))
DEGRADED_SHARE = 0.25
BROKEN_SUFFIX = {
    "zero_bytes": "png",
    "truncated_png": "png",
    "truncated_jpeg": "jpg",
    "not_an_image": "jpg",
    "fake_pdf": "pdf",
    "decompression_bomb": "png",
    "bad_tiff": "tif",
}


def write_scans(
    folder: Path, docs: list[dict[str, Any]], dossiers: list[dict[str, Any]], seed: int, index: Path
) -> int:
    """Render the chosen documents and dossier covers into ``folder``; returns files written.

    ``index`` (a CSV outside the scans folder, so scan ingestion never reads it) lists every
    file with what it should yield: barcode, format, pages, degradation, kind.
    """
    from scans import synthetic

    rng = np.random.default_rng([seed, 9])
    folder.mkdir(parents=True, exist_ok=True)
    degradations = [d for d in synthetic.DEGRADATIONS if d != "blank"]
    fmt_names = [f[0] for f in FORMATS]
    fmt_ext = {f[0]: f[1] for f in FORMATS}
    fmt_p = np.array([f[2] for f in FORMATS])
    rows: list[tuple[str, str, str, int, str, str]] = []
    for i, doc in enumerate(docs):
        fmt = fmt_names[int(rng.choice(len(fmt_names), p=fmt_p))]
        pages = doc["pages"] if fmt in ("tiff", "pdf") else 1
        degradation = None
        if degradations and rng.random() < DEGRADED_SHARE:
            degradation = degradations[int(rng.integers(0, len(degradations)))]
        path = folder / doc["unit"] / doc["month"] / f"{doc['barcode']}.{fmt_ext[fmt]}"
        path.parent.mkdir(parents=True, exist_ok=True)
        synthetic.write_document_scan(
            path,
            doc["barcode"],
            fmt=fmt,
            pages=pages,
            dpi=200 if rng.random() < 0.8 else 300,
            degradation=degradation,
            title=doc["title"],
            seed=seed * 100_003 + i,
        )
        rows.append(
            (str(path.relative_to(folder)), doc["barcode"], fmt, pages, degradation or "", "document")
        )
    for i, dossier in enumerate(dossiers):
        path = folder / dossier["unit"] / "dossiers" / f"{dossier['barcode']}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        synthetic.write_document_scan(
            path, dossier["barcode"], fmt="png", pages=1, title="档案卷宗封面", seed=seed * 7 + i
        )
        rows.append((str(path.relative_to(folder)), dossier["barcode"], "png", 1, "", "dossier_cover"))
    # Blank separator sheets: pages without any barcode.
    for i in range(max(2, len(docs) // 40)):
        path = folder / "unsorted" / f"blank-{i + 1:03d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        synthetic.write_document_scan(path, "", fmt="png", degradation="blank", seed=seed + i)
        rows.append((str(path.relative_to(folder)), "", "png", 1, "blank", "blank"))
    # Files a scanner or a careless copy leaves behind, named as the images they pretend to be.
    kinds = list(synthetic.BROKEN_KINDS)
    for i in range(max(3, len(docs) // 30)):
        kind = kinds[i % len(kinds)]
        path = folder / "unsorted" / f"broken-{i + 1:03d}.{BROKEN_SUFFIX.get(kind, 'png')}"
        path.parent.mkdir(parents=True, exist_ok=True)
        synthetic.write_broken_file(path, kind)
        rows.append((str(path.relative_to(folder)), "", "", 0, "", f"broken:{kind}"))
    with index.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file_path", "barcode", "format", "pages", "degradation", "kind"])
        writer.writerows(rows)
    written = len(rows)
    logger.info("wrote %d scan files into %s", written, folder)
    return written
