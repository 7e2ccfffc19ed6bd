"""提醒催办: the six reminder categories by level, a person's own list, the urge digest."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data
from dashboard.i18n import code, t
from dashboard.ui import display, minute, paginated, require_warehouse

require_warehouse()
st.title(t("reminders_title"))

items = data.reminders()
names = data.entity_names()
if items.empty:
    st.info(t("no_data"))
    st.stop()

unit = st.selectbox(
    t("unit_code"),
    options=["", *sorted(items["unit_code"].dropna().unique())],
    format_func=lambda v: t("all") if v == "" else names.get(v, v),
    key="rem_unit",
)
scope = items if unit == "" else items[items["unit_code"] == unit]

st.subheader(t("by_category"))
counts = scope.groupby(["category", "level"], as_index=False).size().rename(columns={"size": "count"})
st.plotly_chart(charts.reminder_levels(counts), key="rem_chart")
levels = [level for level in ("overdue", "warning", "reminder") if level in set(scope["level"])]
per_person = (
    scope.pivot_table(index="person_id", columns="level", values="object_id", aggfunc="count", fill_value=0)
    .reset_index()
    .sort_values(by=levels, ascending=False)
)
paginated(
    display(per_person[["person_id", *levels]], names=("person_id",)).rename(
        columns={level: code("level", level) for level in levels}
    ),
    key="rem_people",
    page_size=20,
)

st.subheader(t("my_list"))
staff_id = st.text_input(t("staff_id"), key="rem_staff").strip()
if staff_id:
    own = items[items["person_id"] == staff_id]
    st.caption(names.get(staff_id, staff_id))
    paginated(
        display(
            own[["level", "category", "object_id", "unit_code", "since", "due_at"]],
            codes={"level": "level", "category": "category"},
            names=("unit_code",),
            timestamps=("since", "due_at"),
        ),
        key="rem_own",
    )

st.subheader(t("digest"))
digest = data.reminder_digest()
outbox = data.outbox_messages()
if digest is None and outbox is None:
    st.info(t("digest_missing"))
if digest is not None:
    if unit != "" and "unit_code" in digest.columns:
        digest = digest[digest["unit_code"] == unit]
    paginated(display(digest), key="rem_digest", page_size=20)
if outbox is not None and not outbox.empty:
    people = list(dict.fromkeys(outbox["person_id"]))
    default = people.index(staff_id) if staff_id in people else 0
    person = st.selectbox(
        t("person_id"),
        options=people,
        index=default,
        format_func=lambda v: names.get(v, v),
        key="rem_digest_person",
    )
    message = outbox[outbox["person_id"] == person].iloc[0]
    st.markdown(f"**{message['subject']}**")
    st.code(message["body"], language=None)
    st.caption(f"{message['channel']} · {message['status']} · {minute(message['created_at'])}")
