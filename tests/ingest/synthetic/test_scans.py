"""The scans folder of a tiny data set: every format, decodable pages, blanks and broken files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest
from PIL import Image

from .conftest import scans_available

pytestmark = pytest.mark.skipif(not scans_available(), reason="scans.synthetic renderer not present")

MAGIC = {"png": b"\x89PNG", "jpg": b"\xff\xd8\xff", "tif": (b"II*\x00", b"MM\x00*"), "pdf": b"%PDF"}


def _scan_files(tiny: Path) -> list[Path]:
    return sorted(p for p in (tiny / "scans").rglob("*") if p.is_file())


def test_scans_cover_every_format_with_files_that_look_decodable(tiny: Path) -> None:
    documents = [p for p in _scan_files(tiny) if "unsorted" not in p.parts]
    by_ext: dict[str, list[Path]] = {}
    for path in documents:
        by_ext.setdefault(path.suffix.lstrip("."), []).append(path)
    assert set(by_ext) == set(MAGIC), sorted(by_ext)
    for ext, paths in by_ext.items():
        for path in paths:
            assert (
                path.read_bytes()[:4].startswith(MAGIC[ext])
                if isinstance(MAGIC[ext], bytes)
                else (path.read_bytes()[:4] in MAGIC[ext])
            ), path
            if ext != "pdf":
                with Image.open(path) as image:
                    image.load()
                    assert image.width > 500 and image.height > 500


def test_multi_page_tiffs_exist(tiny: Path) -> None:
    pages = []
    for path in (tiny / "scans").rglob("*.tif"):
        if "unsorted" in path.parts:
            continue
        with Image.open(path) as image:
            pages.append(getattr(image, "n_frames", 1))
    assert max(pages) > 1


def test_scan_names_are_barcodes_of_generated_documents_and_dossiers(tiny: Path) -> None:
    con = duckdb.connect()
    known = {
        row[0]
        for row in con.execute(
            f"select barcode from read_csv('{tiny}/archive/documents.csv', all_varchar = true) union all "
            f"select barcode from read_csv('{tiny}/archive/dossiers.csv', all_varchar = true)"
        ).fetchall()
    }
    named = [p.stem for p in _scan_files(tiny) if "unsorted" not in p.parts]
    assert len(named) >= 30
    assert all(name in known for name in named)
    assert any(name.startswith("JZ") for name in named), "no dossier cover among the scans"


def test_a_few_blank_pages_and_broken_files_are_mixed_in(tiny: Path) -> None:
    unsorted = [p for p in _scan_files(tiny) if "unsorted" in p.parts]
    blanks = [p for p in unsorted if p.name.startswith("blank-")]
    broken = [p for p in unsorted if p.name.startswith("broken-")]
    assert len(blanks) >= 2 and len(broken) >= 3
    for path in blanks:
        with Image.open(path) as image:
            assert min(image.convert("L").getextrema()) >= 40  # no dark ink, only specks
    failures = 0
    for path in broken:
        try:
            with Image.open(path) as image:
                image.load()
        except Exception:  # any decoder error is what a broken file should produce
            failures += 1
    assert failures >= 2


def test_index_lists_every_file_and_a_realistic_share_is_degraded(tiny: Path) -> None:
    with (tiny / "scans_index.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(row["file_path"] for row in rows) == sorted(
        str(p.relative_to(tiny / "scans")) for p in _scan_files(tiny)
    )
    assert json.loads((tiny / "manifest.json").read_text(encoding="utf-8"))["scan_files"] == len(rows)
    documents = [row for row in rows if row["kind"] == "document"]
    degraded = [row for row in documents if row["degradation"]]
    assert 0.1 <= len(degraded) / len(documents) <= 0.45
    assert len({row["degradation"] for row in degraded}) >= 3
