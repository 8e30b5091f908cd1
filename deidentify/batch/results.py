"""What happened to one input file, and the exceptions a per-file function raises to say so.

Reasons are fixed phrases chosen by this package: they name the problem, never a value read
from the file (no patient name, ID, UID or date can reach a log through them).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from deidentify.pixels import PixelRefusal
from deidentify.writer import WriteError


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
TRUNCATED = "truncated or corrupt DICOM file"
COLLIDES = "its output path is also the output path of another input"


def reason_for(error: BaseException) -> tuple[Status, str]:
    """The status and the reason to report for an exception raised on one file.

    Only this package's own exceptions and the writer's (whose message is fixed) carry their
    message; any other exception is reported by its type, since messages of pydicom or the
    engine may quote a value of the file.
    """
    if isinstance(error, FileSkipped):
        return Status.SKIPPED, error.reason
    if isinstance(error, FileFailed | WriteError):
        return Status.FAILED, str(error)
    if isinstance(error, PixelRefusal):
        return Status.FAILED, error.reason
    if isinstance(error, OSError):
        return Status.FAILED, f"cannot read or write the file ({error.strerror or 'I/O error'})"
    if isinstance(error, EOFError):
        return Status.FAILED, TRUNCATED
    return Status.FAILED, f"cannot be de-identified ({type(error).__name__})"
