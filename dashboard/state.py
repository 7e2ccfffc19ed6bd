"""The view every page shares — month, tier, unit, team, person, customer and language —
kept in the session and mirrored into the URL, so a view can be sent as a link and a reload
keeps it.

A value from the URL (or from another page) only pre-selects a widget when it is one of
that widget's options, and the options come from queries already narrowed to the logged-in
user (:func:`dashboard.auth.scope.scoped_sql`): a link can choose within the reader's scope,
never widen it. Unknown URL parameters are ignored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import pandas as pd
import streamlit as st

from dashboard.i18n import DEFAULT_LANGUAGE, LANGUAGES

# The URL's parameters, in the order a link shows them.
FIELDS = ("month", "tier", "unit", "team", "person", "customer", "lang")
VIEW_KEY = "_view"
# Which widget wrote each shared value last: that widget keeps its own value (a
# multiselect with two units is not reset to the one unit the URL can carry).
WRITER_KEY = "_view_writer"
ALL = ""


def _session() -> dict[str, str]:
    """The shared view, read once from the URL when the session starts."""
    if VIEW_KEY not in st.session_state:
        params = {name: st.query_params.get(name, "") for name in FIELDS}
        view = {name: str(value).strip() for name, value in params.items() if value}
        if view.get("lang") in LANGUAGES:
            st.session_state.setdefault("lang", view["lang"])
        st.session_state[VIEW_KEY] = view
        st.session_state[WRITER_KEY] = {}
    return st.session_state[VIEW_KEY]


def start() -> None:
    """Read the URL at the start of a session (the router calls this before any widget)."""
    _session()
    st.session_state.setdefault("lang", DEFAULT_LANGUAGE)


def get(name: str) -> str:
    return _session().get(name, ALL)


def put(name: str, value: object, writer: str | None = None) -> None:
    """Share ``value`` under ``name`` (empty for "all"), and put it in the URL."""
    text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    _session()[name] = text
    st.session_state[WRITER_KEY][name] = writer
    publish()


def publish() -> None:
    """The shared view and the language into the URL (empty values left out)."""
    view = dict(_session())
    view["lang"] = str(st.session_state.get("lang", DEFAULT_LANGUAGE))
    wanted = {name: view[name] for name in FIELDS if view.get(name)}
    if {key: st.query_params.get(key) for key in st.query_params} != wanted:
        st.query_params.from_dict(wanted)


def _keep(name: str, key: str, encode: Callable[[object], str]) -> None:
    put(name, encode(st.session_state.get(key)), writer=key)


def bind(
    name: str,
    key: str,
    options: Sequence[object],
    *,
    encode: Callable[[object], str] = str,
    decode: Callable[[str], object] | None = None,
    default: object = None,
) -> dict[str, object]:
    """Prepare the widget ``key`` to show the shared ``name``: its state is set from the shared
    value when that value (decoded) is one of ``options``, else from ``default`` when the widget
    has no state yet. Returns the widget's ``on_change`` arguments, which share its changes.

    Used as ``st.selectbox(..., key=key, **state.bind("month", key, options))``."""
    shared = get(name)
    writer = st.session_state.get(WRITER_KEY, {}).get(name)
    if shared and writer != key:
        value = decode(shared) if decode else shared
        if value in options and st.session_state.get(key) != value:
            st.session_state[key] = value
    elif shared == ALL and default is not None and key not in st.session_state and default in options:
        st.session_state[key] = default
    return {"on_change": _keep, "args": (name, key, encode)}


def bind_many(name: str, key: str, options: Sequence[str]) -> dict[str, object]:
    """As :func:`bind`, for a multiselect: the URL carries one value; a shared value
    pre-selects exactly it; picking one shares it, picking none or several shares "all"."""
    shared = get(name)
    writer = st.session_state.get(WRITER_KEY, {}).get(name)
    if shared and writer != key and shared in options and st.session_state.get(key) != [shared]:
        st.session_state[key] = [shared]

    def encode(values: object) -> str:
        chosen = list(values or [])  # type: ignore[call-overload]
        return chosen[0] if len(chosen) == 1 else ALL

    return {"on_change": _keep, "args": (name, key, encode)}


def month_text(month: object) -> str:
    """A month as the URL carries it: ``YYYY-MM``."""
    return pd.Timestamp(month).strftime("%Y-%m")


def month_value(text: str) -> dt.date | None:
    """``YYYY-MM`` (or a full date) as the month's first day; None for anything else."""
    try:
        return pd.Timestamp(text).date().replace(day=1)
    except (ValueError, TypeError):
        return None
