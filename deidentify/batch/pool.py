"""Running tasks: in this process for one job or one task, else in a pool of worker processes.

Tasks go to workers in chunks (fewer round trips for small files) with a bounded number of
chunks in flight; results come back as chunks complete. On interruption, pending chunks are
cancelled and running ones finish, so every output is complete. Workers are spawned (not
forked from a process that may run a progress thread) as children of this process, and exit
when it is gone.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from deidentify.batch import worker
from deidentify.batch.files import FileFunctionFactory
from deidentify.batch.results import FileResult
from deidentify.batch.worker import Task, Worker

MAX_CHUNK = 32
CHUNKS_PER_JOB = 4


class WorkerLost(Exception):
    """A worker process ended without reporting (killed, out of memory): the run stops."""

    def __init__(self) -> None:
        super().__init__("a worker process ended unexpectedly (killed or out of memory); "
                         "finished outputs are kept, rerun to resume")


def chunk_size(count: int, jobs: int) -> int:
    """Tasks per chunk: small enough to balance the load, at most MAX_CHUNK."""
    return max(1, min(MAX_CHUNK, count // (jobs * CHUNKS_PER_JOB)))


def run_tasks(
    tasks: Sequence[Task], factory: FileFunctionFactory, output: Path, jobs: int,
    linkage: Path | None = None,
) -> Iterator[FileResult]:
    """Every task's result, in completion order; ``linkage``: the folder whose journal notes
    each output's replacements."""
    if not tasks:
        return
    if jobs <= 1 or len(tasks) == 1:
        single = Worker(factory(), output, linkage)
        try:
            for task in tasks:
                yield single.run(task)
        finally:
            if single.journal is not None:
                single.journal.close()
        return
    size = chunk_size(len(tasks), jobs)
    chunks = [list(tasks[start : start + size]) for start in range(0, len(tasks), size)]
    executor = ProcessPoolExecutor(
        max_workers=min(jobs, len(chunks)),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=worker.init,
        initargs=(factory, output, os.getpid(), linkage),
    )
    pending: set[Future[list[FileResult]]] = set()
    try:
        queued = iter(chunks)
        for chunk in queued:
            pending.add(executor.submit(worker.run_chunk, chunk))
            if len(pending) >= jobs * 2:
                break
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                try:
                    results = future.result()
                except BrokenProcessPool:
                    raise WorkerLost from None
                yield from results
                following = next(queued, None)
                if following is not None:
                    pending.add(executor.submit(worker.run_chunk, following))
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
