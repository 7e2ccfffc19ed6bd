"""Source tables into ``raw.*`` and the working-day calendar: thin wrappers around ``ingest``."""

from __future__ import annotations

import dagster as dg

from dagster_project.defs.common.resources import DUCKDB_POOL, RunParams, WarehouseResource
from dagster_project.defs.sources.checks import RECONCILES, ROWS_MATCH, reconciliation_results
from dagster_project.defs.sources.resources import SourcesResource
from ingest.contract import SYSTEMS, TABLES, create_raw_tables

RAW_SOURCE_KEYS = [dg.AssetKey(["raw", table.name]) for table in TABLES]
BOOKKEEPING_KEYS = [dg.AssetKey(["raw", "ingest_runs"]), dg.AssetKey(["raw", "ingest_rejects"])]
CALENDAR_KEY = dg.AssetKey(["raw", "calendar_days"])


class SourceLoadError(RuntimeError):
    """A source table could not be loaded; the message names system, table and cause."""


@dg.multi_asset(
    name="source_tables",
    specs=[
        dg.AssetSpec(key, group_name="sources", kinds={"duckdb"}, description=f"raw copy of {key.path[-1]}")
        for key in RAW_SOURCE_KEYS
    ]
    + [dg.AssetSpec(key, group_name="sources", kinds={"duckdb"}) for key in BOOKKEEPING_KEYS],
    check_specs=[
        dg.AssetCheckSpec(name, asset=key, blocking=True, description=text)
        for key in RAW_SOURCE_KEYS
        for name, text in (
            (RECONCILES, "source rows = loaded rows + rejected rows, load status ok"),
            (ROWS_MATCH, "raw rows agree with what was loaded, primary key unique"),
        )
    ],
    pool=DUCKDB_POOL,
)
def source_tables(
    context,
    warehouse: WarehouseResource,
    sources: SourcesResource,
    params: RunParams,
):
    """Load both source systems (marketing first: the archive refers to it).

    Periodically (seed ``ingest_limits.key_reconcile_hours``) the keys of every source
    table are compared with raw (``ingest.reconcile``); drift is logged as a warning and
    kept in ``raw.key_reconciliations``. A system's first load and a full refresh read
    everything and count as such a comparison.
    """
    from ingest.clock import local_now
    from ingest.limits import read_limits
    from ingest.load import load_system
    from ingest.reconcile import due, last_reconciled, mark_full_read, reconcile_keys

    with warehouse.connect() as con:
        create_raw_tables(con)
        now = local_now()
        read_whole = {
            system: params.full_refresh or last_reconciled(con, system) is None for system in SYSTEMS
        }
        loads = []
        for system in SYSTEMS:
            context.log.info(f"loading {system} from {sources.describe(system)}")
            loads += load_system(
                con,
                system,
                sources.source_for(system),
                run_id=context.run_id,
                full_refresh=params.full_refresh,
                progress=context.log.info,
                allow_shrink=frozenset(sources.allow_shrink),
            )
        failed = [load for load in loads if load.status != "ok"]
        if failed:
            details = "; ".join(f"{load.system}.{load.table}: {load.error}" for load in failed)
            raise SourceLoadError(f"{len(failed)} source table(s) failed to load: {details}")
        limits = read_limits()
        for system in SYSTEMS:
            if read_whole[system]:
                mark_full_read(con, system, now)
            elif due(con, system, limits.key_reconcile, now):
                context.log.info(f"{system}: reconciling every key with the source")
                for drift in reconcile_keys(con, system, sources.source_for(system)):
                    if drift.status != "ok":
                        context.log.warning(drift.describe())
        checks = reconciliation_results(con, loads, full_refresh=params.full_refresh)
    by_table = {load.table: load for load in loads}
    for key in RAW_SOURCE_KEYS:
        load = by_table.get(key.path[-1])
        metadata = (
            {
                "source_rows": load.source_rows,
                "loaded_rows": load.loaded_rows,
                "rejected_rows": load.rejected_rows,
            }
            if load
            else {}
        )
        yield dg.MaterializeResult(asset_key=key, metadata=metadata)
    for key in BOOKKEEPING_KEYS:
        yield dg.MaterializeResult(asset_key=key)
    yield from checks


@dg.asset(
    key=CALENDAR_KEY,
    group_name="sources",
    kinds={"duckdb"},
    pool=DUCKDB_POOL,
    check_specs=[
        dg.AssetCheckSpec(
            "covers_as_of_year",
            asset=CALENDAR_KEY,
            description="official holiday data covers the evaluated years (else Mon–Fri fallback)",
        )
    ],
)
def calendar_days(context, warehouse: WarehouseResource, params: RunParams):
    """Working days up to the end of the year after as_of; warns where the fallback is used."""
    from ingest.calendar import load_calendar

    with warehouse.connect() as con:
        create_raw_tables(con)
        coverage = load_calendar(con, params.moment)
        days = con.execute("select count(*) from raw.calendar_days").fetchone()[0]
    warnings = list(coverage.warnings)
    yield dg.MaterializeResult(metadata={"days": days, "first_uncovered_year": coverage.first_uncovered_year})
    yield dg.AssetCheckResult(
        check_name="covers_as_of_year",
        passed=not warnings,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"warnings": "; ".join(warnings) or "none"},
    )
