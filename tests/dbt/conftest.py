"""Session fixtures of the dbt tests: one warehouse built by the real ``dbt build``.

The raw layer holds the generator's tiny set (seed 7) plus a hand-made supply unit
``TESTU`` whose every figure is worked out by hand in the tests; the generated rows make
sure the hand-made ones are computed among realistic neighbours, not alone.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from ingest.calendar import load_calendar
from ingest.contract import TABLES, create_raw_tables

AS_OF = "2026-11-27 17:30:00"

# The hand-made unit, table by table, in contract column order.
HAND_MADE: dict[str, list[tuple]] = {
    "supply_units": [("TESTU", "测试供电单位")],
    "teams": [("TESTT", "测试班组", "TESTU")],
    "staff": [
        ("TB1", "业务甲", "TESTT", "business", None, None, True),
        ("TB2", "业务乙", "TESTT", "business", None, None, True),
        ("TC1", "收集员丙", "TESTT", "collector", None, None, True),
    ],
    "customers": [
        (
            "TCUST1",
            "居民甲",
            "residential",
            "low",
            "single",
            "测试路1号",
            "TESTU",
            None,
            "2020-01-01",
            None,
            "2026-10-01 00:00:00",
        ),
        (
            "TCUST2",
            "企业乙",
            "non_residential",
            "low",
            "single",
            "测试路2号",
            "TESTU",
            "TB1",
            "2020-01-01",
            None,
            "2026-10-01 00:00:00",
        ),
        (
            "TCUST3",
            "企业丙",
            "non_residential",
            "high",
            "single",
            "测试路3号",
            "TESTU",
            "TB1",
            "2020-01-01",
            None,
            "2026-10-01 00:00:00",
        ),
    ],
    "processes": [
        (
            "TP1",
            "LV_RES_NEW",
            "TCUST1",
            "TESTU",
            "TB1",
            "2026-10-09 09:00:00",
            "2026-10-13 10:00:00",
            "completed",
            "2026-10-13 10:00:00",
        ),
        (
            "TP2",
            "TRANSFER",
            "TCUST2",
            "TESTU",
            "TB2",
            "2026-10-28 09:00:00",
            "2026-10-30 10:00:00",
            "completed",
            "2026-10-30 10:00:00",
        ),
        (
            "TP3",
            "RENAME",
            "TCUST3",
            "TESTU",
            "TB1",
            "2026-11-26 08:00:00",
            None,
            "in_progress",
            "2026-11-26 09:00:00",
        ),
    ],
    "process_steps": [
        # TS1 sent exactly 48 h after completion (timely); reviewed the next working day.
        (
            "TS1",
            "TP1",
            1,
            "ACCEPT",
            "TB1",
            "2026-10-09 09:00:00",
            "2026-10-09 10:00:00",
            True,
            "2026-10-09 10:00:00",
        ),
        # TS2 started on the make-up Saturday 2026-10-10: 2 working days to Tue 10-13 (limit 3,
        # green); sent 48 h + 1 s after completion (late); reviewed 2 working days later.
        (
            "TS2",
            "TP1",
            2,
            "METERING",
            "TB2",
            "2026-10-10 09:00:00",
            "2026-10-13 10:00:00",
            True,
            "2026-10-13 10:00:00",
        ),
        (
            "TS3",
            "TP1",
            3,
            "FILING",
            "TB1",
            "2026-10-13 10:00:00",
            "2026-10-13 10:00:00",
            False,
            "2026-10-13 10:00:00",
        ),
        # TS4 never sent; TS5 has no archive step at all.
        (
            "TS4",
            "TP2",
            1,
            "ACCEPT",
            "TB2",
            "2026-10-28 09:00:00",
            "2026-10-28 10:00:00",
            True,
            "2026-10-28 10:00:00",
        ),
        (
            "TS5",
            "TP2",
            2,
            "CONTRACT",
            "TB2",
            "2026-10-28 10:00:00",
            "2026-10-29 10:00:00",
            True,
            "2026-10-29 10:00:00",
        ),
        # TS6 completed the day before as_of and not sent yet: pending in November.
        (
            "TS6",
            "TP3",
            1,
            "ACCEPT",
            "TB1",
            "2026-11-26 08:00:00",
            "2026-11-26 09:00:00",
            True,
            "2026-11-26 09:00:00",
        ),
    ],
    "contracts": [
        ("TK2", "TCUST2", "2023-01-01", "2026-10-15", False, None, "2023-01-01 00:00:00"),
        ("TK3", "TCUST3", "2026-01-01", "2029-01-01", False, None, "2026-01-01 00:00:00"),
    ],
    "archive_steps": [
        (
            "TAS1",
            "TS1",
            "TP1",
            "2026-10-09 10:00:00",
            "2026-10-09 12:00:00",
            "2026-10-11 10:00:00",
            "TC1",
            "2026-10-12 09:00:00",
            "accepted",
            "2026-10-12 09:00:00",
        ),
        (
            "TAS2",
            "TS2",
            "TP1",
            "2026-10-13 10:00:00",
            "2026-10-13 12:00:00",
            "2026-10-15 10:00:01",
            "TC1",
            "2026-10-19 09:00:00",
            "accepted",
            "2026-10-19 09:00:00",
        ),
        (
            "TAS4",
            "TS4",
            "TP2",
            "2026-10-28 10:00:00",
            "2026-10-28 12:00:00",
            None,
            "TC1",
            None,
            None,
            "2026-10-28 12:00:00",
        ),
    ],
    "documents": [
        (
            "TD1",
            "DG990000000001",
            "TCUST1",
            "TP1",
            "TS1",
            "APPLICATION",
            "expansion",
            1,
            "2026-10-09 12:00:00",
            "TB1",
            "2026-10-09 12:00:00",
        ),
        (
            "TD2",
            "DG990000000002",
            "TCUST1",
            "TP1",
            "TS1",
            "ID_PROOF",
            "expansion",
            1,
            "2026-10-09 12:00:00",
            "TB1",
            "2026-10-09 12:00:00",
        ),
        (
            "TD3",
            "DG990000000003",
            "TCUST1",
            "TP1",
            "TS1",
            "PROPERTY_PROOF",
            "expansion",
            1,
            "2026-10-09 12:00:00",
            "TB1",
            "2026-10-09 12:00:00",
        ),
        (
            "TD4",
            "DG990000000004",
            "TCUST1",
            "TP1",
            "TS2",
            "METERING_ORDER",
            "expansion",
            1,
            "2026-10-13 12:00:00",
            "TB2",
            "2026-10-13 12:00:00",
        ),
        (
            "TD5",
            "DG990000000005",
            "TCUST2",
            "TP2",
            "TS4",
            "APPLICATION",
            "expansion",
            1,
            "2026-10-28 12:00:00",
            "TB2",
            "2026-10-28 12:00:00",
        ),
    ],
    "paper_handovers": [
        # TP1 completed Tue 10-13: the 5th working day after is Tue 10-20 (on time).
        ("TH1", "TP1", "TB1", "TC1", "2026-10-20 17:00:00", 4),
        # TP2 completed Fri 10-30: the 5th working day after is Fri 11-06 (late).
        ("TH2", "TP2", "TB2", "TC1", "2026-11-09 09:00:00", 1),
    ],
    "audit_checks": [
        ("TA1", "TP1", "TC1", "2026-10-20 10:00:00", "pass"),
        ("TA2", "TP2", "TC1", "2026-10-21 10:00:00", "fail"),
    ],
    "audit_findings": [
        ("TF1", "TA2", "important", "missing_document", "TB2", None, None),
        ("TF2", "TA2", "general", "late_review", "TC1", None, None),
    ],
}


@dataclass(frozen=True)
class DbtWarehouse:
    path: Path
    as_of: str

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


RESULT_LINE = "result: "


def run_dbt(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """dbt run on ``database`` as ``dangan build`` runs it; fails the test with dbt's log.

    dbt's own entry point (``dbtRunner``) in this process, on the manifest ``dbt parse``
    prepared (``dagster_project.defs.dbt.runner.invoke``). The dbt command line would parse
    the whole project again on every call whose ``--vars`` differ from the call before (every
    ``as_of`` here), about 18 CPU seconds each; the run's vars are read as each model is
    compiled either way. The result carries dbt's log as ``stdout``, then one line per node
    (``RESULT_LINE``, its status and unique id).
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    from dagster_project.defs.dbt.runner import invoke

    with tempfile.TemporaryDirectory(prefix="dbt-") as folder:
        try:
            run = invoke(list(args), database, target_path=Path(folder))
        finally:
            # dbt-duckdb keeps its connection for the next invocation; a read-only
            # connection of the test to the same file would be refused while it is open.
            environment = DuckDBConnectionManager._ENV
            if environment is not None:
                environment.close()
            DuckDBConnectionManager.close_all_connections()
        log = run.log_path.read_text(encoding="utf-8") if run.log_path.exists() else ""
        # dbt's file log keeps warnings and errors only; each node's outcome is in
        # run_results.json, appended as one line "result: STATUS UNIQUE_ID" per node.
        results_file = Path(folder) / "run_results.json"
        if results_file.exists():
            results = json.loads(results_file.read_text(encoding="utf-8"))["results"]
            log += "".join(f"{RESULT_LINE}{result['status']} {result['unique_id']}\n" for result in results)
    if not run.success:
        detail = f"{type(run.exception).__name__}: {run.exception}\n" if run.exception else ""
        pytest.fail(f"dbt {' '.join(args)} failed:\n{detail}{' '.join(run.failures)}\n{log[-6000:]}")
    return subprocess.CompletedProcess(["dbt", *args], 0, stdout=log, stderr="")


