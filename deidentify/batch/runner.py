"""A whole run: inputs checked and listed, finished outputs skipped, the rest de-identified.

Every path met is accounted for, in the log and the totals: a file de-identified, skipped or
failed, a folder that cannot be read failed, a broken link or a folder met twice skipped. One
run writes into an output folder at a time (``lock``). Rerunning into the same output folder
resumes: a file at an output path counts as finished (``skipped``, ``exists``) only when the
folder's manifest records this tool writing exactly those bytes there; any other file there
is replaced by the de-identified output (``ok``, reason ``REPLACED``). In the mirror layout
this is decided before any work; in the hierarchy layout (whose paths depend on the new UIDs)
after the file is de-identified.

The run stops early, after the files in progress (whose results are still logged), when
``stop`` is set (a signal) or when the log cannot be written (``Totals.log_error``).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from deidentify.batch.atomic import TEMP_FOLDER, TempArea
from deidentify.batch.discovery import (
    InputError,
    InputFile,
    InputProblem,
    discover,
    resolve_inputs,
)
from deidentify.batch.files import FileFunctionFactory
from deidentify.batch.identity import RECORD, RunIdentity, claim_output
from deidentify.batch.layout import Layout
from deidentify.batch.lock import LOCK, OutputLock
from deidentify.batch.log import JsonLinesLog, LogError
from deidentify.batch.manifest import MANIFEST, is_ours, load_manifest
from deidentify.batch.pool import LocalPool, TaskPool
from deidentify.batch.progress import Progress, QuietProgress
from deidentify.batch.results import (
    COLLIDES,
    DICOMDIR_DROPPED,
    EXISTS,
    FileResult,
    Status,
)
from deidentify.batch.summary import Totals
from deidentify.batch.worker import Task
from deidentify.linkage.journal import write_linkage_files


def is_dicomdir_name(path: Path) -> bool:
    """A file named DICOMDIR (any case): a media directory, never copied (PS3.15 E.1.1)."""
    return path.name.upper() == "DICOMDIR"


@dataclass(frozen=True)
class BatchOptions:
    """What to de-identify, where to, and how."""

    inputs: tuple[Path, ...]
    output: Path
    layout: Layout = Layout.MIRROR
    jobs: int = 1
    log: Path | None = None
    identity: RunIdentity | None = None
    """The run's settings (``identity.run_identity``): recorded in, and checked against, the
    output folder."""
    other_outputs: tuple[Path, ...] = ()
    """Files the command writes besides the log (a JSON summary): never inside an input."""
    files_from: Path | None = None
    """A list of the files to de-identify, one path a line, relative to the one input folder."""
    linkage: Path | None = None
    """The folder of the linkage files (``patients.csv``, ``uids.csv``), written at the end."""


def _skipped(item: InputFile, reason: str) -> FileResult:
    return FileResult(item.root.label, str(item.relative), None, Status.SKIPPED, reason)


def _problem(problem: InputProblem) -> FileResult:
    status = Status.FAILED if problem.failed else Status.SKIPPED
    return FileResult(problem.root.label, str(problem.relative), None, status, problem.reason)


def plan_tasks(
    items: list[InputFile | InputProblem], options: BatchOptions
) -> tuple[list[Task], list[FileResult]]:
    """The tasks to run, and the results settled without running anything."""
    tasks: list[Task] = []
    settled: list[FileResult] = []
    targets: set[str] = set()
    records = load_manifest(options.output)
    fresh = not holds_outputs(options.output)
    for item in items:
        if isinstance(item, InputProblem):
            settled.append(_problem(item))
            continue
        if is_dicomdir_name(item.path):
            settled.append(_skipped(item, DICOMDIR_DROPPED))
            continue
        if options.layout is Layout.HIERARCHY:
            tasks.append(Task(item, None))
            continue
        target = item.mirror_path
        if str(target) in targets:
            settled.append(FileResult(item.root.label, str(item.relative), None,
                                      Status.FAILED, COLLIDES))
            continue
        targets.add(str(target))
        if not fresh and (options.output / target).exists():
            if is_ours(options.output, target, records):
                settled.append(FileResult(item.root.label, str(item.relative), str(target),
                                          Status.SKIPPED, EXISTS))
                continue
            tasks.append(Task(item, target, replaces=True))
            continue
        tasks.append(Task(item, target))
    return tasks, settled


RECORDS = frozenset({MANIFEST, LOCK, RECORD, TEMP_FOLDER})
"""What a run keeps in the output folder besides the outputs."""


def holds_outputs(output: Path) -> bool:
    """Whether the output folder holds anything but a run's records: if not, no output path
    needs looking at."""
    with os.scandir(output) as entries:
        return any(entry.name not in RECORDS for entry in entries)


def _logged(settled: list[FileResult], log: JsonLinesLog | None) -> Iterator[FileResult]:
    """The settled results, each logged by this process as it is accounted for."""
    failed = None
    for result in settled:
        if log is not None and failed is None:
            try:
                log.write(result)
            except LogError as error:
                failed = str(error)
                result = replace(result, log_error=failed)
        yield result


def _results(
    tasks: list[Task], settled: Iterator[FileResult], factory: FileFunctionFactory,
    options: BatchOptions, stop: threading.Event, pool: TaskPool,
) -> Iterator[FileResult]:
    yield from settled
    yield from pool.run(tasks, factory, options.output, stop, options.log, options.linkage)


def run_batch(
    options: BatchOptions, factory: FileFunctionFactory, progress: Progress | None = None,
    stop: threading.Event | None = None, pool: TaskPool | None = None,
) -> Totals:
    """Run the batch; InputError (nothing done) for bad inputs or output folder, another run
    writing there, or a log that cannot be created (LogError).

    Tasks run in ``pool``, by default this machine's ``--jobs`` worker processes.
    """
    extra = (*(path for path in (options.log, options.linkage) if path is not None),
             *options.other_outputs)
    roots = resolve_inputs(options.inputs, options.output, extra)
    if options.linkage is not None:
        check_linkage_folder(options.linkage, options.output)
    items = list(discover(roots, options.files_from))
    stop = stop or threading.Event()
    display = progress or QuietProgress(sys.stderr)
    started = time.monotonic()
    totals = Totals()
    with contextlib.ExitStack() as stack:
        log = (stack.enter_context(JsonLinesLog(options.log, truncate=True))
               if options.log else None)
        options.output.mkdir(parents=True, exist_ok=True)
        stack.enter_context(OutputLock(options.output))
        if options.identity is not None:
            claim_output(options.output, options.identity)
        temp = TempArea(options.output)
        temp.prepare()
        tasks, settled = plan_tasks(items, options)
        display.start(len(items))
        try:
            for result in _results(tasks, _logged(settled, log), factory, options, stop,
                                   pool or LocalPool(options.jobs)):
                totals.add(result)
                if result.log_error is not None and totals.log_error is None:
                    totals.log_error = result.log_error
                    stop.set()
                display.advance(result)
        finally:
            display.finish()
            temp.remove_if_empty()
            if options.linkage is not None:
                write_linkage_files(options.linkage, options.output)
            totals.seconds = time.monotonic() - started
            totals.interrupted = stop.is_set()
    return totals


def check_linkage_folder(linkage: Path, output: Path) -> None:
    """InputError if the linkage folder lies in the output folder (it identifies patients)."""
    folder, out = linkage.resolve(), output.resolve()
    if folder == out or out in folder.parents:
        raise InputError(f"{linkage}: the linkage folder identifies patients: it cannot lie "
                         "inside the output folder")
