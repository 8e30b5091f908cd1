"""``deidentify apply`` over folders: inputs, output layout, atomic writes, resume, workers.

``run_batch(options, factory, progress)`` de-identifies every input file with the per-file
function the factory builds (once per worker process) and returns the run's totals.

The names below are imported on first use: the command line starts the workers' fork server
(``deidentify.batch.processes``) before it imports pydicom and the engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from deidentify.lazy import importer

if TYPE_CHECKING:
    from deidentify.batch.discovery import InputError
    from deidentify.batch.files import EngineFactory, FileFunction, FileFunctionFactory
    from deidentify.batch.layout import Layout
    from deidentify.batch.pool import WorkerLost
    from deidentify.batch.progress import make_progress
    from deidentify.batch.results import FileFailed, FileResult, FileSkipped, Status
    from deidentify.batch.runner import BatchOptions, run_batch
    from deidentify.batch.summary import Totals, print_summary

_HOMES = {
    "BatchOptions": "deidentify.batch.runner",
    "EngineFactory": "deidentify.batch.files",
    "FileFailed": "deidentify.batch.results",
    "FileFunction": "deidentify.batch.files",
    "FileFunctionFactory": "deidentify.batch.files",
    "FileResult": "deidentify.batch.results",
    "FileSkipped": "deidentify.batch.results",
    "InputError": "deidentify.batch.discovery",
    "Layout": "deidentify.batch.layout",
    "Status": "deidentify.batch.results",
    "Totals": "deidentify.batch.summary",
    "WorkerLost": "deidentify.batch.pool",
    "make_progress": "deidentify.batch.progress",
    "print_summary": "deidentify.batch.summary",
    "run_batch": "deidentify.batch.runner",
}

__all__ = [
    "BatchOptions",
    "EngineFactory",
    "FileFailed",
    "FileFunction",
    "FileFunctionFactory",
    "FileResult",
    "FileSkipped",
    "InputError",
    "Layout",
    "Status",
    "Totals",
    "WorkerLost",
    "make_progress",
    "print_summary",
    "run_batch",
]


__getattr__ = importer(__name__, _HOMES, globals())
