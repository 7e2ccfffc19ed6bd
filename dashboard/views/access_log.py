"""访问日志: who logged in, opened which customer archive, downloaded which export, and
when (newest first), with the accounts beside it; for ``admin`` only."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.auth import session
from dashboard.i18n import t
from dashboard.ui import paginated, require_page, yes_no

require_page("access_log")
st.title(t("access_log_title"))

entries = pd.DataFrame(
    session.store().access_log(),
    columns=["logged_at", "username", "action", "target", "detail"],
)
action = st.selectbox(
    t("action"),
    options=["", *sorted(set(entries["action"]))],
    format_func=lambda value: value or t("all"),
    key="log_action",
)
if action:
    entries = entries[entries["action"] == action]
paginated(
    entries.rename(
        columns={
            "logged_at": t("logged_at"),
            "username": t("username"),
            "action": t("action"),
            "target": t("log_target"),
            "detail": t("detail"),
        }
    ),
    key="log_entries",
)

st.subheader(t("users"))
users = session.store().list()
st.dataframe(
    pd.DataFrame(
        {
            t("username"): [user.username for user in users],
            t("role"): [t(f"role_{user.role}") for user in users],
            t("unit_code"): [user.unit_code or "" for user in users],
            t("team_code"): [user.team_code or "" for user in users],
            t("person_id"): [user.person_id or "" for user in users],
            t("is_disabled"): [yes_no(user.is_disabled) for user in users],
        }
    ),
    hide_index=True,
    width="stretch",
)
