"""稽查抽样: the month's sample per unit for the audit centre, and the results that came back."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data, export
from dashboard.auth import session
from dashboard.i18n import t
from dashboard.ui import (
    code,
    display,
    indicator_value,
    month_labels,
    month_note,
    paginated,
    require_page,
    to_date,
)

require_page("audit")
st.title(t("audit_title"))

sample_months = data.audit_months()
if sample_months.empty:
    st.info(t("no_data"))
    st.stop()
labels = month_labels(sample_months)
month = st.selectbox(t("pick_month"), options=list(labels), format_func=labels.get, key="audit_month")
month_note(sample_months, month)
sample = data.audit_sample(month)

st.subheader(t("sample_list"))
sizes = data.audit_sizes(month)
st.dataframe(display(sizes, names=("unit_code",)), hide_index=True, width="stretch")
if not sample.empty:
    st.caption(f"{t('seed_string')}: `{sample['sample_seed'].iloc[0]}`")

listing = sample[
    ["unit_code", "sample_rank", "proc_id", "proc_type", "cust_no", "owner_id", "population", "sample_size"]
]
options = {"codes": {"proc_type": "proc_type"}, "names": ("unit_code", "owner_id")}
paginated(listing, key="audit_list", **options)


file_name = export.xlsx_name(month, t("page_audit"))
# The sheet is made now, inside the user's scope; the workbook only when the download is
# clicked (the data callable runs outside the user's script run, so it queries nothing).
sheet = display(listing, **options).assign(**{t("audit_result"): "", t("audit_findings"): ""})
sheet_name = t("sample_list")
log = session.bound_log()


def _workbook() -> bytes:
    """The audit centre fills in the two empty columns. Runs outside the user's script run
    (no session state there: the sheet's name is read before)."""
    log("download", file_name, f"{len(sheet)} rows")
    return export.to_xlsx({sheet_name: sheet})


st.download_button(
    t("download_xlsx"),
    data=_workbook,
    file_name=file_name,
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
    key="audit_download",
)

st.subheader(t("audit_results"))
scored = data.months()
scored_months = {to_date(value) for value in scored["month"]}
if month not in scored_months:
    st.info(t("no_data"))
    st.stop()
units = data.kpi(month, ("supply_unit",))
pass_rates = units[units["indicator"] == "audit_pass_rate"]
st.plotly_chart(charts.indicator_vs_target(pass_rates, "audit_pass_rate", True), key="audit_pass")
points = data.quality_points(month)
st.markdown(f"**{t('findings_by_person')}**")
paginated(
    pd.DataFrame(
        {
            t("tier"): [code("tier", value) for value in points["tier"]],
            t("entity_id"): points["entity_id"],
            t("entity_name"): points["entity_name"],
            code("indicator", "quality_points"): [
                indicator_value("quality_points", value) for value in points["value"]
            ],
        }
    ),
    key="audit_points",
)
