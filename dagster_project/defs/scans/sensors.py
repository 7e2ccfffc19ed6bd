"""New, changed or removed files in the scans folder start scan ingestion and the marts after it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import dagster as dg

from dagster_project.defs.scans.jobs import scans_job
from dagster_project.defs.scans.resources import ScansResource
from scans.formats import SUFFIXES
from scans.walk import walk_scans


def folder_state(folder: Path | None) -> dict[str, list[int]]:
    """Every scan file under the folder with its (mtime_ns, size): the sensor's cursor.

    The folder is walked as the reader walks it (``scans.walk``): no link followed out of
    it, nothing but regular files looked at.
    """
    if folder is None or not folder.is_dir():
        return {}
    state = {}
    for found in walk_scans(folder):
        if found.target is None or Path(found.rel_path).suffix.lower() not in SUFFIXES:
            continue
        try:
            stat = found.target.stat()
        except OSError:
            continue
        state[found.rel_path] = [stat.st_mtime_ns, stat.st_size]
    return state


def changed_files(previous: dict[str, list[int]], current: dict[str, list[int]]) -> list[str]:
    """New or changed files, and files gone since the cursor (their documents are no
    longer scanned once the scans are read again)."""
    changed = {name for name, signature in current.items() if previous.get(name) != signature}
    return sorted(changed | (previous.keys() - current.keys()))


@dg.sensor(job=scans_job, minimum_interval_seconds=60, description="new files in the scans folder")
def new_scans_sensor(context: dg.SensorEvaluationContext, scans: ScansResource):
    previous = json.loads(context.cursor) if context.cursor else {}
    current = folder_state(scans.folder)
    changed = changed_files(previous, current)
    if not changed:
        return dg.SkipReason(f"no new files in {scans.folder}")
    context.update_cursor(json.dumps(current))
    run_key = hashlib.sha256(
        json.dumps({name: current.get(name, "removed") for name in changed}).encode()
    ).hexdigest()[:24]
    return dg.RunRequest(run_key=run_key, tags={"dangan/new_scan_files": str(len(changed))})
