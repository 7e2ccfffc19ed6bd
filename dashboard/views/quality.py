"""数据质量: last build, rows loaded and rejected, unmatched barcodes, unreadable scans,
gate violations and the working-day calendar's coverage."""

from __future__ import annotations

import streamlit as st

from dashboard import data
from dashboard.i18n import t
from dashboard.ui import display, minute, paginated, require_warehouse

version = require_warehouse()
st.title(t("quality_title"))

runs = data.ingest_runs()
first = st.columns(3)
if runs.empty:
    first[0].metric(t("last_build"), "—", border=True)
else:
    failed = runs[runs["status"] != "ok"]
    first[0].metric(t("last_build"), minute(runs["finished_at"].max()), border=True)
    first[1].metric(
        t("build_status"),
        "ok" if failed.empty else f"failed ({len(failed)})",
        border=True,
    )
first[2].metric(t("version"), version, border=True)

as_of = data.evaluation_moment()
if as_of is not None:
    st.caption(f"{t('as_of')}: {minute(as_of)}")
years = data.uncovered_calendar_years()
# Only the year being evaluated matters now; later years are listed so overrides can be
# added before they arrive.
current = [year for year in years if as_of is not None and year <= as_of.year]
later = [year for year in years if year not in current]
if current or (years and as_of is None):
    st.warning(t("calendar_warning", years=", ".join(str(year) for year in (current or years))))
else:
    st.caption(t("calendar_ok"))
if later and as_of is not None:
    st.caption(t("calendar_later", years=", ".join(str(year) for year in later)))

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
        timestamps=("finished_at",),
    ),
    hide_index=True,
    width="stretch",
)
st.markdown(f"**{t('rejects')}**")
paginated(data.ingest_rejects(), key="dq_rejects", page_size=20)
with st.expander(t("rejects") + " · " + t("row_key")):
    paginated(data.ingest_reject_rows(), key="dq_reject_rows", page_size=20)

st.subheader(t("unmatched_barcodes"))
unmatched = data.unmatched_barcodes()
if unmatched is None:
    st.caption(t("missing_mart") + "`marts.unmatched_barcodes`")
else:
    paginated(unmatched, key="dq_unmatched")

st.subheader(t("decode_summary"))
decode = data.scan_decode_summary()
st.dataframe(display(decode, codes={"decode_status": "decode_status"}), hide_index=True, width="content")

st.subheader(t("unreadable_scans"))
paginated(data.unreadable_scans(), timestamps=("read_at",), key="dq_scans")

st.subheader(t("gate_violations"))
monthly = data.gate_violations_monthly()
if monthly is not None:
    st.markdown(f"**{t('gate_by_unit')}**")
    wanted = [
        c
        for c in ("month", "unit_code", "team_code", "steps_started", "violations", "violation_rate")
        if c in monthly.columns
    ]
    paginated(
        monthly[monthly["violations"] > 0][wanted],
        names=("unit_code", "team_code"),
        dates=("month",),
        rates=("violation_rate",),
        key="dq_gate_monthly",
        page_size=20,
    )
paginated(
    data.gate_violations(),
    codes={"node_code": "node_code"},
    names=("unit_code", "team_code", "assignee_id"),
    timestamps=("started_at",),
    key="dq_gate",
)
