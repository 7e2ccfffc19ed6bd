"""The monthly indicators and scorecards of the hand-made unit TESTU, worked out by hand.

October 2026 is closed (cutoff 2026-11-16 00:00), November provisional (cutoff = as_of
2026-11-27 17:30). Every expected figure below is derived in its comment from the rows in
``conftest.HAND_MADE``.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime

import duckdb
import pytest

from tests.dbt.conftest import DbtWarehouse, run_dbt

OCTOBER = date(2026, 10, 1)
NOVEMBER = date(2026, 11, 1)


def _indicator(warehouse: DbtWarehouse, month: date, tier: str, entity: str, indicator: str) -> dict:
    rows = warehouse.rows(
        "select numerator, denominator, pending_count, value, weight, score, meets_target, provisional "
        "from marts.kpi_monthly where month = ? and tier = ? and entity_id = ? and indicator = ?",
        [month, tier, entity, indicator],
    )
    assert len(rows) == 1, f"expected one kpi_monthly row for {month} {tier} {entity} {indicator}, got {rows}"
    keys = ("numerator", "denominator", "pending", "value", "weight", "score", "meets", "provisional")
    return dict(zip(keys, rows[0], strict=True))


def _total(warehouse: DbtWarehouse, month: date, tier: str, entity: str) -> float | None:
    rows = warehouse.rows(
        "select total_score from marts.scorecard_monthly where month = ? and tier = ? and entity_id = ?",
        [month, tier, entity],
    )
    return rows[0][0] if rows else None


@pytest.mark.parametrize(
    ("indicator", "numerator", "denominator"),
    [
        # TS1, TS2 sent by the cutoff; TS4 never sent; TS5 has no archive step (TS3: FILING).
        ("completion_rate", 2, 4),
        # Only TS1 (exactly 48 h); TS2 was sent 48 h + 1 s after completion.
        ("timely_filing_rate", 1, 4),
        # TP1 handed over on its 5th working day (Tue 10-20), TP2 after it (11-09 > 11-06).
        ("handover_timely_rate", 1, 2),
        # TP1 is the only business-expansion process; its METERING step took 2 of 3 days.
        ("sla_overdue_rate", 0, 1),
        # TCUST2's contract expired 10-15 without auto-renewal; TCUST3's is valid.
        ("contract_valid_rate", 1, 2),
        # TA1 passed, TA2 failed.
        ("audit_pass_rate", 1, 2),
    ],
)
def test_supply_unit_october_counts_match_the_hand_made_rows(
    dbt_warehouse: DbtWarehouse, indicator: str, numerator: int, denominator: int
) -> None:
    for tier, entity in (("supply_unit", "TESTU"), ("team", "TESTT")):
        row = _indicator(dbt_warehouse, OCTOBER, tier, entity, indicator)
        assert (row["numerator"], row["denominator"]) == (numerator, denominator), (tier, indicator)
        assert row["value"] == pytest.approx(numerator / denominator)
        assert row["provisional"] is False


def test_unit_total_counts_only_the_met_overdue_target(dbt_warehouse: DbtWarehouse) -> None:
    """Every rate but sla_overdue_rate is far below target (floored at 0); 20 of 100 points."""
    assert _indicator(dbt_warehouse, OCTOBER, "supply_unit", "TESTU", "sla_overdue_rate")["score"] == 20
    assert _total(dbt_warehouse, OCTOBER, "supply_unit", "TESTU") == 20.0


def test_staff_without_time_limited_steps_is_scored_over_the_other_weights(
    dbt_warehouse: DbtWarehouse,
) -> None:
    """TB1: timely filing 1/1 (30), handover 1/1 (25), no time-limited step (not applicable),
    no finding (20 of 20): 75 / 75 = 100."""
    overdue = _indicator(dbt_warehouse, OCTOBER, "staff", "TB1", "sla_overdue_rate")
    assert overdue["value"] is None and overdue["weight"] is None and overdue["score"] is None
    quality = _indicator(dbt_warehouse, OCTOBER, "staff", "TB1", "quality_points")
    assert (quality["value"], quality["score"]) == (0, 20)
    assert _total(dbt_warehouse, OCTOBER, "staff", "TB1") == 100.0
    rank = dbt_warehouse.rows(
        "select rank from marts.scorecard_monthly where month = ? and tier = 'staff' and entity_id = 'TB1'",
        [OCTOBER],
    )
    assert rank == [(1,)]


def test_staff_with_an_important_finding_loses_five_points(dbt_warehouse: DbtWarehouse) -> None:
    """TB2: timely filing 0/3 (0), handover 0/1 (0), 0 red of 1 (25), one important finding
    (20 - 5 = 15): 40 / 100."""
    quality = _indicator(dbt_warehouse, OCTOBER, "staff", "TB2", "quality_points")
    assert (quality["value"], quality["score"]) == (5, 15)
    assert _indicator(dbt_warehouse, OCTOBER, "staff", "TB2", "timely_filing_rate")["denominator"] == 3
    assert _total(dbt_warehouse, OCTOBER, "staff", "TB2") == 40.0
    (rank, better), *_ = dbt_warehouse.rows(
        "select cur.rank, (select count(*) from marts.scorecard_monthly as other "
        "  where other.month = cur.month and other.tier = cur.tier and other.total_score > cur.total_score) "
        "from marts.scorecard_monthly as cur where cur.month = ? and cur.tier = 'staff' and cur.entity_id = 'TB2'",
        [OCTOBER],
    )
    assert rank == better + 1


def test_collector_review_across_a_weekend_and_completeness(dbt_warehouse: DbtWarehouse) -> None:
    """TC1: TAS1 sent Sunday 10-11, reviewed Monday (1 working day, timely); TAS2 sent Thu
    10-15, reviewed Mon 10-19 (2, late). TP1 has every mandatory document, TP2 misses
    ID_PROOF and CONTRACT. One general finding: 19 of 20; total 19 / 100."""
    collection = _indicator(dbt_warehouse, OCTOBER, "collector", "TC1", "collection_timely_rate")
    assert (collection["numerator"], collection["denominator"]) == (1, 2)
    completeness = _indicator(dbt_warehouse, OCTOBER, "collector", "TC1", "completeness_rate")
    assert (completeness["numerator"], completeness["denominator"]) == (1, 2)
    assert _total(dbt_warehouse, OCTOBER, "collector", "TC1") == 19.0


def test_unsent_step_within_48h_of_the_cutoff_is_pending_not_failed(dbt_warehouse: DbtWarehouse) -> None:
    """TS6 was completed 2026-11-26 09:00 and not sent by as_of (11-27 17:30): pending, so
    November's completion rate of TESTU has no denominator and is not applicable."""
    row = _indicator(dbt_warehouse, NOVEMBER, "supply_unit", "TESTU", "completion_rate")
    assert (row["numerator"], row["denominator"], row["pending"]) == (0, 0, 1)
    assert row["value"] is None and row["weight"] is None
    assert row["provisional"] is True
    # TB1's only November item is pending: nothing applicable, so no scorecard row.
    assert _total(dbt_warehouse, NOVEMBER, "staff", "TB1") is None


