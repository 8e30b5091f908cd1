"""A whole run: inputs checked and listed, finished outputs skipped, the rest de-identified.

Rerunning into the same output folder resumes: in the mirror layout an existing output is
skipped before any work; in the hierarchy layout (whose paths depend on the new UIDs) the
file is de-identified and then found to exist. Either way its status is ``skipped``, reason
``exists``.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from deidentify.batch.atomic import TempArea
from deidentify.batch.discovery import InputFile, discover, resolve_inputs
from deidentify.batch.files import FileFunctionFactory
from deidentify.batch.identity import claim_output
from deidentify.batch.layout import Layout
from deidentify.batch.log import JsonLinesLog
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
    identity: str | None = None
    """The run's settings (``identity.run_identity``): recorded in, and checked against, the
    output folder."""
    files_from: Path | None = None
    """A list of the files to de-identify, one path a line, relative to the one input folder."""


def _skipped(item: InputFile, reason: str) -> FileResult:
    return FileResult(item.root.label, str(item.relative), None, Status.SKIPPED, reason)


def plan_tasks(
    items: list[InputFile], options: BatchOptions
) -> tuple[list[Task], list[FileResult]]:
    """The tasks to run, and the results settled without running anything."""
    tasks: list[Task] = []
    settled: list[FileResult] = []
    targets: set[str] = set()
    for item in items:
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
        if (options.output / target).exists():
            settled.append(FileResult(item.root.label, str(item.relative), str(target),
                                      Status.SKIPPED, EXISTS))
            continue
        tasks.append(Task(item, target))
    return tasks, settled


def _results(
    tasks: list[Task], settled: list[FileResult], factory: FileFunctionFactory,
    options: BatchOptions, pool: TaskPool,
) -> Iterator[FileResult]:
    yield from settled
    yield from pool.run(tasks, factory, options.output)


def run_batch(
    options: BatchOptions, factory: FileFunctionFactory, progress: Progress | None = None,
    pool: TaskPool | None = None,
) -> Totals:
    """Run the batch; InputError (nothing done) for bad inputs or output folder.

    Tasks run in ``pool``, by default this machine's ``--jobs`` worker processes.
    """
    extra = (options.log,) if options.log is not None else ()
    roots = resolve_inputs(options.inputs, options.output, extra)
    display = progress or QuietProgress(sys.stderr)
    started = time.monotonic()
    options.output.mkdir(parents=True, exist_ok=True)
    if options.identity is not None:
        claim_output(options.output, options.identity)
    temp = TempArea(options.output)
    temp.prepare()
    items = list(discover(roots, options.files_from))
    tasks, settled = plan_tasks(items, options)
    totals = Totals()
    display.start(len(items))
    try:
        with contextlib.ExitStack() as stack:
            log = stack.enter_context(JsonLinesLog(options.log)) if options.log else None
            for result in _results(tasks, settled, factory, options,
                                   pool or LocalPool(options.jobs)):
                totals.add(result)
                if log is not None:
                    log.write(result)
                display.advance(result)
    finally:
        display.finish()
        temp.remove_if_empty()
        totals.seconds = time.monotonic() - started
    return totals
