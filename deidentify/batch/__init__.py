"""``deidentify apply`` over folders: inputs, output layout, atomic writes, resume, workers.

``run_batch(options, factory, progress)`` de-identifies every input file with the per-file
function the factory builds (once per worker process) and returns the run's totals.
"""

from deidentify.batch.discovery import InputError
from deidentify.batch.files import EngineFactory, FileFunction, FileFunctionFactory
from deidentify.batch.layout import Layout
from deidentify.batch.pool import WorkerLost
from deidentify.batch.progress import make_progress
from deidentify.batch.results import FileFailed, FileResult, FileSkipped, Status
from deidentify.batch.runner import BatchOptions, run_batch
from deidentify.batch.summary import Totals, print_summary

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
