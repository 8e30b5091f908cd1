"""The strict structural check every path runs before it de-identifies an input.

In: an encoded DICOM file (bytes or a memory map; preamble and File Meta or a bare dataset)
or an encoded dataset with its encoding (a network message). Out: nothing, or
:class:`CorruptStructure` naming the first inconsistency and its byte offset, never a value.

Readers differ where a file is inconsistent: pydicom reads on past an item's end, takes a
value that runs past the end of the file as it is, or switches to implicit VR at a header it
cannot parse; DCMTK and this tool's fast path resolve the same bytes otherwise. Where the
readers disagree, an element the engine keeps may hold bytes another reader takes for a
Patient's Name, so such a file is refused on every path (fast, reference, streaming and the
network node): one walk, one definition, here.

The walk covers every element at every depth, in explicit or implicit VR, little or big
endian, sequences and items of defined and undefined length, and encapsulated Pixel Data.
It refuses:

- a header or value that runs past its parent (item, sequence or the end of the file);
- a defined-length sequence or item whose content does not end exactly at its length;
- an item tag that is not (FFFE,E000) inside a sequence, a delimiter tag where an element
  belongs, a delimiter of non-zero length, a missing delimiter (an item tag of defined length
  met as an element is read by its length: the engine removes it);
- element tags that do not strictly ascend within one dataset (repeated or overlapping
  elements, a flipped tag);
- in explicit VR, VR bytes that are not two capital letters (an unknown VR of two capital
  letters is read with a 2-byte length, as pydicom reads it);
- an undefined length on anything but a sequence, UN (a sequence in implicit VR, PS3.5
  6.2.2) or encapsulated Pixel Data;
- encapsulated Pixel Data whose items are not items of defined length, that has no item
  at all or no Sequence Delimitation Item;
- a text value holding control characters other than TAB, LF, FF, CR and ESC (before its
  trailing padding): the mark of a length that swallowed the next element's header (a binary
  number of a length its VR and VM cannot hold is the engine's: it removes it, with whatever
  it swallowed, :mod:`deidentify.beyond`);
- where the VR is not written (implicit VR, UN), a value its attribute's VR cannot hold
  (``REPERTOIRES``): another attribute's value under a flipped tag.

Sequences nested too deeply for a recursive reader raise RecursionError, as in every reader.

The encoding of a dataset is decided as pydicom decides it (the first element's VR bytes at
the top level; an item of an explicit VR sequence may be in implicit VR), so the walk sees
the elements the reference reader sees.

The fast path, which reads a file from the offsets of its elements, has the same walk record
them as it checks (:class:`Recorder`: the File Meta and top-level elements as
:class:`Element` tuples), so that a file is walked once; where the elements are not in the
forms it reads, the walk stops with :class:`NotRecorded` and the fast path declines.
"""

from __future__ import annotations

import mmap
import os
import re
import zlib
from contextlib import suppress
from struct import Struct
from typing import NamedTuple

from pydicom.datadict import dictionary_VR
from pydicom.uid import UID
from pydicom.valuerep import EXPLICIT_VR_LENGTH_32, STANDARD_VR

from deidentify.inflation import DEFAULT_LIMIT

Buffer = bytes | bytearray | mmap.mmap

UNDEFINED = 0xFFFFFFFF
PIXEL_DATA = 0x7FE00010
ITEM = 0xFFFEE000
ITEM_DELIMITER = 0xFFFEE00D
SEQUENCE_DELIMITER = 0xFFFEE0DD
TRANSFER_SYNTAX_UID = 0x00020010
PREAMBLE_LENGTH = 128
PREFIX = b"DICM"
RELEASE_EVERY = 32 * 1024 * 1024
"""Bytes of a memory map walked between two releases of the pages touched."""

