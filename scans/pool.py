"""Worker processes that run one task at a time each, every task within a time budget.

``concurrent.futures`` cannot stop a task that hangs (a file that decodes for ever, a
read that blocks): its pool only waits. Here each worker is a process of its own fed
through a pipe; a task past its budget gets its worker killed and replaced, and the task
comes back as a ``TaskFailed``, as does a task whose worker died (out of memory, a crash
in a C library). Workers are started with ``spawn`` (no copy of the parent's threads or
DuckDB connection) and report ready before their first task, so the start-up imports do
not count against the budget.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import sys
import time
import types
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

logger = logging.getLogger(__name__)

READY = "ready"
# A worker that dies before it is ready (its initializer fails) is replaced this many
# times in one run, then the run stops with the error: no endless respawning.
MAX_START_FAILURES = 3


@dataclass(frozen=True)
class TaskFailed:
    """A task the pool could not finish: ``reason`` is ``timeout``, ``crashed`` or ``error``."""

    reason: str
    message: str


@contextlib.contextmanager
def bare_main() -> Iterator[None]:
    """Start spawned workers without re-running the caller's ``__main__``.

    A spawned child imports the parent's main module first; the workers need nothing
    from it, and a host that swapped in a script of its own as ``__main__`` (a Streamlit
    page, a notebook) would otherwise run that script in every worker and kill it.
    """
    saved = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if saved is not None:
            sys.modules["__main__"] = saved


# Each worker reads one page at a time on one core: numpy's BLAS needs no thread pool of
# its own, whose start-up costs every worker ~40 ms of CPU.
WORKER_ENVIRONMENT = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


@contextlib.contextmanager
def worker_environment() -> Iterator[None]:
    """The environment a worker starts with: the host's, plus ``WORKER_ENVIRONMENT`` where
    the host did not set those variables itself; the host's own is left as it was."""
    added = {name: value for name, value in WORKER_ENVIRONMENT.items() if name not in os.environ}
    os.environ.update(added)
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)


def _serve(conn: Connection, initializer: Callable[..., None] | None, initargs: tuple) -> None:
    """The worker's loop: run each task sent, send back its result (or what it raised)."""
    if initializer is not None:
        initializer(*initargs)
    conn.send(READY)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        function, argument = job
        try:
            result: Any = function(argument)
        except BaseException as exc:  # the boundary of one task: report, keep serving
            result = TaskFailed("error", f"{type(exc).__name__}: {exc}")
        conn.send(result)


class _Worker:
    def __init__(self, context: Any, initializer: Callable[..., None] | None, initargs: tuple) -> None:
        parent, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, initializer, initargs), daemon=True)
        with bare_main(), worker_environment():
            self.process.start()
        child.close()
        self.conn: Connection = parent
        self.ready = False
        self.task: Any = None
        self.deadline = 0.0

    def stop(self, *, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            with contextlib.suppress(OSError):
                self.conn.send(None)
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class TaskPool:
    """Up to ``workers`` worker processes, started on the first tasks and kept for the next
    ``run`` (a run hashes, then reads, with the same workers); stopped on leaving the block.

    A run starts one worker for every ``tasks_per_worker`` tasks (up to ``workers``): a
    worker's start (interpreter, numpy, Pillow: ~0.4 s of CPU) is paid only where it has
    enough tasks to earn it back, so a run over a handful of new files uses one
    (``scans.config.FILES_PER_WORKER``).

    ``function`` and the tasks must be picklable (module-level functions, dataclasses).
    In a daemonic process, which may not start children, tasks run in-process, without
    the time budget.
    """

    def __init__(
        self,
        *,
        workers: int,
        timeout: float,
        initializer: Callable[..., None] | None = None,
        initargs: tuple = (),
        in_process_initargs: tuple | None = None,
        tasks_per_worker: int = 1,
    ) -> None:
        self.workers = max(1, workers)
        self.tasks_per_worker = max(1, tasks_per_worker)
        self.timeout = timeout
        self.initializer = initializer
        self.initargs = initargs
        # What the initializer gets when tasks run in this very process: limits meant for
        # a worker (its address space) must not bind the host process.
        self.in_process_initargs = initargs if in_process_initargs is None else in_process_initargs
        self._context = multiprocessing.get_context("spawn")
        self._pool: list[_Worker] = []
        self._start_failures = 0
        self._in_process = multiprocessing.current_process().daemon

    def __enter__(self) -> TaskPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        for worker in self._pool:
            worker.stop(kill=worker.task is not None)
        self._pool = []

    def _new_worker(self) -> _Worker:
        return _Worker(self._context, self.initializer, self.initargs)

    def run(self, function: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[tuple[Any, Any]]:
        """(task, result or TaskFailed) for every task, as the workers finish them."""
        if not tasks:
            return
        if self._in_process:
            logger.info("scans: running inside a daemonic process; reading files in-process, no time budget")
            if self.initializer is not None:
                self.initializer(*self.in_process_initargs)
            for task in tasks:
                yield task, function(task)
            return
        wanted = min(self.workers, -(-len(tasks) // self.tasks_per_worker))
        while len(self._pool) < wanted:
            self._pool.append(self._new_worker())
        pool = self._pool
        pending = list(reversed(tasks))
        while pending or any(worker.task is not None for worker in pool):
            for worker in pool:
                if worker.ready and worker.task is None and pending:
                    worker.task = pending.pop()
                    worker.deadline = time.monotonic() + self.timeout
                    worker.conn.send((function, worker.task))
            busy = [worker.deadline for worker in pool if worker.task is not None]
            wait_for = max(0.0, min(busy) - time.monotonic()) if busy else None
            ready = wait([worker.conn for worker in pool], timeout=wait_for)
            for index, worker in enumerate(pool):
                if worker.conn not in ready:
                    continue
                try:
                    message = worker.conn.recv()
                except (EOFError, OSError):
                    code = worker.process.exitcode
                    task, worker.task = worker.task, None
                    worker.stop(kill=True)
                    if task is None and not worker.ready:
                        self._start_failures += 1
                        if self._start_failures > MAX_START_FAILURES:
                            raise RuntimeError(
                                f"scan reader processes fail to start (exit code {code})"
                            ) from None
                    pool[index] = self._new_worker()
                    if task is not None:
                        yield task, TaskFailed("crashed", f"reader process died (exit code {code})")
                    continue
                if message == READY:
                    worker.ready = True
                    continue
                task, worker.task = worker.task, None
                yield task, message
            now = time.monotonic()
            for index, worker in enumerate(pool):
                if worker.task is not None and now >= worker.deadline:
                    task, worker.task = worker.task, None
                    worker.stop(kill=True)
                    pool[index] = self._new_worker()
                    yield task, TaskFailed("timeout", f"took longer than {self.timeout:g} s; stopped")
