"""Running tasks: in this process for one job or one task, else in a pool of worker processes.

Tasks go to workers in chunks (fewer round trips for small files) with a bounded number of
chunks in flight; results come back as chunks complete. When the run is asked to stop (the
``stop`` event: a signal, a log that cannot be written), queued chunks are cancelled and
running ones finish, their results still yielded, so every output is complete and reported.
Workers start as ``deidentify.batch.processes`` says (forked from a fork server that has
imported what they run, or spawned), and exit when this process is gone. Another pool (the
cluster's) runs the same tasks with the same ``Worker`` elsewhere: the runner takes any
``TaskPool``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from deidentify.batch import worker
from deidentify.batch.files import FileFunctionFactory
from deidentify.batch.processes import worker_context
from deidentify.batch.results import FileResult
from deidentify.batch.worker import Task, Worker

MAX_CHUNK = 32
CHUNKS_PER_JOB = 4
STOP_POLL_SECONDS = 0.2


class WorkerLost(Exception):
    """A worker process ended without reporting (killed, out of memory): the run stops."""

    def __init__(self) -> None:
        super().__init__("a worker process ended unexpectedly (killed or out of memory); "
                         "finished outputs are kept, rerun to resume")


class TaskPool(Protocol):
    """Where a run's tasks run: every task's result in completion order, each logged to
    ``log`` before it is yielded; once ``stop`` is set, no new task starts; each output's
    replacements noted in the journal of the ``linkage`` folder before it is placed."""

    def run(
        self, tasks: Sequence[Task], factory: FileFunctionFactory, output: Path,
        stop: threading.Event, log: Path | None, linkage: Path | None,
    ) -> Iterator[FileResult]: ...


@dataclass(frozen=True)
class LocalPool:
    """This machine: ``jobs`` worker processes, or this process for one job."""

    jobs: int = 1

    def run(
        self, tasks: Sequence[Task], factory: FileFunctionFactory, output: Path,
        stop: threading.Event, log: Path | None, linkage: Path | None,
    ) -> Iterator[FileResult]:
        """Every task's result, in completion order, logged by the process that ran it."""
        return run_tasks(tasks, factory, output, self.jobs, stop, log, linkage)


def chunk_size(count: int, jobs: int) -> int:
    """Tasks per chunk: small enough to balance the load, at most MAX_CHUNK."""
    return max(1, min(MAX_CHUNK, count // (jobs * CHUNKS_PER_JOB)))


def run_tasks(
    tasks: Sequence[Task], factory: FileFunctionFactory, output: Path, jobs: int,
    stop: threading.Event | None = None, log: Path | None = None,
    linkage: Path | None = None,
) -> Iterator[FileResult]:
    """The result of every task run, in completion order, each logged to ``log`` by the
    process that ran it; once ``stop`` is set, no new task starts. ``linkage``: the folder
    whose journal notes each output's replacements."""
    stop = stop or threading.Event()
    if not tasks:
        return
    if jobs <= 1 or len(tasks) == 1:
        single = Worker(factory(), output, log, linkage)
        try:
            for task in tasks:
                if stop.is_set():
                    return
                yield single.run(task)
        finally:
            if single.journal is not None:
                single.journal.close()
        return
    size = chunk_size(len(tasks), jobs)
    chunks = [list(tasks[start : start + size]) for start in range(0, len(tasks), size)]
    executor = ProcessPoolExecutor(
        max_workers=min(jobs, len(chunks)),
        mp_context=worker_context(),
        initializer=worker.init,
        initargs=(factory, output, os.getpid(), log, linkage),
    )
    pending: set[Future[list[FileResult]]] = set()
    try:
        queued = iter(chunks)
        for chunk in queued:
            pending.add(executor.submit(worker.run_chunk, chunk))
            if len(pending) >= jobs * 2:
                break
        while pending:
            done, pending = wait(pending, timeout=STOP_POLL_SECONDS,
                                 return_when=FIRST_COMPLETED)
            if stop.is_set():
                pending = {future for future in pending if not future.cancel()}
            for future in done:
                if future.cancelled():
                    continue
                try:
                    results = future.result()
                except BrokenProcessPool:
                    raise WorkerLost from None
                yield from results
                following = None if stop.is_set() else next(queued, None)
                if following is not None:
                    pending.add(executor.submit(worker.run_chunk, following))
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
