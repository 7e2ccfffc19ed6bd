"""The shared warehouse resource: one build copy per run, connections closed on exit."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.defs.common.resources import NoRunError, WarehouseResource


def test_connect_closes_its_connection_on_leaving_the_block(tmp_path: Path) -> None:
    warehouse = WarehouseResource(path=str(tmp_path / "warehouse.duckdb"))
    with warehouse.connect("run-1") as con:
        con.execute("create table t as select 1 as x")
    with pytest.raises(duckdb.ConnectionException):
        con.execute("select 1")


def test_connect_closes_its_connection_when_the_block_fails(tmp_path: Path) -> None:
    warehouse = WarehouseResource(path=str(tmp_path / "warehouse.duckdb"))
    with pytest.raises(ZeroDivisionError), warehouse.connect("run-1") as con:
        con.execute("create table t as select 1 as x")
        _ = 1 / 0
    with pytest.raises(duckdb.ConnectionException):
        con.execute("select 1")
    # Closed, so the file opens again, read-only, with what was written.
    reader = duckdb.connect(str(warehouse.build_file("run-1")), read_only=True)
    try:
        assert reader.execute("select x from t").fetchall() == [(1,)]
    finally:
        reader.close()


def test_every_step_of_a_run_connects_to_that_runs_build_copy(tmp_path: Path) -> None:
    """GIVEN two assets of one run, the second reading what the first wrote
    WHEN they run with ``with warehouse.connect() as con:`` and no run id of their own
    THEN both work on the run's private copy, and the published path is never written."""

    @dg.asset
    def written(warehouse: WarehouseResource) -> None:
        with warehouse.connect() as con:
            con.execute("create table t as select 42 as x")

    @dg.asset(deps=[written])
    def read(warehouse: WarehouseResource) -> int:
        with warehouse.connect() as con:
            return con.execute("select x from t").fetchone()[0]

    warehouse = WarehouseResource(path=str(tmp_path / "warehouse.duckdb"))
    result = dg.materialize([written, read], resources={"warehouse": warehouse})
    assert result.success
    assert result.output_for_node("read") == 42
    assert warehouse.build_file(result.run_id).exists()
    assert not warehouse.published.exists()


def test_a_build_copy_outside_a_run_needs_a_run_id(tmp_path: Path) -> None:
    warehouse = WarehouseResource(path=str(tmp_path / "warehouse.duckdb"))
    with pytest.raises(NoRunError, match="warehouse.duckdb"), warehouse.connect():
        pass
