"""Finding every customer and every dossier: the customer search and header
(``marts.customers``), the dossier lookup (``marts.dossier_lookup``) and the borrowings made
without approval (``marts.borrowing_report``), each page run by AppTest on the tiny
published warehouse or on a copy of it with the rows a case needs."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.auth.store import UserStore
from ingest.warehouse import connect_published, prepare_build_copy, publish
from tests.dashboard.apptest import run_page
from tests.dashboard.conftest import TEST_PASSWORD

VIEWS = Path(__file__).resolve().parents[2] / "dashboard" / "views"
TIMEOUT_S = 60
CATEGORIES = ("expansion", "inspection", "metering", "billing", "other")


def changed_copy(tiny_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *sql: str) -> Path:
    """A published copy of the tiny warehouse with ``sql`` applied, read by the pages."""
    own = tmp_path / "warehouse.duckdb"
    build = prepare_build_copy(own)
    build.write_bytes(Path(tiny_warehouse).resolve().read_bytes())
    con = duckdb.connect(str(build))
    try:
        for statement in sql:
            con.execute(statement)
    finally:
        con.close()
    publish(build, own)
    monkeypatch.setenv("DANGAN_WAREHOUSE", str(own))
    return own


def search(page: str, key: str, text: str, user: str = "test_leader") -> AppTest:
    app = run_page(VIEWS / page, TIMEOUT_S, user=user)
    app.text_input(key=key).input(text).run()
    assert not app.exception, [error.value for error in app.exception]
    return app


def plain(markdown: str) -> str:
    """Markdown as read on screen: the escapes of data characters dropped."""
    return markdown.replace("\\", "")


def tab_container_default(app: AppTest) -> int:
    """The index of the tab a page's tab container opens on."""

    def walk(block: object) -> int | None:
        for child in getattr(block, "children", {}).values():
            if getattr(child, "type", "") == "tab_container":
                return child.proto.tab_container.default_tab_index
            found = walk(child)
            if found is not None:
                return found
        return None

    index = walk(app.main)
    assert index is not None, "the page has no tabs"
    return index


# --- customers --------------------------------------------------------------------------------


