"""合同管理: contracts expiring within a month or 7 days, expired, customers without a
valid contract, and each unit's validity rate (as the monthly indicator gives it)."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data
from dashboard.i18n import t
from dashboard.ui import display, paginated, require_warehouse, to_date

COLUMNS = [
    "cust_no",
    "unit_code",
    "manager_id",
    "contract_id",
    "expires_on",
    "auto_renew",
    "valid",
    "alert_level",
]

require_warehouse()
st.title(t("contracts_title"))

status = data.contract_status()
names = data.entity_names()
unit = st.selectbox(
    t("unit_code"),
    options=["", *sorted(status["unit_code"].dropna().unique())],
    format_func=lambda v: t("all") if v == "" else names.get(v, v),
    key="contract_unit",
)
if unit:
    status = status[status["unit_code"] == unit]

# The mart's alert level already encodes the rule: reminder = within a month,
# warning = within 7 days, overdue = expired or no current contract.
groups = {
    "expiring_month": status[status["alert_level"].isin(["reminder", "warning"])],
    "expiring_week": status[status["alert_level"] == "warning"],
    "expired": status[(status["alert_level"] == "overdue") & status["contract_id"].notna()],
    "no_contract": status[~status["valid"].fillna(False).astype(bool)],
}
for column, (key, rows) in zip(st.columns(len(groups)), groups.items(), strict=True):
    column.metric(t(key), len(rows), border=True)

tabs = st.tabs([t(key) for key in groups])
for tab, (key, rows) in zip(tabs, groups.items(), strict=True):
    with tab:
        paginated(
            display(
                rows[COLUMNS].sort_values(["expires_on", "cust_no"], na_position="first"),
                codes={"alert_level": "level", "auto_renew": "bool", "valid": "bool"},
                names=("unit_code", "manager_id"),
                dates=("expires_on",),
            ),
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