def test_company_figures_are_the_sums_over_the_supply_units(dbt_warehouse: DbtWarehouse) -> None:
    """GIVEN the tiny set and TESTU WHEN the indicators are built THEN every month's company
    numerator and denominator of each indicator are the sums over the supply units (each item
    counts for exactly one unit), and the company row is scored, named from the seed and not
    ranked."""
    differences = dbt_warehouse.rows(
        "with units as ("
        "  select month, indicator, sum(numerator) as numerator, sum(denominator) as denominator"
        "  from marts.kpi_monthly where tier = 'supply_unit' group by month, indicator),"
        " company as ("
        "  select month, indicator, numerator, denominator from marts.kpi_monthly where tier = 'company')"
        " select * from units full outer join company using (month, indicator)"
        " where units.numerator is distinct from company.numerator"
        "  or units.denominator is distinct from company.denominator"
    )
    assert differences == []
    # TESTU alone holds 2 of 4 sent steps in October; the company holds the units' sum, so more.
    company = _indicator(dbt_warehouse, OCTOBER, "company", "company", "completion_rate")
    assert company["denominator"] > 4
    names = dbt_warehouse.rows("select distinct entity_name from marts.kpi_monthly where tier = 'company'")
    assert names == [("国网嘉兴供电公司",)]
    ranks = dbt_warehouse.rows(
        "select rank, entities_ranked from marts.scorecard_monthly where tier = 'company' and month = ?",
        [OCTOBER],
    )
    assert ranks == [(None, None)]


