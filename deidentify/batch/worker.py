"""One task: de-identify an input into a temporary file, then move it into place.

Runs in the main process (one job) or in worker processes, each set up once by ``init`` with
the per-file function built from the run's factory.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from deidentify.batch.atomic import TempArea, publish
from deidentify.batch.discovery import InputFile
from deidentify.batch.files import FileFunction, FileFunctionFactory
from deidentify.batch.layout import hierarchy_path
from deidentify.batch.results import EXISTS, FileResult, Status, reason_for


@dataclass(frozen=True)
class Task:
    """An input and, in the mirror layout, its output path relative to the output folder."""

    item: InputFile
    target: PurePosixPath | None


class Worker:
    """Runs tasks with one per-file function into one output folder."""

    def __init__(self, function: FileFunction, output: Path) -> None:
        self.function = function
        self.output = output
        self.temp = TempArea(output)

    def run(self, task: Task) -> FileResult:
        """De-identify one input; every outcome is a result, never an exception.

        Warnings of pydicom are silenced: they quote values of the file (UIDs, dates).
        """
        item = task.item
        relative = str(item.relative)
        temporary = self.temp.new_name()
        moved = False
        try:
            input_bytes = item.path.stat().st_size
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                notes = self.function(item.path, temporary)
            target = task.target or hierarchy_path(temporary)
            output_bytes = temporary.stat().st_size
            placed = moved = publish(
                temporary, self.output / target, replace=task.target is not None
            )
            status, reason = (Status.OK, None) if placed else (Status.SKIPPED, EXISTS)
            return FileResult(item.root.label, relative, str(target), status, reason,
                              input_bytes, output_bytes if placed else 0, notes)
        except Exception as error:
            status, reason = reason_for(error)
            return FileResult(item.root.label, relative, None, status, reason)
        finally:
            if not moved:
                with contextlib.suppress(FileNotFoundError):
                    temporary.unlink()


_worker: Worker | None = None


PARENT_POLL_SECONDS = 0.5


def _exit_with_parent(parent: int) -> None:
    """End this worker once its parent is gone (killed): nothing is left running."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)


def init(factory: FileFunctionFactory, output: Path, parent: int) -> None:
    """Worker-process initializer: build the per-file function once; leave Ctrl-C to the
    main process, which lets running files finish; exit if the main process (``parent``, as
    it gave its own PID: it may be gone before this worker has started) is killed."""
    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    _worker = Worker(factory(), output)


def run_chunk(tasks: list[Task]) -> list[FileResult]:
    """Run a chunk of tasks in a worker process."""
    if _worker is None:
        raise RuntimeError("worker process not initialised")
    return [_worker.run(task) for task in tasks]
