"""月度指标: company headline figures, units against their targets, 12-month trends."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data
from dashboard.i18n import t
from dashboard.ui import (
    RATE_INDICATORS,
    code,
    indicator_value,
    light,
    light_styles,
    month_picker,
    month_statuses,
    require_page,
    to_date,
    truthy,
    with_short_names,
)

HEADLINE = ("timely_filing_rate", "completion_rate", "sla_overdue_rate", "contract_valid_rate")
UNIT_INDICATORS = (
    "completion_rate",
    "timely_filing_rate",
    "handover_timely_rate",
    "sla_overdue_rate",
    "contract_valid_rate",
    "audit_pass_rate",
)

require_page("kpi")
st.title(t("kpi_title"))

months = data.months()
if months.empty:
    st.info(t("no_data"))
    st.stop()
month = month_picker(months, "kpi_month")
light_styles()

rows = data.kpi(month, ("company", "supply_unit"))
company = rows[rows["tier"] == "company"]
units = rows[rows["tier"] == "supply_unit"]
trend_tier = "company" if not company.empty else "supply_unit"
history = data.kpi_trend(trend_tier, None, month)

st.subheader(t("headline"))
if company.empty:
    st.caption(t("no_company_tier"))
for column, indicator in zip(st.columns(len(HEADLINE)), HEADLINE, strict=True):
    if not company.empty:
        current = company[company["indicator"] == indicator]
        if current.empty:
            column.metric(code("indicator", indicator), "—", border=True)
            continue
        record = current.iloc[0]
        spark = history[history["indicator"] == indicator].sort_values("month")["value"].tolist()
        status = light(indicator, record["value"], record["target"], record["meets_target"]) or "none"
        column.container(key=f"card_{status}_{indicator}").metric(
            code("indicator", indicator),
            indicator_value(indicator, record["value"]),
            delta=t("meets_target") if truthy(record["meets_target"]) else "✗ " + t("meets_target"),
            delta_color="normal" if truthy(record["meets_target"]) else "inverse",
            delta_arrow="off",
            delta_description=t("vs_target", target=indicator_value(indicator, record["target"])),
            chart_data=spark or None,
            border=True,
        )
    else:
        lowest = data.unit_extreme(month, indicator, highest=False)
        highest = data.unit_extreme(month, indicator, highest=True)
        if lowest.empty:
            column.metric(code("indicator", indicator), "—", border=True)
            continue
        low, high = lowest["value"].iloc[0], highest["value"].iloc[0]
        column.metric(
            code("indicator", indicator) + t("lowest_unit"),
            indicator_value(indicator, low),
            delta=t("vs_target", target=indicator_value(indicator, lowest["target"].iloc[0])),
            delta_color="off",
            delta_arrow="off",
            delta_description=t("highest_unit", high=indicator_value(indicator, high)),
            border=True,
        )

st.subheader(t("unit_values"))
if units.empty:
    st.info(t("no_data"))
else:
    table = units.assign(
        shown=[
            indicator_value(ind, value) for ind, value in zip(units["indicator"], units["value"], strict=True)
        ]
    )
    pivot = table.pivot(index="entity_name", columns="indicator", values="shown")
    meets = table.pivot(index="entity_name", columns="indicator", values="meets_target")
    ordered = [ind for ind in UNIT_INDICATORS if ind in pivot.columns]
    pivot, meets = pivot[ordered], meets[ordered]

    def _colour(frame: pd.DataFrame) -> pd.DataFrame:
        return meets.map(
            lambda ok: (
                "" if pd.isna(ok) else ("color: #2ca02c" if bool(ok) else "color: #d62728; font-weight: 600")
            )
        )

    styled = (
        pivot.rename(columns=lambda ind: code("indicator", ind))
        .rename_axis(t("unit_code"))
        .style.apply(lambda _: _colour(pivot).to_numpy(), axis=None)
    )
    st.dataframe(styled, width="stretch")
    # One chart of the indicator picked (the table shows them all against their targets):
    # six charts drawn at once made the page the slowest in the browser.
    charted = st.segmented_control(
        t("indicator"),
        options=ordered,
        format_func=lambda ind: code("indicator", ind),
        default=ordered[0] if ordered else None,
        key="kpi_unit_indicator",
    )
    if charted:
        st.plotly_chart(
            charts.indicator_vs_target(
                with_short_names(units[units["indicator"] == charted]), charted, charted in RATE_INDICATORS
            ),
            key="kpi_bar",
        )

st.subheader(t("trend"))
trend_indicator = st.selectbox(
    t("indicator"),
    options=[ind for ind in UNIT_INDICATORS if ind in set(history["indicator"])] or list(UNIT_INDICATORS),
    format_func=lambda ind: code("indicator", ind),
    key="kpi_trend_indicator",
)
lines = history[history["indicator"] == trend_indicator]
if lines.empty:
    st.info(t("no_data"))
else:
    statuses = month_statuses(months)
    lines = lines.assign(month_status=[statuses.get(to_date(value), "") for value in lines["month"]])
    st.plotly_chart(charts.trend(lines, trend_indicator, trend_indicator in RATE_INDICATORS), key="kpi_trend")
