"""The scans folder sensor sees what the reader would: removals count, links out do not."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from dagster_project.defs.scans.resources import ScansResource
from dagster_project.defs.scans.sensors import folder_state, new_scans_sensor


def _evaluate(folder: Path, cursor: str | None):
    context = dg.build_sensor_context(
        cursor=cursor, resources={"scans": ScansResource(scans_dir=str(folder))}
    )
    return new_scans_sensor(context), context.cursor


def test_removed_scan_starts_a_run(tmp_path: Path) -> None:
    """GIVEN two scans seen by the sensor WHEN one is deleted THEN a run is requested for
    that one change, so its document stops counting as scanned."""
    (tmp_path / "a.png").write_bytes(b"page a")
    (tmp_path / "b.png").write_bytes(b"page b")
    _, cursor = _evaluate(tmp_path, None)
    (tmp_path / "b.png").unlink()
    result, _ = _evaluate(tmp_path, cursor)
    assert isinstance(result, dg.RunRequest)
    assert result.tags["dangan/new_scan_files"] == "1"


def test_link_out_of_the_folder_is_not_watched(tmp_path: Path) -> None:
    """GIVEN a scans folder with one scan and a link to an image outside it WHEN the sensor
    looks THEN only the scan is in its state."""
    scans_dir = tmp_path / "scans"
    scans_dir.mkdir()
    (scans_dir / "a.png").write_bytes(b"page a")
    (tmp_path / "outside.png").write_bytes(b"elsewhere")
    (scans_dir / "link.png").symlink_to(tmp_path / "outside.png")
    assert list(folder_state(scans_dir)) == ["a.png"]
