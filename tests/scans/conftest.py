"""The committed scan sample corpus, copied per use so tests may rename and move files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "scans"
PATTERN = r"^(DG\d{12}|JZ\d{10})$"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A private copy of tests/samples/scans/."""
    target = tmp_path / "scans"
    shutil.copytree(SAMPLES, target)
    return target
