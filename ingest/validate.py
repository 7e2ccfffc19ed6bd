"""Set-based validation of a staged source table against the contract, in DuckDB SQL.

Input: the staging table written by a source (``ingest.sources``), one row per row read,
values as read (text for CSV and databases, typed for Parquet). Output: three temp tables,

- ``typed``: ``_row`` (1-based position in what was read), ``_key`` (primary key as read)
  and every contract column converted to its contract type (null where it cannot be);
- ``rejects``: one row per rejected row and reason (``_row``, ``_key``, ``column_name``,
  ``reason``);
- ``displaced``: incremental loads only, the raw rows of earlier loads that this load
  removes without a row of its own to replace them (``_key``, ``column_name``, ``reason``,
  ``raw_row`` as JSON), so that raw ends as a full load of the same source would leave it.

Rules, and the decisions the contract leaves open:

- Types: ``int`` digits only (``1.5`` is a reject, not 2); ``bool`` true/false/1/0 in any
  case; ``date`` YYYY-MM-DD; ``timestamp`` YYYY-MM-DD HH:MM:SS (fractional seconds
  accepted), the time within 00:00:00-23:59:59 (``24:00:00`` is a reject, not the next
  day). Dates and timestamps before 1900 are rejects (a year 0000 is a placeholder).
  Empty text counts as null everywhere, as it does in CSV.
- Keys (primary key, references, unique values) are trimmed of white space, the
  ideographic space included, so " C1" is customer C1 and never a second customer; a
  key that is only white space is missing.
- Non-nullable columns must hold a value; ``allowed`` values are checked exactly.
- References (``foreign_keys``) are checked against the raw table referenced, which the
  load order of ``tables_of`` has already loaded in this run. Only references inside one
  system are checked here; references from the archive to marketing rows are left to the
  dbt relationship tests, so an archive row is never lost because the other system lags.

Duplicates are settled last, among the rows that passed every check above (a copy broken
on its own is rejected for that and takes no part), by rules that give the same raw table
whether a source is loaded in one full load or in incremental loads:

1. Primary key duplicated within one load. Identical copies (every contract column equal)
   keep the first and reject the others. Differing copies: where the table has
   ``updated_at`` the copy with the strictly latest ``updated_at`` is kept and the older
   ones rejected; copies that differ at the latest ``updated_at`` (or at all, in a table
   without it) are all rejected, since no copy is "the right one" and picking one would
   depend on read order. An incremental load then displaces the key's earlier raw row, as
   a full load would hold no row for the key.
2. A ``unique`` column value held by more than one key: the holder is the row created
   first (the table's ``created_column``, e.g. an archive step's ``created_at``), then the
   smallest primary key, among this load's good rows and, in an incremental load, the raw
   rows it leaves in place. Every other row is rejected, naming the holder. A raw row that
   loses is displaced, and so is the earlier raw row of a key whose new version loses.
   Creation, not ``updated_at``, orders the claimants: a holder that is updated later (an
   archive step reviewed) keeps its value.

The order is total (a key is unique among the candidates), so the outcome never depends on
read order. A rejected row is read again by every incremental load until it loads or its
source row is replaced (``ingest.load.pending_rejects_since``), so a contest it would now
win (its holder deleted or its value changed since) is settled at the next load. What
incremental loads still cannot see is a row deleted at the source (no deletion feed):
a full refresh settles every contest afresh from the whole source.
"""

from __future__ import annotations

import logging

import duckdb

from ingest.contract import DUCKDB_TYPES, RAW_SCHEMA, Column, Table
from ingest.sources import Staged, quote

logger = logging.getLogger(__name__)

TYPED = "typed"
REJECTS = "rejects"
DISPLACED = "displaced"

# Working tables of the duplicate rules, dropped before validate returns.
_COPIES = "key_copies"
_KEYS = "duplicated_keys"
_CONTEST = "unique_contest"