TEXT_VRS = frozenset({"AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST",
                      "TM", "UC", "UI", "UR", "UT"})
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f](?![\x00 ]*\Z)")
"""A control character no text VR allows (TAB, LF, FF, CR and ESC are allowed), before the
value's trailing padding of NULs and spaces."""
SWALLOWED = "control characters in a text value (its length takes in an element header)"
REPERTOIRES = {vr: re.compile(pattern + rb"[\x00 ]*") for vr, pattern in {
    "CS": rb"[\x20-\x5b\x5d\x5f-\x7e]{0,16}(?:\\[\x20-\x5b\x5d\x5f-\x7e]{0,16})*",
    "UI": rb"[0-9.]{0,64}(?:\\[0-9.]{0,64})*",
    "DA": rb"[0-9 .\-\\]*",
    "TM": rb"[0-9 .:\-\\]*",
    "AS": rb"[0-9DWMY \\]*",
    "IS": rb"[0-9 +\-\\]*",
    "DS": rb"[0-9 +\-.eE\\]*",
}.items()}
"""What a value of each strictly formed VR may hold (a CS of at most 16 characters, without
a name's ``^``; lower-case letters and other marks, and over-long DS, are tolerated as real
files have them). Where the VR is not written (implicit VR, UN), a
value outside them is another attribute's value under a changed tag."""
FOREIGN = "a value its attribute's VR cannot hold (a changed tag?)"
_LONG_VRS = frozenset(str(vr) for vr in EXPLICIT_VR_LENGTH_32)
_KNOWN_VRS = {vr.encode(): str(vr) for vr in STANDARD_VR}
"""Each standard VR as written, and as a plain string."""
_SHORT_VRS = {
    byteorder: {int.from_bytes(raw, byteorder): vr for raw, vr in _KNOWN_VRS.items()
                if vr not in _LONG_VRS}
    for byteorder in ("little", "big")}
"""The VRs of a 2-byte length (so never undefined) by their bytes read as a number in each
byte order: the VR of the common element, without making a bytes object of it."""
_FRAGMENT_VRS = ("OB", "OW")


class Element(NamedTuple):
    """One element recorded by :class:`Recorder`: offsets into the data it was walked in.

    ``vr`` is the VR written in the file, or ``""`` in implicit VR. ``content_end`` is where
    the value ends: for an undefined length it is the start of the Sequence Delimitation Item,
    and ``end`` lies past that item.
    """

    tag: int
    vr: str
    start: int
    value_start: int
    content_end: int
    end: int
    undefined_length: bool


_new_element = tuple.__new__
"""Makes an Element from a tuple without NamedTuple's ``__new__`` in Python: the walk's hot
loop records one for every top-level element."""


class NotRecorded(Exception):
    """Raised while recording: the elements are not all in the forms a reader of the record
    takes; its reader (the fast path) declines the input, and the reference path checks it."""


class CorruptStructure(ValueError):
    """The element structure is inconsistent: ``offset`` and a fixed phrase, no value.

    ``truncated``: the structure runs past the end of the data (a file cut short, or a
    length too large for it)."""

    def __init__(self, offset: int, problem: str, truncated: bool = False) -> None:
        super().__init__(f"corrupt element structure at byte {offset}: {problem}")
        self.offset = offset
        self.problem = problem
        self.truncated = truncated
        self.part10 = False
        """Set by :func:`check_file`: the file has a preamble and DICM prefix (it claims to
        be DICOM, so its corruption is the problem to report)."""


