"""The generator's tiny data set through the loader: from the folder and from the SQLite
copies, every source row accounted for, and both kinds of source give the same raw tables."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

from ingest.contract import SYSTEMS, TABLES
from ingest.load import load_system
from ingest.sources import DatabaseSource, FolderSource
from ingest.synthetic.generate import generate_tables
from tests.ingest.conftest import raw_snapshot


@pytest.fixture(scope="module")
def generated_tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated") / "tiny"
    return generate_tables("tiny", 7, out, scans="none", table_format="csv").out


def file_rows(folder: Path, system: str, table: str) -> int:
    with (folder / system / f"{table}.csv").open(encoding="utf-8-sig", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


@pytest.fixture(scope="module")
def loaded(generated_tiny: Path) -> dict[str, tuple[duckdb.DuckDBPyConnection, dict]]:
    result = {}
    for kind in ("folder", "sqlite"):
        con = duckdb.connect()
        loads = {}
        for system in SYSTEMS:
            source = (
                FolderSource(generated_tiny)
                if kind == "folder"
                else DatabaseSource(f"sqlite:///{generated_tiny / f'{system}.sqlite'}")
            )
            for item in load_system(con, system, source, run_id=kind):
                loads[item.table] = item
        result[kind] = (con, loads)
    return result


@pytest.mark.parametrize("kind", ["folder", "sqlite"])
def test_every_generated_row_is_loaded_or_rejected(generated_tiny: Path, loaded, kind: str) -> None:
    con, loads = loaded[kind]
    manifest = json.loads((generated_tiny / "manifest.json").read_text(encoding="utf-8"))

    for table in TABLES:
        load = loads[table.name]
        assert load.status == "ok", load.error
        assert (
            load.source_rows
            == file_rows(generated_tiny, table.system, table.name)
            == manifest["counts"][table.name]
        )
        assert load.source_rows == load.loaded_rows + load.rejected_rows
        assert con.execute(f"select count(*) from raw.{table.name}").fetchone()[0] == load.loaded_rows
    # The generator writes data that meets the contract: nothing to reject.
    assert con.execute("select count(*) from raw.ingest_rejects").fetchone()[0] == 0


def test_generated_folder_and_sqlite_give_the_same_raw_tables(loaded) -> None:
    assert raw_snapshot(loaded["folder"][0]) == raw_snapshot(loaded["sqlite"][0])


def test_reloading_the_generated_set_incrementally_changes_nothing(generated_tiny: Path, loaded) -> None:
    con, _ = loaded["folder"]
    before = raw_snapshot(con)
    for system in SYSTEMS:
        load_system(con, system, FolderSource(generated_tiny), run_id="again")

    assert raw_snapshot(con) == before