# Years from 1900 (a year 0000 is a placeholder, not a date), times 00:00:00-23:59:59 (DuckDB
# would read 24:00:00 as the next day's midnight); the calendar check is DuckDB's cast.
_DATE = r"(19|[2-9][0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}"
_PATTERNS = {
    "int": r"[+-]?[0-9]+",
    "date": _DATE,
    "timestamp": _DATE + r" ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?",
}
_EXPECTED = {
    "int": "an integer",
    "bool": "a bool (true/false/1/0)",
    "date": "a date YYYY-MM-DD from 1900 on",
    "timestamp": "a timestamp YYYY-MM-DD HH:MM:SS from 1900 on, time 00:00:00-23:59:59",
}
# Whitespace trimmed from key values: ASCII white space and the ideographic space.
KEY_BLANKS = " \t\r\n\u3000"
_EARLIEST = "1900-01-01"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def typed_expression(column: Column, source: str, source_type: str, *, key: bool = False) -> str:
    """SQL turning the staged value into the contract type, null where it is not one.

    ``key``: the column identifies or refers to a row (primary key, reference, unique
    value), so white space around it is trimmed: " C1" is customer C1, never a second one.
    """
    value = quote(source)
    target = DUCKDB_TYPES[column.type]
    if source_type != "VARCHAR":
        if column.type == "text":
            text = f"cast({value} as varchar)"
            return f"nullif(trim({text}, {_literal(KEY_BLANKS)}), '')" if key else f"nullif({text}, '')"
        if column.type in ("date", "timestamp"):
            typed = f"try_cast({value} as {target})"
            return f"case when {typed} >= {target.lower()} '{_EARLIEST}' then {typed} end"
        return f"try_cast({value} as {target})"
    if column.type == "text":
        return f"nullif(trim({value}, {_literal(KEY_BLANKS)}), '')" if key else f"nullif({value}, '')"
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
    """Write ``typed``, ``rejects`` and ``displaced``; return the number of rejected rows.

    ``incremental``: the good rows will be upserted into what raw holds, so unique values
    are also contested with the raw rows left in place, and raw rows may be displaced (a
    full load replaces the whole table instead).
    """
    source_types = {name: type_ for name, type_, *_ in con.execute(f"describe {stage}").fetchall()}
    cols = staged.columns
    key_source = cols[table.primary_key]
    keys = {table.primary_key, *table.unique, *(fk.column for fk in table.foreign_keys)}
    typed_columns = ", ".join(
        f"{typed_expression(column, cols[column.name], source_types[cols[column.name]], key=column.name in keys)}"
        f" as {quote(column.name)}"
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
    con.execute(
        f"create or replace temp table {DISPLACED} "
        "(_key varchar, column_name varchar, reason varchar, raw_row varchar)"
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

    for fk in table.foreign_keys:
        col = quote(fk.column)
        reject(
            fk.column,
            f"{col} is not null and {col} not in "
            f"(select {quote(fk.ref_column)} from {RAW_SCHEMA}.{fk.table} where {quote(fk.ref_column)} is not null)",
            f"'value ' || to_json({col}) || {_literal(f' not found in {fk.table}.{fk.ref_column}')}",
        )
    _resolve_primary_key(con, table, prefix, incremental=incremental)
    for unique in table.unique:
        _resolve_unique(con, table, unique, prefix, incremental=incremental)
    for name in (_COPIES, _KEYS, _CONTEST):
        con.execute(f"drop table if exists temp.{name}")
    rejected = con.execute(f"select count(distinct _row) from {REJECTS}").fetchone()[0]
    if rejected:
        logger.warning("%s: %d row(s) rejected", where, rejected)
    displaced = con.execute(f"select count(*) from {DISPLACED}").fetchone()[0]
    if displaced:
        logger.warning("%s: %d raw row(s) of earlier loads displaced", where, displaced)
    return rejected


def _stamp(table: Table, alias: str) -> str:
    """What orders two copies of one key: ``updated_at`` where there is one."""
    return f"{alias}.updated_at" if table.has_updated_at else "cast(null as timestamp)"


def _created(table: Table, alias: str) -> str:
    """What orders the claimants of one unique value: when each row came into being."""
    return f"{alias}.{quote(table.created_column)}" if table.created_column else "cast(null as timestamp)"


def _raw_prefix(table: Table, alias: str, column: str) -> str:
    """The start of a displaced raw row's reason: it has a key but no row in this load."""
    return (
        f"{_literal(f'{table.system}.{table.name} raw row ({table.primary_key}=')} "
        f"|| {alias}.{quote(table.primary_key)} || {_literal('): column ' + column + ': displaced: ')}"
    )


def _resolve_primary_key(
    con: duckdb.DuckDBPyConnection, table: Table, prefix: str, *, incremental: bool
) -> None:
    """Rule 1 of the module docstring: one row per key, or none where copies tie.

    Only rows that passed every other check take part, so a broken copy never outvotes a
    good one. ``_COPIES`` keeps every such row: their keys are the keys this load speaks
    for, whose earlier raw rows are replaced or, where nothing is kept, displaced.
    """
    pk = quote(table.primary_key)
    con.execute(
        f"create or replace temp table {_COPIES} as "
        f"with valid as (select _row, _key, {pk} as _pk, {_stamp(table, TYPED)} as _stamp from {TYPED} "
        f"where _row not in (select _row from {REJECTS})) "
        "select *, count(*) over (partition by _pk) as _copies, "
        "max(_stamp) over (partition by _pk) as _latest from valid"
    )
    # The copies at the latest stamp, compared on every contract column as typed (so "1"
    # and "true" are the same bool); only duplicated keys are turned into JSON.
    version = "{" + ", ".join(f"{_literal(name)}: v.{quote(name)}" for name in table.column_names) + "}"
    con.execute(
        f"create or replace temp table {_KEYS} as select c._pk, any_value(c._copies) as _copies, "
        "any_value(c._latest) as _latest, count(distinct to_json(" + version + ")) as _versions, "
        "min(c._row) as _kept, string_agg(cast(c._row as varchar), ', ' order by c._row) as _tied "
        f"from {_COPIES} as c join {TYPED} as v on v._row = c._row "
        "where c._copies > 1 and c._stamp is not distinct from c._latest group by c._pk"
    )
    appears = (
        f"{prefix} || {_literal(table.primary_key + ': primary key value ')} || to_json(t._pk) "
        "|| ' appears ' || k._copies || ' times in this load; '"
    )
    if table.has_updated_at:
        tie = "'rows ' || k._tied || ' differ and share the latest updated_at ' || k._latest"
        older = (
            "'its updated_at ' || t._stamp || ' is older than row ' || k._kept || '''s ' || k._latest "
            "|| ', which is kept'"
        )
    else:
        tie = "'rows ' || k._tied || ' differ'"
        older = "''"
    con.execute(
        f"insert into {REJECTS} select t._row, t._key, {_literal(table.primary_key)}, {appears} || "
        f"case when k._versions > 1 then {tie} || ', so every copy is rejected' "
        f"when t._stamp is distinct from k._latest then {older} "
        f"else 'identical to row ' || k._kept || ', which is kept' end "
        f"from {_COPIES} as t join {_KEYS} as k using (_pk) "
        "where k._versions > 1 or t._row <> k._kept"
    )
    if incremental:
        raw_table = f"{RAW_SCHEMA}.{table.name}"
        con.execute(
            f"insert into {DISPLACED} select r.{pk}, {_literal(table.primary_key)}, "
            f"{_raw_prefix(table, 'r', table.primary_key)} || 'this load holds ' || k._copies "
            f"|| ' copies of the key and ' || {tie} || ', so the key keeps no row', to_json(r) "
            f"from {raw_table} as r join {_KEYS} as k on k._pk = r.{pk} where k._versions > 1"
        )


def _resolve_unique(
    con: duckdb.DuckDBPyConnection, table: Table, unique: str, prefix: str, *, incremental: bool
) -> None:
    """Rule 2 of the module docstring: one holder per unique value, the same in both modes.

    The candidates are this load's rows still good and, in an incremental load, the raw
    rows it leaves in place (keys with no valid row in this load, not displaced already).
    """
    pk, col = quote(table.primary_key), quote(unique)
    raw_table = f"{RAW_SCHEMA}.{table.name}"
    candidates = (
        f"select 'load' as _origin, _row, _key, {pk} as _pk, {col} as _value, {_created(table, TYPED)} "
        f"as _stamp from {TYPED} where {col} is not null and _row not in (select _row from {REJECTS})"
    )
    if incremental:
        # Only values this load brings can be contested: raw alone never holds one twice.
        candidates += (
            f" union all select 'raw', null, cast(r.{pk} as varchar), r.{pk}, r.{col}, {_created(table, 'r')} "
            f"from {raw_table} as r where r.{col} in (select _value from ({candidates})) "
            f"and r.{pk} not in (select _pk from {_COPIES}) and r.{pk} not in (select _key from {DISPLACED})"
        )
    # Only values claimed more than once are ranked: a hash count over every candidate
    # costs a fraction of a window sorting them all, and a value claimed once has no loser.
    con.execute(
        f"create or replace temp table {_CONTEST} as with candidates as ({candidates}), "
        "contested as (select _value from candidates group by _value having count(*) > 1), "
        "ranked as (select *, row_number() over "
        "(partition by _value order by _stamp nulls first, _pk) as _rank from candidates "
        "where _value in (select contested._value from contested)) "
        "select c._origin, c._row, c._key, c._pk, c._value, h._origin as _holder_origin, "
        "h._row as _holder_row, h._pk as _holder_pk "
        "from ranked as c join ranked as h on h._value = c._value and h._rank = 1 where c._rank > 1"
    )
    order = f"the smallest {table.primary_key}"
    if table.created_column:
        order = f"the earliest {table.created_column}, then {order},"
    rule = _literal(f"; the row with {order} holds a unique value")
    holder = (
        f"case when t._holder_origin = 'load' then {_literal('is held by ' + table.primary_key + ' ')} "
        "|| to_json(t._holder_pk) || ' (row ' || t._holder_row || ' of this load)' "
        f"else {_literal('is already held in ' + raw_table + ' by ' + table.primary_key + ' ')} "
        f"|| to_json(t._holder_pk) end || {rule}"
    )
    con.execute(
        f"insert into {REJECTS} select t._row, t._key, {_literal(unique)}, "
        f"{prefix} || {_literal(unique + ': unique value ')} || to_json(t._value) || ' ' || {holder} "
        f"from {_CONTEST} as t where t._origin = 'load'"
    )
    if not incremental:
        return
    con.execute(
        f"insert into {DISPLACED} select r.{pk}, {_literal(unique)}, "
        f"{_raw_prefix(table, 'r', unique)} || 'unique value ' || to_json(t._value) || ' ' || {holder}, "
        f"to_json(r) from {_CONTEST} as t join {raw_table} as r on r.{pk} = t._pk where t._origin = 'raw'"
    )
    # A key whose new version lost: a full load of the same source holds no row for it.
    con.execute(
        f"insert into {DISPLACED} select r.{pk}, {_literal(unique)}, "
        f"{_raw_prefix(table, 'r', unique)} || 'its new version, row ' || t._row "
        f"|| ' of this load, is rejected (unique value ' || to_json(t._value) || ' ' || {holder} "
        "|| '), so the key keeps no row', to_json(r) "
        f"from {_CONTEST} as t join {raw_table} as r on r.{pk} = t._pk where t._origin = 'load'"
    )
