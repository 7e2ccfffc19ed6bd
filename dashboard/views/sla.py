"""时限监控: the red / yellow / green traffic light of open time-limited steps."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data
from dashboard.i18n import t
from dashboard.ui import code, paginated, require_page

STATUSES = ("red", "yellow", "green")

version = require_page("sla")
head = st.columns([4, 1])
head[0].title(t("sla_title"))
if head[1].button(t("refresh"), icon=":material/refresh:", key="sla_refresh"):
    data.refresh()
    st.rerun()
st.caption(f"{t('version')}: {version}")

names = data.org_names()
filters = st.columns(3)
selected: dict[str, list[str]] = {}
selected["unit_code"] = filters[0].multiselect(
    t("unit_code"),
    options=data.sla_options("unit_code", selected),
    format_func=lambda v: names.get(v, v),
    key="sla_units",
    placeholder=t("all"),
)
selected["team_code"] = filters[1].multiselect(
    t("team_code"),
    options=data.sla_options("team_code", selected),
    format_func=lambda v: names.get(v, v),
    key="sla_teams",
    placeholder=t("all"),
)
selected["node_code"] = filters[2].multiselect(
    t("node_code"),
    options=data.sla_options("node_code", selected),
    format_func=lambda v: code("node", v),
    key="sla_nodes",
    placeholder=t("all"),
)

statuses = data.sla_status_counts(selected)
for column, status in zip(st.columns(3), STATUSES, strict=True):
    column.metric(code("sla_status", status), statuses.get(status, 0), border=True)

if not statuses:
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
counts = data.sla_group_counts(group, selected)
counts["group_name"] = [names.get(value, value) for value in counts[group]]
# Red and yellow are what needs attention; green is still counted above.
hide_green = right.toggle(
    t("hide_green"), value=bool(statuses.get("red") or statuses.get("yellow")), key="sla_hide_green"
)
shown_statuses = ("red", "yellow") if hide_green else STATUSES
st.plotly_chart(charts.traffic_light(counts, t(group), shown_statuses), key="sla_chart")

st.subheader(t("red_yellow_list"))
urgent = data.sla_steps(selected, ("red", "yellow"))
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
