"""The dashboard's scan preview: which folder it reads and that it never leaves it."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from PIL import Image

from dashboard import scan_view
from tests.scans.conftest import SAMPLES


@pytest.fixture
def scans_root(tmp_path: Path) -> Path:
    """GIVEN a scans folder holding one scan and a link to a file outside it, and a secret
    file beside the folder."""
    root = tmp_path / "scans"
    (root / "filed").mkdir(parents=True)
    shutil.copy(SAMPLES / "code128-upright.png", root / "filed" / "scan.png")
    (tmp_path / "secret.png").write_bytes((SAMPLES / "code128-upright.png").read_bytes())
    (root / "link.png").symlink_to(tmp_path / "secret.png")
    return root


def test_folder_given_explicitly_wins_then_the_recorded_one_then_the_default() -> None:
    """GIVEN the folder of ``--scans``, the one build_info recorded and the default WHEN the
    preview chooses THEN the explicit one, else the recorded one, else the default."""
    default = Path("/default/scans")
    assert scan_view.choose_root("/given", "/recorded", default) == Path("/given")
    assert scan_view.choose_root(None, "/recorded", default) == Path("/recorded")
    assert scan_view.choose_root("", None, default) == default


@pytest.mark.parametrize("scan_file", ["../secret.png", "link.png", "filed/../../secret.png"])
def test_path_leading_out_of_the_scans_folder_is_refused(scans_root: Path, scan_file: str) -> None:
    """WHEN the preview is asked for a path that leads out of the folder (up, or through a
    link) THEN it refuses, naming the path and the folder."""
    with pytest.raises(scan_view.ScanUnavailableError, match="outside the scans folder"):
        scan_view.resolve(scan_file, scans_root)


def test_absolute_path_elsewhere_is_refused(scans_root: Path) -> None:
    """WHEN the warehouse names an absolute path outside the folder THEN it is refused."""
    with pytest.raises(scan_view.ScanUnavailableError, match="outside the scans folder"):
        scan_view.resolve(str(scans_root.parent / "secret.png"), scans_root)


def test_page_of_a_scan_in_the_folder_given_by_the_option_is_rendered(
    scans_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN ``DANGAN_SCANS_DIR`` set as ``dangan dashboard --scans`` sets it WHEN a scan's
    page is asked for by its path in the warehouse THEN a PNG thumbnail of it comes back."""
    monkeypatch.setenv("DANGAN_SCANS_DIR", str(scans_root))
    image = Image.open(io.BytesIO(scan_view.page_image("filed/scan.png")))
    assert image.format == "PNG"
    assert max(image.size) == scan_view.THUMBNAIL_PX
