"""Each dashboard page run by Streamlit's AppTest on the tiny published warehouse: no
exception, and the figures on screen equal the marts they come from."""

from __future__ import annotations

import io
import json
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import export
from dashboard.ui import minute, pct
from ingest.warehouse import prepare_build_copy, publish
from tests.dashboard.apptest import run_page

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"
VIEWS = DASHBOARD / "views"
TIMEOUT_S = 60


def run_view(name: str) -> AppTest:
    app = run_page(VIEWS / name, TIMEOUT_S)
    assert not app.exception, [error.value for error in app.exception]
    return app


def latest_month(marts: duckdb.DuckDBPyConnection):
    """The month the pages open on: the last final month (the provisional one is offered)."""
    return marts.execute("select max(month) from marts.kpi_months where is_final").fetchone()[0]


def labels(marts: duckdb.DuckDBPyConnection, kind: str) -> dict[str, str]:
    """The Chinese names of one kind of code, as marts.code_labels gives them."""
    return dict(marts.execute("select code, zh from marts.code_labels where kind = ?", [kind]).fetchall())


def name_of(marts: duckdb.DuckDBPyConnection, entity_id: str) -> str:
    """A unit's, team's or person's display name as marts.org_entities gives it."""
    row = marts.execute(
        "select entity_name from marts.org_entities where entity_id = ?", [entity_id]
    ).fetchone()
    assert row is not None, f"{entity_id} is not in marts.org_entities"
    return row[0]


def named(marts: duckdb.DuckDBPyConnection, entity_id: str) -> str:
    """An id as the pages' tables show it: its name, then the id."""
    return f"{name_of(marts, entity_id)} ({entity_id})"


