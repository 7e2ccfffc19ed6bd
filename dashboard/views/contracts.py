"""合同管理: contracts expiring within a month or 7 days, expired, customers without a
valid contract, contracts longer than their voltage class's term norm, and each unit's
validity rate (as the monthly indicator gives it)."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data
from dashboard.i18n import t
from dashboard.ui import paginated, require_page, to_date

COLUMNS = [
    "cust_no",
    "cust_name",
    "unit_code",
    "manager_id",
    "contract_id",
    "expires_on",
    "auto_renew",
    "valid",
    "alert_level",
    "contract_group",
]
# The term filter shows what makes a contract too long.
TERM_COLUMNS = ["signed_on", "term_over_days"]

require_page("contracts")
st.title(t("contracts_title"))

names = data.org_names()
unit = st.selectbox(
    t("unit_code"),
    options=["", *data.contract_units()],
    format_func=lambda v: t("all") if v == "" else names.get(v, v),
    key="contract_unit",
)
counts = data.contract_counts(unit or None)
for column, (key, count) in zip(st.columns(len(counts)), counts.items(), strict=True):
    column.metric(t(key), count, border=True)

tabs = st.tabs([t(key) for key in counts])
for tab, key in zip(tabs, counts, strict=True):
    with tab:
        rows = data.contract_rows(key, unit or None)
        columns = [*COLUMNS, *TERM_COLUMNS] if key == "term_exceeded" else COLUMNS
        paginated(
            rows[columns],
            codes={"alert_level": "level", "contract_group": "contract_group"},
            flags=("auto_renew", "valid"),
            names=("unit_code", "manager_id"),
            dates=("expires_on", "signed_on") if key == "term_exceeded" else ("expires_on",),
            key=f"contract_{key}",
        )

st.subheader(t("validity_by_unit"))
months = data.months()
if months.empty:
    st.info(t("no_data"))
else:
    month = to_date(months["month"].iloc[0])
    rates = data.kpi(month, ("supply_unit",))
    rates = rates[rates["indicator"] == "contract_valid_rate"]
    st.plotly_chart(charts.indicator_vs_target(rates, "contract_valid_rate", True), key="contract_rates")
