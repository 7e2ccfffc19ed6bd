"""The paper to-do list page (待补纸质档案) under Streamlit's AppTest on the tiny published
warehouse: the counts and rows on screen are those of marts.missing_documents."""

from __future__ import annotations

from pathlib import Path

import duckdb

from dashboard.ui import minute
from tests.dashboard.apptest import run_page

VIEW = Path(__file__).resolve().parents[2] / "dashboard" / "views" / "missing_documents.py"
TIMEOUT_S = 60


def run_view():
    app = run_page(VIEW, TIMEOUT_S)
    assert not app.exception, [error.value for error in app.exception]
    return app


def test_page_counts_missing_documents_processes_and_people_as_in_the_mart(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    """GIVEN the tiny build's to-do list WHEN the page opens THEN its three cards are the
    mart's rows, distinct processes and distinct people, and the list holds every row."""
    lines, processes, people = marts.execute(
        "select count(*), count(distinct proc_id), count(distinct assignee_id) from marts.missing_documents"
    ).fetchone()
    assert lines > 0, "the tiny set should have paper still to add"
    app = run_view()
    assert {metric.label: int(metric.value) for metric in app.metric} == {
        "缺少的资料": lines,
        "涉及流程": processes,
        "涉及人员": people,
    }
    listing = app.dataframe[-1].value
    assert len(listing) == min(lines, 50)
    assert app.get("download_button")


def test_person_filter_lists_only_that_persons_documents_named_from_code_labels(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    """GIVEN the person with the most missing documents WHEN the page is filtered to them
    THEN the list is exactly their rows (process, node and document type labelled from
    code_labels, since as a minute), and the per-person table is gone."""
    person = marts.execute(
        "select assignee_id from marts.missing_documents group by 1 order by count(*) desc, 1 limit 1"
    ).fetchone()[0]
    expected = marts.execute(
        "select missing.proc_id, nodes.zh, types.zh, missing.since from marts.missing_documents as missing "
        "inner join marts.code_labels as nodes on nodes.kind = 'node' and nodes.code = missing.node_code "
        "inner join marts.code_labels as types on types.kind = 'doc_type' and types.code = missing.doc_type "
        "where missing.assignee_id = ? order by missing.proc_id, missing.since, missing.step_id, missing.doc_type",
        [person],
    ).fetchall()
    app = run_view()
    app.selectbox(key="missing_person").set_value(person).run()
    assert not app.exception
    assert len(app.dataframe) == 1
    shown = app.dataframe[0].value
    assert list(zip(shown["流程编号"], shown["环节"], shown["文件类型"], shown["起始时间"], strict=True)) == [
        (proc_id, node, doc_type, minute(since)) for proc_id, node, doc_type, since in expected
    ]
