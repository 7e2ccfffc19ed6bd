"""The monthly close's Python side: which month the report is about (the newest frozen one of
marts.kpi_months) and the report's workbook with the labels of the one catalogue. Freezing
itself is dbt's (tests/dbt and the close scenarios)."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest

from dagster_project.defs.close.months import MonthsMissingError, latest_frozen_month
from dagster_project.defs.close.report import MissingLabelError, monthly_report_xlsx, report_summary

SEEDS = Path(__file__).resolve().parents[2] / "dbt" / "seeds"


def _seed(con: duckdb.DuckDBPyConnection, table: str, seed: str) -> None:
    """The seed CSV as dbt materialises it: every column text."""
    con.execute(
        f"create table {table} as select * from read_csv('{SEEDS / seed}', header = true, all_varchar = true)"
    )


def _fill(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema marts; create schema staging")
    _seed(con, "staging.thresholds", "thresholds.csv")
    _seed(con, "marts.code_labels", "code_labels.csv")
    con.execute(
        "create table marts.kpi_monthly (month date, tier varchar, entity_id varchar, entity_name varchar,"
        " indicator varchar, numerator bigint, denominator bigint, value double, target double,"
        " meets_target boolean, weight double, score double, provisional boolean)"
    )
    con.execute(
        "insert into marts.kpi_monthly values"
        " ('2026-10-01', 'team', 'T1', '一班', 'timely_filing_rate', 95, 100, 0.95, 0.95, true, 20, 20, false),"
        " ('2026-10-01', 'team', 'T2', '二班', 'timely_filing_rate', 80, 100, 0.80, 0.95, false, 20, 5, false),"
        " ('2026-11-01', 'team', 'T1', '一班', 'timely_filing_rate', 9, 10, 0.9, 0.95, false, 20, 15, true)"
    )
    con.execute(
        "create table marts.scorecard_monthly (month date, tier varchar, entity_id varchar,"
        " entity_name varchar, total_score double, rank bigint, entities_ranked bigint, provisional boolean)"
    )
    con.execute(
        "insert into marts.scorecard_monthly values"
        " ('2026-10-01', 'team', 'T1', '一班', 100, 1, 2, false),"
        " ('2026-10-01', 'team', 'T2', '二班', 25, 2, 2, false),"
        " ('2026-11-01', 'team', 'T1', '一班', 75, 1, 1, true)"
    )


@pytest.fixture
def marts(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    _fill(con)
    yield con
    con.close()


def _freeze(con: duckdb.DuckDBPyConnection, month: date, frozen_at: datetime) -> None:
    """The month's mart rows in frozen.*, as a build that froze it leaves them."""
    con.execute("create schema if not exists frozen")
    for table in ("kpi_monthly", "scorecard_monthly"):
        con.execute(
            f"create table if not exists frozen.{table} as select *, ? as frozen_at from marts.{table} where false",
            [frozen_at],
        )
        con.execute(
            f"insert into frozen.{table} select *, ? from marts.{table} where month = ?", [frozen_at, month]
        )


def test_monthly_report_has_chinese_headers_and_the_frozen_rankings(marts) -> None:
    _freeze(marts, date(2026, 10, 1), datetime(2026, 11, 17, 6, 0))
    workbook = openpyxl.load_workbook(io.BytesIO(monthly_report_xlsx(marts, date(2026, 10, 1))))
    assert workbook.sheetnames == ["排名", "指标"]
    ranking = list(workbook["排名"].iter_rows(min_row=3, values_only=True))
    assert ranking[0] == ("考核层级", "排名", "对象编码", "对象名称", "总分", "参评数")
    assert ranking[1:] == [("班组", 1, "T1", "一班", 100, 2), ("班组", 2, "T2", "二班", 25, 2)]
    indicators = list(workbook["指标"].iter_rows(min_row=4, values_only=True))
    assert [row[8] for row in indicators] == ["是", "否"]


