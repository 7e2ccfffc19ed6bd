"""数据质量: last build, rows loaded and rejected, unmatched barcodes, unreadable scans,
gate violations and the working-day calendar's coverage (as ``marts.build_info`` states it)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.auth import session
from dashboard.auth.roles import ROLES
from dashboard.i18n import t
from dashboard.ui import as_of_text, display, minute, paginated, require_page, truthy

require_page("quality")
st.title(t("quality_title"))

build = data.build_info()
runs = data.ingest_runs()
first = st.columns(2)
first[0].metric(t("last_build"), minute(build["built_at"]), help=t("built_at_note"), border=True)
if not runs.empty:
    failed = runs[runs["status"] != "ok"]
    first[1].metric(
        t("build_status"),
        t("build_ok") if failed.empty else t("build_failed", n=len(failed)),
        border=True,
    )

st.caption(as_of_text())
# Only the year being evaluated decides the warning; other uncovered years are listed so
# overrides can be added before they matter.
if truthy(build["is_as_of_year_covered"]):
    st.caption(t("calendar_ok", year=build["official_calendar_last_year"]))
else:
    st.warning(t("calendar_warning", years=pd.Timestamp(build["as_of"]).year))
if not pd.isna(build["uncovered_years"]) and build["uncovered_years"]:
    st.caption(t("calendar_uncovered", years=build["uncovered_years"]))

st.subheader(t("rows_loaded"))
st.dataframe(
    display(
        runs[
            [
                "system",
                "table_name",
                "mode",
                "source_rows",
                "loaded_rows",
                "rejected_rows",
                "status",
                "error",
                "finished_at",
            ]
        ],
        codes={"mode": "ingest_mode", "status": "ingest_status"},
        timestamps=("finished_at",),
    ),
    hide_index=True,
    width="stretch",
)
st.markdown(f"**{t('rejects')}**")
paginated(data.ingest_rejects(), key="dq_rejects", page_size=20)
# The rejected source rows as they came (names, addresses in clear): administrators only;
# the data layer blanks them for every other role as well.
if ROLES[session.current_user().role].raw_rows:
    with st.expander(t("rejects") + " · " + t("row_key")):
        paginated(data.ingest_reject_rows(), key="dq_reject_rows", page_size=20)

st.subheader(t("unmatched_barcodes"))
paginated(
    data.unmatched_barcodes(),
    codes={"decode_status": "decode_status"},
    timestamps=("read_at",),
    key="dq_unmatched",
    title=t("unmatched_barcodes"),
)

st.subheader(t("decode_summary"))
decode = data.scan_decode_summary()
st.dataframe(display(decode, codes={"decode_status": "decode_status"}), hide_index=True, width="content")

st.subheader(t("unreadable_scans"))
paginated(data.unreadable_scans(), timestamps=("read_at",), key="dq_scans", title=t("unreadable_scans"))

st.subheader(t("gate_violations"))
st.markdown(f"**{t('gate_by_unit')}**")
paginated(
    data.gate_violations_monthly()[
        ["month", "unit_code", "team_code", "steps_started", "violations", "violation_rate"]
    ],
    names=("unit_code", "team_code"),
    months=("month",),
    rates=("violation_rate",),
    key="dq_gate_monthly",
    page_size=20,
)
paginated(
    data.gate_violations()[
        [
            "month",
            "proc_id",
            "proc_type",
            "step_id",
            "node_code",
            "unit_code",
            "team_code",
            "assignee_id",
            "blocking_step_id",
            "blocking_node_code",
            "started_at",
        ]
    ],
    codes={"node_code": "node", "blocking_node_code": "node", "proc_type": "proc_type"},
    names=("unit_code", "team_code", "assignee_id"),
    months=("month",),
    timestamps=("started_at",),
    key="dq_gate",
    title=t("gate_violations"),
)
