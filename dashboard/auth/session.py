"""The dashboard's login gate: who is logged in, for how long, and the login form.

A session lives in ``st.session_state`` (server side, per browser tab): the user's name and
when they logged in and were last active. It ends after ``IDLE_MINUTES`` without a rerun
or ``MAX_HOURS`` after login, and whenever the account is disabled in the store: each
rerun reads the account again, so a disabled user is out on their next click.

With an ``[auth]`` section in ``.streamlit/secrets.toml`` the form also offers the
company's OpenID Connect login (``st.login``); the identity's e-mail must belong to an
open account of the users store, whose role and scope then apply.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path

import streamlit as st

from dashboard.auth.store import LockedOutError, LoginError, User, UserStore, UserStoreError, users_path

logger = logging.getLogger(__name__)

IDLE_MINUTES = int(os.environ.get("DANGAN_SESSION_IDLE_MINUTES", "30"))
MAX_HOURS = int(os.environ.get("DANGAN_SESSION_MAX_HOURS", "10"))
SESSION_KEY = "auth"


class NotLoggedInError(PermissionError):
    """A query was asked for without a logged-in user."""


def store() -> UserStore:
    from dashboard.data import warehouse_path

    return _store(str(users_path(warehouse_path())))


@st.cache_resource(show_spinner=False)
def _store(path: str) -> UserStore:
    return UserStore(Path(path))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def start(user: User, how: str) -> None:
    now = _now()
    st.session_state[SESSION_KEY] = {"username": user.username, "since": now, "seen": now, "how": how}


def end() -> None:
    st.session_state.pop(SESSION_KEY, None)


def current_user() -> User:
    """The logged-in user, their account read again; raises when there is none or it expired."""
    session = st.session_state.get(SESSION_KEY)
    if not session:
        raise NotLoggedInError("no user is logged in")
    now = _now()
    if now - session["seen"] > dt.timedelta(minutes=IDLE_MINUTES) or now - session["since"] > dt.timedelta(
        hours=MAX_HOURS
    ):
        end()
        raise NotLoggedInError(f"the session of {session['username']!r} expired")
    try:
        user = store().get(session["username"])
    except UserStoreError as error:
        end()
        raise NotLoggedInError(str(error)) from error
    if user.is_disabled:
        end()
        raise NotLoggedInError(f"user {user.username!r} is disabled")
    session["seen"] = now
    return user


def logged_in_user() -> User | None:
    try:
        return current_user()
    except NotLoggedInError:
        return None


def log(action: str, target: str | None = None, detail: str | None = None) -> None:
    """One line of the access log for the logged-in user."""
    user = current_user()
    store().log(user.username, action, target, detail)


def bound_log() -> Callable[..., None]:
    """``log`` bound to the logged-in user now, for code that runs later outside the user's
    script run (a download's deferred data callable sees no session)."""
    return partial(store().log, current_user().username)


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - streamlit raises its own types for a missing or broken secrets file
        return False


def _oidc_user(t: Callable[..., str]) -> User | None:
    """The store's account of the identity the OpenID Connect provider vouched for."""
    if not oidc_configured() or not st.user.is_logged_in:
        return None
    email = st.user.get("email")
    user = store().by_email(str(email)) if email else None
    if user is None or user.is_disabled:
        store().log(str(email or "?"), "login_refused", detail="oidc identity without an open account")
        st.error(t("no_account", email=str(email or "")))
        st.button(t("logout"), on_click=st.logout, key="oidc_logout")
        st.stop()
    return user


def login_form(t: Callable[..., str], warm: Callable[[], None] | None = None) -> None:
    """The login page; stops the script until a user is logged in. The form is cleared on
    submit, so no password stays in the session's widget state. ``warm`` runs once the form
    is on screen, while the user types (the first page after the login is then quicker)."""
    if logged_in_user() is not None:
        return
    user = _oidc_user(t)
    if user is not None:
        start(user, "oidc")
        store().log(user.username, "login", detail="oidc")
        st.rerun()
    st.title(t("login_title"))
    with st.form("login", enter_to_submit=True, clear_on_submit=True):
        username = st.text_input(t("username"), key="login_username")
        password = st.text_input(t("password"), type="password", key="login_password")
        submitted = st.form_submit_button(t("login"), type="primary")
    if submitted:
        try:
            user = store().authenticate(username.strip(), password)
        except LockedOutError as error:
            st.error(t("locked_out", until=f"{error.until:%H:%M} UTC"))
        except LoginError:
            st.error(t("login_failed"))
        else:
            start(user, "password")
            st.rerun()
    if oidc_configured():
        st.button(t("login_oidc"), on_click=st.login, key="oidc_login", icon=":material/badge:")
    if warm is not None and not submitted:
        warm()
    st.stop()


def logout() -> None:
    user = logged_in_user()
    if user is not None:
        store().log(user.username, "logout")
    end()
    if oidc_configured() and st.user.is_logged_in:
        st.logout()
