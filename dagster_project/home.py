"""The Dagster instance home of the embedded set-up: ``data/dagster`` with telemetry off.

``dagster dev`` reads ``$DAGSTER_HOME/dagster.yaml`` before it loads any code, so the
home has to exist first: ``export DAGSTER_HOME=$(python -m dagster_project.home)``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ingest import settings

TEMPLATE = Path(__file__).with_name("dagster.yaml")


def ensure_home(home: Path | None = None) -> Path:
    """Create the home with the project's dagster.yaml unless one is there already."""
    home = Path(home or settings.DAGSTER_HOME).resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        shutil.copyfile(TEMPLATE, config)
    return home


if __name__ == "__main__":
    print(ensure_home())
