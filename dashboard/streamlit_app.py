"""The dashboard's router: language switch and navigation, nothing else."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard.i18n import DEFAULT_LANGUAGE, LANGUAGES, t

# Not named "pages/": Streamlit treats a pages/ folder beside the main script as a
# legacy multipage app and would run a deep-linked page without this router.
PAGES = Path(__file__).resolve().parent / "views"

st.set_page_config(page_title=t("app_title"), page_icon=":material/folder_managed:", layout="wide")

st.sidebar.radio(
    "语言 / Language",
    options=list(LANGUAGES),
    format_func=LANGUAGES.get,
    index=list(LANGUAGES).index(DEFAULT_LANGUAGE),
    key="lang",
    horizontal=True,
)

navigation = st.navigation(
    {
        t("section_performance"): [
            st.Page(PAGES / "kpi.py", title=t("page_kpi"), icon=":material/monitoring:", default=True),
            st.Page(
                PAGES / "rankings.py",
                url_path="rankings",
                title=t("page_rankings"),
                icon=":material/leaderboard:",
            ),
        ],
        t("section_operations"): [
            st.Page(PAGES / "sla.py", url_path="sla", title=t("page_sla"), icon=":material/traffic:"),
            st.Page(
                PAGES / "reminders.py",
                url_path="reminders",
                title=t("page_reminders"),
                icon=":material/notifications:",
            ),
            st.Page(
                PAGES / "contracts.py",
                url_path="contracts",
                title=t("page_contracts"),
                icon=":material/contract:",
            ),
            st.Page(
                PAGES / "audit.py", url_path="audit", title=t("page_audit"), icon=":material/fact_check:"
            ),
        ],
        t("section_archive"): [
            st.Page(
                PAGES / "customer.py",
                url_path="customer",
                title=t("page_customer"),
                icon=":material/person_search:",
            ),
            st.Page(
                PAGES / "quality.py", url_path="quality", title=t("page_quality"), icon=":material/rule:"
            ),
        ],
    }
)
navigation.run()
