"""scans.pool: how many worker processes a run starts."""

from __future__ import annotations

import multiprocessing
import os

from scans.pool import TaskPool


def _pid(_task: int) -> int:
    return os.getpid()


def _workers_after(tasks: int) -> tuple[int, int]:
    """(worker processes alive, distinct workers that ran a task) after a run of ``tasks``
    tasks with up to 2 workers, one per 8 tasks."""
    with TaskPool(workers=2, timeout=60, tasks_per_worker=8) as pool:
        pids = {pid for _task, pid in pool.run(_pid, range(tasks))}
        return len(multiprocessing.active_children()), len(pids)


def test_a_run_of_few_tasks_starts_one_worker_and_a_larger_one_more() -> None:
    """GIVEN a pool of up to 2 workers, one for every 8 tasks WHEN it runs 8 tasks THEN one
    worker process is started, and it runs them all; WHEN it runs 9 THEN a second starts."""
    assert _workers_after(8) == (1, 1)
    alive, _ = _workers_after(9)
    assert alive == 2
