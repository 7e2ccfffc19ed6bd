"""scans.synthetic: the pages the generator and the benchmarks rely on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image, UnidentifiedImageError

from scans.decode import decode, read_page
from scans.pages import ScanReadError, open_scan
from scans.synthetic import (
    BROKEN_KINDS,
    BROKEN_SUFFIXES,
    DEGRADATIONS,
    write_broken_file,
    write_document_scan,
)
from tests.scans.conftest import PATTERN

ACCEPT = re.compile(PATTERN)


@pytest.mark.parametrize(
    ("fmt", "suffix", "pages"), [("png", "png", 1), ("jpeg", "jpg", 1), ("tiff", "tif", 3), ("pdf", "pdf", 2)]
)
def test_document_scan_has_its_pages_and_the_code_on_the_first_only(tmp_path, fmt, suffix, pages):
    """GIVEN a document rendered as png/jpeg/tiff/pdf WHEN opened THEN tiff/pdf hold every page,
    the code is read on page 1 and no code on the following pages."""
    path = tmp_path / f"doc.{suffix}"
    write_document_scan(path, "DG202411300001", fmt=fmt, pages=pages, dpi=150, seed=5)
    document = open_scan(path)
    read = [sorted(b.value for b in decode(page.image)) for page in document.pages]
    assert document.page_count == pages
    assert read == [["DG202411300001"]] + [[]] * (pages - 1)


@pytest.mark.parametrize("degradation", [d for d in DEGRADATIONS if d != "blank"])
def test_degraded_page_still_carries_its_code(tmp_path, degradation):
    """GIVEN a 200 dpi page under each degradation WHEN read with the reader's passes THEN the
    code is found (the degradations are hard, not destructive)."""
    path = tmp_path / "page.png"
    write_document_scan(path, "JZ2024113001", fmt="png", dpi=200, degradation=degradation, seed=11)
    with Image.open(path) as image:
        assert [b.value for b in read_page(image, ACCEPT).accepted] == ["JZ2024113001"]


def test_low_dpi_page_is_written_at_low_resolution(tmp_path):
    """GIVEN a 300 dpi request with low_dpi WHEN written THEN the file is ~100 dpi, A4 sized."""
    path = tmp_path / "low.png"
    write_document_scan(path, "DG202411300002", fmt="png", dpi=300, degradation="low_dpi")
    with Image.open(path) as image:
        assert round(image.info["dpi"][0]) == 100
        assert abs(image.width - 827) <= 2


@pytest.mark.parametrize("kind", BROKEN_KINDS)
def test_broken_file_is_not_a_readable_scan(tmp_path, kind):
    """GIVEN each hostile kind under its pretended suffix WHEN opened and read THEN it fails
    with ScanReadError (or Pillow's own refusal), never with a page."""
    path = tmp_path / f"broken.{BROKEN_SUFFIXES[kind]}"
    write_broken_file(path, kind)
    with pytest.raises((ScanReadError, UnidentifiedImageError)):
        document = open_scan(path)
        list(document.pages)


def test_unknown_names_are_refused(tmp_path: Path):
    """GIVEN an unknown format, degradation or broken kind WHEN asked THEN a ValueError names it."""
    with pytest.raises(ValueError, match="gif"):
        write_document_scan(tmp_path / "a.gif", "DG202411300003", fmt="gif")
    with pytest.raises(ValueError, match="smudged"):
        write_document_scan(tmp_path / "a.png", "DG202411300003", fmt="png", degradation="smudged")
    with pytest.raises(ValueError, match="melted"):
        write_broken_file(tmp_path / "a.png", "melted")


def test_scan_is_written_into_a_folder_that_does_not_exist_yet(tmp_path):
    """GIVEN a path under missing folders WHEN a scan and a broken file are written THEN both exist."""
    write_document_scan(tmp_path / "unit" / "month" / "doc.png", "DG202411300005", fmt="png", dpi=150)
    write_broken_file(tmp_path / "unsorted" / "x.png", "zero_bytes")
    assert (tmp_path / "unit" / "month" / "doc.png").stat().st_size > 0
    assert (tmp_path / "unsorted" / "x.png").exists()
