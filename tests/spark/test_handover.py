"""The Parquet hand-over back into DuckDB, without Spark: ``spark_engine.load_marts``."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dagster_project.spark_engine import load_marts


@pytest.mark.parametrize("file_name", ["marts.duckdb", "raw.duckdb", "warehouse.duckdb"])
def test_marts_load_into_a_file_whatever_its_name(tmp_path: Path, file_name: str) -> None:
    """GIVEN a mart as a Parquet folder (as Spark writes it) and a warehouse file whose
    catalogue may share its name with a schema (``marts.duckdb``)
    WHEN the marts are loaded twice (a rebuild replaces them)
    THEN the file's schema ``marts`` holds the table with the Parquet rows, once."""
    parquet = tmp_path / "parquet" / "kpi_monthly"
    parquet.mkdir(parents=True)
    con = duckdb.connect()
    con.execute(
        f"copy (select 3 as units, 'x' as label union all select 4, 'y') to '{parquet / 'part-0.parquet'}'"
    )
    con.close()
    warehouse = tmp_path / file_name

    load_marts(warehouse, tmp_path / "parquet", ["kpi_monthly"])
    load_marts(warehouse, tmp_path / "parquet", ["kpi_monthly"])

    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute(
        f'select units, label from "{warehouse.stem}".marts.kpi_monthly order by units'
    ).fetchall()
    con.close()
    assert rows == [(3, "x"), (4, "y")]


def test_a_table_name_that_is_not_a_plain_identifier_is_refused(tmp_path: Path) -> None:
    """GIVEN a table name carrying SQL WHEN it is loaded THEN it is refused by name."""
    with pytest.raises(ValueError, match="not a plain identifier"):
        load_marts(tmp_path / "w.duckdb", tmp_path, ["kpi; drop table x"])


def test_a_spark_build_reports_every_model_after_the_models_it_reads() -> None:
    """GIVEN the project's manifest WHEN the Spark step lists its assets in build order
    THEN every seed and model is there once, each after every seed or model it reads
    (Dagster refuses a multi-asset's materialisations in any other order)."""
    from dagster_project.defs.dbt.assets import keys_in_build_order, load_manifest, translator

    manifest = load_manifest()
    order = [key.to_user_string() for key in keys_in_build_order(manifest)]
    built = {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "seed", "snapshot")
    }
    assert sorted(order) == sorted(translator.get_asset_key(node).to_user_string() for node in built.values())
    position = {key: index for index, key in enumerate(order)}
    for node in built.values():
        me = position[translator.get_asset_key(node).to_user_string()]
        for parent in node.get("depends_on", {}).get("nodes", []):
            if parent in built:
                assert position[translator.get_asset_key(built[parent]).to_user_string()] < me, (
                    f"{node['unique_id']} listed before {parent}"
                )
