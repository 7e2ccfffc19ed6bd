"""Every dbt model, seed and test as Dagster assets and asset checks, built with ``dbt build``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from dagster_project.defs.dbt.resources import dbt_database, dbt_project, prepare_manifest
from dagster_project.defs.publish.resources import DUCKDB_POOL, RunParams, WarehouseResource

dbt_project.prepare_if_dev()
if not dbt_project.manifest_path.exists():
    # First load on a fresh checkout: parse once; later loads reuse target/manifest.json.
    prepare_manifest(dbt_project)


class DanganTranslator(DagsterDbtTranslator):
    """Keys ``<schema>/<name>``: sources in schema ``raw`` meet the loading assets' keys."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        resource_type = dbt_resource_props["resource_type"]
        if resource_type == "source":
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        if resource_type in ("model", "seed", "snapshot"):
            schema = dbt_resource_props.get("config", {}).get("schema") or dbt_resource_props.get("schema")
            return dg.AssetKey([schema, dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return "dbt"


translator = DanganTranslator(
    settings=DagsterDbtTranslatorSettings(enable_asset_checks=True, enable_source_tests_as_checks=True)
)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    pool=DUCKDB_POOL,
)
def dbt_models(context, dbt: DbtCliResource, warehouse: WarehouseResource, params: RunParams):
    """``dbt build`` of the selected models on this run's build copy, as of the run's moment."""
    build_file = warehouse.build_file(context.run_id)
    with dbt_database(build_file):
        yield from dbt.cli(
            ["build", "--vars", json.dumps({"as_of": params.as_of_text})], context=context
        ).stream()
