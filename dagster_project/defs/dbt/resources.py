"""The dbt project; its manifest is prepared (parsed) at build/deploy time, not per build."""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from dagster_dbt import DbtProject

from ingest import settings

logger = logging.getLogger(__name__)

dbt_project = DbtProject(project_dir=settings.DBT_PROJECT_DIR)
DBT_DB_ENV = "DANGAN_DBT_DB"


def dbt_executable() -> str:
    """The dbt beside this interpreter (the project's virtualenv), else ``dbt`` on PATH."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else "dbt"


def newest_source_mtime(project_dir: Path) -> float:
    newest = 0.0
    for pattern in ("dbt_project.yml", "profiles.yml", "packages.yml", "dependencies.yml"):
        path = project_dir / pattern
        if path.exists():
            newest = max(newest, path.stat().st_mtime)
    for folder in ("models", "macros", "seeds", "snapshots", "tests", "analyses"):
        for path in (project_dir / folder).rglob("*"):
            if path.is_file():
                newest = max(newest, path.stat().st_mtime)
    return newest


CODE_FOLDERS = ("models", "macros", "seeds", "snapshots")


def project_code_hash(project_dir: Path | None = None) -> str:
    """A hash of everything that decides what the models compute: the project's models,
    macros, seeds and settings, and the official calendar's version (working days).

    A build whose hash differs from the one recorded with the incremental models
    (``intermediate.incremental_state``) recomputes them whole: a changed rule reaches
    every row, not only the rows that changed since.
    """
    project_dir = project_dir or Path(dbt_project.project_dir)
    digest = hashlib.sha256()
    files = [project_dir / "dbt_project.yml"]
    for folder in CODE_FOLDERS:
        files += (path for path in (project_dir / folder).rglob("*") if path.is_file())
    for path in sorted(files):
        digest.update(path.relative_to(project_dir).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    digest.update(f"chinesecalendar {version('chinesecalendar')}".encode())
    return digest.hexdigest()[:16]


def manifest_is_stale(project: DbtProject = dbt_project) -> bool:
    manifest = Path(project.manifest_path)
    return not manifest.exists() or manifest.stat().st_mtime < newest_source_mtime(Path(project.project_dir))


def prepare_manifest(project: DbtProject = dbt_project, *, force: bool = False) -> bool:
    """Run ``dbt parse`` when the manifest is missing or older than the project's files.

    Parsing takes seconds; doing it once at build/deploy time instead of on every load
    of the definitions is most of what makes ``dangan build`` fast.
    """
    if not force and not manifest_is_stale(project):
        return False
    command = [dbt_executable(), "parse", "--quiet"]
    env = {**os.environ, **settings.TELEMETRY_OFF}
    env.setdefault(DBT_DB_ENV, str(settings.DATA_DIR / "dbt-parse.duckdb"))
    logger.info("dbt parse in %s", project.project_dir)
    completed = subprocess.run(
        [*command, "--project-dir", str(project.project_dir), "--profiles-dir", str(project.profiles_dir)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"dbt parse of {project.project_dir} failed: {(completed.stdout + completed.stderr).strip()[-2000:]}"
        )
    return True
