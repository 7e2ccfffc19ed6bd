"""稽查抽样: the month's sample per unit for the audit centre, and the results that came back."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data
from dashboard.i18n import t
from dashboard.ui import (
    code,
    display,
    downloads,
    month_picker,
    paginated,
    require_page,
    to_date,
    with_short_names,
)

require_page("audit")
st.title(t("audit_title"))

sample_months = data.audit_months()
if sample_months.empty:
    st.info(t("no_data"))
    st.stop()
month = month_picker(sample_months, "audit_month")
sample = data.audit_sample_customers(month)

st.subheader(t("sample_list"))
sizes = data.audit_sizes(month)
st.dataframe(display(sizes, names=("unit_code",)), hide_index=True, width="stretch")
if not sample.empty:
    st.caption(f"{t('seed_string')}: `{sample['sample_seed'].iloc[0]}`")

columns = [
    "unit_code",
    "sample_rank",
    "proc_id",
    "proc_type",
    "cust_no",
    "owner_id",
    "population",
    "sample_size",
]
options = {"codes": {"proc_type": "proc_type"}, "names": ("unit_code", "owner_id")}
paginated(sample[columns], key="audit_list", downloadable=False, **options)

# The workbook the audit centre fills in: who the customer is and where (masked by role,
# as the warehouse query gave them), a pass/fail drop-down and an empty findings column.
sheet = sample[[*columns[:5], "cust_name", "address", *columns[5:]]].assign(
    audit_result=None, audit_findings=None
)
downloads(
    sheet,
    "audit_download",
    t("page_audit"),
    choices={"audit_result": [t("audit_pass"), t("audit_fail")]},
    **options,
)

st.subheader(t("audit_results"))
scored = data.months()
scored_months = {to_date(value) for value in scored["month"]}
if month not in scored_months:
    st.info(t("no_audit_results"))
    st.stop()
units = data.kpi(month, ("supply_unit",))
pass_rates = units[units["indicator"] == "audit_pass_rate"]
if pass_rates["value"].isna().all():
    st.info(t("no_audit_results"))
else:
    st.plotly_chart(
        charts.indicator_vs_target(with_short_names(pass_rates), "audit_pass_rate", True), key="audit_pass"
    )
points = data.quality_points(month)
st.markdown(f"**{t('findings_by_person')}**")
paginated(
    points[["tier", "entity_id", "entity_name", "value"]].rename(
        columns={"value": code("indicator", "quality_points")}
    ),
    codes={"tier": "tier"},
    key="audit_points",
    empty="no_audit_results",
    title=t("findings_by_person"),
)
