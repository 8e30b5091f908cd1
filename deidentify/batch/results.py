"""What happened to one input file, and the exceptions a per-file function raises to say so.

Reasons are fixed phrases chosen by this package: they name the problem, never a value read
from the file (no patient name, ID, UID or date can reach a log through them). The reason for
any other exception is :mod:`deidentify.batch.failures`'s. This module imports neither
pydicom nor the engine: a run's main process, which only collects results, uses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Status(Enum):
    """The outcome of one input file."""

    OK = "ok"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class FileResult:
    """One input file's outcome: paths relative to its input root and to the output folder."""

    root: str
    input: str
    output: str | None
    status: Status
    reason: str | None = None
    input_bytes: int = 0
    output_bytes: int = 0
    log_error: str | None = None
    """Why this result's log record could not be written, or None."""
    pixels: dict[str, object] | None = None
    """What was done to the pixels of an object at risk of burned-in identity."""


class FileSkipped(Exception):
    """The file is deliberately not de-identified (not DICOM, a DICOMDIR, already done)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FileFailed(Exception):
    """The file is DICOM but cannot be de-identified (truncated, corrupt, refused)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


NOT_DICOM = "not a DICOM file"
DICOMDIR_DROPPED = "DICOMDIR not copied (E.1.1): it is dropped"
EXISTS = "exists"
REPLACED = "replaced a file at its output path that this tool had not written"
TRUNCATED = "truncated or corrupt DICOM file"
COLLIDES = "its output path is also the output path of another input"
