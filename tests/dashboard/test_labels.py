"""The dashboard names data codes from ``marts.code_labels`` only, and stands on ``ingest``
without importing the Dagster project."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dashboard import i18n
from tests.dashboard.apptest import run_page

REPO = Path(__file__).resolve().parents[2]

# Every (mart, column) whose codes a page shows by name, with the code_labels kind it uses.
LABELLED_COLUMNS = (
    ("marts.kpi_monthly", "tier", "tier"),
    ("marts.kpi_monthly", "indicator", "indicator"),
    ("marts.scorecard_monthly", "tier", "tier"),
    ("marts.sla_monitor", "status", "sla_status"),
    ("marts.sla_monitor", "node_code", "node"),
    ("marts.sla_monitor", "proc_type", "proc_type"),
    ("marts.reminders", "category", "reminder_category"),
    ("marts.reminders", "level", "level"),
    ("marts.contract_status", "alert_level", "level"),
    ("marts.contract_status", "contract_group", "contract_group"),
    ("marts.audit_sample", "proc_type", "proc_type"),
    ("marts.customer_documents", "category", "doc_category"),
    ("marts.customer_documents", "doc_type", "doc_type"),
    ("marts.customer_processes", "proc_type", "proc_type"),
    ("marts.scan_pages", "decode_status", "decode_status"),
    ("marts.unmatched_barcodes", "decode_status", "decode_status"),
    ("marts.borrowing_report", "status", "borrow_status"),
    ("marts.gate_violations", "node_code", "node"),
    ("marts.staff_team_history", "post", "post"),
    ("marts.customers", "cust_class", "cust_class"),
    ("marts.customers", "voltage_class", "voltage_class"),
    ("marts.customers", "supply_mode", "supply_mode"),
    ("marts.customers", "first_category", "doc_category"),
    ("marts.dossier_lookup", "dossier_state", "dossier_state"),
    ("marts.borrowing_report", "approval", "approval"),
    ("marts.missing_documents", "proc_type", "proc_type"),
    ("marts.missing_documents", "node_code", "node"),
    ("marts.missing_documents", "doc_type", "doc_type"),
)


@pytest.mark.parametrize(("table", "column", "kind"), LABELLED_COLUMNS)
def test_every_code_a_page_shows_has_a_label(
    marts: duckdb.DuckDBPyConnection, table: str, column: str, kind: str
) -> None:
    unlabelled = marts.execute(
        f"select distinct {column} from {table} where {column} is not null "
        "and not exists (select 1 from marts.code_labels as labels "
        f"where labels.kind = ? and labels.code = {table}.{column}) order by 1",
        [kind],
    ).fetchall()
    assert not unlabelled, f"{table}.{column} has codes without a {kind!r} label: {unlabelled}"


def test_i18n_holds_interface_strings_and_no_code_catalogue() -> None:
    """Names of data codes live in marts.code_labels; a second list in i18n would drift."""
    assert not hasattr(i18n, "CODES")
    assert not hasattr(i18n, "code")


def test_code_names_follow_the_language_switch(marts: duckdb.DuckDBPyConnection) -> None:
    """GIVEN the rankings page WHEN the language is switched to English THEN the tier picker
    shows code_labels' English names instead of the Chinese ones."""
    zh, en = marts.execute(
        "select zh, en from marts.code_labels where kind = 'tier' and code = 'supply_unit'"
    ).fetchone()
    app = run_page(REPO / "dashboard" / "views" / "rankings.py", 60)
    assert not app.exception
    assert zh in app.segmented_control(key="rank_tier").options
    app.session_state["lang"] = "en"
    app.run()
    assert not app.exception
    assert en in app.segmented_control(key="rank_tier").options


def test_dashboard_modules_do_not_import_the_dagster_project() -> None:
    """The dashboard reads settings and the warehouse through ``ingest``; importing it must
    not pull in Dagster (a page server needs neither the orchestrator nor its settings)."""
    modules = ("data", "ui", "i18n", "charts", "export", "scan_view")
    script = (
        "import sys\n"
        + "".join(f"import dashboard.{name}\n" for name in modules)
        + "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dagster', 'dagster_project')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]", result.stdout