def test_months_run_from_the_first_data_to_the_as_of_month(dbt_warehouse: DbtWarehouse) -> None:
    months = dbt_warehouse.rows(
        "select month, bool_or(provisional) from marts.scorecard_monthly group by month order by month"
    )
    assert months[-1] == (NOVEMBER, True)
    assert all(not provisional for _, provisional in months[:-1])
    first_event = dbt_warehouse.rows(
        "select date_trunc('month', min(completed_at)) from raw.process_steps where completed_at <= ?",
        [dbt_warehouse.as_of],
    )[0][0]
    assert months[0][0] == first_event.date() if hasattr(first_event, "date") else first_event


def test_the_build_freezes_the_final_month_at_its_as_of(dbt_warehouse: DbtWarehouse) -> None:
    """As of 11-27 October is final (closed 11-16) and frozen by the build; November is not."""
    frozen = dbt_warehouse.rows("select month, frozen_at from frozen.months order by month")
    assert frozen[-1] == (OCTOBER, datetime.fromisoformat(dbt_warehouse.as_of))
    assert NOVEMBER not in [month for month, _ in frozen]
    for table in ("kpi_monthly", "scorecard_monthly"):
        assert dbt_warehouse.rows(f"select count(*) from frozen.{table} where month = ?", [NOVEMBER]) == [
            (0,)
        ]
        assert (
            dbt_warehouse.rows(
                f"select count(*), count(frozen_at) from marts.{table} where month = ?", [OCTOBER]
            )[0][1]
            > 0
        )
        assert dbt_warehouse.rows(
            f"select count(frozen_at) from marts.{table} where month = ?", [NOVEMBER]
        ) == [(0,)]


def test_frozen_months_are_taken_unchanged(dbt_warehouse: DbtWarehouse, tmp_path) -> None:
    """Rows of a frozen final month replace the computed ones; other months stay computed."""
    copy = tmp_path / "closed.duckdb"
    shutil.copyfile(dbt_warehouse.path, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "update frozen.kpi_monthly set score = 0, entity_name = 'frozen name' where month = ?", [OCTOBER]
        )
        con.execute("update frozen.scorecard_monthly set total_score = 12.34 where month = ?", [OCTOBER])
        november_before = con.execute(
            "select tier, entity_id, total_score, rank from marts.scorecard_monthly where month = ? order by all",
            [NOVEMBER],
        ).fetchall()
    run_dbt(
        copy,
        "run",
        "--select",
        "kpi_monthly",
        "scorecard_monthly",
        "--vars",
        f"{{as_of: '{dbt_warehouse.as_of}'}}",
    )
    with duckdb.connect(str(copy), read_only=True) as con:
        assert con.execute(
            "select distinct entity_name from marts.kpi_monthly where month = ?", [OCTOBER]
        ).fetchall() == [("frozen name",)]
        assert con.execute(
            "select distinct total_score from marts.scorecard_monthly where month = ?", [OCTOBER]
        ).fetchall() == [(12.34,)]
        november_after = con.execute(
            "select tier, entity_id, total_score, rank from marts.scorecard_monthly where month = ? order by all",
            [NOVEMBER],
        ).fetchall()
    assert november_after == november_before
