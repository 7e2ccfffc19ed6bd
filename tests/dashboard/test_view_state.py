"""The view pages share and the URL carries (month, tier, unit, person, language), the
workbooks the pages export, and the charts' axes — on the tiny published warehouse."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import charts, export
from dashboard.auth.store import UserStore
from tests.dashboard.apptest import logged_in, run_page
from tests.dashboard.conftest import TEST_PASSWORD

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"
VIEWS = DASHBOARD / "views"
TIMEOUT_S = 60
# The tiny build: July–October final, November provisional (tests/dashboard/test_month_close.py).
LAST_FINAL = dt.date(2026, 10, 1)
PROVISIONAL = dt.date(2026, 11, 1)


def opened(name: str, params: dict[str, str] | None = None, user: str = "test_leader") -> AppTest:
    """A page opened by a link carrying ``params``, as ``user``."""
    app = AppTest.from_file(str(VIEWS / name), default_timeout=TIMEOUT_S)
    logged_in(app, user)
    app.query_params.update(params or {})
    app.run()
    assert not app.exception, [error.value for error in app.exception]
    return app


# --- the shared month and the URL -----------------------------------------------------------------


def test_pages_open_on_the_last_final_month_with_the_provisional_one_offered(warehouse: Path) -> None:
    for page, key in (("kpi.py", "kpi_month"), ("rankings.py", "rank_month"), ("audit.py", "audit_month")):
        app = run_page(VIEWS / page, TIMEOUT_S)
        picker = app.selectbox(key=key)
        assert picker.value == LAST_FINAL, page
        assert picker.options[0] == "2026年11月（未结账）", page


def test_a_month_picked_on_one_page_is_the_month_of_the_next_and_of_the_url(warehouse: Path) -> None:
    """GIVEN the KPI page WHEN August is picked THEN the URL says month=2026-08 and the
    rankings page opened next in the same session shows August."""
    app = run_page(VIEWS / "kpi.py", TIMEOUT_S)
    app.selectbox(key="kpi_month").set_value(dt.date(2026, 8, 1)).run()
    assert app.query_params["month"] == ["2026-08"] or app.query_params["month"] == "2026-08"
    rankings = AppTest.from_file(str(VIEWS / "rankings.py"), default_timeout=TIMEOUT_S)
    for key in ("_view", "_view_writer"):
        if key in app.session_state:
            rankings.session_state[key] = app.session_state[key]
    logged_in(rankings, "test_leader")
    rankings.run()
    assert rankings.selectbox(key="rank_month").value == dt.date(2026, 8, 1)


def test_a_link_with_month_tier_and_unit_opens_that_drilled_ranking(marts: duckdb.DuckDBPyConnection) -> None:
    unit = marts.execute(
        "select unit_code from marts.scorecard_monthly where month = ? and tier = 'team' "
        "group by unit_code order by count(*) desc, unit_code limit 1",
        [dt.date(2026, 8, 1)],
    ).fetchone()[0]
    expected = marts.execute(
        "select entity_id, rank from marts.scorecard_monthly where month = ? and tier = 'team' "
        "and unit_code = ? order by rank, entity_id",
        [dt.date(2026, 8, 1), unit],
    ).df()
    app = opened("rankings.py", {"month": "2026-08", "tier": "team", "unit": unit})
    assert app.selectbox(key="rank_month").value == dt.date(2026, 8, 1)
    assert app.segmented_control(key="rank_tier").value == "team"
    assert app.selectbox(key="rank_unit").value == unit
    shown = app.dataframe[0].value
    assert shown["编号"].tolist() == expected["entity_id"].tolist()
    # Ranked within the unit: 1, 2, … by the company ranking's order, the company rank beside it.
    company = expected["rank"].astype(int).tolist()
    assert shown["全公司排名"].astype(int).tolist() == company
    assert shown["单位内排名"].astype(int).tolist() == [
        1 + sum(r < rank for r in company) for rank in company
    ]


def test_a_link_cannot_widen_a_unit_managers_scope(
    tiny_warehouse: Path, warehouse: Path, users_store: UserStore, marts: duckdb.DuckDBPyConnection
) -> None:
    """GIVEN a unit manager WHEN a link names another unit THEN the other unit is not offered
    or shown: the page shows the same as without the link."""
    own, other = (
        row[0]
        for row in marts.execute(
            "select unit_code from marts.contract_status group by unit_code order by count(*) desc, 1 limit 2"
        ).fetchall()
    )
    users_store.add("link_unit_manager", TEST_PASSWORD, "unit_manager", unit_code=own)
    plain = opened("contracts.py", user="link_unit_manager")
    linked = opened("contracts.py", {"unit": other, "month": "2026-08"}, user="link_unit_manager")
    assert linked.selectbox(key="contract_unit").options == plain.selectbox(key="contract_unit").options
    assert [metric.value for metric in linked.metric] == [metric.value for metric in plain.metric]
    assert linked.selectbox(key="contract_unit").value == ""


def test_a_link_in_english_shows_the_page_in_english(warehouse: Path) -> None:
    app = opened("kpi.py", {"lang": "en"})
    assert app.title[0].value == "Monthly indicators"
    assert app.selectbox(key="kpi_month").options[0] == "2026-11 · provisional"


# --- names for a person, empty states, labels -------------------------------------------------------


def test_the_reminders_person_box_accepts_a_name(marts: duckdb.DuckDBPyConnection) -> None:
    """GIVEN the person with the most open reminders WHEN her name (not her staff number) is
    typed THEN her own list shows all her reminders."""
    person, name, count = marts.execute(
        "select reminders.person_id, people.entity_name, count(*) from marts.reminders "
        "join marts.org_entities as people on people.entity_id = reminders.person_id "
        "group by all order by 3 desc, 1 limit 1"
    ).fetchone()
    same_name = marts.execute(
        "select count(*) from marts.org_entities where entity_kind = 'person' and entity_name like ?",
        [f"%{name}%"],
    ).fetchone()[0]
    app = run_page(VIEWS / "reminders.py", TIMEOUT_S)
    app.text_input(key="rem_staff").input(name).run()
    assert not app.exception
    if same_name > 1:
        app.selectbox(key="rem_staff_pick").set_value(person).run()
    own = [frame.value for frame in app.dataframe if "对象" in frame.value.columns]
    assert len(own) == 1
    assert len(own[0]) == min(count, 50)


def test_the_sla_list_says_all_on_time_when_nothing_is_red_or_yellow(
    tiny_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingest.warehouse import prepare_build_copy, publish

    own = tmp_path / "warehouse.duckdb"
    build = prepare_build_copy(own)
    build.write_bytes(Path(tiny_warehouse).resolve().read_bytes())
    con = duckdb.connect(str(build))
    con.execute("delete from marts.sla_monitor where status in ('red', 'yellow')")
    con.close()
    publish(build, own)
    monkeypatch.setenv("DANGAN_WAREHOUSE", str(own))
    app = run_page(VIEWS / "sla.py", TIMEOUT_S)
    assert not app.exception
    assert "全部按时：没有红灯或黄灯环节。" in [caption.value for caption in app.caption]
    assert not app.success and len(app.get("plotly_chart")) == 1
    app.toggle(key="sla_hide_green").set_value(True).run()
    assert [success.value for success in app.success] == ["全部按时：没有红灯或黄灯环节。"]
    assert not app.get("plotly_chart")


def test_every_page_states_the_data_as_of_in_beijing_time(marts: duckdb.DuckDBPyConnection) -> None:
    as_of = marts.execute("select strftime(as_of, '%Y-%m-%d %H:%M') from marts.build_info").fetchone()[0]
    for page in ("kpi.py", "rankings.py", "reminders.py", "contracts.py", "audit.py"):
        app = run_page(VIEWS / page, TIMEOUT_S)
        assert f"数据截至 {as_of}（北京时间）" in [caption.value for caption in app.sidebar.caption], page


def test_the_rankings_points_lost_header_names_its_indicator_once(marts: duckdb.DuckDBPyConnection) -> None:
    app = run_page(VIEWS / "rankings.py", TIMEOUT_S)
    columns = list(app.dataframe[0].value.columns)
    assert "质量扣分扣分" not in columns
    assert "归档及时率·扣分" in columns


# --- workbooks ------------------------------------------------------------------------------------


def test_a_workbook_sheet_has_a_header_block_and_typed_formatted_cells() -> None:
    frame = pd.DataFrame(
        {
            "编号": ["U1", "U2"],
            "总分": [94.99, 97.5],
            "归档及时率": [0.979, None],
            "名次变化": [1, -2],
            "到期日": [pd.Timestamp("2026-12-01"), pd.NaT],
            "姓名": ['=HYPERLINK("http://example.invalid","x")', "@SUM(A1)"],
            "稽查结果": [None, None],
        }
    )
    header = [("月份", "2026-10"), ("结账状态", "已结账"), ("筛选条件", "全部"), ("评估时点", "数据截至 …")]
    sheet_spec = export.Sheet(
        frame,
        "三级排名",
        header,
        formats={"总分": "decimal", "归档及时率": "percent", "名次变化": "integer", "到期日": "date"},
        choices={"稽查结果": ["合格", "不合格"]},
    )
    sheet = openpyxl.load_workbook(io.BytesIO(export.workbook({"供电单位": sheet_spec})))["供电单位"]
    assert sheet["A1"].value == "三级排名"
    assert [(sheet.cell(row, 1).value, sheet.cell(row, 2).value) for row in range(2, 6)] == header
    assert sheet.cell(6, 1).value is None
    assert [cell.value for cell in sheet[7]] == list(frame.columns)
    assert [sheet.cell(8, col).value for col in (1, 2, 3, 4)] == ["U1", 94.99, 0.979, 1]
    assert (sheet.cell(8, 2).number_format, sheet.cell(8, 3).number_format) == ("0.00", "0.0%")
    assert sheet.cell(9, 4).value == -2 and sheet.cell(8, 4).data_type == "n"
    assert (
        sheet.cell(8, 5).value == dt.datetime(2026, 12, 1) and sheet.cell(8, 5).number_format == "yyyy-mm-dd"
    )
    assert sheet.cell(9, 3).value is None
    names = [sheet.cell(row, 6) for row in (8, 9)]
    assert [cell.value for cell in names] == frame["姓名"].tolist()
    assert [cell.data_type for cell in names] == ["s", "s"]
    assert sheet.auto_filter.ref == "A7:G9"
    (rule,) = sheet.data_validations.dataValidation
    assert (rule.formula1, str(rule.sqref)) == ('"合格,不合格"', "G8:G9")
    assert sheet.freeze_panes == "A8"


def test_file_names_carry_page_month_and_tier() -> None:
    assert export.file_name("三级排名", dt.date(2026, 10, 1), "供电单位") == "三级排名_2026-10_供电单位.xlsx"
    assert (
        export.file_name("Rankings", "2026-10-01", "Supply units", ext="csv")
        == "Rankings_2026-10_Supply-units.csv"
    )
    assert export.file_name("时限监控") == "时限监控.xlsx"


def test_the_csv_keeps_every_row_and_defuses_formulas() -> None:
    frame = pd.DataFrame({"姓名": ["=1+1", "-3", "王五"], "数量": [1, 2, 3]})
    text = export.to_csv(frame).decode("utf-8-sig")
    assert text.splitlines() == ["姓名,数量", "'=1+1,1", "-3,2", "王五,3"]


# --- charts -----------------------------------------------------------------------------------------


def _layout(figure: go.Figure) -> dict:
    return json.loads(figure.to_json())["layout"]


def test_an_all_zero_count_chart_sits_on_a_zero_to_one_axis_of_whole_numbers(warehouse: Path) -> None:
    counts = pd.DataFrame({"group_name": ["南湖"], "status": ["green"], "count": [0]})
    axis = _layout(charts.traffic_light(counts, "单位", ("red", "yellow")))["xaxis"]
    assert axis["range"] == [0, 1]
    assert axis["dtick"] == 1
    assert axis["tickformat"] == ",d"


def test_an_all_zero_rate_is_drawn_from_zero_not_on_a_minus_100_percent_axis(warehouse: Path) -> None:
    frame = pd.DataFrame(
        {
            "entity_name": ["南湖", "秀洲"],
            "value": [0.0, 0.0],
            "meets_target": [True, True],
            "numerator": [0, 0],
            "denominator": [10, 12],
            "target": [0.0, 0.0],
        }
    )
    axis = _layout(charts.indicator_vs_target(frame, "sla_overdue_rate", True))["yaxis"]
    assert axis["range"] == [0, 1]


def test_the_trend_has_one_tick_on_each_month(warehouse: Path) -> None:
    months = [pd.Timestamp(f"2026-{month:02d}-01") for month in (7, 8, 9, 10, 11)]
    frame = pd.DataFrame(
        {
            "month": months,
            "entity_name": ["全公司"] * 5,
            "value": [0.9, 0.91, 0.92, 0.93, 0.94],
            "target": 0.9,
        }
    )
    axis = _layout(charts.trend(frame, "timely_filing_rate", True))["xaxis"]
    assert axis["ticktext"] == ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    assert [pd.Timestamp(value) for value in axis["tickvals"]] == months
