"""The dashboard's router: login, language switch and navigation, nothing else.

Only the pages the user's role may open are offered; each page checks again
(:func:`dashboard.ui.require_page`), and every query is scoped in the data layer.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import streamlit as st

from dashboard import state
from dashboard.auth import session
from dashboard.auth.roles import ROLES
from dashboard.i18n import LANGUAGES, t
from dashboard.ui import escape_markdown

# Not named "pages/": Streamlit treats a pages/ folder beside the main script as a
# legacy multipage app and would run a deep-linked page without this router.
PAGES = Path(__file__).resolve().parent / "views"

# The view a shared link carries (month, tier, unit, …, language) is read before any widget.
state.start()
st.set_page_config(page_title=t("app_title"), page_icon=":material/folder_managed:", layout="wide")

st.sidebar.radio(
    "语言 / Language",
    options=list(LANGUAGES),
    format_func=LANGUAGES.get,
    key="lang",
    horizontal=True,
)

SECTIONS = {
    "section_performance": [
        ("kpi", "kpi.py", None, ":material/monitoring:"),
        ("rankings", "rankings.py", "rankings", ":material/leaderboard:"),
    ],
    "section_operations": [
        ("sla", "sla.py", "sla", ":material/traffic:"),
        ("reminders", "reminders.py", "reminders", ":material/notifications:"),
        ("missing_documents", "missing_documents.py", "missing_documents", ":material/note_add:"),
        ("contracts", "contracts.py", "contracts", ":material/contract:"),
        ("audit", "audit.py", "audit", ":material/fact_check:"),
    ],
    "section_archive": [
        ("customer", "customer.py", "customer", ":material/person_search:"),
        ("dossiers", "dossiers.py", "dossiers", ":material/inventory_2:"),
        ("quality", "quality.py", "quality", ":material/rule:"),
        ("access_log", "access_log.py", "access_log", ":material/policy:"),
    ],
}

user = session.logged_in_user()
# Before the login every page is known (hidden), so a page asked for by URL is still the
# page shown once the user is in; none of them runs until then.
allowed = (
    ROLES[user.role].pages if user else tuple(name for entries in SECTIONS.values() for name, *_ in entries)
)
pages: dict[str, list[st.Page]] = {}
for section, entries in SECTIONS.items():
    shown = [entry for entry in entries if entry[0] in allowed]
    if shown:
        pages[t(section)] = [
            st.Page(
                PAGES / file,
                url_path=url_path,
                title=t(f"page_{name}"),
                icon=icon,
                default=name == allowed[0],
            )
            for name, file, url_path, icon in shown
        ]
navigation = st.navigation(pages, position="sidebar" if user else "hidden")


def _warm() -> None:
    """The work of the first page that needs no user, done while the login form is shown:
    the chart library imported (about a second the first time), the connection opened and
    the public tables cached."""
    importlib.import_module("dashboard.charts")
    from dashboard import data

    data.warm_up()


if user is None:
    session.login_form(t, warm=_warm)
    user = session.current_user()
st.sidebar.caption(
    t("logged_in_as", name=escape_markdown(user.display_name or user.username), role=t(f"role_{user.role}"))
)
st.sidebar.button(t("logout"), on_click=session.logout, key="logout", icon=":material/logout:")
state.publish()
navigation.run()
