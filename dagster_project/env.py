"""Resource configuration from environment variables, with the embedded set-up's defaults.

Resources take ``dg.EnvVar`` values so that the Dagster UI shows where a setting comes
from and secrets never land in run config; an unset variable falls back to the default
from :mod:`ingest.settings`, so the project runs without any ``.env``.
"""

from __future__ import annotations

import os

import dagster as dg


def env_or(name: str, default: str) -> str | dg.EnvVar:
    """``dg.EnvVar(name)`` when the variable is set, else the default value."""
    return dg.EnvVar(name) if os.environ.get(name) else default


def env_int_or(name: str, default: int) -> int | dg.EnvVar:
    return dg.EnvVar.int(name) if os.environ.get(name) else default
