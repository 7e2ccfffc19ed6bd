"""时限监控: the red / yellow / green traffic light of open time-limited steps."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data
from dashboard.i18n import t
from dashboard.ui import code, paginated, require_warehouse

STATUSES = ("red", "yellow", "green")

version = require_warehouse()
head = st.columns([4, 1])
head[0].title(t("sla_title"))
if head[1].button(t("refresh"), icon=":material/refresh:", key="sla_refresh"):
    data.refresh()
    st.rerun()
st.caption(f"{t('version')}: {version}")

steps = data.sla_monitor()
names = data.org_names()
filters = st.columns(3)
units = filters[0].multiselect(
    t("unit_code"),
    options=sorted(steps["unit_code"].dropna().unique()),
    format_func=lambda v: names.get(v, v),
    key="sla_units",
    placeholder=t("all"),
)
if units:
    steps = steps[steps["unit_code"].isin(units)]
teams = filters[1].multiselect(
    t("team_code"),
    options=sorted(steps["team_code"].dropna().unique()),
    format_func=lambda v: names.get(v, v),
    key="sla_teams",
    placeholder=t("all"),
)
if teams:
    steps = steps[steps["team_code"].isin(teams)]
nodes = filters[2].multiselect(
    t("node_code"),
    options=sorted(steps["node_code"].dropna().unique()),
    format_func=lambda v: code("node", v),
    key="sla_nodes",
    placeholder=t("all"),
)
if nodes:
    steps = steps[steps["node_code"].isin(nodes)]

for column, status in zip(st.columns(3), STATUSES, strict=True):
    column.metric(code("sla_status", status), int((steps["status"] == status).sum()), border=True)

if steps.empty:
    st.info(t("no_data"))
    st.stop()

left, right = st.columns([3, 1])
with left:
    group = st.radio(
        t("group_by"),
        options=["unit_code", "team_code"],
        format_func=lambda v: t("by_unit") if v == "unit_code" else t("by_team"),
        horizontal=True,
        key="sla_group",
    )
counts = steps.groupby([group, "status"], as_index=False).size().rename(columns={"size": "count"})
counts["group_name"] = [names.get(value, value) for value in counts[group]]
# Red and yellow are what needs attention; green is still counted above.
hide_green = right.toggle(
    t("hide_green"), value=bool(steps["status"].isin(["red", "yellow"]).any()), key="sla_hide_green"
)
shown_statuses = ("red", "yellow") if hide_green else STATUSES
st.plotly_chart(charts.traffic_light(counts, t(group), shown_statuses), key="sla_chart")

st.subheader(t("red_yellow_list"))
urgent = steps[steps["status"].isin(["red", "yellow"])].sort_values(["remaining_workdays", "step_id"])
paginated(
    urgent[
        [
            "status",
            "unit_code",
            "team_code",
            "assignee_id",
            "node_code",
            "proc_type",
            "proc_id",
            "step_id",
            "cust_no",
            "started_at",
            "limit_workdays",
            "elapsed_workdays",
            "remaining_workdays",
        ]
    ],
    codes={"status": "sla_status", "node_code": "node", "proc_type": "proc_type"},
    names=("unit_code", "team_code", "assignee_id"),
    timestamps=("started_at",),
    key="sla_list",
)
