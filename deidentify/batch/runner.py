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
from deidentify.batch.discovery import InputError, InputFile, discover, resolve_inputs
from deidentify.batch.files import FileFunctionFactory
from deidentify.batch.identity import claim_output
from deidentify.batch.layout import Layout
from deidentify.batch.log import JsonLinesLog
from deidentify.batch.pool import run_tasks
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
    identity: str | None = None
    """The run's settings (``identity.run_identity``): recorded in, and checked against, the
    output folder."""
    linkage: Path | None = None
    """The folder of the linkage files (``patients.csv``, ``uids.csv``), written at the end."""


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
    options: BatchOptions,
) -> Iterator[FileResult]:
    yield from settled
    yield from run_tasks(tasks, factory, options.output, options.jobs, options.linkage)


def run_batch(
    options: BatchOptions, factory: FileFunctionFactory, progress: Progress | None = None
) -> Totals:
    """Run the batch; InputError (nothing done) for bad inputs or output folder."""
    extra = tuple(path for path in (options.log, options.linkage) if path is not None)
    roots = resolve_inputs(options.inputs, options.output, extra)
    if options.linkage is not None:
        check_linkage_folder(options.linkage, options.output)
    display = progress or QuietProgress(sys.stderr)
    started = time.monotonic()
    options.output.mkdir(parents=True, exist_ok=True)
    if options.identity is not None:
        claim_output(options.output, options.identity)
    temp = TempArea(options.output)
    temp.prepare()
    items = list(discover(roots))
    tasks, settled = plan_tasks(items, options)
    totals = Totals()
    display.start(len(items))
    try:
        with contextlib.ExitStack() as stack:
            log = stack.enter_context(JsonLinesLog(options.log)) if options.log else None
            for result in _results(tasks, settled, factory, options):
                totals.add(result)
                if log is not None:
                    log.write(result)
                display.advance(result)
    finally:
        display.finish()
        temp.remove_if_empty()
        if options.linkage is not None:
            write_linkage_files(options.linkage, options.output)
        totals.seconds = time.monotonic() - started
    return totals


def check_linkage_folder(linkage: Path, output: Path) -> None:
    """InputError if the linkage folder lies in the output folder (it identifies patients)."""
    folder, out = linkage.resolve(), output.resolve()
    if folder == out or out in folder.parents:
        raise InputError(f"{linkage}: the linkage folder identifies patients: it cannot lie "
                         "inside the output folder")
