from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb
import pytest

from ingest.contract import TABLES
from scans.generate import generate_data_set

SEED = 7
END = "2026-11-27 17:30:00"


def scans_available() -> bool:
    return importlib.util.find_spec("scans.synthetic") is not None


@pytest.fixture(scope="package")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny data set generated once for the package, with scans when the renderer exists."""
    out = tmp_path_factory.mktemp("tiny") / "set"
    return generate_data_set("tiny", SEED, out, scans="auto" if scans_available() else "none")


def typed_views(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """Views over the CSV tables typed strictly as the contract says (bad values raise)."""
    for table in TABLES:
        path = folder / table.system / f"{table.name}.csv"
        types = {
            c.name: {
                "text": "VARCHAR",
                "int": "BIGINT",
                "bool": "BOOLEAN",
                "date": "DATE",
                "timestamp": "TIMESTAMP",
            }[c.type]
            for c in table.columns
        }
        con.execute(
            f"create or replace view {table.name} as select * from read_csv('{path}', header = true, "
            f"columns = {types!r}, timestampformat = '%Y-%m-%d %H:%M:%S', dateformat = '%Y-%m-%d')"
        )


@pytest.fixture(scope="package")
def con(tiny: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    typed_views(connection, tiny)
    yield connection
    connection.close()