class _Walker:
    """One walk over one encoded dataset.

    ``visible``: while recording, the walk is where the record's reader reads element by
    element (the File Meta, the top-level dataset, and the items of undefined length in its
    undefined-length sequences, which it gives pydicom's reader whole). There, what that
    reader meets too is its decline (:class:`NotRecorded`); what it does not see is noted
    (``refusal``, the first only) and the walk goes on as that reader goes on, so that a
    decline anywhere comes before a refusal, as when the reader walked on its own."""

    def __init__(self, buf: Buffer, little: bool, visible: bool = False) -> None:
        self.buf = buf
        order = "<" if little else ">"
        self.tag_length = Struct(order + "HHL").unpack_from
        self.explicit = Struct(order + "HH2sH").unpack_from
        self.coded = Struct(order + "HHHH").unpack_from
        self.short_vrs = _SHORT_VRS["little" if little else "big"]
        self.long_length = Struct(order + "L").unpack_from
        self.released = 0
        self.size = len(buf)
        self.visible = visible
        self.refusal: CorruptStructure | RecursionError | None = None
        self.records_private = True
        """Whether the top-level elements of odd groups are recorded (else only walked)."""

    def refuse(self, pos: int, problem: str) -> None:
        """Refuse ``problem`` at ``pos``, or where the record is read, note it and go on."""
        if not self.visible:
            raise CorruptStructure(pos, problem)
        if self.refusal is None:
            self.refusal = CorruptStructure(pos, problem)

    def corrupt(self, pos: int, problem: str, truncated: bool = False) -> Exception:
        """The refusal of ``problem`` at ``pos``, or where the record is read, its decline."""
        if self.visible:
            return NotRecorded(problem)
        return CorruptStructure(pos, problem, truncated)

    def overrun(self, pos: int, what: str, end: int) -> Exception:
        """``what`` runs past ``end``: the end of the data, or of a parent within it."""
        if end >= self.size:
            return self.corrupt(pos, f"{what} runs past the end of the data", True)
        return self.corrupt(pos, f"{what} runs past the end of its parent")

    def missing(self, pos: int, what: str, end: int) -> Exception:
        """The delimiter ``what`` is missing before ``end``."""
        return self.corrupt(pos, f"no {what} before the end of its parent", end >= self.size)

    def header(self, pos: int, end: int, implicit: bool) -> tuple[int, str, int, int]:
        """Tag, VR (``""`` in implicit VR and for items), length and value offset."""
        if pos + 8 > end:
            raise self.overrun(pos, "element header", end)
        if implicit:
            group, number, length = self.tag_length(self.buf, pos)
            return group << 16 | number, "", length, pos + 8
        group, number, raw_vr, length = self.explicit(self.buf, pos)
        if group == 0xFFFE:
            group, number, length = self.tag_length(self.buf, pos)
            return group << 16 | number, "", length, pos + 8
        vr = _KNOWN_VRS.get(raw_vr)
        if vr is None:
            if self.visible:
                raise NotRecorded("unknown or implicit VR inside an explicit VR dataset")
            if not (b"AA" <= raw_vr <= b"ZZ" and raw_vr[1:].isupper()):
                raise CorruptStructure(pos, "not a VR in explicit VR data")
            # An unknown VR of two capital letters: read with a 2-byte length, as pydicom
            # reads it; the engine treats the element as of an unknown VR.
            return group << 16 | number, raw_vr.decode(), length, pos + 8
        if vr in _LONG_VRS:
            if pos + 12 > end:
                raise self.overrun(pos, "element header", end)
            (length,) = self.long_length(self.buf, pos + 8)
            return group << 16 | number, vr, length, pos + 12
        return group << 16 | number, vr, length, pos + 8

    def dataset(self, pos: int, end: int, implicit: bool, delimited: bool,
                record: list[Element] | None = None) -> int:
        """Walk the elements from ``pos``: up to ``end`` exactly, or (``delimited``) up to
        and past an Item Delimitation Item before ``end``. Returns the offset past them;
        the elements are appended to ``record`` if given (the top level of what it reads).

        The common element (a short VR in explicit VR, a defined length that is not a
        sequence's) is checked and recorded inline; anything else by :meth:`header` and
        :meth:`element`."""
        buf, coded_head, tag_length = self.buf, self.coded, self.tag_length
        short_vrs, text_vrs, control = self.short_vrs, TEXT_VRS, _CONTROL.search
        dictionary_vrs, repertoires = _DICTIONARY_VRS, REPERTOIRES
        append = None if record is None else record.append
        private_bit = 0 if self.records_private else 0x10000  # set in an odd group's tags
        previous = -1
        last_header = end - 8
        # Declared so that the compiled walk unboxes what ``Struct.unpack_from`` returns once
        # and computes on native integers (``code`` stays an object: a key of ``short_vrs``).
        group: int
        number: int
        length: int
        while pos < end:
            if pos > last_header:
                raise self.overrun(pos, "element header", end)
            if implicit:
                group, number, length = tag_length(buf, pos)
                tag, vr, value_start = group << 16 | number, "", pos + 8
                known = dictionary_vrs.get(tag)
                if known is None:
                    known = _dictionary_vr(tag)
            else:
                group, number, code, length = coded_head(buf, pos)
                vr = short_vrs.get(code, "")
                if vr and group != 0xFFFE:
                    tag, value_end = group << 16 | number, pos + 8 + length
                    if tag <= previous:
                        self.disorder(pos, record)
                    if value_end > end:
                        raise self.overrun(pos, "element value", end)
                    if length and vr in text_vrs and control(buf, pos + 8, value_end):
                        self.refuse(pos, SWALLOWED)
                    if append is not None and not tag & private_bit:
                        append(_new_element(Element, (tag, vr, pos, pos + 8, value_end,
                                                      value_end, False)))
                    previous, pos = tag, value_end
                    continue
                tag, vr, length, value_start = self.header(pos, end, implicit)
                known = vr
            if tag == ITEM and length != UNDEFINED:
                # An item tag met as an element (after Pixel Data, say): every reader takes
                # its value by its length, and the engine removes it (deidentify.beyond).
                if record is not None:
                    raise NotRecorded("an item tag among the top-level elements")
                if value_start + length > end:
                    raise self.overrun(pos, "element value", end)
                previous, pos = tag, value_start + length
                continue
            if tag >> 16 == 0xFFFE:
                if record is not None:
                    raise NotRecorded("an item or delimiter tag among the top-level elements")
                if tag != ITEM_DELIMITER:
                    self.refuse(pos, "item or delimiter tag where an element belongs")
                    pos = self.stray(tag, length, pos, value_start, end, implicit)
                    continue
                if not delimited:
                    raise CorruptStructure(pos, "item delimiter outside an undefined-length"
                                                " item")
                if length:
                    self.refuse(pos, "item delimiter of non-zero length")
                return value_start
            if tag <= previous:
                self.disorder(pos, record)
            previous = tag
            if length != UNDEFINED and known != "SQ" and vr != "UN":
                value_end = value_start + length
                if value_end > end:
                    raise self.overrun(pos, "element value", end)
                if known in text_vrs:
                    if length and control(buf, value_start, value_end):
                        self.refuse(pos, SWALLOWED)
                    if not vr and known in repertoires and not repertoires[known].fullmatch(
                            buf, value_start, value_end):
                        self.refuse(pos, FOREIGN)
                if append is not None and not tag & private_bit:
                    append(_new_element(Element, (tag, vr, pos, value_start, value_end,
                                                  value_end, False)))
                pos = value_end
                continue
            value_end = self.element(tag, vr, length, pos, value_start, end, implicit)
            if append is not None and not tag & private_bit:
                undefined = length == UNDEFINED
                content_end = value_end - 8 if undefined else value_end
                append(_new_element(Element, (tag, vr, pos, value_start, content_end,
                                              value_end, undefined)))
            pos = value_end
        if delimited:
            raise self.missing(pos, "item delimiter", end)
        return pos

    def disorder(self, pos: int, record: list[Element] | None) -> None:
        """Tags that do not ascend: refused, or at the top level of a record, declined."""
        if record is not None:
            raise NotRecorded("top-level tags out of order")
        self.refuse(pos, "element tags out of order or repeated")

    def stray(self, tag: int, length: int, pos: int, value_start: int, end: int,
              implicit: bool) -> int:
        """While recording, an item or delimiter tag where an element belongs (refused) is
        read on as the record's reader reads it: by its length, or as a sequence where an
        unknown tag's undefined-length value starts with an item. Returns the offset past."""
        if length != UNDEFINED:
            if value_start + length > end:
                raise self.overrun(pos, "element value", end)
            return value_start + length
        if _dictionary_vr(tag) or not self._starts_with_item(value_start, end):
            raise NotRecorded("undefined length on an item or delimiter tag")
        return self.sequence(value_start, end, implicit, delimited=True)

    def whole(self, pos: int, end: int, implicit: bool, items: bool) -> None:
        """Walk a defined-length sequence (``items``) or item, which a reader of the record
        takes whole by its length: where it is read, an inconsistency in it (or nesting too
        deep to follow) is noted, and the walk goes on past it."""
        visible, self.visible = self.visible, False
        try:
            if items:
                self.sequence(pos, end, implicit, delimited=False)
            else:
                self.dataset(pos, end, implicit, False)
        except (CorruptStructure, RecursionError) as error:
            if not visible:
                raise
            if self.refusal is None:
                self.refusal = error
        self.visible = visible

    def element(self, tag: int, vr: str, length: int, pos: int, value_start: int, end: int,
                implicit: bool) -> int:
        """Check one element's value; returns the offset past it."""
        known = vr if vr and vr != "UN" else _dictionary_vr(tag)
        if length == UNDEFINED:
            if self.visible and vr and vr != "SQ" and not (
                    tag == PIXEL_DATA and vr in _FRAGMENT_VRS):
                raise NotRecorded("undefined length in explicit VR on an element that is"
                                  " neither SQ nor OB or OW Pixel Data")
            if tag == PIXEL_DATA and known != "SQ":
                return self.fragments(value_start, end)
            if vr in ("SQ", "UN") or known == "SQ" or (
                    implicit and not known and self._starts_with_item(value_start, end)):
                return self.sequence(value_start, end, implicit or vr == "UN", delimited=True)
            raise self.corrupt(pos, "undefined length on an element that is neither a"
                                    " sequence nor encapsulated Pixel Data")
        value_end = value_start + length
        if value_end > end:
            raise self.overrun(pos, "element value", end)
        if vr == "SQ" or (known == "SQ" and not (tag >> 16) & 1):
            self.whole(value_start, value_end, implicit or vr == "UN", items=True)
        elif known in TEXT_VRS:
            if length and _CONTROL.search(self.buf, value_start, value_end):
                self.refuse(pos, SWALLOWED)
            if vr in ("", "UN") and known in REPERTOIRES and not REPERTOIRES[known].fullmatch(
                    self.buf, value_start, value_end):
                self.refuse(pos, FOREIGN)
        return value_end

    def _starts_with_item(self, pos: int, end: int) -> bool:
        if pos + 8 > end:
            return False
        group, number, _ = self.tag_length(self.buf, pos)
        return bool(group == 0xFFFE and number == 0xE000)

    def sequence(self, pos: int, end: int, implicit: bool, delimited: bool) -> int:
        """Walk the items of a sequence; returns the offset past it (and its delimiter)."""
        while pos < end:
            tag, _, length, value_start = self.header(pos, end, True)
            if tag == SEQUENCE_DELIMITER:
                if not delimited:
                    raise CorruptStructure(pos, "sequence delimiter in a defined-length"
                                                " sequence")
                if length:
                    self.refuse(pos, "sequence delimiter of non-zero length")
                return value_start
            if tag != ITEM:
                raise self.corrupt(pos, "not an item tag inside a sequence")
            item_implicit = implicit or self._looks_implicit(value_start, end)
            if length == UNDEFINED:
                if self.visible and item_implicit != implicit:
                    raise NotRecorded("an item in implicit VR in an explicit VR dataset")
                pos = self.dataset(value_start, end, item_implicit, True)
                continue
            item_end = value_start + length
            if item_end > end:
                raise self.overrun(pos, "item", end)
            self.whole(value_start, item_end, item_implicit, items=False)
            pos = item_end
        if delimited:
            raise self.missing(pos, "sequence delimiter", end)
        return pos

    def _looks_implicit(self, pos: int, end: int) -> bool:
        """pydicom reads an item of an explicit VR sequence in implicit VR when its first
        element's VR bytes are not two capital letters."""
        if pos + 6 > end:
            return False
        if self.tag_length(self.buf, pos)[0] == 0xFFFE:
            return False
        first, second = self.buf[pos + 4], self.buf[pos + 5]
        return not (0x40 < first < 0x5B and 0x40 < second < 0x5B)

    def fragments(self, pos: int, end: int) -> int:
        """Walk encapsulated Pixel Data: the Basic Offset Table item, fragment items, the
        Sequence Delimitation Item. Returns the offset past the delimiter."""
        items = 0
        self.released = pos
        while True:
            tag, _, length, value_start = self.header(pos, end, True)
            if tag == SEQUENCE_DELIMITER:
                if length:
                    self.refuse(pos, "sequence delimiter of non-zero length")
                if not items:
                    self.refuse(pos, "encapsulated Pixel Data without any item")
                self._release(pos)
                return value_start
            if tag != ITEM:
                raise self.corrupt(pos, "not an item tag in encapsulated Pixel Data")
            if length == UNDEFINED:
                raise self.corrupt(pos, "undefined-length item in encapsulated Pixel Data")
            pos = value_start + length
            if pos > end:
                raise self.overrun(value_start - 8, "Pixel Data fragment", end)
            items += 1
            if pos - self.released > RELEASE_EVERY:
                self._release(pos)

    def _release(self, stop: int) -> None:
        """Unmap the pages of a memory map that walking fragment headers faulted in."""
        if isinstance(self.buf, mmap.mmap):
            first = self.released - self.released % mmap.PAGESIZE
            length = (stop - first) - (stop - first) % mmap.PAGESIZE
            if length > 0:
                self.buf.madvise(mmap.MADV_DONTNEED, first, length)
        self.released = stop


