"""时限监控: the red / yellow / green traffic light of open time-limited steps."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data, state
from dashboard.i18n import t
from dashboard.ui import as_of_text, code, export_view, paginated, require_page

STATUSES = ("red", "yellow", "green")

require_page("sla")
head = st.columns([4, 1])
head[0].title(t("sla_title"))
if head[1].button(t("refresh"), icon=":material/refresh:", key="sla_refresh"):
    data.refresh()
    st.rerun()
st.caption(as_of_text())

names = data.org_names()
filters = st.columns(3)
selected: dict[str, list[str]] = {}
unit_options = data.sla_options("unit_code", selected)
selected["unit_code"] = filters[0].multiselect(
    t("unit_code"),
    options=unit_options,
    format_func=lambda v: names.get(v, v),
    key="sla_units",
    placeholder=t("all"),
    **state.bind_many("unit", "sla_units", unit_options),
)
team_options = data.sla_options("team_code", selected)
selected["team_code"] = filters[1].multiselect(
    t("team_code"),
    options=team_options,
    format_func=lambda v: names.get(v, v),
    key="sla_teams",
    placeholder=t("all"),
    **state.bind_many("team", "sla_teams", team_options),
)
selected["node_code"] = filters[2].multiselect(
    t("node_code"),
    options=data.sla_options("node_code", selected),
    format_func=lambda v: code("node", v),
    key="sla_nodes",
    placeholder=t("all"),
)

export_view(
    filters=[
        (t(column), ", ".join(code("node", v) if column == "node_code" else names.get(v, v) for v in values))
        for column, values in selected.items()
    ]
)
statuses = data.sla_status_counts(selected)
for column, status in zip(st.columns(3), STATUSES, strict=True):
    column.metric(code("sla_status", status), statuses.get(status, 0), border=True)

if not statuses:
    st.success(t("no_open_steps"), icon=":material/check_circle:")
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
short = data.short_names()
counts["group_name"] = [short.get(value) or names.get(value, value) for value in counts[group]]
# Red and yellow are what needs attention; green is still counted above.
hide_green = right.toggle(
    t("hide_green"), value=bool(statuses.get("red") or statuses.get("yellow")), key="sla_hide_green"
)
shown_statuses = ("red", "yellow") if hide_green else STATUSES
if hide_green and not (statuses.get("red") or statuses.get("yellow")):
    st.success(t("all_on_time"), icon=":material/check_circle:")
else:
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
    empty="all_on_time",
    title=t("red_yellow_list"),
)