def _load_raw(con: duckdb.DuckDBPyConnection, source: Path) -> None:
    create_raw_tables(con)
    for table in TABLES:
        columns = ", ".join(table.column_names)
        csv = source / table.system / f"{table.name}.csv"
        if csv.exists():
            con.execute(
                f"insert into raw.{table.name} ({columns}) select {columns} from read_csv(?, header = true)",
                [str(csv)],
            )
        for row in HAND_MADE.get(table.name, []):
            marks = ", ".join("?" for _ in row)
            con.execute(f"insert into raw.{table.name} ({columns}) values ({marks})", list(row))


@pytest.fixture(scope="session")
def dbt_warehouse(tmp_path_factory: pytest.TempPathFactory) -> DbtWarehouse:
    """Tiny generated set + the hand-made unit, loaded into raw and built by ``dbt build``."""
    from ingest.synthetic.generate import generate_tables

    work = tmp_path_factory.mktemp("dbt_warehouse")
    source = generate_tables(scale="tiny", seed=7, out=work / "source", scans="none", table_format="csv").out
    database = work / "warehouse.duckdb"
    with duckdb.connect(str(database)) as con:
        _load_raw(con, source)
        load_calendar(con, datetime.fromisoformat(AS_OF))
    run_dbt(database, "build", "--vars", json.dumps({"as_of": AS_OF}))
    return DbtWarehouse(path=database, as_of=AS_OF)
