"""What happened to one input file, and the exceptions a per-file function raises to say so.

Reasons are fixed phrases chosen by this package: they name the problem, never a value read
from the file (no patient name, ID, UID or date can reach a log through them).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from enum import Enum

from pydicom.errors import InvalidDicomError

from deidentify.engine import NESTED_TOO_DEEPLY
from deidentify.linkage.patients import UnmappedPatient
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


INVALID = "not a valid DICOM file"
BAD_LENGTH = "an element's value length does not fit its VR"
BAD_TEXT = "a text value cannot be decoded in the file's character set"
BAD_VALUE = "a value cannot be parsed as its VR"
BAD_STRUCTURE = "the dataset's structure cannot be parsed"
UNSUPPORTED = "an element's VR or the encoding is not one this tool reads"
NO_MEMORY = "not enough memory to de-identify the file"

_KINDS: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], str], ...] = (
    (InvalidDicomError, INVALID),
    ((EOFError, zlib.error), TRUNCATED),
    (struct.error, BAD_LENGTH),
    (UnicodeError, BAD_TEXT),
    (RecursionError, NESTED_TOO_DEEPLY),
    (MemoryError, NO_MEMORY),
    (NotImplementedError, UNSUPPORTED),
    ((ValueError, OverflowError), BAD_VALUE),
    ((KeyError, IndexError, AttributeError, TypeError), BAD_STRUCTURE),
)
"""The kind of problem each parser exception stands for, first match wins."""


def reason_for(error: BaseException) -> tuple[Status, str]:
    """The status and the reason to report for an exception raised on one file.

    Only this package's own exceptions and the writer's (whose message is fixed) carry their
    message; any other exception is reported by the kind of problem its type stands for,
    since messages of pydicom or the engine may quote a value of the file. An OSError with
    no error number is pydicom's complaint about the bytes (``No tag to read``): truncated.
    """
    if isinstance(error, FileSkipped):
        return Status.SKIPPED, error.reason
    if isinstance(error, FileFailed | WriteError | UnmappedPatient):
        return Status.FAILED, str(error)
    if isinstance(error, PixelRefusal):
        return Status.FAILED, error.reason
    if isinstance(error, OSError):
        if error.errno is None:
            return Status.FAILED, TRUNCATED
        return Status.FAILED, f"cannot read or write the file ({error.strerror or 'I/O error'})"
    for kinds, reason in _KINDS:
        if isinstance(error, kinds):
            return Status.FAILED, reason
    return Status.FAILED, f"internal error ({type(error).__name__}); please report it"
