"""一户一档: one customer's archive by category, scans, processes and contract."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, scan_view, state
from dashboard.auth import session
from dashboard.auth.roles import ID_DOCUMENT_TYPES, ROLES
from dashboard.i18n import t
from dashboard.ui import code, day, display, escape_markdown, paginated, require_page, truthy

CATEGORIES = ("expansion", "inspection", "metering", "billing", "other")


def header(row: pd.Series) -> None:
    """Who the customer is, before any document: class, voltage, supply mode, unit,
    manager, contract and address (``marts.customers``)."""
    st.subheader(escape_markdown(f"{row['cust_no']} {row['cust_name'] or ''}".strip()))
    if pd.isna(row["contract_id"]):
        contract_text = t("no_contract_short")
    else:
        validity = t("contract_is_valid") if truthy(row["valid"]) else t("contract_not_valid")
        contract_text = t(
            "contract_valid_until",
            contract_id=row["contract_id"],
            expires_on=day(row["expires_on"]),
            valid=validity,
        )
    manager = "" if pd.isna(row["manager_id"]) else f"{row['manager_name'] or ''} ({row['manager_id']})"
    fields = [
        ("cust_class", code("cust_class", row["cust_class"])),
        ("voltage_class", code("voltage_class", row["voltage_class"])),
        ("supply_mode", code("supply_mode", row["supply_mode"])),
        ("unit_code", row["unit_name"] or row["unit_code"]),
        ("manager_id", manager or "—"),
        ("contract", contract_text),
        ("address", row["address"] or "—"),
    ]
    if not pd.isna(row["closed_on"]):
        fields.append(("closed_on", day(row["closed_on"])))
    st.markdown("  \n".join(f"**{t(label)}**：{escape_markdown(value)}" for label, value in fields))


require_page("customer")
st.title(t("customer_title"))

# A shared link's customer is searched for as if typed (within the reader's scope only).
if "cust_search" not in st.session_state and state.get("customer"):
    st.session_state["cust_search"] = state.get("customer")
text = st.text_input(t("search"), key="cust_search").strip()
if not text:
    st.stop()
matches = data.search_customers(text)
if matches.empty:
    st.info(t("no_customer"))
    st.stop()
customer_names = dict(zip(matches["cust_no"], matches["cust_name"], strict=True))
cust_no = st.selectbox(
    t("pick_customer") + f" ({t('rows_total', n=len(matches))})",
    options=matches["cust_no"].tolist(),
    format_func=lambda value: f"{value} {customer_names.get(value) or ''}".strip(),
    key="cust_pick",
    **state.bind("customer", "cust_pick", matches["cust_no"].tolist()),
)
if state.get("customer") != cust_no:
    state.put("customer", cust_no, writer="cust_pick")
if st.session_state.get("cust_logged") != cust_no:
    session.log("view_customer", cust_no)
    st.session_state["cust_logged"] = cust_no


profile = data.customer(cust_no)
if profile is not None:
    header(profile)

documents = data.customer_documents(cust_no)
processes = data.customer_processes(cust_no)
contract = data.customer_contract(cust_no)
open_steps = data.customer_open_steps(cust_no)
audits = data.customer_audits(cust_no)

st.subheader(t("documents"))
counts = data.customer_document_counts(cust_no)
tab_labels = {c: f"{code('doc_category', c)} ({counts.get(c, 0)})" for c in CATEGORIES}
# Opens on the first category holding a document, as the mart names it.
first = None if profile is None or pd.isna(profile["first_category"]) else profile["first_category"]
tabs = st.tabs(list(tab_labels.values()), default=tab_labels.get(first))
document_columns = ["added_at", "doc_type", "doc_id", "barcode", "proc_id", "pages", "scanned", "scan_file"]
for tab, category in zip(tabs, CATEGORIES, strict=True):
    with tab:
        rows = documents[documents["category"] == category].sort_values(["added_at", "doc_id"])
        paginated(
            rows[document_columns],
            codes={"doc_type": "doc_type"},
            flags=("scanned",),
            timestamps=("added_at",),
            key=f"cust_docs_{category}",
        )

st.subheader(t("scan_preview"))
scanned = documents[documents["scan_file"].notna() & (documents["scan_file"].astype(str) != "")]
if scanned.empty:
    st.caption(t("not_scanned"))
else:
    labels = {
        row.doc_id: f"{code('doc_category', row.category)} · {code('doc_type', row.doc_type)} · {row.barcode}"
        for row in scanned.itertuples()
    }
    doc_id = st.selectbox(t("doc_id"), options=list(labels), format_func=labels.get, key="cust_scan_doc")
    document = scanned[scanned["doc_id"] == doc_id].iloc[0]
    scan_file = str(document["scan_file"])
    pages = data.scan_pages_for(scan_file)
    left, right = st.columns([1, 2])
    if document["doc_type"] in ID_DOCUMENT_TYPES and not ROLES[session.current_user().role].id_scans:
        left.caption(t("scan_restricted"))
    else:
        try:
            left.image(scan_view.page_image(scan_file, 1), caption=scan_file)
            with left.expander(t("full_view")):
                st.image(scan_view.page_image(scan_file, 1, scan_view.FULL_PX))
            if scan_file not in st.session_state.setdefault("scans_logged", set()):
                session.log("view_scan", cust_no, scan_file)
                st.session_state["scans_logged"].add(scan_file)
        except scan_view.ScanUnavailableError as error:
            left.warning(t("scan_missing") + str(error))
    right.markdown(f"**{t('scan_quality')}**")
    quality_columns = [
        "page_no",
        "width_px",
        "height_px",
        "dpi",
        "sharpness",
        "decode_status",
        "barcodes",
        "error",
    ]
    right.dataframe(
        display(pages[quality_columns], codes={"decode_status": "decode_status"}),
        hide_index=True,
        width="stretch",
    )

st.subheader(t("processes"))
if processes.empty and open_steps.empty:
    st.caption(t("no_data"))
if not processes.empty:
    st.dataframe(
        display(
            processes[["proc_id", "proc_type", "document_count", "first_added_at", "last_added_at"]],
            codes={"proc_type": "proc_type"},
            timestamps=("first_added_at", "last_added_at"),
        ),
        hide_index=True,
        width="stretch",
    )
if not open_steps.empty:
    st.dataframe(
        display(
            open_steps[
                [
                    "status",
                    "proc_id",
                    "proc_type",
                    "node_code",
                    "assignee_id",
                    "started_at",
                    "remaining_workdays",
                ]
            ],
            codes={"status": "sla_status", "proc_type": "proc_type", "node_code": "node"},
            names=("assignee_id",),
            timestamps=("started_at",),
        ),
        hide_index=True,
        width="stretch",
    )
if not audits.empty:
    st.dataframe(
        display(
            audits[["month", "proc_id", "proc_type", "sample_rank"]],
            months=("month",),
            codes={"proc_type": "proc_type"},
        ),
        hide_index=True,
        width="stretch",
    )

st.subheader(t("customer_todo"))
todo = data.customer_missing_documents(cust_no)
if todo.empty:
    st.caption(t("no_data"))
else:
    st.dataframe(
        display(
            todo[["proc_id", "proc_type", "node_code", "doc_type", "assignee_id", "since"]],
            codes={"proc_type": "proc_type", "node_code": "node", "doc_type": "doc_type"},
            names=("assignee_id",),
            timestamps=("since",),
        ),
        hide_index=True,
        width="stretch",
    )

borrowings = data.customer_borrowings(cust_no)
if not borrowings.empty:
    st.subheader(t("borrowings"))
    borrowing_columns = [
        "borrow_id",
        "dossier_id",
        "borrower_id",
        "status",
        "due_on",
        "days_overdue",
        "requested_at",
        "returned_at",
    ]
    st.dataframe(
        display(
            borrowings[borrowing_columns],
            codes={"status": "borrow_status"},
            names=("borrower_id",),
            dates=("due_on",),
            timestamps=("requested_at", "returned_at"),
        ),
        hide_index=True,
        width="stretch",
    )

st.subheader(t("contract"))
if contract.empty:
    st.caption(t("no_data"))
else:
    st.dataframe(
        display(
            contract[["contract_id", "expires_on", "auto_renew", "valid", "alert_level", "manager_id"]],
            codes={"alert_level": "level"},
            flags=("auto_renew", "valid"),
            names=("manager_id",),
            dates=("expires_on",),
        ),
        hide_index=True,
        width="stretch",
    )
