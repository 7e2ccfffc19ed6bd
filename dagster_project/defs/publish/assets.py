"""The atomic publish of a finished build."""

from __future__ import annotations

import dagster as dg

from dagster_project.defs.common import keys
from dagster_project.defs.common.resources import DUCKDB_POOL, WarehouseResource
from dagster_project.defs.dbt import assets as dbt_defs
from ingest import warehouse as wh


def build_published_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=keys.PUBLISHED,
        deps=[*upstream, keys.OUTBOX, keys.SENT, keys.MONTHLY_REPORT],
        group_name=keys.PUBLISH,
        pool=DUCKDB_POOL,
    )
    def published_warehouse(warehouse: WarehouseResource) -> dg.MaterializeResult:
        """Swap the finished build copy in as the published warehouse.

        Runs only when every selected upstream asset and blocking check succeeded; before
        that, readers keep seeing the previous version, and a failed run's copy is dropped.
        """
        target = wh.publish(warehouse.build_file(), warehouse.published)
        wh.remove_stale_builds(warehouse.published)
        return dg.MaterializeResult(metadata={"version": target.name, "path": str(warehouse.published)})

    return published_warehouse


@dg.definitions
def publish_definitions() -> dg.Definitions:
    """The publish waits for every mart (read from the manifest) and the delivery/close steps."""
    # A module with a definitions function contributes only what the function returns.
    return dg.Definitions(assets=[build_published_asset(dbt_defs.mart_keys(dbt_defs.load_manifest()))])
