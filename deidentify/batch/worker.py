"""One task: de-identify an input into a temporary file, then move it into place.

Runs in the main process (one job) or in worker processes, each set up once by ``init`` with
the per-file function built from the run's factory.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from deidentify.batch.atomic import TempArea, publish
from deidentify.batch.discovery import InputFile
from deidentify.batch.files import FileFunction, FileFunctionFactory, FileOutcome
from deidentify.batch.layout import (
    NAMES_IN_PATH,
    date_terms,
    hierarchy_path,
    holds_names,
    masked_names,
    naming_terms,
)
from deidentify.batch.log import ResultLog
from deidentify.batch.manifest import ManifestWriter, Written, digest_of, is_ours
from deidentify.batch.processes import wait_for_exit
from deidentify.batch.results import EXISTS, REPLACED, FileResult, Status
from deidentify.linkage.journal import Journal


@dataclass(frozen=True)
class Task:
    """An input and, in the mirror layout, its output path relative to the output folder;
    ``replaces``: a file this tool did not write is at that path, to be replaced."""

    item: InputFile
    target: PurePosixPath | None
    replaces: bool = False


class Worker:
    """Runs tasks with one per-file function into one output folder."""

    def __init__(self, function: FileFunction, output: Path, log: Path | None = None,
                 linkage: Path | None = None) -> None:
        self.function = function
        self.output = output
        self.temp = TempArea(output)
        self.manifest = ManifestWriter(output)
        self.log = ResultLog(log)
        self.journal = Journal(linkage) if linkage is not None else None
        """Where each output's replacements are noted before it is moved into place."""

    def run(self, task: Task) -> FileResult:
        """De-identify one input and write its log record (right after its output is in
        place); a record that cannot be written is said in the result's ``log_error``."""
        return self.log.record(self._run(task))

    def _place(self, temporary: Path, target: PurePosixPath, written: Written,
               task: Task) -> str | None:
        """Record and move a complete output into place; the result's reason, or EXISTS
        when an output of this tool (or the same bytes) is already there."""
        path = self.output / target
        if task.target is not None:
            self.manifest.record(target, written)
            publish(temporary, path, replace=True)
            return REPLACED if task.replaces else None
        if path.exists():
            if digest_of(path) == written or is_ours(self.output, target):
                return EXISTS
            self.manifest.record(target, written)
            publish(temporary, path, replace=True)
            return REPLACED
        self.manifest.record(target, written)
        if publish(temporary, path, replace=False):
            return None
        self.manifest.record(target, digest_of(path))
        return EXISTS

    def _run(self, task: Task) -> FileResult:
        """De-identify one input; every outcome is a result, never an exception.

        The output's record goes to the folder's manifest before the output is moved into
        place; its size and digest are those the function reports of the bytes it wrote, or
        else read back from the file. Warnings of pydicom are silenced: they quote values of
        the file (UIDs, dates).
        """
        item = task.item
        relative = str(item.relative)
        temporary = self.temp.new_name()
        moved = False
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                outcome = self.function(item.path, temporary) or FileOutcome()
            terms = naming_terms(outcome.names) | date_terms(
                (relative, item.root.label), item.path, temporary)
            shown = masked_names(relative, terms)
            label = masked_names(item.root.label, terms)
            if task.target is not None and holds_names(task.target, terms):
                return FileResult(label, shown, None, Status.FAILED, NAMES_IN_PATH)
            relative = shown
            input_bytes = outcome.input_bytes
            if input_bytes is None:
                input_bytes = os.stat(item.path).st_size
            target = task.target or hierarchy_path(temporary)
            written = outcome.written or digest_of(temporary)
            if self.journal is not None and outcome.replacements is not None:
                self.journal.append(str(target), outcome.replacements)
            reason = self._place(temporary, target, written, task)
            if reason == EXISTS:
                return FileResult(label, relative, str(target), Status.SKIPPED,
                                  EXISTS, input_bytes, pixels=outcome.notes)
            moved = True
            return FileResult(label, relative, str(target), Status.OK, reason,
                              input_bytes, written.size, pixels=outcome.notes)
        except Exception as error:
            # pydicom's and the engine's exceptions, imported once a file fails: a run's main
            # process imports this module to hand tasks to workers, without either.
            from deidentify.batch.failures import reason_for

            status, reason = reason_for(error)
            return FileResult(item.root.label, relative, None, status, reason)
        finally:
            if not moved:
                with contextlib.suppress(FileNotFoundError):
                    temporary.unlink()


_worker: Worker | None = None
_busy = threading.Lock()
"""Held while a worker process runs a task: its parent's death waits for the file to end."""
_orphaned = threading.Event()
"""Set when the parent is gone: no further task starts."""


def _exit_with_parent(parent: int) -> None:
    """End this worker once the main process ``parent`` is gone (killed), after the file in
    progress (moved into place and logged, or not at all): nothing is left running."""
    wait_for_exit(parent)
    _orphaned.set()
    with _busy:
        os._exit(1)


def init(
    factory: FileFunctionFactory, output: Path, parent: int, log: Path | None = None,
    linkage: Path | None = None,
) -> None:
    """Worker-process initializer: build the per-file function once; leave Ctrl-C to the
    main process (SIGTERM too: it may be sent to the whole process group), which lets
    running files finish and records them; exit if the main process (``parent``, as
    it gave its own PID: it may be gone before this worker has started) is killed."""
    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    _worker = Worker(factory(), output, log, linkage)


def run_chunk(tasks: list[Task]) -> list[FileResult]:
    """Run a chunk of tasks in a worker process."""
    if _worker is None:
        raise RuntimeError("worker process not initialised")
    results = []
    for task in tasks:
        with _busy:
            if _orphaned.is_set():
                break
            results.append(_worker.run(task))
    return results
