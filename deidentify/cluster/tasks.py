"""What runs on a worker: the run's per-file ``Worker``, built once per worker thread.

The task graph carries ``WorkerEngineFactory`` (the engine's settings, the secret left out
and replaced by its fingerprint), the output folder and chunks of ``Task``; the worker
finds the secret (``secret.py``) and runs each task exactly as a local worker process does.
Temporary names carry the host as well as the process, since processes of several machines
write into one temporary folder.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from deidentify.batch.atomic import TempArea, host_label
from deidentify.batch.files import EngineFactory, FileFunction
from deidentify.batch.results import FileResult
from deidentify.batch.worker import Task, Worker
from deidentify.cluster.secret import fingerprint, secret_on_worker


@dataclass(frozen=True)
class WorkerEngineFactory:
    """The run's ``EngineFactory`` without its secret, which each worker supplies."""

    settings: EngineFactory
    secret_fingerprint: str
    secret_file: str | None = None
    """A secret file as the workers see it; None: the secret comes with the worker plugin."""

    @classmethod
    def without_secret(cls, factory: EngineFactory, secret_file: str | None) -> WorkerEngineFactory:
        """The factory to send to workers for ``factory``."""
        return cls(replace(factory, secret=b""), fingerprint(factory.secret), secret_file)

    def __call__(self) -> FileFunction:
        secret = secret_on_worker(self.secret_fingerprint, self.secret_file)
        return replace(self.settings, secret=secret)()


class HostTempArea(TempArea):
    """Temporary subfolders ``PID-HOST``: unique across the machines of a cluster."""

    def __init__(self, output: Path) -> None:
        super().__init__(output)
        self.host = host_label()

    def owner(self) -> str:
        return f"{os.getpid()}-{self.host}"


_local = threading.local()


def _worker(factory: WorkerEngineFactory, output: Path, linkage: Path | None) -> Worker:
    cached: tuple[WorkerEngineFactory, Path, Path | None, Worker] | None = getattr(
        _local, "worker", None)
    if cached is None or cached[:3] != (factory, output, linkage):
        worker = Worker(factory(), output, linkage=linkage)
        worker.temp = HostTempArea(output)
        cached = (factory, output, linkage, worker)
        _local.worker = cached
    return cached[3]


def run_chunk(factory: WorkerEngineFactory, output: str, tasks: list[Task],
              linkage: str | None = None) -> list[FileResult]:
    """Run a chunk of tasks on this worker; every task's result (each output's replacements
    journalled in the shared ``linkage`` folder)."""
    worker = _worker(factory, Path(output), Path(linkage) if linkage else None)
    return [worker.run(task) for task in tasks]
