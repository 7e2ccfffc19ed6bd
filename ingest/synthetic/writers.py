"""Streaming writers: each contract table goes to a CSV or Parquet file and a SQLite table.

Chunks arrive as dicts of numpy arrays; they are typed against the contract, appended to
the folder file and inserted into the system's SQLite database, then dropped, so memory
stays bounded by one chunk whatever the scale.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ingest.contract import TABLES, Table

logger = logging.getLogger(__name__)

ARROW_TYPES = {
    "text": pa.string(),
    "int": pa.int64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("s"),
}
SQLITE_SLICE = 50_000
SQLITE_TYPES = {"text": "TEXT", "int": "INTEGER", "bool": "BOOLEAN", "date": "DATE", "timestamp": "DATETIME"}


def schema_of(table: Table) -> pa.Schema:
    return pa.schema(
        [
            pa.field(column.name, ARROW_TYPES[column.type], nullable=column.nullable)
            for column in table.columns
        ]
    )


def _to_arrow(values: Any, type_: str, nullable: bool) -> pa.Array:
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values.cast(ARROW_TYPES[type_])
    values = np.asarray(values)
    if type_ == "timestamp":
        return pa.array(values.astype("datetime64[s]"), type=pa.timestamp("s"), from_pandas=True)
    if type_ == "date":
        return pa.array(values.astype("datetime64[D]"), from_pandas=True).cast(pa.date32())
    if type_ == "text":
        array = pa.array(values.astype(str), type=pa.string())
        if nullable:
            # Empty text stands for null in the generator's arrays.
            array = pc.if_else(pc.equal(array, ""), pa.scalar(None, pa.string()), array)
        return array
    if type_ == "int":
        return pa.array(values.astype(np.int64), type=pa.int64())
    return pa.array(values.astype(bool), type=pa.bool_())


class TableSink:
    """Appends chunks of one table to ``<out>/<system>/<table>.<fmt>`` and to SQLite."""

    def __init__(self, table: Table, out: Path, fmt: str, con: sqlite3.Connection) -> None:
        self.table = table
        self.schema = schema_of(table)
        self.fmt = fmt
        self.path = out / table.system / f"{table.name}.{fmt}"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = con
        self.rows = 0
        self._parquet: pq.ParquetWriter | None = None
        self._csv: pacsv.CSVWriter | None = None
        columns = ", ".join(
            f"{column.name} {SQLITE_TYPES[column.type]}"
            + (" PRIMARY KEY" if column.name == table.primary_key else "")
            + ("" if column.nullable else " NOT NULL")
            for column in table.columns
        )
        con.execute(f"drop table if exists {table.name}")
        con.execute(f"create table {table.name} ({columns})")
        placeholders = ", ".join("?" for _ in table.columns)
        self._insert = f"insert into {table.name} values ({placeholders})"

    def write(self, data: dict[str, Any]) -> None:
        missing = [name for name in self.table.column_names if name not in data]
        if missing:
            raise KeyError(f"chunk for table {self.table.name} lacks columns {missing}")
        arrays = [_to_arrow(data[c.name], c.type, c.nullable) for c in self.table.columns]
        n = len(arrays[0]) if arrays else 0
        if n == 0:
            return
        batch = pa.Table.from_arrays(arrays, schema=self.schema)
        if self.fmt == "parquet":
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self.path, self.schema, compression="zstd")
            self._parquet.write_table(batch, row_group_size=256_000)
        else:
            if self._csv is None:
                self._csv = pacsv.CSVWriter(
                    self.path, self.schema, write_options=pacsv.WriteOptions(quoting_style="needed")
                )
            self._csv.write_table(batch)
        self._write_sqlite(batch)
        self.rows += n

    def _write_sqlite(self, batch: pa.Table) -> None:
        # Python row objects are made a slice at a time, so memory stays small.
        for offset in range(0, batch.num_rows, SQLITE_SLICE):
            part = batch.slice(offset, SQLITE_SLICE)
            columns = []
            for column in self.table.columns:
                array = part.column(column.name)
                if column.type in ("timestamp", "date"):
                    # Arrow renders timestamp[s] as 'YYYY-MM-DD HH:MM:SS' and date32 as ISO.
                    array = array.cast(pa.string())
                columns.append(array.to_pylist())
            self.con.executemany(self._insert, zip(*columns, strict=True))

    def close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
        elif self._csv is not None:
            self._csv.close()
        else:
            # An empty table still gets its file with the header row (or schema).
            if self.fmt == "parquet":
                pq.write_table(self.schema.empty_table(), self.path)
            else:
                pacsv.write_csv(
                    self.schema.empty_table(),
                    self.path,
                    write_options=pacsv.WriteOptions(quoting_style="needed"),
                )


class SystemSinks:
    """All table sinks of the two source systems, with their SQLite databases."""

    def __init__(self, out: Path, fmt: str) -> None:
        self.out = out
        self.cons: dict[str, sqlite3.Connection] = {}
        for system in ("marketing", "archive"):
            db = out / f"{system}.sqlite"
            if db.exists():
                db.unlink()
            con = sqlite3.connect(db)
            con.execute("pragma journal_mode = off")
            con.execute("pragma synchronous = off")
            con.execute("pragma cache_size = -65536")
            self.cons[system] = con
        self.sinks = {table.name: TableSink(table, out, fmt, self.cons[table.system]) for table in TABLES}

    def write(self, table: str, data: dict[str, Any]) -> None:
        self.sinks[table].write(data)

    def counts(self) -> dict[str, int]:
        return {name: sink.rows for name, sink in self.sinks.items()}

    def close(self) -> None:
        for sink in self.sinks.values():
            sink.close()
        for con in self.cons.values():
            con.commit()
            con.close()