def copy_of(tiny_warehouse: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A published warehouse of our own (path, build copy holding the tiny build's data)."""
    own = tmp_path / "warehouse.duckdb"
    build = prepare_build_copy(own)
    build.write_bytes(Path(tiny_warehouse).resolve().read_bytes())
    return own, build


def test_router_shows_the_kpi_page_and_switches_to_english(warehouse: Path) -> None:
    app = run_page(DASHBOARD / "streamlit_app.py", TIMEOUT_S)
    assert not app.exception
    assert app.title[0].value == "月度考核指标"
    app.radio(key="lang").set_value("en").run()
    assert not app.exception
    assert app.title[0].value == "Monthly indicators"


def test_kpi_page_shows_each_units_indicator_as_in_kpi_monthly(marts: duckdb.DuckDBPyConnection) -> None:
    app = run_view("kpi.py")
    month = latest_month(marts)
    expected = marts.execute(
        "select entity_name, indicator, value from marts.kpi_monthly "
        "where month = ? and tier = 'supply_unit' and indicator = 'timely_filing_rate'",
        [month],
    ).df()
    assert not expected.empty
    shown = app.dataframe[0].value
    for row in expected.itertuples():
        assert shown.loc[row.entity_name, "归档及时率"] == pct(row.value)
    newest, provisional = marts.execute(
        "select month, bool_or(provisional) from marts.scorecard_monthly group by month order by month desc limit 1"
    ).fetchone()
    assert app.selectbox(key="kpi_month").value == pd.Timestamp(month).date()
    assert ("未结账" in app.selectbox(key="kpi_month").options[0]) == bool(provisional)
    assert newest >= month


def test_kpi_page_without_company_rows_shows_the_lowest_and_highest_unit(
    tiny_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a build with no company-level rows WHEN the KPI page opens THEN each headline
    card shows the lowest unit's value of the month and names the highest beside it."""
    own, build = copy_of(tiny_warehouse, tmp_path)
    con = duckdb.connect(str(build))
    con.execute("delete from marts.kpi_monthly where tier = 'company'")
    month = latest_month(con)
    expected = con.execute(
        "select indicator, min(value), max(value) from marts.kpi_monthly "
        "where month = ? and tier = 'supply_unit' and indicator = 'timely_filing_rate' group by indicator",
        [month],
    ).fetchone()
    name = labels(con, "indicator")["timely_filing_rate"]
    con.close()
    publish(build, own)
    monkeypatch.setenv("DANGAN_WAREHOUSE", str(own))
    app = run_view("kpi.py")
    card = next(metric for metric in app.metric if metric.label == f"{name}（最低单位）")
    assert card.value == pct(expected[1])
    assert f"最高 {pct(expected[2])}" in card.proto.delta_description


def test_kpi_page_headline_cards_show_the_company_row(marts: duckdb.DuckDBPyConnection) -> None:
    """GIVEN the company rows of kpi_monthly WHEN the KPI page opens THEN each headline card
    shows the company's value of the month, and no note that company rows are missing."""
    month = latest_month(marts)
    value = marts.execute(
        "select value from marts.kpi_monthly "
        "where month = ? and tier = 'company' and indicator = 'timely_filing_rate'",
        [month],
    ).fetchone()[0]
    name = labels(marts, "indicator")["timely_filing_rate"]
    app = run_view("kpi.py")
    card = next(metric for metric in app.metric if metric.label == name)
    assert card.value == pct(value)
    assert not any("（最低单位）" in metric.label for metric in app.metric)
    assert not any("全公司汇总行" in caption.value for caption in app.caption)


def test_rankings_page_lists_units_with_the_scorecards_rank_and_total(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    app = run_view("rankings.py")
    expected = marts.execute(
        "select entity_id, rank, total_score from marts.scorecard_monthly "
        "where month = ? and tier = 'supply_unit' order by rank, entity_id",
        [latest_month(marts)],
    ).df()
    shown = app.dataframe[0].value
    assert shown["编号"].tolist() == expected["entity_id"].tolist()
    assert shown["排名"].astype(int).tolist() == expected["rank"].astype(int).tolist()
    assert shown["总分"].tolist() == [f"{value:.2f}" for value in expected["total_score"]]


def test_rankings_page_shows_rank_and_score_change_as_in_scorecard_monthly(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    """GIVEN the latest month's unit scorecard WHEN the rankings page opens THEN 名次变化 and
    分数变化 are the mart's rank_change and score_change (signed; empty when unranked)."""
    expected = marts.execute(
        "select entity_id, rank_change, score_change from marts.scorecard_monthly "
        "where month = ? and tier = 'supply_unit' order by rank, entity_id",
        [latest_month(marts)],
    ).df()
    assert expected["rank_change"].notna().any(), "the tiny set should have a month before the latest"
    shown = run_view("rankings.py").dataframe[0].value
    assert shown["名次变化"].tolist() == [
        "" if pd.isna(change) else f"{int(change):+d}" for change in expected["rank_change"]
    ]
    assert shown["分数变化"].tolist() == [
        "" if pd.isna(change) else f"{change:+.2f}" for change in expected["score_change"]
    ]


def test_rankings_page_shows_points_lost_as_in_kpi_monthly(marts: duckdb.DuckDBPyConnection) -> None:
    month = latest_month(marts)
    expected = dict(
        marts.execute(
            "select entity_id, points_lost from marts.kpi_monthly "
            "where month = ? and tier = 'supply_unit' and indicator = 'timely_filing_rate'",
            [month],
        ).fetchall()
    )
    shown = run_view("rankings.py").dataframe[0].value
    column = labels(marts, "indicator")["timely_filing_rate"] + "·扣分"
    for entity_id, lost in zip(shown["编号"], shown[column], strict=True):
        assert lost == ("—" if expected[entity_id] is None else f"{expected[entity_id]:.2f}")


def test_rankings_page_orders_indicator_columns_as_the_label_catalogue(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    """GIVEN the month's unit indicators and the catalogue's display order of indicators
    WHEN the rankings page shows one column per indicator
    THEN the columns follow code_labels.sort_order, not the alphabet of the codes."""
    month = latest_month(marts)
    expected = [
        name
        for (name,) in marts.execute(
            "select labels.zh from marts.code_labels as labels "
            "where labels.kind = 'indicator' and labels.code in ("
            "select indicator from marts.kpi_monthly where month = ? and tier = 'supply_unit') "
            "order by labels.sort_order",
            [month],
        ).fetchall()
    ]
    assert len(expected) > 1
    shown = [column for column in run_view("rankings.py").dataframe[0].value.columns if column in expected]
    assert shown == expected


def test_rankings_drill_down_to_a_units_teams_shows_only_that_unit(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    columns = {row[0] for row in marts.execute("describe marts.scorecard_monthly").fetchall()}
    if "unit_code" not in columns:
        pytest.skip("marts.scorecard_monthly has no unit_code column to drill down by")
    month = latest_month(marts)
    unit = marts.execute(
        "select unit_code from marts.scorecard_monthly where month = ? and tier = 'team' "
        "group by unit_code order by count(*) desc, unit_code limit 1",
        [month],
    ).fetchone()[0]
    expected = marts.execute(
        "select entity_id from marts.scorecard_monthly where month = ? and tier = 'team' and unit_code = ? "
        "order by rank, entity_id",
        [month, unit],
    ).df()
    app = run_view("rankings.py")
    app.segmented_control(key="rank_tier").set_value("team").run()
    app.selectbox(key="rank_unit").set_value(unit).run()
    assert not app.exception
    assert app.dataframe[0].value["编号"].tolist() == expected["entity_id"].tolist()


def test_sla_page_counts_red_yellow_green_as_in_sla_monitor(marts: duckdb.DuckDBPyConnection) -> None:
    app = run_view("sla.py")
    counts = dict(marts.execute("select status, count(*) from marts.sla_monitor group by status").fetchall())
    names = labels(marts, "sla_status")
    shown = {metric.label: int(metric.value) for metric in app.metric}
    assert shown == {names[status]: counts.get(status, 0) for status in ("red", "yellow", "green")}


def test_sla_page_filtered_to_one_unit_counts_only_that_units_steps(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    """GIVEN the unit with the most open steps WHEN the page is filtered to it THEN the
    lights count that unit's steps only and its teams are the only ones offered."""
    unit = marts.execute(
        "select unit_code from marts.sla_monitor group by unit_code order by count(*) desc, unit_code limit 1"
    ).fetchone()[0]
    counts = dict(
        marts.execute(
            "select status, count(*) from marts.sla_monitor where unit_code = ? group by status", [unit]
        ).fetchall()
    )
    teams = [
        row[0]
        for row in marts.execute(
            "select distinct team_code from marts.sla_monitor where unit_code = ? and team_code is not null "
            "order by 1",
            [unit],
        ).fetchall()
    ]
    names = labels(marts, "sla_status")
    app = run_view("sla.py")
    app.multiselect(key="sla_units").set_value([unit]).run()
    assert not app.exception
    shown = {metric.label: int(metric.value) for metric in app.metric}
    assert shown == {names[status]: counts.get(status, 0) for status in ("red", "yellow", "green")}
    assert app.multiselect(key="sla_teams").options == [name_of(marts, team) for team in teams]


def test_sla_refresh_picks_up_a_newly_published_build(
    tiny_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN the page open on one build WHEN a build without the most common status is
    published and refresh is clicked THEN that count drops to 0, without a restart or a
    lock error."""
    own, first = copy_of(tiny_warehouse, tmp_path)
    publish(first, own)
    con = duckdb.connect(str(prepare_build_copy(own)))
    status, count = con.execute(
        "select status, count(*) from marts.sla_monitor group by status order by 2 desc, 1 limit 1"
    ).fetchone()
    names = labels(con, "sla_status")
    con.close()
    monkeypatch.setenv("DANGAN_WAREHOUSE", str(own))
    app = run_view("sla.py")
    assert {m.label: int(m.value) for m in app.metric}[names[status]] == count
    second = prepare_build_copy(own)
    con = duckdb.connect(str(second))
    con.execute("delete from marts.sla_monitor where status = ?", [status])
    con.close()
    publish(second, own)
    app.button(key="sla_refresh").click().run()
    assert not app.exception
    assert {m.label: int(m.value) for m in app.metric}[names[status]] == 0


def test_reminders_page_lists_a_persons_own_reminders(marts: duckdb.DuckDBPyConnection) -> None:
    person, count = marts.execute(
        "select person_id, count(*) from marts.reminders group by person_id order by 2 desc, 1 limit 1"
    ).fetchone()
    app = run_view("reminders.py")
    app.text_input(key="rem_staff").input(person).run()
    assert not app.exception
    own = [frame.value for frame in app.dataframe if "对象" in frame.value.columns]
    assert len(own) == 1
    expected = marts.execute(
        "select object_id from marts.reminders where person_id = ? order by object_id", [person]
    ).df()
    assert sorted(own[0]["对象"]) == expected["object_id"].tolist()[:50]
    assert len(own[0]) == min(count, 50)


def test_reminders_chart_shows_every_category_with_its_count_most_first(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    """GIVEN the reminders mart WHEN the page opens THEN the chart has a bar for every
    reminder category of code_labels (empty ones at 0), named from code_labels, with the
    mart's counts, the category with the most reminders first."""
    counts = dict(marts.execute("select category, count(*) from marts.reminders group by all").fetchall())
    names = labels(marts, "reminder_category")
    app = run_view("reminders.py")
    figure = json.loads(app.get("plotly_chart")[0].proto.spec)
    categories = figure["data"][0]["x"]
    totals = [sum(trace["y"][position] for trace in figure["data"]) for position in range(len(categories))]
    assert sorted(categories) == sorted(names.values())
    assert dict(zip(categories, totals, strict=True)) == {
        name: counts.get(code, 0) for code, name in names.items()
    }
    assert totals == sorted(totals, reverse=True)


def test_reminders_page_groups_people_by_name_with_levels_labelled_from_code_labels(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    """GIVEN the reminders mart WHEN the page groups by person THEN each row names the
    person as marts.org_entities does and the level columns carry code_labels' names."""
    expected = marts.execute(
        "select person_id, count(*) filter (where level = 'overdue') as overdue from marts.reminders "
        "group by person_id order by overdue desc, count(*) filter (where level = 'warning') desc, "
        "count(*) filter (where level = 'reminder') desc, person_id limit 20"
    ).df()
    level_names = labels(marts, "level")
    app = run_view("reminders.py")
    groups = next(frame.value for frame in app.dataframe if level_names["overdue"] in frame.value.columns)
    assert groups["人员"].tolist() == [named(marts, person) for person in expected["person_id"]]
    assert groups[level_names["overdue"]].astype(int).tolist() == expected["overdue"].astype(int).tolist()


def test_contracts_page_counts_match_contract_status(marts: duckdb.DuckDBPyConnection) -> None:
    app = run_view("contracts.py")
    expected = marts.execute(
        "select count(*) filter (where alert_level in ('reminder', 'warning')), "
        "count(*) filter (where alert_level = 'warning'), "
        "count(*) filter (where alert_level = 'overdue' and contract_id is not null), "
        "count(*) filter (where not coalesce(valid, false)), "
        "count(*) filter (where term_exceeded) from marts.contract_status"
    ).fetchone()
    assert [int(metric.value) for metric in app.metric] == list(expected)
    groups = dict(
        marts.execute("select contract_group, count(*) from marts.contract_status group by all").fetchall()
    )
    too_long = marts.execute("select count(*) from marts.contract_status where term_exceeded").fetchone()[0]
    assert [int(metric.value) for metric in app.metric] == [
        groups.get("expiring_week", 0) + groups.get("expiring_month", 0),
        groups.get("expiring_week", 0),
        groups.get("expired", 0),
        groups.get("no_contract", 0) + groups.get("expired", 0),
        too_long,
    ]


def test_contracts_tab_lists_the_customers_of_its_contract_group(marts: duckdb.DuckDBPyConnection) -> None:
    """GIVEN customers whose contract expires within 7 days WHEN the contracts page opens
    THEN that tab lists exactly them (first page), each labelled with its group."""
    expected = marts.execute(
        "select cust_no from marts.contract_status where contract_group = 'expiring_week' "
        "order by expires_on nulls first, cust_no"
    ).df()
    app = run_view("contracts.py")
    group_name = labels(marts, "contract_group")["expiring_week"]
    tab = next(tab for tab in app.tabs if tab.label == "7 天内到期")
    if expected.empty:
        assert not tab.dataframe
        return
    shown = tab.dataframe[0].value
    assert shown["户号"].tolist() == expected["cust_no"].tolist()[:50]
    assert set(shown["合同分组"]) == {group_name}


def test_contracts_term_tab_lists_the_contracts_longer_than_their_norm(
    tiny_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN two customers whose current contract runs longer than its norm WHEN the
    contracts page opens THEN the term filter counts and lists exactly them, with how many
    days over the norm each is."""
    own, build = copy_of(tiny_warehouse, tmp_path)
    con = duckdb.connect(str(build))
    chosen = [
        cust_no
        for (cust_no,) in con.execute(
            "select cust_no from marts.contract_status where contract_id is not null order by cust_no limit 2"
        ).fetchall()
    ]
    con.execute("update marts.contract_status set term_exceeded = false")
    con.execute(
        "update marts.contract_status set term_exceeded = true, term_over_days = 40 where cust_no in (?, ?)",
        chosen,
    )
    expected = [
        cust_no
        for (cust_no,) in con.execute(
            "select cust_no from marts.contract_status where term_exceeded order by expires_on nulls first, cust_no"
        ).fetchall()
    ]
    con.close()
    publish(build, own)
    monkeypatch.setenv("DANGAN_WAREHOUSE", str(own))
    app = run_view("contracts.py")
    card = next(metric for metric in app.metric if metric.label == "合同期限超标")
    assert int(card.value) == 2
    tab = next(tab for tab in app.tabs if tab.label == "合同期限超标")
    shown = tab.dataframe[0].value
    assert shown["户号"].tolist() == expected
    assert shown["超出期限标准天数"].astype(int).tolist() == [40, 40]


def test_audit_page_shows_population_and_sample_size_per_unit(marts: duckdb.DuckDBPyConnection) -> None:
    app = run_view("audit.py")
    month = latest_month(marts)
    expected = marts.execute(
        "select unit_code, max(population) as population, max(sample_size) as sample_size "
        "from marts.audit_sample where month = ? group by unit_code order by unit_code",
        [month],
    ).df()
    shown = app.dataframe[0].value
    assert shown["总体数"].astype(int).tolist() == expected["population"].astype(int).tolist()
    assert shown["样本量"].astype(int).tolist() == expected["sample_size"].astype(int).tolist()
    assert shown["供电单位"].tolist() == [named(marts, unit) for unit in expected["unit_code"]]


def test_audit_export_has_chinese_headers_and_empty_result_columns() -> None:
    frame = pd.DataFrame({"流程编号": ["P1", "P2"], "稽查结果": ["", ""], "问题描述": ["", ""]})
    book = openpyxl.load_workbook(io.BytesIO(export.to_xlsx({"抽样清单": frame})))
    sheet = book["抽样清单"]
    assert [cell.value for cell in sheet[1]] == ["流程编号", "稽查结果", "问题描述"]
    assert [sheet.cell(row=3, column=col).value for col in (1, 2, 3)] == ["P2", None, None]
    assert export.xlsx_name(pd.Timestamp("2026-10-01").date(), "三级排名") == "2026-10_三级排名.xlsx"


def test_customer_page_finds_a_customer_and_lists_documents_by_category(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    cust_no = marts.execute(
        "select cust_no from marts.customer_documents group by cust_no order by count(*) desc, cust_no limit 1"
    ).fetchone()[0]
    per_category = dict(
        marts.execute(
            "select category, count(*) from marts.customer_documents where cust_no = ? group by category",
            [cust_no],
        ).fetchall()
    )
    app = run_view("customer.py")
    app.text_input(key="cust_search").input(cust_no).run()
    assert not app.exception
    assert app.selectbox(key="cust_pick").value == cust_no
    tabs = {tab.label: tab for tab in app.tabs}
    for category, label in (("expansion", "业扩档案"), ("billing", "电费档案")):
        assert f"{label} ({per_category.get(category, 0)})" in tabs


def test_customer_page_lists_processes_as_in_customer_processes(marts: duckdb.DuckDBPyConnection) -> None:
    """GIVEN the customer with the most processes WHEN opened THEN the process list shows
    each process, its type's name and its document count as marts.customer_processes has them."""
    cust_no = marts.execute(
        "select cust_no from marts.customer_processes group by cust_no order by count(*) desc, cust_no limit 1"
    ).fetchone()[0]
    expected = marts.execute(
        "select proc_id, proc_type, document_count from marts.customer_processes "
        "where cust_no = ? order by first_added_at, proc_id",
        [cust_no],
    ).df()
    app = run_view("customer.py")
    app.text_input(key="cust_search").input(cust_no).run()
    assert not app.exception
    shown = next(frame.value for frame in app.dataframe if "文件数" in frame.value.columns)
    assert shown["流程编号"].tolist() == expected["proc_id"].tolist()
    assert shown["文件数"].astype(int).tolist() == expected["document_count"].astype(int).tolist()
    type_names = labels(marts, "proc_type")
    assert shown["流程类型"].tolist() == [type_names[value] for value in expected["proc_type"]]


def test_customer_page_renders_the_scanned_first_page(
    marts: duckdb.DuckDBPyConnection, tiny_source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a customer whose document was scanned WHEN the customer is opened THEN the
    scan's first page is rendered from the file (thumbnail and full view), no warning."""
    monkeypatch.setenv("DANGAN_SCANS_DIR", str(tiny_source / "scans"))
    cust_no, scan_file = marts.execute(
        "select cust_no, scan_file from marts.customer_documents where scanned order by cust_no limit 1"
    ).fetchone()
    assert (tiny_source / "scans" / scan_file).exists()
    app = run_view("customer.py")
    app.text_input(key="cust_search").input(cust_no).run()
    assert not app.exception
    assert not app.warning
    assert len(app.get("image")) == 2


def test_quality_page_shows_rows_loaded_per_table_as_in_ingest_runs(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    app = run_view("quality.py")
    expected = marts.execute(
        "select sum(loaded_rows), sum(rejected_rows) from raw.ingest_runs where run_id = ("
        "select run_id from raw.ingest_runs order by finished_at desc nulls last limit 1)"
    ).fetchone()
    shown = app.dataframe[0].value
    assert int(shown["装载行数"].sum()) == int(expected[0])
    assert int(shown["拒绝行数"].sum()) == int(expected[1])


def test_quality_page_states_the_as_of_of_build_info(marts: duckdb.DuckDBPyConnection) -> None:
    as_of, built_at = marts.execute("select as_of, built_at from marts.build_info").fetchone()
    app = run_view("quality.py")
    captions = [caption.value for caption in app.caption]
    assert any(f"数据截至 {minute(as_of)}（北京时间）" in caption for caption in captions), captions
    assert {metric.label: metric.value for metric in app.metric}["最近一次构建"] == minute(built_at)


def test_quality_page_warns_when_the_evaluated_year_has_no_official_calendar(
    tiny_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a build whose as_of year fell back to Monday–Friday (as marts.build_info states)
    WHEN the data-quality page opens THEN it warns naming that year; the untouched build
    shows no such warning."""
    monkeypatch.setenv("DANGAN_WAREHOUSE", str(tiny_warehouse))
    assert not run_view("quality.py").warning
    own, build = copy_of(tiny_warehouse, tmp_path)
    con = duckdb.connect(str(build))
    year = con.execute("select year(max(cutoff_at)) from marts.kpi_monthly").fetchone()[0]
    assert con.execute("select year(as_of) from marts.build_info").fetchone()[0] == year
    con.execute("update marts.build_info set is_as_of_year_covered = false, uncovered_years = ?", [str(year)])
    con.close()
    publish(build, own)
    monkeypatch.setenv("DANGAN_WAREHOUSE", str(own))
    app = run_view("quality.py")
    assert len(app.warning) == 1
    assert str(year) in app.warning[0].value
