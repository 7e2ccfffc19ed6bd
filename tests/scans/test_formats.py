"""scans.formats: the one list of scan suffixes, for the reader, the sensor and the writers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scans.formats import FORMATS, SUFFIXES, suffix_for
from scans.pages import ScanReadError, open_scan
from tests.scans.conftest import SAMPLES


def test_every_format_is_written_under_a_suffix_the_reader_takes_for_it() -> None:
    """GIVEN the one suffix list WHEN each format's writing suffix is looked up THEN it maps
    back to that format, and an unknown format is refused by name."""
    assert FORMATS == ("png", "jpeg", "tiff", "pdf")
    assert {fmt: suffix_for(fmt) for fmt in FORMATS} == {
        "png": ".png",
        "jpeg": ".jpg",
        "tiff": ".tif",
        "pdf": ".pdf",
    }
    assert all(SUFFIXES[suffix_for(fmt)] == fmt for fmt in FORMATS)
    with pytest.raises(ValueError, match="gif"):
        suffix_for("gif")


def test_a_suffix_outside_the_list_is_refused_by_the_reader(tmp_path: Path) -> None:
    """GIVEN a real PNG saved as .bmp WHEN opened THEN the reader refuses the suffix by name."""
    path = tmp_path / "scan.bmp"
    shutil.copy(SAMPLES / "code128-upright.png", path)
    with pytest.raises(ScanReadError, match="unsupported file type '.bmp'"):
        open_scan(path)
