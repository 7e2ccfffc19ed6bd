"""Credentials never reach a log line or the warehouse: a PostgreSQL source read with a
password, one that cannot be reached, and what the build logs about where it reads."""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb
import pytest

from dagster_project.defs.sources.resources import SourcesResource
from ingest.contract import SYSTEMS
from ingest.load import load_system
from ingest.redact import redact, redact_url, url_secrets
from ingest.sources import DatabaseSource
from tests.ingest.conftest import good_rows, write_postgres

pytestmark = pytest.mark.slow

PASSWORD = "Pa55:w/rd@x"  # URL-encoded in the URL, as a real one with such characters must be


def every_text(con: duckdb.DuckDBPyConnection) -> str:
    """Every value of every table in the warehouse, as text."""
    tables = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
    return "\n".join(
        str(row)
        for schema, name in tables
        for row in con.execute(f'select * from "{schema}"."{name}"').fetchall()
    )


def test_redaction_hides_passwords_and_webhook_keys_in_every_form() -> None:
    url = "postgresql+psycopg://reader:Pa55%3Aw%2Frd%40x@db:5432/sgcc?sslmode=require"
    assert url_secrets(url) == [PASSWORD]
    assert redact_url(url) == "postgresql+psycopg://reader:***@db:5432/sgcc?sslmode=require"
    hook = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc-123&debug=1"
    assert redact_url(hook) == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***&debug=1"
    assert redact(f"failed: {PASSWORD} / Pa55%3Aw%2Frd%40x", [PASSWORD]) == "failed: *** / ***"


def test_database_password_is_in_no_log_line_and_nowhere_in_the_warehouse(
    postgres_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = postgres_url.replace("postgres@", "postgres:Pa55%3Aw%2Frd%40x@")
    write_postgres(url, good_rows(), "marketing", "secrets")
    unreachable = url.rsplit(":", 1)[0] + ":1/postgres"
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    caplog.set_level(logging.DEBUG)

    loads = load_system(con, "marketing", DatabaseSource(url, "secrets"), run_id="r1")
    failed = load_system(con, "archive", DatabaseSource(unreachable, "secrets"), run_id="r2")
    resource = SourcesResource(marketing_url=url, archive_url=unreachable)
    described = [resource.describe(system) for system in SYSTEMS]

    assert {load.status for load in loads} == {"ok"}
    assert {load.status for load in failed} == {"failed"}
    assert described[0] == url.replace("Pa55%3Aw%2Frd%40x", "***")
    stored = every_text(con)
    assert "postgres:***@127.0.0.1" in stored
    for form in (PASSWORD, "Pa55%3Aw%2Frd%40x", "Pa55"):
        assert form not in caplog.text
        assert form not in stored
        assert form not in " ".join(described)
        assert all(form not in (load.error or "") for load in failed)
