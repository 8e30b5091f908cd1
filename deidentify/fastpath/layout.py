"""Where each element of a DICOM file lies, from the one walk that checks its structure.

In: a whole input file (bytes or a memory map). Out: a :class:`FileLayout`, the File Meta and
top-level elements as offsets (values are never decoded), or :class:`Declined`, or
:class:`~deidentify.structure.CorruptStructure`. The walk is :mod:`deidentify.structure`'s,
the strict check every path runs, asked to record as it checks; this module adds what the
fast path alone declines before the dataset is walked: no 128-byte preamble and DICM prefix
(but for a raw dataset of group 0008 in little endian, read from its first byte), no, a
non-ASCII or an unknown Transfer Syntax UID, big endian or deflated, a first element
whose VR encoding contradicts the transfer syntax or of group 0000-0002. Where the walk finds
the elements are not in the forms the fast path reads (``NotRecorded``), it declines too; the
caller then falls back to the reference path, which reports or tolerates the problem as it
does.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from pydicom.uid import UID, ExplicitVRLittleEndian, ImplicitVRLittleEndian

from deidentify.structure import (
    ITEM,
    ITEM_DELIMITER,
    PIXEL_DATA,
    PREAMBLE_LENGTH,
    PREFIX,
    SEQUENCE_DELIMITER,
    TRANSFER_SYNTAX_UID,
    UNDEFINED,
    Buffer,
    Element,
    NotRecorded,
    Recorder,
    looks_implicit,
    written_vr,
)

__all__ = ["ITEM", "ITEM_DELIMITER", "PIXEL_DATA", "PREAMBLE_LENGTH", "PREFIX",
           "SEQUENCE_DELIMITER", "UNDEFINED", "Declined", "Element", "FileLayout", "read_layout"]


class Declined(Exception):
    """The fast path does not handle this input; the reference path must process it."""


@dataclass(frozen=True)
class FileLayout:
    """A parsed file: its File Meta elements, transfer syntax and top-level elements."""

    meta: tuple[Element, ...]
    transfer_syntax: str
    implicit_vr: bool
    elements: tuple[Element, ...]
    raw: bool = False
    """A raw dataset: no preamble, no File Meta (the transfer syntax is pydicom's guess)."""


def _text(buf: Buffer, element: Element) -> str:
    try:
        text = bytes(buf[element.value_start : element.content_end]).decode("ascii")
    except UnicodeDecodeError:
        raise Declined("non-ASCII bytes in a File Meta UID") from None
    return text.rstrip("\0 ")


@cache
def _implicit_vr(syntax: str) -> bool:
    """Whether a transfer syntax this path reads is implicit VR; Declined if it is unknown,
    big endian or deflated (the answer is kept: a batch has few syntaxes)."""
    uid = UID(syntax)
    if not uid.is_transfer_syntax or not uid.is_little_endian or uid.is_deflated:
        raise Declined("transfer syntax is not little endian, is deflated or is unknown")
    return bool(uid.is_implicit_VR)


def _check_first_element(buf: Buffer, pos: int, end: int, implicit: bool) -> None:
    """Decline when the first element contradicts the transfer syntax's VR encoding (the
    reference reader then switches encoding, which this path does not mimic) or belongs to
    group 0000-0002."""
    if pos + 6 <= end:
        raw_vr = buf[pos + 4 : pos + 6]
        looks_explicit = 0x40 < raw_vr[0] < 0x5B and 0x40 < raw_vr[1] < 0x5B
        if looks_explicit == implicit:
            raise Declined("dataset VR encoding contradicts the transfer syntax")
    if pos + 4 <= end and int.from_bytes(buf[pos : pos + 2], "little") <= 0x0002:
        raise Declined("File Meta or group 0000 elements inside the dataset")


def read_layout(buf: Buffer, private: bool = True) -> FileLayout:
    """Parse a whole DICOM file held in ``buf`` (bytes or a memory map), checking its
    structure in the same walk; Declined, or CorruptStructure if it is inconsistent.
    ``private``: whether the top-level elements of odd groups are laid out (without, they
    are checked only: for a reader that drops them all)."""
    end = len(buf)
    if end < PREAMBLE_LENGTH + 4 or buf[PREAMBLE_LENGTH : PREAMBLE_LENGTH + 4] != PREFIX:
        return _raw_layout(buf, private)
    try:
        recorder = Recorder(buf)
        meta, dataset_start = recorder.meta()
        syntax = next((_text(buf, e) for e in meta if e.tag == TRANSFER_SYNTAX_UID), None)
        if syntax is None:
            raise Declined("no Transfer Syntax UID in File Meta")
        implicit = _implicit_vr(syntax)
        _check_first_element(buf, dataset_start, end, implicit)
        elements = recorder.dataset(dataset_start, implicit, private)
    except NotRecorded as reason:
        raise Declined(str(reason)) from None
    return FileLayout(meta, syntax, implicit, elements)


def _raw_layout(buf: Buffer, private: bool) -> FileLayout:
    """A raw dataset (no preamble, no File Meta) as pydicom reads one: explicit VR when its
    first element has a standard VR written, else implicit, little endian. Declined unless
    it starts with a group 0008 element in little endian (neither a command set nor File
    Meta first), and unless pydicom's two guesses of its VR encoding agree (the transfer
    syntax's, from a standard VR, and the dataset's, from two capital letters)."""
    if len(buf) < 8 or buf[0] != 0x08 or buf[1] != 0x00:
        raise Declined("neither a DICM prefix after a 128-byte preamble nor a raw dataset"
                       " of group 0008")
    explicit = written_vr(buf, 0)  # big endian is guessed for groups from 1024 only: not 0008
    if explicit == looks_implicit(buf, 0):
        raise Declined("raw dataset whose VR encoding pydicom guesses otherwise")
    syntax = ExplicitVRLittleEndian if explicit else ImplicitVRLittleEndian
    try:
        elements = Recorder(buf).dataset(0, not explicit, private)
    except NotRecorded as reason:
        raise Declined(str(reason)) from None
    return FileLayout((), syntax, not explicit, elements, raw=True)