_DICTIONARY_VRS: dict[int, str] = {}


def _dictionary_vr(tag: int) -> str:
    """The dictionary's VR of a public tag: ``""`` when unknown or private; the first of an
    ambiguous one (``US or SS`` is ``US``)."""
    vr = _DICTIONARY_VRS.get(tag)
    if vr is None:
        vr = ""
        if not (tag >> 16) & 1:
            with suppress(KeyError):
                vr = dictionary_VR(tag)[:2]
        _DICTIONARY_VRS[tag] = vr
    return vr


def written_vr(buf: Buffer, pos: int) -> bool:
    """Whether the element at ``pos`` has a standard VR written after its tag: pydicom's
    test for explicit VR in a dataset without a Transfer Syntax UID."""
    return pos + 6 <= len(buf) and bytes(buf[pos + 4:pos + 6]) in _KNOWN_VRS


def looks_implicit(buf: Buffer, pos: int) -> bool:
    """Whether a dataset at ``pos`` starts in implicit VR, as pydicom decides."""
    if pos + 6 > len(buf):
        return False
    first, second = buf[pos + 4], buf[pos + 5]
    return not (0x40 < first < 0x5B and 0x40 < second < 0x5B)


def check_dataset(buf: Buffer, start: int, implicit: bool, little: bool = True,
                  end: int | None = None) -> None:
    """Check the dataset encoded in ``buf[start:end]``; CorruptStructure if inconsistent.

    ``implicit`` is the encoding declared; as pydicom does, the first element decides.
    """
    stop = len(buf) if end is None else end
    if start < stop:
        implicit = looks_implicit(buf, start)
    _Walker(buf, little).dataset(start, stop, implicit, False)