def test_workbook_names_tiers_and_indicators_as_the_label_catalogue_does(marts) -> None:
    """GIVEN a closed month with a supply unit and a collector ranked
    WHEN the management workbook is written
    THEN their tiers read 供电单位 and 档案收集员 (the catalogue's labels), and an edited
    label in marts.code_labels is what the workbook shows."""
    marts.execute(
        "insert into marts.scorecard_monthly values"
        " ('2026-10-01', 'supply_unit', 'U1', '南湖', 90, 1, 1, false),"
        " ('2026-10-01', 'collector', 'C1', '赵六', 80, 1, 1, false)"
    )
    _freeze(marts, date(2026, 10, 1), datetime(2026, 11, 17, 6, 0))

    def tiers() -> dict[str, str]:
        workbook = openpyxl.load_workbook(io.BytesIO(monthly_report_xlsx(marts, date(2026, 10, 1))))
        return {row[2]: row[0] for row in workbook["排名"].iter_rows(min_row=4, values_only=True)}

    assert tiers() == {"U1": "供电单位", "C1": "档案收集员", "T1": "班组", "T2": "班组"}
    indicators = openpyxl.load_workbook(io.BytesIO(monthly_report_xlsx(marts, date(2026, 10, 1))))["指标"]
    assert {row[3] for row in indicators.iter_rows(min_row=4, values_only=True)} == {"归档及时率"}
    assert "- 供电单位 第1名 南湖 90.0" in report_summary(marts, date(2026, 10, 1)).splitlines()

    marts.execute(
        "update marts.code_labels set zh = '供电单位（县）' where kind = 'tier' and code = 'supply_unit'"
    )
    assert tiers()["U1"] == "供电单位（县）"


def test_workbook_refuses_a_code_without_a_label(marts) -> None:
    _freeze(marts, date(2026, 10, 1), datetime(2026, 11, 17, 6, 0))
    marts.execute("delete from marts.code_labels where kind = 'tier' and code = 'team'")
    with pytest.raises(MissingLabelError, match="marts.code_labels has no tier label for code 'team'"):
        monthly_report_xlsx(marts, date(2026, 10, 1))


def _kpi_months(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    con.execute(
        "create or replace table marts.kpi_months (month date, status varchar, is_final boolean,"
        " close_at timestamp, cutoff_at timestamp, frozen_at timestamp)"
    )
    for month, is_final, frozen_at in rows:
        con.execute(
            "insert into marts.kpi_months values (?, ?, ?, null, null, ?)",
            [month, "final" if is_final else "provisional", is_final, frozen_at],
        )


def test_report_month_is_the_newest_month_final_and_frozen(marts) -> None:
    """GIVEN September and October final and frozen, November provisional
    THEN the report is about October; with October final but not frozen (a build with a
    past as_of), about September; with nothing frozen there is no report month."""
    frozen_at = datetime(2026, 11, 16, 6, 0)
    _kpi_months(
        marts,
        [
            (date(2026, 9, 1), True, frozen_at),
            (date(2026, 10, 1), True, frozen_at),
            (date(2026, 11, 1), False, None),
        ],
    )
    assert latest_frozen_month(marts) == date(2026, 10, 1)
    _kpi_months(marts, [(date(2026, 9, 1), True, frozen_at), (date(2026, 10, 1), True, None)])
    assert latest_frozen_month(marts) == date(2026, 9, 1)
    _kpi_months(marts, [(date(2026, 11, 1), False, None)])
    assert latest_frozen_month(marts) is None


def test_report_month_without_the_months_mart_names_it(marts) -> None:
    with pytest.raises(MonthsMissingError, match="marts.kpi_months does not exist"):
        latest_frozen_month(marts)


def test_formula_looking_entity_names_stay_text_in_the_monthly_workbook(marts) -> None:
    """GIVEN a team named like a formula and one named like a link WHEN the management
    workbook is written THEN both names are string cells (openpyxl data_type 's'), as written."""
    hostile = ['=HYPERLINK("http://example.invalid/x","点此")', "http://example.invalid/y"]
    marts.execute("update marts.scorecard_monthly set entity_name = ? where entity_id = 'T1'", [hostile[0]])
    marts.execute("update marts.scorecard_monthly set entity_name = ? where entity_id = 'T2'", [hostile[1]])
    _freeze(marts, date(2026, 10, 1), datetime(2026, 11, 17, 6, 0))
    sheet = openpyxl.load_workbook(io.BytesIO(monthly_report_xlsx(marts, date(2026, 10, 1))))["排名"]
    names = [row[3] for row in sheet.iter_rows(min_row=4)]
    assert [cell.value for cell in names] == hostile
    assert [cell.data_type for cell in names] == ["s", "s"]
