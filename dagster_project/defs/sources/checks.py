"""Reconciliation of each load: nothing lost between the source and ``raw``.

Computed inside the loading asset (it has the load counts at hand) and reported as
blocking asset checks, so a table that does not reconcile stops the marts and the
publish of that build.
"""

from __future__ import annotations

from collections.abc import Iterable

import dagster as dg
import duckdb

from ingest.contract import TABLES_BY_NAME

RECONCILES = "source_rows_reconcile"
ROWS_MATCH = "raw_rows_match_load"


def reconciliation_results(
    con: duckdb.DuckDBPyConnection, loads: Iterable, *, full_refresh: bool
) -> list[dg.AssetCheckResult]:
    """Two checks per table: counts add up; the raw table holds what the load says.

    After a full reload the raw table has exactly the loaded rows; after an incremental
    load it has at least them (older rows stay). Either way its key is unique.
    """
    results = []
    for load in loads:
        key = dg.AssetKey(["raw", load.table])
        adds_up = load.source_rows == load.loaded_rows + load.rejected_rows and load.status == "ok"
        results.append(
            dg.AssetCheckResult(
                asset_key=key,
                check_name=RECONCILES,
                passed=bool(adds_up),
                metadata={
                    "source_rows": load.source_rows,
                    "loaded_rows": load.loaded_rows,
                    "rejected_rows": load.rejected_rows,
                },
                description=None
                if adds_up
                else f"raw.{load.table}: {load.source_rows} source rows but {load.loaded_rows} loaded"
                f" + {load.rejected_rows} rejected",
            )
        )
        table = TABLES_BY_NAME[load.table]
        raw_rows, distinct_keys = con.execute(
            f"select count(*), count(distinct {table.primary_key}) from raw.{table.name}"
        ).fetchone()
        matches = raw_rows >= load.loaded_rows if not full_refresh else raw_rows == load.loaded_rows
        passed = matches and raw_rows == distinct_keys
        results.append(
            dg.AssetCheckResult(
                asset_key=key,
                check_name=ROWS_MATCH,
                passed=bool(passed),
                metadata={
                    "raw_rows": raw_rows,
                    "distinct_keys": distinct_keys,
                    "loaded_rows": load.loaded_rows,
                },
            )
        )
    return results
