"""A generated source folder as it stood a little earlier: the build before a day's changes.

An hourly build after a working day's changes (new and updated processes, their steps,
documents and archive steps) loads only what was written since the last load and keeps what
earlier builds recorded. To measure and test that, a generated folder (the state *after*)
is taken back to a moment ``cutoff`` as the source systems would have shown it then:

- a row created after ``cutoff`` (its creation moment, e.g. a process's ``accepted_at``)
  is left out, and so are the rows that hang on a row left out (the contract's foreign
  keys, and a step's or a document's process across the two systems);
- a row created before but changed after keeps its earlier shape: what happened after
  ``cutoff`` (a completion, a review, a closing date) has not happened yet, a process
  finished or cancelled since is still in progress, and ``updated_at`` is at most
  ``cutoff`` — so a load of the later folder reads it again as changed;
- tables replaced whole on every load (no ``updated_at``) are copied as they are.

``cutoff_for_changes`` picks the moment that leaves a given number of processes changed.
The rules know the generator's tables; they are a test and benchmark tool, not a model of
any real source.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from ingest.contract import tables_of

# Archive tables that point at marketing rows without a declared foreign key (another
# system): an archive step mirrors one process step, a document belongs to one process.
CROSS_SYSTEM_PARENTS = {
    ("archive", "archive_steps"): ("step_id", "marketing", "process_steps", "step_id"),
    ("archive", "documents"): ("proc_id", "marketing", "processes", "proc_id"),
}


# Per table with updated_at: the column that says when the row came into being, and the
# moments that may lie after it (cleared when after the cutoff). Dates are compared by day.
MOMENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "customers": ("opened_on", ("closed_on",)),
    "processes": ("accepted_at", ("completed_at",)),
    "process_steps": ("started_at", ("completed_at",)),
    "contracts": ("signed_on", ("terminated_on",)),
    "archive_steps": ("created_at", ("first_doc_at", "sent_at", "reviewed_at")),
    "documents": ("added_at", ()),
}
# Columns whose value belongs to a later moment: (table, column) -> (moment, earlier value).
DEPENDENT = {
    ("processes", "status"): ("updated_at", "'in_progress'"),
    ("archive_steps", "review_result"): ("reviewed_at", "null"),
}


@dataclass(frozen=True)
class TableChange:
    system: str
    table: str
    rows_after: int
    rows_before: int
    # Rows new or updated after the cutoff (for a table replaced whole: every row).
    changed: int


def _file(folder: Path, system: str, table: str) -> Path | None:
    """The table's file in a generated folder: Parquet at scale, CSV for the tiny set."""
    for suffix in (".parquet", ".csv"):
        path = folder / system / f"{table}{suffix}"
        if path.exists():
            return path
    return None


def _reader(path: Path) -> str:
    if path.suffix == ".csv":
        # Text as written, so the earlier file is the later one's lines, not a re-rendering.
        return f"read_csv('{path}', header = true, all_varchar = true)"
    return f"read_parquet('{path}')"


def _writer(path: Path) -> str:
    return "(format csv, header true)" if path.suffix == ".csv" else "(format parquet)"


def cutoff_for_changes(source: Path, processes: int) -> datetime:
    """The moment after which exactly ``processes`` processes (the newest by
    ``updated_at``) were written, give or take ties."""
    path = _file(source, "marketing", "processes")
    if path is None:
        raise FileNotFoundError(f"{source}: no marketing/processes file")
    con = duckdb.connect()
    try:
        row = con.execute(
            f"select cast(updated_at as timestamp) as moment from {_reader(path)}"
            " order by moment desc limit 1 offset ?",
            [max(processes, 1)],
        ).fetchone()
    finally:
        con.close()
    if row is None:
        raise ValueError(f"{source}: fewer than {processes} processes to take back")
    return row[0]


def write_source_before(source: Path, out: Path, cutoff: datetime) -> list[TableChange]:
    """Write to ``out`` the generated folder ``source`` as it stood at ``cutoff``."""
    source, out = Path(source), Path(out)
    if out.exists():
        shutil.rmtree(out)
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    changes: list[TableChange] = []
    try:
        for system in ("marketing", "archive"):
            (out / system).mkdir(parents=True, exist_ok=True)
            for table in tables_of(system):
                path = _file(source, system, table.name)
                if path is None:
                    continue
                view = f"{system}__{table.name}"
                moment = f"timestamp '{cutoff:%Y-%m-%d %H:%M:%S}'"
                text = path.suffix == ".csv"

                def later(column: str, moment: str = moment) -> str:
                    return f"cast({column} as timestamp) > {moment}"

                condition = ["true"]
                select = ["*"]
                if table.has_updated_at:
                    created, happened = MOMENTS[table.name]
                    condition.append(f"not {later(created)}")
                    replaced = {}
                    for column in happened:
                        replaced[column] = f"case when {later(column)} then null else {column} end"
                    for (name, column), (moment_column, earlier) in DEPENDENT.items():
                        if name == table.name:
                            replaced[column] = (
                                f"case when {later(moment_column)} then {earlier} else {column} end"
                            )
                    clamp = f"'{cutoff:%Y-%m-%d %H:%M:%S}'" if text else moment
                    replaced["updated_at"] = (
                        f"case when {later('updated_at')} then {clamp} else updated_at end"
                    )
                    select = [
                        f"* replace ({', '.join(f'{sql} as {column}' for column, sql in replaced.items())})"
                    ]
                for key in table.foreign_keys:
                    parent = f"{system}__{key.table}"
                    if parent != view and parent in _views(con):
                        condition.append(
                            f"({key.column} is null or {key.column} in (select {key.ref_column} from {parent}))"
                        )
                cross = CROSS_SYSTEM_PARENTS.get((system, table.name))
                if cross is not None and f"{cross[1]}__{cross[2]}" in _views(con):
                    column, parent_system, parent_table, parent_column = cross
                    condition.append(
                        f"({column} is null or {column} in "
                        f"(select {parent_column} from {parent_system}__{parent_table}))"
                    )
                con.execute(
                    f"create table {view} as select {', '.join(select)} from {_reader(path)}"
                    f" where {' and '.join(condition)}"
                )
                target = out / system / path.name
                con.execute(f"copy {view} to '{target}' {_writer(path)}")
                after = con.execute(f"select count(*) from {_reader(path)}").fetchone()[0]
                before = con.execute(f"select count(*) from {view}").fetchone()[0]
                changed = after
                if table.has_updated_at:
                    changed = con.execute(
                        f"select count(*) from {_reader(path)} where cast(updated_at as timestamp) > {moment}"
                    ).fetchone()[0]
                changes.append(TableChange(system, table.name, after, before, changed))
    finally:
        con.close()
    for extra in source.iterdir():
        if extra.name not in ("marketing", "archive") and extra.is_file():
            shutil.copy2(extra, out / extra.name)
        elif extra.is_dir() and extra.name not in ("marketing", "archive"):
            # Scans and anything else the folder carries are the same before and after.
            (out / extra.name).symlink_to(extra.resolve(), target_is_directory=True)
    return changes


def _views(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in con.execute("select table_name from information_schema.tables").fetchall()}