def check_file(buf: Buffer) -> None:
    """Check a whole file: preamble and File Meta (or none, as pydicom reads a raw dataset),
    then the dataset in its transfer syntax; CorruptStructure if inconsistent."""
    end = len(buf)
    part10 = end >= PREAMBLE_LENGTH + 4 and buf[PREAMBLE_LENGTH:PREAMBLE_LENGTH + 4] == PREFIX
    try:
        _check_file(buf, PREAMBLE_LENGTH + 4 if part10 else 0, end)
    except CorruptStructure as error:
        error.part10 = part10
        raise


def _check_file(buf: Buffer, meta_start: int, end: int) -> None:
    pos, syntax = _meta(_Walker(buf, True), meta_start, end)
    if syntax is None:
        check_dataset(buf, pos, True, _guess_little_endian(buf, pos))
        return
    uid = UID(syntax)
    if not uid.is_transfer_syntax:
        check_dataset(buf, pos, False, True)  # pydicom reads it as explicit VR little endian
        return
    check_encoded(buf, pos, bool(uid.is_implicit_VR), bool(uid.is_little_endian),
                  bool(uid.is_deflated))


def check_encoded(buf: Buffer, start: int, implicit: bool, little: bool,
                  deflated: bool) -> None:
    """Check a dataset encoded from ``start`` in a transfer syntax's encoding (a deflated
    one inflated first, never past the default bound of :mod:`deidentify.inflation`);
    CorruptStructure if inconsistent."""
    if not deflated:
        check_dataset(buf, start, implicit, little)
        return
    compressed = bytes(buf[start:])
    allowed = DEFAULT_LIMIT.allowed(len(compressed))
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        inflated = inflater.decompress(compressed, allowed + 1)
    except zlib.error:
        raise CorruptStructure(start, "deflated dataset that does not inflate") from None
    if len(inflated) > allowed:
        return  # past the inflation bound, which every path enforces (deidentify.inflation)
    check_dataset(inflated, 0, False, True)


