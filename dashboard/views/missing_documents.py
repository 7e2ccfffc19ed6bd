"""待补纸质档案: the paper to-do list (marts.missing_documents) — per person, per process,
which mandatory document types are still missing at which node — with a person filter
and the list as an Excel workbook for the people who must add the paper."""

from __future__ import annotations

import streamlit as st

from dashboard import data, export
from dashboard.auth import session
from dashboard.i18n import t
from dashboard.ui import display, paginated, require_page, to_date

LIST_COLUMNS = [
    "assignee_id",
    "proc_id",
    "proc_type",
    "cust_no",
    "cust_name",
    "node_code",
    "step_id",
    "doc_type",
    "since",
    "days_open",
]
LIST_OPTIONS = {
    "codes": {"proc_type": "proc_type", "node_code": "node", "doc_type": "doc_type"},
    "names": ("assignee_id",),
    "timestamps": ("since",),
}

require_page("missing_documents")
st.title(t("missing_documents_title"))

names = data.org_names()
unit = st.selectbox(
    t("unit_code"),
    options=["", *data.missing_document_units()],
    format_func=lambda v: t("all") if v == "" else names.get(v, v),
    key="missing_unit",
)
people = data.missing_document_people(unit or None)
person = st.selectbox(
    t("person_id"),
    options=["", *people["assignee_id"].dropna().tolist()],
    format_func=lambda v: t("all") if v == "" else names.get(v, v),
    key="missing_person",
)
rows = data.missing_documents(unit or None, person or None)

counts = {
    "missing_lines": len(rows),
    "missing_processes": rows["proc_id"].nunique(),
    "missing_people": rows["assignee_id"].nunique(),
}
for column, (key, count) in zip(st.columns(len(counts)), counts.items(), strict=True):
    column.metric(t(key), count, border=True)

if not person:
    st.subheader(t("missing_by_person"))
    paginated(
        people[["assignee_id", "unit_code", "missing_count", "process_count", "oldest_since"]],
        names=("assignee_id", "unit_code"),
        timestamps=("oldest_since",),
        key="missing_people_table",
        page_size=20,
    )

st.subheader(t("missing_list"))
listing = rows[LIST_COLUMNS]
paginated(listing, key="missing_list_table", **LIST_OPTIONS)

if not listing.empty:
    as_of = data.build_info()["as_of"]
    file_name = export.xlsx_name(to_date(as_of), t("page_missing_documents"))
    # The sheet is made now, inside the user's scope; the workbook only when clicked.
    sheet = display(listing, **LIST_OPTIONS)
    log = session.bound_log()

    def _workbook() -> bytes:
        log("download", file_name, f"{len(sheet)} rows")
        return export.to_xlsx({t("missing_list"): sheet})

    st.download_button(
        t("download_xlsx"),
        data=_workbook,
        file_name=file_name,
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        key="missing_download",
    )
