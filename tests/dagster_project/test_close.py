"""The monthly close: which month closes, freezing once, and the report's workbook."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest

from dagster_project.close import MonthNotClosedError, close_day_of_month, closed_month, freeze_month
from dagster_project.report import monthly_report_xlsx


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (datetime(2026, 11, 17, 6, 0), date(2026, 10, 1)),
        (datetime(2026, 11, 16, 0, 0), date(2026, 10, 1)),
        (datetime(2026, 11, 15, 23, 59), date(2026, 9, 1)),
        (datetime(2026, 1, 20, 0, 0), date(2025, 12, 1)),
    ],
)
def test_closed_month_is_the_latest_month_past_its_close_lag(as_of: datetime, expected: date) -> None:
    assert closed_month(as_of, 15) == expected


def test_close_runs_the_day_after_the_lag() -> None:
    assert close_day_of_month(15) == 17
    assert close_day_of_month(5) == 7


@pytest.fixture
def marts(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema marts")
    con.execute(
        "create table marts.kpi_monthly (month date, tier varchar, entity_id varchar, entity_name varchar,"
        " indicator varchar, numerator bigint, denominator bigint, value double, target double,"
        " meets_target boolean, weight double, score double, provisional boolean)"
    )
    con.execute(
        "insert into marts.kpi_monthly values"
        " ('2026-10-01', 'team', 'T1', '一班', 'timely_filing', 95, 100, 0.95, 0.95, true, 20, 20, false),"
        " ('2026-10-01', 'team', 'T2', '二班', 'timely_filing', 80, 100, 0.80, 0.95, false, 20, 5, false),"
        " ('2026-11-01', 'team', 'T1', '一班', 'timely_filing', 9, 10, 0.9, 0.95, false, 20, 15, true)"
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
    yield con
    con.close()


def test_freezing_copies_the_month_once_and_later_mart_changes_do_not_reach_it(marts) -> None:
    first = freeze_month(marts, date(2026, 10, 1), datetime(2026, 11, 17, 6, 0))
    assert first.rows == {"kpi_monthly": 2, "scorecard_monthly": 2}
    assert not first.already_frozen
    # A corrected source record moves the mart's figure after the close.
    marts.execute("update marts.scorecard_monthly set total_score = 1, rank = 2 where entity_id = 'T1'")
    second = freeze_month(marts, date(2026, 10, 1), datetime(2026, 12, 17, 6, 0))
    assert second.already_frozen
    frozen = marts.execute(
        "select entity_id, total_score, rank, frozen_at from frozen.scorecard_monthly order by entity_id"
    ).fetchall()
    assert frozen == [
        ("T1", 100.0, 1, datetime(2026, 11, 17, 6, 0)),
        ("T2", 25.0, 2, datetime(2026, 11, 17, 6, 0)),
    ]


def test_a_month_with_provisional_rows_is_not_frozen(marts) -> None:
    with pytest.raises(MonthNotClosedError, match="provisional"):
        freeze_month(marts, date(2026, 11, 1), datetime(2026, 11, 20))
    assert marts.execute("select count(*) from frozen.kpi_monthly").fetchone()[0] == 0


def test_monthly_report_has_chinese_headers_and_the_frozen_rankings(marts) -> None:
    freeze_month(marts, date(2026, 10, 1), datetime(2026, 11, 17, 6, 0))
    workbook = openpyxl.load_workbook(io.BytesIO(monthly_report_xlsx(marts, date(2026, 10, 1))))
    assert workbook.sheetnames == ["排名", "指标"]
    ranking = list(workbook["排名"].iter_rows(min_row=3, values_only=True))
    assert ranking[0] == ("考核层级", "排名", "对象编码", "对象名称", "总分", "参评数")
    assert ranking[1:] == [("班组", 1, "T1", "一班", 100, 2), ("班组", 2, "T2", "二班", 25, 2)]
    indicators = list(workbook["指标"].iter_rows(min_row=4, values_only=True))
    assert [row[8] for row in indicators] == ["是", "否"]