def _guess_little_endian(buf: Buffer, pos: int) -> bool:
    """pydicom's guess for a dataset without a Transfer Syntax UID: big endian when the
    first element has an explicit VR and a group that reads as 1024 or more."""
    if not written_vr(buf, pos):
        return True
    return int.from_bytes(buf[pos:pos + 2], "little") < 1024


def _meta(walker: _Walker, pos: int, end: int,
          record: list[Element] | None = None) -> tuple[int, str | None]:
    """Walk the File Meta group (explicit VR little endian) from ``pos``: the offset where
    the dataset starts and the Transfer Syntax UID, None when there is no File Meta. The
    elements are appended to ``record`` if given."""
    buf = walker.buf
    syntax: str | None = None
    previous = -1
    while pos + 8 <= end and buf[pos + 1] == 0 and buf[pos] == 2:
        tag, vr, length, value_start = walker.header(pos, end, False)
        if length == UNDEFINED:
            raise walker.corrupt(pos, "undefined length in File Meta")
        if tag <= previous:
            walker.refuse(pos, "element tags out of order or repeated")
        previous = tag
        value_end = walker.element(tag, vr, length, pos, value_start, end, False)
        if tag == TRANSFER_SYNTAX_UID:
            syntax = bytes(buf[value_start:value_end]).decode("ascii", "replace")
            syntax = syntax.rstrip("\0 ")
        if record is not None:
            record.append(Element(tag, vr, pos, value_start, value_end, value_end, False))
        pos = value_end
    return pos, syntax


