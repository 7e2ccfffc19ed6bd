"""The monthly close: which month closes (with the warehouse's close lag), freezing once,
and the report's workbook with the labels of the one catalogue."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import dagster as dg
import duckdb
import openpyxl
import pytest

from dagster_project.defs.close.assets import closed_month as close_asset
from dagster_project.defs.close.freeze import (
    MonthNotClosedError,
    ThresholdError,
    closed_month,
    decide_close,
    freeze_month,
    read_close_lag_days,
)
from dagster_project.defs.close.report import MissingLabelError, monthly_report_xlsx, report_summary
from dagster_project.defs.common.resources import RunParams, WarehouseResource
from ingest import warehouse as wh

SEEDS = Path(__file__).resolve().parents[2] / "dbt" / "seeds"


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


def _seed(con: duckdb.DuckDBPyConnection, table: str, seed: str) -> None:
    """The seed CSV as dbt materialises it: every column text."""
    con.execute(
        f"create table {table} as select * from read_csv('{SEEDS / seed}', header = true, all_varchar = true)"
    )


def _build_warehouse(path: Path) -> None:
    """The tables the close reads: the two marts, the thresholds seed, the label catalogue."""
    con = duckdb.connect(str(path))
    try:
        _fill(con)
    finally:
        con.close()


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
    freeze_month(marts, date(2026, 10, 1), datetime(2026, 11, 17, 6, 0))

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
    freeze_month(marts, date(2026, 10, 1), datetime(2026, 11, 17, 6, 0))
    marts.execute("delete from marts.code_labels where kind = 'tier' and code = 'team'")
    with pytest.raises(MissingLabelError, match="marts.code_labels has no tier label for code 'team'"):
        monthly_report_xlsx(marts, date(2026, 10, 1))


def test_close_lag_is_the_warehouse_seed_and_moves_the_final_month(marts) -> None:
    """GIVEN the thresholds seed as built in the warehouse (close_lag_days 15)
    WHEN its close_lag_days row is changed to 5
    THEN as of 2026-11-10 the final month moves from September to October."""
    as_of = datetime(2026, 11, 10, 6, 0)
    assert read_close_lag_days(marts) == 15
    assert decide_close(marts, as_of).final_month == date(2026, 9, 1)

    marts.execute("update staging.thresholds set value = '5' where name = 'close_lag_days'")
    decision = decide_close(marts, as_of)
    assert (decision.close_lag_days, decision.final_month, decision.month) == (
        5,
        date(2026, 10, 1),
        date(2026, 10, 1),
    )


def test_close_has_nothing_to_do_when_the_latest_final_month_is_frozen(marts) -> None:
    as_of = datetime(2026, 11, 20, 6, 0)
    assert decide_close(marts, as_of).month == date(2026, 10, 1)
    freeze_month(marts, date(2026, 10, 1), as_of)
    decision = decide_close(marts, as_of)
    assert decision.final_month == date(2026, 10, 1)
    assert decision.month is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("delete from staging.thresholds where name = 'close_lag_days'", "0 rows named 'close_lag_days'"),
        ("update staging.thresholds set value = 'two weeks' where name = 'close_lag_days'", "'two weeks'"),
        ("drop table staging.thresholds", "staging.thresholds does not exist"),
    ],
)
def test_a_missing_or_broken_close_lag_names_the_table(marts, change: str, message: str) -> None:
    marts.execute(change)
    with pytest.raises(ThresholdError, match=message):
        read_close_lag_days(marts)


def _published_warehouse(folder: Path, close_lag_days: str) -> Path:
    """A published warehouse with the close's inputs and the given seed value."""
    folder.mkdir()
    copy = folder / "seed.duckdb"
    _build_warehouse(copy)
    con = duckdb.connect(str(copy))
    con.execute("update staging.thresholds set value = ? where name = 'close_lag_days'", [close_lag_days])
    con.close()
    warehouse = folder / "warehouse.duckdb"
    wh.publish(copy, warehouse)
    return warehouse


@pytest.mark.parametrize(("close_lag_days", "frozen"), [("15", date(2026, 9, 1)), ("5", date(2026, 10, 1))])
def test_close_asset_freezes_the_month_the_warehouse_lag_makes_final(
    tmp_path: Path, close_lag_days: str, frozen: date
) -> None:
    """GIVEN a warehouse whose thresholds seed says close_lag_days = N
    WHEN the close asset runs as of 2026-11-10
    THEN it freezes the month that N makes final, in the run's build copy only."""
    warehouse = WarehouseResource(path=str(_published_warehouse(tmp_path / "w", close_lag_days)))
    resources = {"warehouse": warehouse, "params": RunParams(as_of="2026-11-10 06:00:00")}
    result = dg.materialize([close_asset], resources=resources)
    assert result.success
    materialization = result.asset_materializations_for_node("frozen__closed_month")[0]
    assert materialization.metadata["month"].value == f"{frozen:%Y-%m}"
    assert materialization.metadata["close_lag_days"].value == int(close_lag_days)
    with warehouse.connect(result.run_id) as con:
        months = con.execute("select distinct month from frozen.scorecard_monthly").fetchall()
    assert months == ([(frozen,)] if frozen == date(2026, 10, 1) else [])


def test_close_asset_run_again_freezes_nothing_and_says_so(tmp_path: Path) -> None:
    """GIVEN yesterday's close froze October and was published
    WHEN the close runs again the next morning
    THEN nothing is frozen, and the run's log says that the final month is frozen already."""
    warehouse = WarehouseResource(path=str(_published_warehouse(tmp_path / "w", "5")))
    resources = {"warehouse": warehouse, "params": RunParams(as_of="2026-11-10 06:00:00")}
    first = dg.materialize([close_asset], resources=resources)
    wh.publish(warehouse.build_file(first.run_id), warehouse.published)
    instance = dg.DagsterInstance.ephemeral()
    second = dg.materialize(
        [close_asset],
        resources={**resources, "params": RunParams(as_of="2026-11-11 06:00:00")},
        instance=instance,
    )
    assert second.success
    metadata = second.asset_materializations_for_node("frozen__closed_month")[0].metadata
    assert metadata["already_frozen"].value is True
    assert "kpi_monthly" not in metadata
    logs = [entry.user_message for entry in instance.all_logs(second.run_id)]
    assert any("nothing to freeze" in message and "2026-10" in message for message in logs)
    with warehouse.connect(second.run_id) as con:
        frozen_at = con.execute("select distinct frozen_at from frozen.kpi_monthly").fetchall()
    assert len(frozen_at) == 1
