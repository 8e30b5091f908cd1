"""The cluster's pool: a run's tasks as Dask futures, in chunks, a bounded number in flight.

Chunks are sized as for local workers (``pool.chunk_size``) over the cluster's worker
threads, and at most ``IN_FLIGHT_PER_THREAD`` chunks per thread are submitted at a time, so
the scheduler holds a window of the run, not all of it. Results come back as chunks
complete. A worker that dies loses its chunks; the scheduler runs them again elsewhere (a
task is idempotent: written under a temporary name, renamed into place). A chunk that has
killed ``distributed.scheduler.allowed-failures`` workers ends the run with WorkerLost; a
scheduler that drops the run's tasks (restarted, lost) ends it with ClusterError.
Once every chunk has completed, what lost workers left in the temporary folder is removed.
On interruption the pending chunks are cancelled; running ones finish.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import CancelledError
from pathlib import Path

from distributed import Client, Future, KilledWorker, as_completed

from deidentify.batch.atomic import TempArea
from deidentify.batch.files import FileFunctionFactory
from deidentify.batch.log import ResultLog
from deidentify.batch.pool import WorkerLost, chunk_size
from deidentify.batch.results import FileResult
from deidentify.batch.worker import Task
from deidentify.cluster.connect import ClusterError
from deidentify.cluster.tasks import run_chunk

IN_FLIGHT_PER_THREAD = 2


class ClusterPool:
    """Runs tasks on the workers of ``client``."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def threads(self) -> int:
        """The worker threads of the cluster now (at least one)."""
        counts: dict[str, int] = self.client.nthreads()
        return max(1, sum(counts.values()))

    def run(
        self, tasks: Sequence[Task], factory: FileFunctionFactory, output: Path,
        stop: threading.Event, log: Path | None,
    ) -> Iterator[FileResult]:
        """Every task's result, in completion order, logged by this process (the workers
        may not share the log's filesystem); once ``stop`` is set, no new chunk starts."""
        if not tasks:
            return
        threads = self.threads()
        size = chunk_size(len(tasks), threads)
        chunks = (list(tasks[start : start + size]) for start in range(0, len(tasks), size))
        folder = str(output.absolute())
        run = uuid.uuid4().hex[:12]
        numbers = itertools.count()
        records = ResultLog(log)

        def submit(chunk: list[Task]) -> Future[list[FileResult]]:
            return self.client.submit(run_chunk, factory, folder, chunk, pure=False,
                                      key=f"deidentify-{run}-{next(numbers)}")

        first = itertools.islice(chunks, threads * IN_FLIGHT_PER_THREAD)
        live: set[Future[list[FileResult]]] = {submit(chunk) for chunk in first}
        completed = as_completed(live, loop=self.client.loop)
        try:
            for future in completed:
                try:
                    results: list[FileResult] = future.result()
                except KilledWorker:
                    raise WorkerLost from None
                except CancelledError:
                    raise ClusterError("the scheduler dropped the run's tasks (restarted or "
                                       "unreachable); finished outputs are kept, rerun to "
                                       "resume") from None
                live.discard(future)
                future.release()
                following = None if stop.is_set() else next(chunks, None)
                if following is not None:
                    added = submit(following)
                    live.add(added)
                    completed.add(added)
                for result in results:
                    yield records.record(result)
                if stop.is_set() and live:
                    self.client.cancel(list(live))
                    live.clear()
                    break
            TempArea(output).prepare()
        finally:
            if live:
                self.client.cancel(list(live))
