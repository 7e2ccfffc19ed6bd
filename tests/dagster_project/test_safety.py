"""``dangan build`` refuses what would lose or overwrite data: a truncated export of a
table replaced whole, a second build on the same warehouse, a publish over a version it
did not start from."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dagster_project.build import run_build
from ingest import warehouse as wh


def _fresh_warehouse(tiny_warehouse: Path, folder: Path) -> Path:
    """A warehouse of its own whose published version is a copy of the tiny one."""
    warehouse = folder / "warehouse.duckdb"
    copy = wh.build_dir(warehouse) / "seed-copy.duckdb"
    copy.parent.mkdir(parents=True)
    copy.write_bytes(wh.published_file(tiny_warehouse).read_bytes())
    wh.publish(copy, warehouse)
    return warehouse


def _count(warehouse: Path, sql: str) -> int:
    con = wh.connect_published(warehouse)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def test_header_only_staff_export_fails_the_build_and_names_the_override(
    tiny_source: Path, tiny_as_of: str, tiny_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """GIVEN a published warehouse and a source whose staff.csv holds only its header
    WHEN it is built
    THEN the build fails naming staff and --allow-shrink, and the published staff stay."""
    warehouse = _fresh_warehouse(tiny_warehouse, tmp_path / "w")
    version = wh.published_version(warehouse)
    staff_before = _count(warehouse, "select count(*) from raw.staff")
    source = tmp_path / "source"
    shutil.copytree(tiny_source / "marketing", source / "marketing")
    shutil.copytree(tiny_source / "archive", source / "archive")
    staff = source / "marketing" / "staff.csv"
    staff.write_text(staff.read_text(encoding="utf-8-sig").splitlines()[0] + "\n", encoding="utf-8")

    code = run_build(source, None, None, None, warehouse, tiny_as_of, False)

    message = capsys.readouterr().err
    assert code == 1
    assert (
        f"this load would remove {staff_before:,} of the {staff_before:,} rows of raw.staff (100%)" in message
    )
    assert "--allow-shrink staff" in message
    assert wh.published_version(warehouse) == version
    assert _count(warehouse, "select count(*) from raw.staff") == staff_before > 0


def test_allow_shrink_must_name_a_source_table(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code = run_build(tmp_path, None, None, None, tmp_path / "w.duckdb", None, False, allow_shrink=["staf"])
    assert code == 2
    assert "--allow-shrink names no source table: staf" in capsys.readouterr().err
