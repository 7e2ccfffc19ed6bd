"""合同管理: contracts expiring within a month or 7 days, expired, customers without a
valid contract, contracts longer than their voltage class's term norm, and each unit's
validity rate (as the monthly indicator gives it)."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data, state
from dashboard.i18n import t
from dashboard.ui import export_view, month_label, paginated, require_page, to_date, truthy, with_short_names

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
unit_options = ["", *data.contract_units()]
unit = st.selectbox(
    t("unit_code"),
    options=unit_options,
    format_func=lambda v: t("all") if v == "" else names.get(v, v),
    key="contract_unit",
    **state.bind("unit", "contract_unit", unit_options),
)
export_view(filters=[(t("unit_code"), names.get(unit, unit) if unit else "")])
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
            title=t(key),
        )

st.subheader(t("validity_by_unit"))
months = data.months()
if months.empty:
    st.info(t("no_data"))
else:
    # The shared month when it is scored, else the last final month (as the pickers default).
    finals = [to_date(row.month) for row in months.itertuples(index=False) if truthy(row.is_final)]
    month = state.month_value(state.get("month")) if state.get("month") else None
    if month not in {to_date(value) for value in months["month"]}:
        month = finals[0] if finals else to_date(months["month"].iloc[0])
    row = months[[to_date(value) == month for value in months["month"]]].iloc[0]
    st.caption(month_label(row["month"], row["is_final"], row["frozen_at"]))
    rates = data.kpi(month, ("supply_unit",))
    rates = rates[rates["indicator"] == "contract_valid_rate"]
    st.plotly_chart(
        charts.indicator_vs_target(with_short_names(rates), "contract_valid_rate", True), key="contract_rates"
    )
