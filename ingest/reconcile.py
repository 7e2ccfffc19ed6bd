"""A full reconciliation by key counts: does raw hold every key the source holds, and no other?

Incremental loads read only what changed (with an overlap window and the pending rejects),
so a row they cannot see (a commit later than the window, a row deleted at the source)
would make raw drift from the source without any load noticing. This check reads every
key of the source and compares sets, not row counts:

- ``missing_keys``: keys in the source with no raw row and not explained by a reject of
  the table's last load;
- ``extra_keys``: raw keys the source no longer holds (deleted there: only a full refresh
  removes them).

It reads each source table whole, so it runs periodically (seed
``ingest_limits.key_reconcile_hours``), not on every load; each result is kept in
``raw.key_reconciliations``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb

from ingest.clock import local_now
from ingest.contract import RAW_SCHEMA, UNCHANGED, create_raw_tables, tables_of
from ingest.sources import Source, SourceError, quote
from ingest.validate import KEY_BLANKS

logger = logging.getLogger(__name__)

STAGE = "reconcile_stage"
RESULTS = f"{RAW_SCHEMA}.key_reconciliations"
RESULTS_DDL = (
    f"create table if not exists {RESULTS} (system varchar, table_name varchar, checked_at timestamp, "
    "source_keys bigint, raw_keys bigint, rejected_keys bigint, missing_keys bigint, extra_keys bigint, "
    "status varchar, error varchar)"
)


@dataclass(frozen=True)
class KeyDrift:
    system: str
    table: str
    source_keys: int
    raw_keys: int
    rejected_keys: int
    missing_keys: int
    extra_keys: int
    error: str | None = None

    @property
    def status(self) -> str:
        if self.error:
            return "failed"
        return "drift" if self.missing_keys or self.extra_keys else "ok"

    def describe(self) -> str:
        where = f"{self.system}.{self.table}"
        if self.error:
            return f"{where}: keys not reconciled: {self.error}"
        return (
            f"{where}: {self.source_keys:,} keys in the source, {self.raw_keys:,} in raw, "
            f"{self.rejected_keys:,} rejected; {self.missing_keys:,} missing from raw, "
            f"{self.extra_keys:,} in raw but gone from the source"
        )


def last_reconciled(con: duckdb.DuckDBPyConnection, system: str) -> datetime | None:
    con.execute(RESULTS_DDL)
    return con.execute(f"select max(checked_at) from {RESULTS} where system = ?", [system]).fetchone()[0]


def due(con: duckdb.DuckDBPyConnection, system: str, every: timedelta, now: datetime) -> bool:
    """Whether ``system`` was last reconciled ``every`` or longer before ``now`` (or never)."""
    last = last_reconciled(con, system)
    return last is None or now - last >= every


def mark_full_read(con: duckdb.DuckDBPyConnection, system: str, when: datetime) -> None:
    """Record that a load read every row of ``system`` (a first load, a full refresh): it
    reconciled the keys by itself, so the next reconciliation is due a period later."""
    con.execute(RESULTS_DDL)
    con.execute(
        f"insert into {RESULTS} (system, table_name, checked_at, status) select ?, unnest(?), ?, 'full load'",
        [system, [table.name for table in tables_of(system)], when],
    )


def reconcile_keys(con: duckdb.DuckDBPyConnection, system: str, source: Source) -> list[KeyDrift]:
    """Compare every table's keys in ``source`` with raw; record and return the results."""
    create_raw_tables(con)
    con.execute(RESULTS_DDL)
    results = []
    for table in tables_of(system):
        try:
            staged = source.stage(con, table, STAGE, since=None)
            key = f"nullif(trim(cast({quote(staged.columns[table.primary_key])} as varchar), '{KEY_BLANKS}'), '')"
            pk = quote(table.primary_key)
            rejected = (
                f"select distinct trim(row_key, '{KEY_BLANKS}') as k from {RAW_SCHEMA}.ingest_rejects "
                "where system = ? and table_name = ? and row_number is not null and row_key is not null "
                f"and run_id = (select run_id from {RAW_SCHEMA}.ingest_runs where system = ? and table_name = ? "
                f"and status = 'ok' and mode != '{UNCHANGED}' order by finished_at desc limit 1)"
            )
            counts = con.execute(
                f"with source_keys as (select distinct {key} as k from {STAGE} where {key} is not null), "
                f"raw_keys as (select distinct {pk} as k from {RAW_SCHEMA}.{table.name}), "
                f"rejected_keys as ({rejected}) "
                "select (select count(*) from source_keys), (select count(*) from raw_keys), "
                "(select count(*) from source_keys where k in (select k from rejected_keys) "
                "and k not in (select k from raw_keys)), "
                "(select count(*) from source_keys where k not in (select k from raw_keys) "
                "and k not in (select k from rejected_keys)), "
                "(select count(*) from raw_keys where k not in (select k from source_keys))",
                [system, table.name, system, table.name],
            ).fetchone()
            drift = KeyDrift(system, table.name, *counts)
        except (SourceError, duckdb.Error, OSError) as exc:
            drift = KeyDrift(system, table.name, 0, 0, 0, 0, 0, str(exc))
        finally:
            con.execute(f"drop table if exists temp.{STAGE}")
            con.execute(f"drop table if exists temp.{STAGE}_malformed")
        if drift.status != "ok":
            logger.warning("%s", drift.describe())
        con.execute(
            f"insert into {RESULTS} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                system,
                table.name,
                local_now(),
                drift.source_keys,
                drift.raw_keys,
                drift.rejected_keys,
                drift.missing_keys,
                drift.extra_keys,
                drift.status,
                drift.describe() if drift.status != "ok" else None,
            ],
        )
        results.append(drift)
    dispose = getattr(source, "dispose", None)
    if dispose is not None:
        dispose()
    return results
