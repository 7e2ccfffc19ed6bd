"""提醒催办: the eight reminder categories by level, a person's own list, the urge digest."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data
from dashboard.i18n import t
from dashboard.ui import code, display, escape_markdown, minute, paginated, require_page, team_history

require_page("reminders")
st.title(t("reminders_title"))

names = data.org_names()
unit = st.selectbox(
    t("unit_code"),
    options=["", *data.reminder_units()],
    format_func=lambda v: t("all") if v == "" else names.get(v, v),
    key="rem_unit",
)

st.subheader(t("by_category"))
st.plotly_chart(
    charts.reminder_levels(data.reminder_levels(unit or None), data.reminder_categories(unit or None)),
    key="rem_chart",
)
group = st.radio(
    t("group_by"),
    options=list(data.REMINDER_GROUPS),
    index=len(data.REMINDER_GROUPS) - 1,
    format_func=t,
    horizontal=True,
    key="rem_group",
)
levels = ("overdue", "warning", "reminder")
paginated(
    display(data.reminder_groups(group, unit or None), names=(group,)).rename(
        columns={level: code("level", level) for level in levels}
    ),
    key="rem_groups",
    page_size=20,
)

st.subheader(t("my_list"))
staff_id = st.text_input(t("staff_id"), key="rem_staff").strip()
if staff_id:
    own = data.person_reminders(staff_id)
    st.caption(escape_markdown(names.get(staff_id, staff_id)))
    paginated(
        own[["level", "category", "object_id", "unit_code", "since", "due_at"]],
        codes={"level": "level", "category": "reminder_category"},
        names=("unit_code",),
        timestamps=("since", "due_at"),
        key="rem_own",
    )
    team_history(staff_id)

st.subheader(t("digest"))
digest = data.reminder_digest(unit or None)
if digest.empty:
    st.caption(t("no_data"))
    st.stop()
summary_columns = [
    "person_id",
    "person_name",
    "unit_code",
    "total_count",
    "overdue_count",
    "warning_count",
    "reminder_count",
]
paginated(digest[summary_columns], names=("unit_code",), key="rem_digest", page_size=20)
people = digest["person_id"].tolist()
person = st.selectbox(
    t("person_id"),
    options=people,
    index=people.index(staff_id) if staff_id in people else 0,
    format_func=lambda v: names.get(v, v),
    key="rem_digest_person",
)
message = digest[digest["person_id"] == person].iloc[0]
with st.container(border=True):
    st.markdown(f"**{escape_markdown(message['subject'])}**")
    st.text(message["body"])
outbox = data.outbox_messages()
if outbox is not None:
    sent = outbox[outbox["person_id"] == person]
    if not sent.empty:
        latest = sent.iloc[0]
        st.caption(f"{latest['channel']} · {latest['status']} · {minute(latest['created_at'])}")
