"""The reason reported for an exception raised on one file: its kind, never its message.

In: an exception a per-file function raised. Out: the file's status and a fixed phrase. Only
this package's own exceptions and the writer's carry their message; messages of pydicom or
the engine may quote a value of the file.
"""

from __future__ import annotations

import struct
import zlib

from pydicom.errors import InvalidDicomError

from deidentify.batch.results import TRUNCATED, FileFailed, FileSkipped, Status
from deidentify.engine import NESTED_TOO_DEEPLY
from deidentify.linkage.patients import UnmappedPatient
from deidentify.pixels.risk import PixelRefusal
from deidentify.writer import WriteError

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
