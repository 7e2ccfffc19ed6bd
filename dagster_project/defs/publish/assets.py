"""The monthly close and the atomic publish of a finished build."""

from __future__ import annotations

import dagster as dg

from dagster_project.defs.dbt import assets as dbt_defs
from dagster_project.defs.delivery.assets import FROZEN_KEY, OUTBOX_KEY, REPORT_KEY, SENT_KEY
from dagster_project.defs.publish.resources import DUCKDB_POOL, RunParams, WarehouseResource
from ingest import warehouse as wh
from ingest.clock import local_now

PUBLISHED_KEY = dg.AssetKey(["published_warehouse"])
MART_KPI = dg.AssetKey(["marts", "kpi_monthly"])
MART_SCORECARD = dg.AssetKey(["marts", "scorecard_monthly"])


@dg.asset(
    key=FROZEN_KEY,
    deps=[MART_KPI, MART_SCORECARD],
    group_name="close",
    kinds={"duckdb"},
    pool=DUCKDB_POOL,
)
def closed_month(context, warehouse: WarehouseResource, params: RunParams) -> dg.MaterializeResult:
    """Copy the closed month's indicators and scorecard into ``frozen.*`` once, for good."""
    from dagster_project.close import closed_month as month_to_close
    from dagster_project.close import freeze_month

    month = month_to_close(params.moment, params.close_lag_days)
    con = warehouse.connect(context.run_id)
    try:
        result = freeze_month(con, month, local_now())
    finally:
        con.close()
    context.log.info(
        f"month {month:%Y-%m} {'was frozen already' if result.already_frozen else 'frozen'}: {result.rows}"
    )
    return dg.MaterializeResult(
        metadata={"month": f"{month:%Y-%m}", "already_frozen": result.already_frozen, **result.rows}
    )


def build_published_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=PUBLISHED_KEY,
        deps=[*upstream, OUTBOX_KEY, SENT_KEY, FROZEN_KEY, REPORT_KEY],
        group_name="publish",
        pool=DUCKDB_POOL,
    )
    def published_warehouse(context, warehouse: WarehouseResource) -> dg.MaterializeResult:
        """Swap the finished build copy in as the published warehouse.

        Runs only when every selected upstream asset and blocking check succeeded; before
        that, readers keep seeing the previous version, and a failed run's copy is dropped.
        """
        build_file = warehouse.build_file(context.run_id)
        target = wh.publish(build_file, warehouse.published)
        wh.remove_stale_builds(warehouse.published)
        return dg.MaterializeResult(metadata={"version": target.name, "path": str(warehouse.published)})

    return published_warehouse


@dg.definitions
def publish_definitions() -> dg.Definitions:
    """The publish waits for every mart (read from the manifest) and the delivery/close steps."""
    # A module with a definitions function contributes only what the function returns.
    published = build_published_asset(dbt_defs.mart_keys(dbt_defs.load_manifest()))
    return dg.Definitions(assets=[closed_month, published])
