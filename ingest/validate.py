"""Set-based validation of a staged source table against the contract, in DuckDB SQL.

Input: the staging table written by a source (``ingest.sources``), one row per row read,
values as read (text for CSV and databases, typed for Parquet). Output: two temp tables,

- ``typed``: ``_row`` (1-based position in what was read), ``_key`` (primary key as read)
  and every contract column converted to its contract type (null where it cannot be);
- ``rejects``: one row per rejected row and reason (``_row``, ``_key``, ``column_name``,
  ``reason``).

Rules, and the decisions the contract leaves open:

- Types: ``int`` digits only (``1.5`` is a reject, not 2); ``bool`` true/false/1/0 in any
  case; ``date`` YYYY-MM-DD; ``timestamp`` YYYY-MM-DD HH:MM:SS (fractional seconds
  accepted). Empty text counts as null everywhere, as it does in CSV.
- Non-nullable columns must hold a value; ``allowed`` values are checked exactly.
- Primary key duplicated within one load: every copy is rejected. No copy is "the right
  one", and picking one would depend on read order.
- ``unique`` columns: duplicated within the load, every copy is rejected; a value already
  held in the raw table by another key (incremental loads) rejects the new row.
- References (``foreign_keys``) are checked against the raw table referenced, which the
  load order of ``tables_of`` has already loaded in this run. Only references inside one
  system are checked here; references from the archive to marketing rows are left to the
  dbt relationship tests, so an archive row is never lost because the other system lags.
"""

from __future__ import annotations

import logging

import duckdb

from ingest.contract import DUCKDB_TYPES, RAW_SCHEMA, Column, Table
from ingest.sources import Staged, quote

logger = logging.getLogger(__name__)

TYPED = "typed"
REJECTS = "rejects"

_PATTERNS = {
    "int": r"[+-]?[0-9]+",
    "date": r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
    "timestamp": r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?",
}
_EXPECTED = {
    "int": "an integer",
    "bool": "a bool (true/false/1/0)",
    "date": "a date YYYY-MM-DD",
    "timestamp": "a timestamp YYYY-MM-DD HH:MM:SS",
}


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def typed_expression(column: Column, source: str, source_type: str) -> str:
    """SQL turning the staged value into the contract type, null where it is not one."""
    value = quote(source)
    target = DUCKDB_TYPES[column.type]
    if source_type != "VARCHAR":
        if column.type == "text":
            return f"nullif(cast({value} as varchar), '')"
        return f"try_cast({value} as {target})"
    if column.type == "text":
        return f"nullif({value}, '')"
    trimmed = f"trim({value})"
    if column.type == "bool":
        return (
            f"case lower({trimmed}) when 'true' then true when '1' then true "
            f"when 'false' then false when '0' then false end"
        )
    pattern = _literal(_PATTERNS[column.type])
    return f"case when regexp_full_match({trimmed}, {pattern}) then try_cast({trimmed} as {target}) end"


def present_expression(source: str) -> str:
    value = quote(source)
    return f"({value} is not null and cast({value} as varchar) <> '')"


