"""Hand-made source data covering every contract table, writers for each kind of source,
and a real PostgreSQL 15 server on loopback for the database-source tests.

The rows are written as text exactly as a CSV file would carry them; the writers turn
them into Parquet, SQLite or PostgreSQL tables, so every kind of source is fed the same
rows and must give the same raw tables.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from ingest.contract import TABLES, TABLES_BY_NAME, create_raw_tables

Rows = dict[str, list[dict[str, str | None]]]

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _rows(table: str, *values: tuple) -> list[dict[str, str | None]]:
    names = TABLES_BY_NAME[table].column_names
    return [dict(zip(names, row, strict=True)) for row in values]


def good_rows() -> Rows:
    """A small, consistent data set: every table, every reference resolvable."""
    return {
        "supply_units": _rows("supply_units", ("U1", "南湖供电分公司"), ("U2", "秀洲供电分公司")),
        "teams": _rows("teams", ("T1", "营业班", "U1"), ("T2", "客户经理班", "U2")),
        "staff": _rows(
            "staff",
            ("S1", "张三", "T1", "business", "13800000001", "s1@example.com", "true"),
            ("S2", "李四", "T1", "collector", None, None, "false"),
            ("S3", "王五", "T2", "auditor", "13800000003", None, "true"),
            ("S4", "赵六", "T2", "leader", None, "s4@example.com", "true"),
        ),
        "customers": _rows(
            "customers",
            (
                "C1",
                "客户一",
                "residential",
                "low",
                "single",
                "文昌路1号",
                "U1",
                "S1",
                "2020-01-05",
                None,
                "2026-01-01 08:00:00",
            ),
            (
                "C2",
                "客户二",
                "non_residential",
                "high",
                "dual",
                "工业大道2号",
                "U2",
                None,
                "2021-03-01",
                None,
                "2026-01-02 09:00:00",
            ),
            (
                "C3",
                "客户三",
                "residential",
                "low",
                "single",
                "中山路3号",
                "U1",
                "S1",
                "2019-07-07",
                "2025-12-31",
                "2026-01-03 10:00:00",
            ),
        ),
        "processes": _rows(
            "processes",
            (
                "P1",
                "new_install",
                "C1",
                "U1",
                "S1",
                "2026-01-05 09:00:00",
                "2026-01-09 17:00:00",
                "completed",
                "2026-01-09 17:00:00",
            ),
            (
                "P2",
                "capacity_increase",
                "C2",
                "U2",
                "S3",
                "2026-01-06 10:00:00",
                None,
                "in_progress",
                "2026-01-06 10:00:00",
            ),
        ),
        "process_steps": _rows(
            "process_steps",
            (
                "ST1",
                "P1",
                "1",
                "accept",
                "S1",
                "2026-01-05 09:00:00",
                "2026-01-05 11:00:00",
                "true",
                "2026-01-05 11:00:00",
            ),
            (
                "ST2",
                "P1",
                "2",
                "complete",
                "S1",
                "2026-01-05 11:00:00",
                "2026-01-09 17:00:00",
                "false",
                "2026-01-09 17:00:00",
            ),
            ("ST3", "P2", "1", "accept", "S3", "2026-01-06 10:00:00", None, "1", "2026-01-06 10:00:00"),
        ),
        "contracts": _rows(
            "contracts",
            ("K1", "C1", "2024-01-01", "2029-01-01", "true", None, "2026-01-01 08:00:00"),
            ("K2", "C2", "2023-05-01", "2026-05-01", "0", "2026-04-30", "2026-04-30 12:00:00"),
        ),
        "archive_steps": _rows(
            "archive_steps",
            (
                "A1",
                "ST1",
                "P1",
                "2026-01-05 11:00:00",
                "2026-01-05 12:00:00",
                "2026-01-06 09:00:00",
                "S2",
                "2026-01-07 10:00:00",
                "accepted",
                "2026-01-07 10:00:00",
            ),
            ("A2", "ST3", "P2", "2026-01-06 10:30:00", None, None, "S2", None, None, "2026-01-06 10:30:00"),
        ),
        "documents": _rows(
            "documents",
            (
                "D1",
                "DG000000000001",
                "C1",
                "P1",
                "ST1",
                "申请表",
                "expansion",
                "2",
                "2026-01-05 12:00:00",
                "S1",
                "2026-01-05 12:00:00",
            ),
            (
                "D2",
                "DG000000000002",
                "C2",
                None,
                None,
                "身份证明",
                "other",
                "1",
                "2026-01-06 10:40:00",
                "S3",
                "2026-01-06 10:40:00",
            ),
        ),
        "paper_handovers": _rows("paper_handovers", ("H1", "P1", "S1", "S2", "2026-01-08 15:00:00", "2")),
        "dossiers": _rows(
            "dossiers",
            ("J1", "JZ0000000001", "C1", "P1", "S2", "2026-01-09 09:00:00", None, None),
            ("J2", "JZ0000000002", "C2", None, "S2", "2026-01-10 09:00:00", "2026-02-01 09:00:00", "柜1-3"),
        ),
        "borrowings": _rows(
            "borrowings",
            (
                "B1",
                "J2",
                "S4",
                "审计抽查",
                "2026-02-03 09:00:00",
                "S4",
                "2026-02-03 10:00:00",
                "2026-02-03 11:00:00",
                "2026-02-10",
                None,
            ),
        ),
        "audit_checks": _rows(
            "audit_checks",
            ("Q1", "P1", "S3", "2026-02-01 10:00:00", "fail"),
            ("Q2", "P2", "S3", "2026-02-02 10:00:00", "pass"),
        ),
        "audit_findings": _rows(
            "audit_findings", ("F1", "Q1", "important", "missing_document", "S1", "缺少签字", None)
        ),
    }


# Deliberately bad rows: (table, row as text, the (row_key, column) each must be rejected for).
BAD_ROWS: list[tuple[str, tuple, list[tuple[str, str]]]] = [
    ("staff", ("S9", "坏布尔", "T1", "business", None, None, "maybe"), [("S9", "active")]),
    (
        "customers",
        (
            "C9",
            "坏枚举",
            "industrial",
            "low",
            "single",
            "x",
            "U1",
            None,
            "2020-01-01",
            None,
            "2026-01-01 08:00:00",
        ),
        [("C9", "cust_class")],
    ),
    (
        "customers",
        (
            "C8",
            "坏日期",
            "residential",
            "low",
            "single",
            "x",
            "U1",
            None,
            "2020/01/01",
            None,
            "2026-01-01 08:00:00",
        ),
        [("C8", "opened_on")],
    ),
    (
        "processes",
        (
            "P9",
            "new_install",
            "C1",
            "U1",
            None,
            "2026-01-05 09:00:00",
            None,
            "in_progress",
            "2026-01-05 09:00:00",
        ),
        [("P9", "owner_id")],
    ),
    (
        "process_steps",
        ("ST9", "P1", "1.5", "accept", "S1", "2026-01-05 09:00:00", None, "true", "2026-01-05 09:00:00"),
        [("ST9", "seq")],
    ),
    (
        # A second, different ST3 stamped in the same second: both copies go.
        "process_steps",
        ("ST3", "P2", "2", "accept", "S3", "2026-01-06 10:00:00", None, "true", "2026-01-06 10:00:00"),
        [("ST3", "step_id"), ("ST3", "step_id")],
    ),
    (
        "contracts",
        ("K9", "C404", "2024-01-01", "2029-01-01", "true", None, "2026-01-01 08:00:00"),
        [("K9", "cust_no")],
    ),
    (
        "archive_steps",
        ("A9", "ST2", "P1", "2026-13-01 10:00:00", None, None, "S2", None, None, "2026-01-06 10:30:00"),
        [("A9", "created_at")],
    ),
    (
        # Same barcode as D1, stamped in the same second: D1, the smaller doc_id, keeps it.
        "documents",
        (
            "D9",
            "DG000000000001",
            "C1",
            None,
            None,
            "申请表",
            "billing",
            "1",
            "2026-01-05 12:00:00",
            "S1",
            "2026-01-05 12:00:00",
        ),
        [("D9", "barcode")],
    ),
    ("audit_findings", ("F9", "Q404", "general", "late", "S1", None, None), [("F9", "check_id")]),
]


def bad_rows() -> Rows:
    rows = good_rows()
    for table, values, _ in BAD_ROWS:
        rows[table] += _rows(table, values)
    return rows


def expected_rejects() -> set[tuple[str, str, str]]:
    """(table, row_key, column) of every reason the bad rows must be rejected for."""
    return {(table, key, column) for table, _, reasons in BAD_ROWS for key, column in reasons}


def write_csv(
    folder: Path,
    rows: Rows,
    *,
    bom: bool = True,
    extra_column: bool = True,
    drop: dict[str, str] | None = None,
) -> Path:
    """``<folder>/<system>/<table>.csv``; optional BOM, an extra column, a dropped column."""
    drop = drop or {}
    for table in TABLES:
        path = folder / table.system / f"{table.name}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        names = [name for name in table.column_names if drop.get(table.name) != name]
        if extra_column:
            names.insert(1, "legacy_note")
        with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(names)
            for row in rows[table.name]:
                values = {**row, "legacy_note": "legacy, with comma"}
                writer.writerow(["" if values[name] is None else values[name] for name in names])
    return folder


ARROW_TYPES = {
    "text": pa.string(),
    "int": pa.int64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("s"),
}


def _typed(value: str | None, type_: str):
    from datetime import date, datetime

    if value is None:
        return None
    if type_ == "int":
        return int(value)
    if type_ == "bool":
        return value.lower() in ("true", "1")
    if type_ == "date":
        return date.fromisoformat(value)
    if type_ == "timestamp":
        return datetime.fromisoformat(value)
    return value


def write_parquet(folder: Path, rows: Rows) -> Path:
    """Typed Parquet files (valid rows only: Parquet columns cannot hold a wrong type)."""
    for table in TABLES:
        path = folder / table.system / f"{table.name}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays = {
            column.name: pa.array(
                [_typed(row[column.name], column.type) for row in rows[table.name]], ARROW_TYPES[column.type]
            )
            for column in table.columns
        }
        pq.write_table(pa.table(arrays), path)
    return folder


SQL_TYPES = {
    "sqlite": {"text": "TEXT", "int": "INTEGER", "bool": "BOOLEAN", "date": "DATE", "timestamp": "DATETIME"},
    "postgresql": {
        "text": "text",
        "int": "bigint",
        "bool": "boolean",
        "date": "date",
        "timestamp": "timestamp",
    },
}


def write_sqlite(path: Path, rows: Rows, system: str) -> str:
    """One system's tables in a SQLite file, bools as 1/0 like the generator writes them."""
    con = sqlite3.connect(path)
    for table in TABLES:
        if table.system != system:
            continue
        columns = ", ".join(f"{c.name} {SQL_TYPES['sqlite'][c.type]}" for c in table.columns)
        con.execute(f"drop table if exists {table.name}")
        con.execute(f"create table {table.name} ({columns})")
        values = [
            [
                (1 if row[c.name].lower() in ("true", "1") else 0)
                if c.type == "bool" and row[c.name] in ("true", "false", "1", "0")
                else row[c.name]
                for c in table.columns
            ]
            for row in rows[table.name]
        ]
        con.executemany(f"insert into {table.name} values ({', '.join('?' for _ in table.columns)})", values)
    con.commit()
    con.close()
    return f"sqlite:///{path}"


