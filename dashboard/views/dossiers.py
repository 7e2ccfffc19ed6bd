"""卷宗与借阅: where a dossier's paper is and who has it, the borrowing report, and the
borrowings made without prior approval per unit and month (DOMAIN §6)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, export
from dashboard.auth import session
from dashboard.i18n import t
from dashboard.ui import code, day, display, escape_markdown, paginated, require_page

BORROWING_COLUMNS = [
    "borrow_id",
    "dossier_id",
    "cust_no",
    "unit_code",
    "borrower_id",
    "reason",
    "status",
    "approval",
    "approved_by",
    "approved_at",
    "borrowed_at",
    "due_on",
    "returned_at",
    "days_overdue",
]
BORROWING_OPTIONS: dict[str, object] = {
    "codes": {"status": "borrow_status", "approval": "approval"},
    "names": ("unit_code", "borrower_id", "approved_by"),
    "dates": ("due_on",),
    "timestamps": ("approved_at", "borrowed_at", "returned_at"),
}
COUNT_OPTIONS: dict[str, object] = {"names": ("unit_code",), "dates": ("borrowed_month",)}


def person(name: object, staff_id: object) -> str:
    """A person as the tables show one: name, then the id."""
    if not isinstance(staff_id, str):
        return "—"
    return f"{name} ({staff_id})" if isinstance(name, str) else staff_id


def dossier_card(row: pd.Series) -> None:
    """One dossier: its state, its shelf, and who has it when borrowed."""
    st.markdown(f"**{escape_markdown(row['dossier_id'])}** · {escape_markdown(row['barcode'])}")
    location = row["location"] if isinstance(row["location"], str) else t("no_location")
    fields = [
        ("dossier_state", code("dossier_state", row["dossier_state"])),
        ("location", location),
        ("cust_no", f"{row['cust_no']} {row['cust_name'] or ''}".strip()),
        ("proc_id", row["proc_id"] or "—"),
        ("collector_id", person(row["collector_name"], row["collector_id"])),
    ]
    if bool(row["is_borrowed"]):
        fields += [
            ("borrowed_by", person(row["borrower_name"], row["borrower_id"])),
            ("borrowed_at", day(row["borrowed_at"])),
            ("due_on", day(row["due_on"])),
            ("days_overdue", str(int(row["days_overdue"]))),
        ]
    st.markdown("  \n".join(f"**{t(label)}**：{escape_markdown(value)}" for label, value in fields))


require_page("dossiers")
st.title(t("dossiers_title"))

code_text = st.text_input(t("dossier_search"), key="dossier_search").strip()
if code_text:
    found = data.find_dossiers(code_text)
    if found.empty:
        st.info(t("no_dossier"))
    for _, row in found.iterrows():
        dossier_card(row)

st.subheader(t("unapproved_borrowings"))
counts = data.unapproved_borrowing_counts()
unapproved = data.unapproved_borrowings()
if counts.empty:
    st.caption(t("no_data"))
else:
    st.dataframe(
        display(counts[["borrowed_month", "unit_code", "unapproved_count"]], **COUNT_OPTIONS),
        hide_index=True,
        width="stretch",
    )
    paginated(unapproved[BORROWING_COLUMNS], key="unapproved", **BORROWING_OPTIONS)

st.subheader(t("borrowing_report"))
report = data.borrowing_report()
paginated(report[BORROWING_COLUMNS], key="borrowings", **BORROWING_OPTIONS)

as_of = data.build_info()["as_of"]
file_name = export.xlsx_name(as_of, t("page_dossiers"))
# The sheets are made now, inside the user's scope; the workbook only when the download is
# clicked (the data callable runs outside the user's script run, so it queries nothing).
sheets = {
    t("unapproved_borrowings"): display(
        counts[["borrowed_month", "unit_code", "unapproved_count"]], **COUNT_OPTIONS
    ),
    t("unapproved_list"): display(unapproved[BORROWING_COLUMNS], **BORROWING_OPTIONS),
    t("borrowing_report"): display(report[BORROWING_COLUMNS], **BORROWING_OPTIONS),
}
log = session.bound_log()


def _workbook() -> bytes:
    log("download", file_name, f"{len(report)} rows")
    return export.to_xlsx(sheets)


st.download_button(
    t("download_xlsx"),
    data=_workbook,
    file_name=file_name,
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
    key="dossiers_download",
)
