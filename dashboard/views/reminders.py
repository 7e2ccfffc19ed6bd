"""提醒催办: the eight reminder categories by level, a person's own list, the urge digest."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data, state
from dashboard.i18n import t
from dashboard.ui import (
    code,
    escape_markdown,
    export_view,
    minute,
    paginated,
    require_page,
    team_history,
)

require_page("reminders")
st.title(t("reminders_title"))

names = data.org_names()
unit_options = ["", *data.reminder_units()]
unit = st.selectbox(
    t("unit_code"),
    options=unit_options,
    format_func=lambda v: t("all") if v == "" else names.get(v, v),
    key="rem_unit",
    **state.bind("unit", "rem_unit", unit_options),
)
export_view(filters=[(t("unit_code"), names.get(unit, unit) if unit else "")])

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
    data.reminder_groups(group, unit or None).rename(
        columns={level: code("level", level) for level in levels}
    ),
    key="rem_groups",
    page_size=20,
    names=(group,),
    empty="no_reminders",
    title=t("by_category"),
)

st.subheader(t("my_list"))
# A staff number or a name: one match is that person, several offer a choice.
if "rem_staff" not in st.session_state and state.get("person"):
    st.session_state["rem_staff"] = state.get("person")
typed_text = st.text_input(t("person_search"), key="rem_staff").strip()
staff_id = ""
if typed_text:
    people = data.find_people(typed_text)
    if people.empty:
        st.info(t("no_person_match", text=typed_text))
    elif len(people) == 1 or people["entity_id"].iloc[0] == typed_text:
        staff_id = str(people["entity_id"].iloc[0])
    else:
        choices = dict(zip(people["entity_id"], people["entity_name"], strict=True))
        staff_id = st.selectbox(
            t("person_matches") + f" ({t('rows_total', n=len(people))})",
            options=list(choices),
            format_func=lambda v: f"{choices[v]} ({v})",
            key="rem_staff_pick",
        )
if staff_id:
    if state.get("person") != staff_id:
        state.put("person", staff_id, writer="rem_staff")
    own = data.person_reminders(staff_id)
    st.caption(escape_markdown(f"{names.get(staff_id, staff_id)} ({staff_id})"))
    paginated(
        own[["level", "category", "object_id", "unit_code", "since", "due_at"]],
        codes={"level": "level", "category": "reminder_category"},
        names=("unit_code",),
        timestamps=("since", "due_at"),
        key="rem_own",
        empty="no_reminders",
        title=t("my_list"),
    )
    team_history(staff_id)

st.subheader(t("digest"))
digest = data.reminder_digest(unit or None)
if digest.empty:
    st.caption(t("no_reminders"))
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
paginated(digest[summary_columns], names=("unit_code",), key="rem_digest", page_size=20, title=t("digest"))
people = digest["person_id"].tolist()
person = st.selectbox(
    t("person_id"),
    options=people,
    index=people.index(staff_id) if staff_id in people else 0,
    format_func=lambda v: names.get(v, v),
    key="rem_digest_person",
)
message = digest[digest["person_id"] == person].iloc[0]
# The digest as it will be sent: in Chinese whatever the reader's language.
with st.container(border=True, key="digest_message"):
    st.markdown(f"**{escape_markdown(message['subject'])}**")
    st.text(message["body"])
outbox = data.outbox_messages()
if outbox is not None:
    sent = outbox[outbox["person_id"] == person]
    if not sent.empty:
        latest = sent.iloc[0]
        st.caption(
            t(
                "outbox_line",
                channel=code("outbox_channel", latest["channel"]),
                status=code("outbox_status", latest["status"]),
                created_at=minute(latest["created_at"]),
            )
        )
