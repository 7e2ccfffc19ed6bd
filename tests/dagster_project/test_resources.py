"""The shared warehouse resource: one build copy per run, connections closed on exit."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.defs.common.resources import NoRunError, RunParams, WarehouseResource


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


@pytest.mark.parametrize("limit, shown", [("3GiB", "3.0 GiB"), ("512MiB", "512.0 MiB")])
def test_a_build_connection_is_bounded_by_the_memory_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: str, shown: str
) -> None:
    """GIVEN DANGAN_DUCKDB_MEMORY_LIMIT (ingest.settings.DUCKDB_MEMORY_LIMIT)
    WHEN a step connects to its build copy THEN DuckDB's memory_limit is that bound."""
    from ingest import settings

    monkeypatch.setattr(settings, "DUCKDB_MEMORY_LIMIT", limit)
    warehouse = WarehouseResource(path=str(tmp_path / "warehouse.duckdb"))
    with warehouse.connect("run-1") as con:
        assert con.execute("select current_setting('memory_limit')").fetchone() == (shown,)


def test_dbt_on_the_build_copy_is_bounded_by_the_same_memory_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN DANGAN_DUCKDB_MEMORY_LIMIT set WHEN dbt (the warehouse target, on the prepared
    manifest as the build runs it) queries the build copy THEN its connection has that
    memory_limit."""
    from dbt.cli.main import dbtRunner

    from dagster_project.defs.dbt import runner
    from dagster_project.defs.dbt.resources import dbt_project

    monkeypatch.setenv("DANGAN_DUCKDB_MEMORY_LIMIT", "3GiB")
    monkeypatch.setenv(runner.DBT_DB_ENV, str(tmp_path / "build.duckdb"))
    result = dbtRunner(manifest=runner.prepared_manifest()).invoke(
        [
            "show",
            "--inline",
            "select current_setting('memory_limit') as memory_limit",
            "--project-dir",
            str(dbt_project.project_dir),
            "--profiles-dir",
            str(dbt_project.profiles_dir),
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "target"),
            "--quiet",
        ]
    )
    assert result.success, result.exception
    assert [tuple(row) for row in result.result.results[0].agate_table.rows] == [("3.0 GiB",)]


def test_a_run_on_an_unknown_engine_is_refused_by_name() -> None:
    """GIVEN RunParams with an engine that is neither DuckDB nor Spark WHEN a run starts
    THEN it fails before any step runs, naming the engine and the ones there are."""
    ran = []

    @dg.asset
    def step(params: RunParams) -> None:
        ran.append(params.engine)

    with pytest.raises(dg.DagsterResourceFunctionError, match="params") as failure:
        dg.materialize([step], resources={"params": RunParams(engine="hive")})
    assert str(failure.value.__cause__) == "engine 'hive' is not one of duckdb, spark"
    assert ran == []
    assert dg.materialize([step], resources={"params": RunParams(engine="spark")}).success
    assert ran == ["spark"]
