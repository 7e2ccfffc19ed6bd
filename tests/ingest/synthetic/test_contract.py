"""The generated tables obey the data contract (CONTRACT.md section 1)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb
import pytest

from ingest.contract import TABLES, TABLES_BY_NAME

TABLE_NAMES = [table.name for table in TABLES]

# References the contract implies beyond its declared foreign keys.
IMPLIED_FKS = [
    ("processes", "cust_no", "customers", "cust_no"),
    ("processes", "unit_code", "supply_units", "unit_code"),
    ("processes", "owner_id", "staff", "staff_id"),
    ("process_steps", "proc_id", "processes", "proc_id"),
    ("process_steps", "assignee_id", "staff", "staff_id"),
    ("customers", "manager_id", "staff", "staff_id"),
    ("contracts", "cust_no", "customers", "cust_no"),
    ("archive_steps", "step_id", "process_steps", "step_id"),
    ("archive_steps", "proc_id", "processes", "proc_id"),
    ("archive_steps", "collector_id", "staff", "staff_id"),
    ("documents", "cust_no", "customers", "cust_no"),
    ("documents", "proc_id", "processes", "proc_id"),
    ("documents", "step_id", "process_steps", "step_id"),
    ("documents", "added_by", "staff", "staff_id"),
    ("paper_handovers", "proc_id", "processes", "proc_id"),
    ("paper_handovers", "handed_by", "staff", "staff_id"),
    ("paper_handovers", "received_by", "staff", "staff_id"),
    ("dossiers", "cust_no", "customers", "cust_no"),
    ("dossiers", "proc_id", "processes", "proc_id"),
    ("dossiers", "collector_id", "staff", "staff_id"),
    ("borrowings", "dossier_id", "dossiers", "dossier_id"),
    ("borrowings", "borrower_id", "staff", "staff_id"),
    ("borrowings", "approved_by", "staff", "staff_id"),
    ("audit_checks", "proc_id", "processes", "proc_id"),
    ("audit_checks", "auditor_id", "staff", "staff_id"),
    ("audit_findings", "check_id", "audit_checks", "check_id"),
    ("audit_findings", "responsible_id", "staff", "staff_id"),
]


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_csv_header_is_exactly_the_contract_columns_in_order(tiny: Path, name: str) -> None:
    table = TABLES_BY_NAME[name]
    with (tiny / table.system / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == table.column_names


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_every_table_has_rows_and_values_parse_as_contract_types(
    con: duckdb.DuckDBPyConnection, name: str
) -> None:
    # The typed views raise on any value that does not parse as its contract type.
    assert con.execute(f"select count(*) from {name}").fetchone()[0] > 0


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_required_columns_have_no_nulls_and_enums_hold_allowed_values(
    con: duckdb.DuckDBPyConnection, name: str
) -> None:
    table = TABLES_BY_NAME[name]
    for column in table.columns:
        if not column.nullable:
            nulls = con.execute(f"select count(*) from {name} where {column.name} is null").fetchone()[0]
            assert nulls == 0, f"{name}.{column.name} has {nulls} nulls"
        if column.allowed:
            bad = con.execute(
                f"select distinct {column.name} from {name} where {column.name} is not null "
                f"and {column.name} not in ({', '.join(repr(v) for v in column.allowed)})"
            ).fetchall()
            assert bad == [], f"{name}.{column.name} has values outside {column.allowed}: {bad}"


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_primary_key_and_unique_columns_are_unique(con: duckdb.DuckDBPyConnection, name: str) -> None:
    table = TABLES_BY_NAME[name]
    for column in (table.primary_key, *table.unique):
        dupes = con.execute(f"select count(*) - count(distinct {column}) from {name}").fetchone()[0]
        assert dupes == 0, f"{name}.{column} has {dupes} duplicates"


def test_declared_and_implied_foreign_keys_resolve(con: duckdb.DuckDBPyConnection) -> None:
    references = list(IMPLIED_FKS)
    for table in TABLES:
        for fk in table.foreign_keys:
            references.append((table.name, fk.column, fk.table, fk.ref_column))
    for table, column, target, target_column in references:
        dangling = con.execute(
            f"select count(*) from {table} as child where child.{column} is not null and not exists "
            f"(select 1 from {target} as parent where parent.{target_column} = child.{column})"
        ).fetchone()[0]
        assert dangling == 0, f"{table}.{column} -> {target}.{target_column}: {dangling} dangling"


def test_ids_and_barcodes_have_the_documented_shapes(con: duckdb.DuckDBPyConnection) -> None:
    checks = {
        "select barcode from documents": r"DG\d{12}",
        "select barcode from dossiers": r"JZ\d{10}",
        "select cust_no from customers": r"\d{10}",
        "select unit_code from supply_units": r"33\d{4}",
    }
    for query, pattern in checks.items():
        values = [row[0] for row in con.execute(query).fetchall()]
        bad = [v for v in values if not re.fullmatch(pattern, v)]
        assert values and not bad, f"{query}: {bad[:5]}"
    overlap = con.execute(
        "select count(*) from documents as doc join dossiers as dos on doc.barcode = dos.barcode"
    ).fetchone()[0]
    assert overlap == 0


def test_jiaxing_seven_units_and_their_teams(con: duckdb.DuckDBPyConnection) -> None:
    names = [
        row[0] for row in con.execute("select unit_name from supply_units order by unit_code").fetchall()
    ]
    for short in ("南湖", "秀洲", "海宁", "平湖", "桐乡", "嘉善", "海盐"):
        assert any(short in name for name in names), short
    offices = con.execute("select count(*) from teams where team_name like '%供电营业所'").fetchone()[0]
    assert offices == 33
    posts = {row[0] for row in con.execute("select distinct post from staff").fetchall()}
    assert posts == {"business", "collector", "auditor", "leader"}