class Recorder:
    """The walk of a file (with a preamble and DICM prefix, or a raw dataset) that checks it
    as :func:`check_file` does and records, for a reader of offsets (the fast path), its File
    Meta (:meth:`meta`) and the top-level elements of its dataset (:meth:`dataset`).

    The reader reads the File Meta, the top level, and the items of undefined length in
    its undefined-length sequences (which it gives pydicom's reader whole) element by
    element; where they are not in the forms it takes, the walk stops with NotRecorded (the
    reader declines the input, and the reference path checks it): a VR that is not a
    standard one, an undefined length on anything but SQ or OB or OW Pixel Data, an item in
    another VR encoding, top-level tags out of order or an item or delimiter tag among them,
    or an inconsistency there that the reader meets too (a header or value past the end, a
    missing delimiter, an unexpected tag in a sequence or in Pixel Data). Any other
    inconsistency is raised (CorruptStructure, or RecursionError) only at the end of the
    walk: a decline anywhere comes first.
    """

    def __init__(self, buf: Buffer) -> None:
        self._walker = _Walker(buf, True, visible=True)
        self._part10 = len(buf) >= PREAMBLE_LENGTH + 4 and (
            buf[PREAMBLE_LENGTH:PREAMBLE_LENGTH + 4] == PREFIX)

    def meta(self) -> tuple[tuple[Element, ...], int]:
        """The File Meta elements and the offset where the dataset starts."""
        record: list[Element] = []
        pos, _ = _meta(self._walker, PREAMBLE_LENGTH + len(PREFIX), self._walker.size, record)
        return tuple(record), pos

    def dataset(self, start: int, implicit: bool, private: bool = True) -> tuple[Element, ...]:
        """The top-level elements, in file order, of the little endian dataset from
        ``start`` to the end of the file in ``implicit`` VR (that of its transfer syntax,
        which the caller checks its first element does not contradict); those of odd groups
        only when ``private`` (else they are checked, and left out)."""
        record: list[Element] = []
        walker = self._walker
        walker.records_private = private
        walker.dataset(start, walker.size, implicit, False, record)
        if walker.refusal is not None:
            if isinstance(walker.refusal, CorruptStructure):
                walker.refusal.part10 = self._part10
            raise walker.refusal
        return tuple(record)


def check_path(path: str | os.PathLike[str]) -> None:
    """Check the file at ``path`` (memory-mapped: only headers are paged in); OSError if it
    cannot be read, CorruptStructure if inconsistent."""
    with open(path, "rb") as stream:
        size = os.fstat(stream.fileno()).st_size
        if size == 0:
            return
        with mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            check_file(mapped)