def write_postgres(url: str, rows: Rows, system: str, schema: str) -> None:
    """One system's tables, typed, in a schema of the server; no constraints, so the bad
    rows the types allow (enum, null, duplicate key, dangling reference) go in as given."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"drop schema if exists {schema} cascade")
        connection.exec_driver_sql(f"create schema {schema}")
        for table in TABLES:
            if table.system != system:
                continue
            columns = ", ".join(f"{c.name} {SQL_TYPES['postgresql'][c.type]}" for c in table.columns)
            connection.exec_driver_sql(f"create table {schema}.{table.name} ({columns})")
            data = [{c.name: _typed(row[c.name], c.type) for c in table.columns} for row in rows[table.name]]
            if data:
                target = sa.table(table.name, *(sa.column(n) for n in table.column_names), schema=schema)
                connection.execute(sa.insert(target), data)
    engine.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(*args: str) -> subprocess.CompletedProcess:
    command = list(args)
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throw-away PostgreSQL 15 cluster on a free loopback port, stopped afterwards."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL 15 binaries not found in {PG_BIN}")
    # Not under pytest's root-only temp folder: the server runs as the postgres user.
    base = Path(tempfile.mkdtemp(prefix="dangan-pg-"))
    data, sockets = base / "data", base / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
        shutil.chown(sockets, "postgres", "postgres")
    port = _free_port()
    _as_postgres(
        str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"
    )
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
    _as_postgres(
        str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(base / "server.log"), "-w", "start"
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(base, ignore_errors=True)


def raw_snapshot(con) -> dict[str, list[tuple]]:
    """Every raw source table, rows sorted: what 'the same raw tables' compares."""
    return {
        table.name: con.execute(f"select * from raw.{table.name} order by all").fetchall() for table in TABLES
    }


def rejects_of(con, run_id: str | None = None) -> list[tuple[str, str, str]]:
    query = "select table_name, row_key, column_name from raw.ingest_rejects"
    params: list = []
    if run_id is not None:
        query += " where run_id = ?"
        params.append(run_id)
    return sorted(con.execute(query, params).fetchall())


def raw_row_of(con, table: str, key: str) -> dict:
    text = con.execute(
        "select raw_row from raw.ingest_rejects where table_name = ? and row_key = ? limit 1", [table, key]
    ).fetchone()[0]
    return json.loads(text)


@pytest.fixture
def customer_parents() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory raw layer holding the units (U1, U2) and the staff member (S1) that
    hand-made customers refer to."""
    connection = duckdb.connect()
    create_raw_tables(connection)
    connection.execute("insert into raw.supply_units values ('U1', 'a'), ('U2', 'b')")
    connection.execute("insert into raw.staff values ('S1', 'x', 'T1', 'business', null, null, true)")
    yield connection
    connection.close()
