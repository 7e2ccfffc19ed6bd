"""Data tests read the rows written since the previous build when the build asks for it.

The hourly build passes ``test_rows: changed``: a test of a model with ``updated_at`` then
reads the rows updated after the latest earlier build recorded in ``history.builds``; every
other run (``all``, the default: CI, the monthly close, ``--full-refresh``) reads every row.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from dagster_project.defs.dbt.runner import invoke
from tests.dbt.conftest import DbtWarehouse

STATUS_TEST = "accepted_values_stg_marketing__processes_status__in_progress__completed__cancelled"


def _bad_process(con: duckdb.DuckDBPyConnection, proc_id: str, updated_at: datetime) -> None:
    """A copy of a loaded process with a status outside the accepted values."""
    con.execute(
        "insert into raw.processes select * replace (? as proc_id, 'on_hold' as status, ? as updated_at)"
        " from raw.processes limit 1",
        [proc_id, updated_at],
    )


def _status_test(database: Path, as_of: str, test_rows: str, target: Path) -> list[str]:
    run = invoke(
        ["test", "--select", STATUS_TEST, "--vars", json.dumps({"as_of": as_of, "test_rows": test_rows})],
        database,
        target_path=target,
    )
    assert run.exception is None, run.exception
    assert len(run.events) == 1, "the selection must be exactly the status test"
    return run.failures


def test_changed_rows_only_skips_rows_written_before_the_previous_build(
    dbt_warehouse: DbtWarehouse, tmp_path: Path
) -> None:
    """GIVEN the built session warehouse (its as_of recorded in history.builds) and a process
    with an unknown status updated a day before that build
    WHEN the status test runs an hour after the build on changed rows, then on all rows
    THEN the changed-rows run passes (the row was there before the previous build) and the
    all-rows run fails on it; once a bad row is updated after the previous build, the
    changed-rows run fails too."""
    database = tmp_path / "warehouse.duckdb"
    shutil.copyfile(dbt_warehouse.path, database)
    built = datetime.fromisoformat(dbt_warehouse.as_of)
    an_hour_later = (built + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
    with duckdb.connect(str(database)) as con:
        recorded = con.execute("select max(as_of) from history.builds").fetchone()[0]
        assert recorded == built
        _bad_process(con, "PBADOLD", built - timedelta(days=1))

    assert _status_test(database, an_hour_later, "changed", tmp_path / "t1") == []
    assert len(_status_test(database, an_hour_later, "all", tmp_path / "t2")) == 1

    with duckdb.connect(str(database)) as con:
        _bad_process(con, "PBADNEW", built + timedelta(minutes=30))
    assert len(_status_test(database, an_hour_later, "changed", tmp_path / "t3")) == 1


def test_every_model_and_source_with_updated_at_declares_it(dbt_warehouse: DbtWarehouse) -> None:
    """GIVEN the built session warehouse and the prepared manifest
    WHEN the relations with a column ``updated_at`` are listed from the warehouse
    THEN each of them declares the column in its YAML: the changed-rows condition of the
    data tests reads the column from there (macro declares_updated_at), so a relation that
    left it out would be tested on every row in every hourly build."""
    from dagster_project.defs.dbt.assets import load_manifest

    manifest = load_manifest()
    declared = {}
    for node in [*manifest["nodes"].values(), *manifest["sources"].values()]:
        if node["resource_type"] in ("model", "source", "seed"):
            name = node.get("alias") or node.get("identifier") or node["name"]
            declared[(node["schema"], name)] = "updated_at" in {column.lower() for column in node["columns"]}
    with_column = dbt_warehouse.rows(
        "select table_schema, table_name from information_schema.columns where column_name = 'updated_at'"
        " and table_schema in ('raw', 'staging', 'intermediate', 'marts')"
    )
    assert len(with_column) >= 12, "raw and staging tables of the six changing source tables"
    assert [relation for relation in with_column if not declared.get(relation)] == []