def test_a_customer_without_documents_is_found_by_address_with_its_header(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    """GIVEN an active non-residential customer without any document (address in clear)
    WHEN its address is searched THEN it is the customer opened, its header names class,
    voltage, supply mode, unit, manager, contract and address, and every category is empty."""
    row = marts.execute(
        "select cust_no, address, voltage_class, supply_mode, unit_name, contract_id from marts.customers "
        "where documents = 0 and cust_class = 'non_residential' and is_active "
        "and address not in (select address from marts.customers group by address having count(*) > 1) "
        "order by cust_no limit 1"
    ).fetchone()
    assert row is not None, "the tiny set has no non-residential customer without documents"
    cust_no, address, voltage, supply_mode, unit_name, contract_id = row
    app = search("customer.py", "cust_search", address)
    assert app.selectbox(key="cust_pick").value == cust_no
    header = plain(app.markdown[0].value)
    voltage_zh = {"low": "低压", "high": "高压"}[voltage]
    supply_zh = {"single": "单电源", "dual": "双电源"}[supply_mode]
    for shown in ("**客户类别**：非居民", f"**电压等级**：{voltage_zh}", f"**供电方式**：{supply_zh}"):
        assert shown in header
    assert f"**供电单位**：{unit_name}" in header
    assert f"**地址**：{address}" in header
    assert "**客户经理**：" in header
    assert (f"**合同**：{contract_id}，至 " if contract_id else "**合同**：无合同") in header
    assert [tab.label for tab in app.tabs] == [
        "业扩档案 (0)",
        "用检档案 (0)",
        "计量档案 (0)",
        "电费档案 (0)",
        "其它(影像) (0)",
    ]


def test_the_exact_number_opens_its_own_customer_before_a_barcode_containing_it(
    tiny_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN the customer with the lowest number holding documents, one of which carries a
    barcode containing the highest customer number WHEN that number is searched THEN both
    are found and the customer with exactly that number comes first (by number alone the
    other would)."""
    con = connect_published(tiny_warehouse)
    try:
        lowest, doc_id = con.execute(
            "select cust_no, doc_id from marts.customer_documents order by cust_no, doc_id limit 1"
        ).fetchone()
        target = con.execute("select max(cust_no) from marts.customers").fetchone()[0]
    finally:
        con.close()
    assert lowest < target
    changed_copy(
        tiny_warehouse,
        tmp_path,
        monkeypatch,
        f"update marts.customer_documents set barcode = 'DG{target}00' where doc_id = '{doc_id}'",
    )
    app = search("customer.py", "cust_search", target)
    pick = app.selectbox(key="cust_pick")
    assert pick.value == target
    assert [option.split()[0] for option in pick.options][:1] == [target]
    assert lowest in [option.split()[0] for option in pick.options]


def test_a_dossier_barcode_finds_its_customer(marts: duckdb.DuckDBPyConnection) -> None:
    barcode, cust_no = marts.execute(
        "select barcode, cust_no from marts.dossier_lookup order by dossier_id limit 1"
    ).fetchone()
    app = search("customer.py", "cust_search", barcode)
    assert app.selectbox(key="cust_pick").value == cust_no


def test_a_company_name_finds_its_customer(marts: duckdb.DuckDBPyConnection) -> None:
    cust_no, name = marts.execute(
        "select cust_no, cust_name from marts.customers where cust_class = 'non_residential' "
        "and cust_name not in (select cust_name from marts.customers group by cust_name having count(*) > 1) "
        "order by cust_no limit 1"
    ).fetchone()
    app = search("customer.py", "cust_search", name)
    assert app.selectbox(key="cust_pick").value == cust_no


def test_the_archive_opens_on_the_first_category_holding_a_document(marts: duckdb.DuckDBPyConnection) -> None:
    """GIVEN a customer whose first non-empty category is not the first tab WHEN opened
    THEN the tabs open on that category."""
    cust_no, first_category = marts.execute(
        "select cust_no, first_category from marts.customers "
        "where first_category is not null and first_category <> 'expansion' order by cust_no limit 1"
    ).fetchone()
    app = search("customer.py", "cust_search", cust_no)
    assert app.selectbox(key="cust_pick").value == cust_no
    assert tab_container_default(app) == CATEGORIES.index(first_category)


def test_the_customer_page_lists_the_paper_still_to_add(marts: duckdb.DuckDBPyConnection) -> None:
    """GIVEN the customer with the most lines on the paper to-do list WHEN opened THEN the
    page lists each of them: process, node and document type named, as the mart has them."""
    cust_no = marts.execute(
        "select cust_no from marts.missing_documents group by cust_no order by count(*) desc, cust_no limit 1"
    ).fetchone()[0]
    expected = marts.execute(
        "select proc_id, doc_type from marts.missing_documents where cust_no = ? "
        "order by since, proc_id, step_id, doc_type",
        [cust_no],
    ).fetchall()
    doc_names = dict(
        marts.execute("select code, zh from marts.code_labels where kind = 'doc_type'").fetchall()
    )
    app = search("customer.py", "cust_search", cust_no)
    assert "待补纸质档案" in [header.value for header in app.subheader]
    shown = next(
        frame.value
        for frame in app.dataframe
        if "文件类型" in frame.value.columns and "环节" in frame.value.columns
    )
    assert list(zip(shown["流程编号"], shown["文件类型"], strict=True)) == [
        (proc_id, doc_names[doc_type]) for proc_id, doc_type in expected
    ]


def test_a_search_that_finds_nobody_says_no_customer_found(warehouse: Path) -> None:
    app = search("customer.py", "cust_search", "无此客户XYZ")
    assert [info.value for info in app.info] == ["未找到客户"]
    assert not app.selectbox


# --- dossiers and borrowing ------------------------------------------------------------------


def test_dossier_lookup_shows_the_shelf_and_who_has_the_paper(
    tiny_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a dossier on its shelf, borrowed now by a named person WHEN its barcode is
    scanned in THEN the page shows its state, location and borrower; its number finds it too."""
    con = connect_published(tiny_warehouse)
    try:
        dossier_id, barcode, location = con.execute(
            "select dossier_id, barcode, location from marts.dossier_lookup "
            "where location is not null order by dossier_id limit 1"
        ).fetchone()
    finally:
        con.close()
    changed_copy(
        tiny_warehouse,
        tmp_path,
        monkeypatch,
        "update marts.dossier_lookup set dossier_state = 'borrowed', is_borrowed = true, borrow_id = 'B1', "
        "borrower_id = 'S_TEST', borrower_name = '借阅人甲', borrowed_at = timestamp '2026-11-20 09:00:00', "
        f"due_on = date '2026-12-05', days_overdue = 0 where dossier_id = '{dossier_id}'",
    )
    app = search("dossiers.py", "dossier_search", barcode)
    card = plain(app.markdown[1].value)
    assert plain(app.markdown[0].value) == f"**{dossier_id}** · {barcode}"
    assert "**卷宗状态**：借出中" in card
    assert f"**存放位置**：{location}" in card
    assert "**借阅人**：借阅人甲 (S_TEST)" in card
    assert "**应还日期**：2026-12-05" in card
    again = search("dossiers.py", "dossier_search", dossier_id)
    assert plain(again.markdown[0].value) == f"**{dossier_id}** · {barcode}"


def test_a_dossier_not_yet_in_the_archive_room_has_no_shelf(marts: duckdb.DuckDBPyConnection) -> None:
    row = marts.execute(
        "select barcode from marts.dossier_lookup where dossier_state = 'with_collector' order by dossier_id limit 1"
    ).fetchone()
    assert row is not None, "the tiny set has no dossier still with its collector"
    app = search("dossiers.py", "dossier_search", row[0])
    card = plain(app.markdown[1].value)
    assert "**卷宗状态**：待移交档案室" in card
    assert "**存放位置**：尚未移交档案室" in card
    assert "借阅人" not in card


def test_a_document_barcode_finds_the_dossier_of_its_process(marts: duckdb.DuckDBPyConnection) -> None:
    barcode, dossier_id = marts.execute(
        "select documents.barcode, dossiers.dossier_id from marts.customer_documents as documents "
        "inner join marts.dossier_lookup as dossiers on documents.proc_id = dossiers.proc_id "
        "where documents.proc_id in (select proc_id from marts.dossier_lookup group by proc_id having count(*) = 1) "
        "order by documents.barcode limit 1"
    ).fetchone()
    app = search("dossiers.py", "dossier_search", barcode)
    assert plain(app.markdown[0].value).startswith(f"**{dossier_id}** · ")


def test_an_unknown_code_finds_no_dossier(warehouse: Path) -> None:
    app = search("dossiers.py", "dossier_search", "JZ-NOTHING")
    assert [info.value for info in app.info] == ["未找到卷宗"]


def test_unapproved_borrowings_are_counted_per_unit_and_month_beside_the_report(
    tiny_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN one borrowing marked borrowed without approval WHEN the page opens THEN the
    per unit and month table has one row for its unit and month, count 1, the list shows
    it, and the borrowing report shows every borrowing with its approval."""
    con = connect_published(tiny_warehouse)
    try:
        borrow_id, unit_code, month = con.execute(
            "select borrow_id, unit_code, strftime(borrowed_month, '%Y-%m-%d') from marts.borrowing_report "
            "where borrowed_month is not null order by borrow_id limit 1"
        ).fetchone()
        unit_name = con.execute(
            "select entity_name from marts.org_entities where entity_id = ?", [unit_code]
        ).fetchone()[0]
        borrowings = con.execute("select count(*) from marts.borrowing_report").fetchone()[0]
    finally:
        con.close()
    changed_copy(
        tiny_warehouse,
        tmp_path,
        monkeypatch,
        "update marts.borrowing_report set approval = 'unapproved', is_unapproved = true "
        f"where borrow_id = '{borrow_id}'",
    )
    app = run_page(VIEWS / "dossiers.py", TIMEOUT_S)
    assert not app.exception, [error.value for error in app.exception]
    counts, listing, report = (frame.value for frame in app.dataframe)
    assert counts.to_dict("records") == [
        {"借出月份": month, "供电单位": f"{unit_name} ({unit_code})", "未经批准借出数": 1}
    ]
    assert listing["借阅编号"].tolist() == [borrow_id]
    assert listing["审批情况"].tolist() == ["未经批准借出"]
    assert len(report) == borrowings
    assert sorted(set(report["审批情况"])) == sorted({"已批准", "未经批准借出"})
    assert app.get("download_button")


def test_a_unit_manager_finds_no_dossier_of_another_unit(
    marts: duckdb.DuckDBPyConnection, users_store: UserStore
) -> None:
    unit, foreign = marts.execute(
        "select (select min(unit_code) from marts.dossier_lookup), "
        "(select min(barcode) from marts.dossier_lookup where unit_code <> (select min(unit_code) "
        "from marts.dossier_lookup))"
    ).fetchone()
    own = marts.execute(
        "select min(barcode) from marts.dossier_lookup where unit_code = ?", [unit]
    ).fetchone()[0]
    users_store.add("test_unit_dossiers", TEST_PASSWORD, "unit_manager", unit_code=unit)
    app = search("dossiers.py", "dossier_search", foreign, user="test_unit_dossiers")
    assert [info.value for info in app.info] == ["未找到卷宗"]
    app.text_input(key="dossier_search").input(own).run()
    assert not app.info
    assert own in plain(app.markdown[0].value)
