"""Resources every domain uses: the warehouse being built and the run's parameters."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import PrivateAttr

from dagster_project.env import env_or
from ingest import settings
from ingest import warehouse as wh
from ingest.clock import format_as_of, parse_as_of

# Every asset that writes the build copy runs in this pool; its limit is 1
# (dagster.yaml), so two steps never open the DuckDB file read-write at once.
DUCKDB_POOL = "duckdb_warehouse"


class NoRunError(RuntimeError):
    """The warehouse was asked for a build copy outside a run and without a run id."""


class WarehouseResource(dg.ConfigurableResource):
    """The published warehouse path; each run works on its own private build copy.

    The run id is taken when the resource is set up for a run, so that every step of the
    run reaches the same copy with ``with warehouse.connect() as con:``.
    """

    path: str
    _run_id: str | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._run_id = context.run_id

    @property
    def published(self) -> Path:
        return Path(self.path)

    def build_file(self, run_id: str | None = None) -> Path:
        """This run's build copy (made on first use); ``run_id`` names another run's."""
        run_id = run_id or self._run_id
        if not run_id:
            raise NoRunError(f"no run id for a build copy of {self.published}: use the resource inside a run")
        return wh.run_build_copy(self.published, run_id)

    @contextlib.contextmanager
    def connect(self, run_id: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection to the run's build copy (never the published file).

        Closed on leaving the block, also on an error: an open connection would keep the
        file locked for the next step and hold back the checkpoint before the publish.
        """
        con = duckdb.connect(str(self.build_file(run_id)))
        try:
            if settings.DUCKDB_MEMORY_LIMIT:
                limit = settings.DUCKDB_MEMORY_LIMIT.replace("'", "''")
                con.execute(f"set memory_limit = '{limit}'")
            yield con
        finally:
            con.close()


ENGINES = ("duckdb", "spark")


class RunParams(dg.ConfigurableResource):
    """What a run evaluates: ``as_of`` (empty = now, Asia/Shanghai), the reload mode, and the
    engine dbt builds on (``duckdb``, the embedded default, or ``spark``: local Apache Spark,
    its marts loaded back into the build copy).

    The close lag is not here: it is the seed ``thresholds.close_lag_days``, read by dbt
    alone, which both cuts the months and freezes them.
    """

    as_of: str = ""
    full_refresh: bool = False
    engine: str = "duckdb"
    _moment: datetime | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        if self.engine not in ENGINES:
            raise ValueError(f"engine {self.engine!r} is not one of {', '.join(ENGINES)}")
        # Resolve "now" once per run so every step of the run sees the same moment.
        self._moment = parse_as_of(self.as_of)

    @property
    def moment(self) -> datetime:
        if self._moment is None:
            self._moment = parse_as_of(self.as_of)
        return self._moment

    @property
    def as_of_text(self) -> str:
        return format_as_of(self.moment)


def default_warehouse() -> WarehouseResource:
    return WarehouseResource(path=env_or("DANGAN_WAREHOUSE", str(settings.WAREHOUSE)))


def default_params() -> RunParams:
    return RunParams(as_of=env_or("DANGAN_AS_OF", ""))


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources={"warehouse": default_warehouse(), "params": default_params()})