def validate(
    con: duckdb.DuckDBPyConnection, table: Table, stage: str, staged: Staged, *, incremental: bool
) -> int:
    """Write ``typed`` and ``rejects`` for the staged table; return the number of rejected rows.

    ``incremental``: the good rows will be upserted into what raw holds, so unique values
    are also checked against raw rows of other keys (a full load replaces them instead).
    """
    source_types = {name: type_ for name, type_, *_ in con.execute(f"describe {stage}").fetchall()}
    cols = staged.columns
    key_source = cols[table.primary_key]
    typed_columns = ", ".join(
        f"{typed_expression(column, cols[column.name], source_types[cols[column.name]])} as {quote(column.name)}"
        for column in table.columns
    )
    # Whether a value was there at all, for the typed columns: tells a bad value from a
    # missing one. (For text the typed value itself tells: empty text is null.)
    present_columns = "".join(
        f", {present_expression(cols[column.name])} as {quote('_has_' + column.name)}"
        for column in table.columns
        if column.type != "text"
    )
    con.execute(
        f"create or replace temp table {TYPED} as select rowid + 1 as _row, "
        f"cast({quote(key_source)} as varchar) as _key, {typed_columns}{present_columns} from {stage}"
    )
    con.execute(
        f"create or replace temp table {REJECTS} "
        "(_row bigint, _key varchar, column_name varchar, reason varchar)"
    )
    where = f"{table.system}.{table.name}"
    prefix = (
        f"{_literal(where + ' row ')} || t._row || {_literal(' (' + table.primary_key + '=')} "
        f"|| coalesce(t._key, 'null') || '): column ' "
    )

    def reject(column: str, condition: str, message: str, source: str = f"{TYPED} as t") -> None:
        con.execute(
            f"insert into {REJECTS} select t._row, t._key, {_literal(column)}, "
            f"{prefix} || {_literal(column + ': ')} || {message} from {source} where {condition}"
        )

    for column in table.columns:
        name = quote(column.name)
        has = quote("_has_" + column.name) if column.type != "text" else f"{name} is not null"
        if column.type != "text":
            # The value as read comes from the staging table, joined back on the row.
            reject(
                column.name,
                "true",
                f"'value ' || to_json(s.{quote(cols[column.name])}) "
                f"|| {_literal(' is not ' + _EXPECTED[column.type])}",
                source=f"(select _row, _key from {TYPED} where {has} and {name} is null) as t "
                f"join {stage} as s on s.rowid + 1 = t._row",
            )
        if not column.nullable:
            reject(column.name, f"not {has}", "'required value is missing'")
        if column.allowed:
            allowed = ", ".join(_literal(value) for value in column.allowed)
            reject(
                column.name,
                f"{name} is not null and {name} not in ({allowed})",
                f"'value ' || to_json({name}) || {_literal(' is not one of ' + '/'.join(column.allowed))}",
            )

    pk = quote(table.primary_key)
    con.execute(
        f"insert into {REJECTS} select _row, _key, {_literal(table.primary_key)}, "
        f"{prefix} || {_literal(table.primary_key + ': ')} || 'primary key value ' || to_json({pk}) "
        f"|| ' appears ' || copies || ' times in this load; every copy is rejected' "
        f"from (select _row, _key, {pk}, count(*) over (partition by {pk}) as copies "
        f"from {TYPED} where {pk} is not null) as t where copies > 1"
    )
    raw_table = f"{RAW_SCHEMA}.{table.name}"
    for unique in table.unique:
        col = quote(unique)
        con.execute(
            f"insert into {REJECTS} select _row, _key, {_literal(unique)}, "
            f"{prefix} || {_literal(unique + ': ')} || 'unique value ' || to_json({col}) "
            f"|| ' appears ' || copies || ' times in this load; every copy is rejected' "
            f"from (select _row, _key, {col}, count(*) over (partition by {col}) as copies "
            f"from {TYPED} where {col} is not null) as t where copies > 1"
        )
        if not incremental:
            continue
        # A value kept in raw under another key (rows of earlier loads not replaced now).
        con.execute(
            f"insert into {REJECTS} select t._row, t._key, {_literal(unique)}, "
            f"{prefix} || {_literal(unique + ': ')} || 'unique value ' "
            f"|| to_json(t.{col}) || {_literal(' is already held in ' + raw_table + ' by ' + table.primary_key + ' ')}"
            f"|| to_json(r.{pk}) "
            f"from {TYPED} as t join {raw_table} as r on r.{col} = t.{col} "
            f"where r.{pk} is distinct from t.{pk} "
            f"and r.{pk} not in (select {pk} from {TYPED} where {pk} is not null)"
        )
    for fk in table.foreign_keys:
        col = quote(fk.column)
        reject(
            fk.column,
            f"{col} is not null and {col} not in "
            f"(select {quote(fk.ref_column)} from {RAW_SCHEMA}.{fk.table} where {quote(fk.ref_column)} is not null)",
            f"'value ' || to_json({col}) || {_literal(f' not found in {fk.table}.{fk.ref_column}')}",
        )
    rejected = con.execute(f"select count(distinct _row) from {REJECTS}").fetchone()[0]
    if rejected:
        logger.warning("%s: %d row(s) rejected", where, rejected)
    return rejected
