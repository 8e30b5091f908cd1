"""The output of ``pydicom.dcmwrite(target, ds, enforce_file_format=True)``, mostly copied.

The reference writer encodes every element; an element still holding the raw object the
reader placed there is written by pydicom as its original bytes, so here those bytes are
copied from the input instead, adjacent elements in one run (large runs as file ranges).
Elements the engine replaced or added are encoded by :mod:`~deidentify.fastpath.encoding`
and :mod:`~deidentify.fastpath.sequences` where they mirror pydicom exactly, else by
pydicom's own ``write_data_element``. The File Meta is prepared as ``dcmwrite`` prepares it.
Whatever this module would write differently from pydicom raises
:class:`~deidentify.fastpath.layout.Declined` before anything is written.
"""

from __future__ import annotations

from typing import NamedTuple, cast

from pydicom.charset import default_encoding
from pydicom.dataelem import DataElement, RawDataElement
from pydicom.dataset import Dataset, FileMetaDataset, validate_file_meta
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_data_element, write_file_meta_info
from pydicom.uid import UID

from deidentify import writer
from deidentify.elements import written_uid
from deidentify.fastpath import encoding, sequences
from deidentify.fastpath.layout import PIXEL_DATA, PREFIX, Declined, Element
from deidentify.fastpath.reading import ReadResult, Treated
from deidentify.fastpath.sink import Extent, Piece
from deidentify.fastpath.source import SourceFile
from deidentify.fastpath.view import DEFER_THRESHOLD
from deidentify.pixels import codestream

FILE_META_GROUP_LENGTH = 0x00020000
FILE_META_INFORMATION_VERSION = 0x00020001
MEDIA_STORAGE_SOP_CLASS_UID = 0x00020002
MEDIA_STORAGE_SOP_INSTANCE_UID = 0x00020003
TRANSFER_SYNTAX_UID = 0x00020010
IMPLEMENTATION_CLASS_UID = 0x00020012
IMPLEMENTATION_VERSION_NAME = 0x00020013

WRITER_META = frozenset(
    {
        MEDIA_STORAGE_SOP_CLASS_UID,
        MEDIA_STORAGE_SOP_INSTANCE_UID,
        TRANSFER_SYNTAX_UID,
        IMPLEMENTATION_CLASS_UID,
        IMPLEMENTATION_VERSION_NAME,
    }
)
"""The File Meta elements ``deidentify.writer.file_meta`` sets."""

SEQUENCE_DELIMITATION = b"\xfe\xff\xdd\xe0\x00\x00\x00\x00"
"""The Sequence Delimitation Item as pydicom writes it (zero length)."""


def _uid_value(ds: Dataset, tag: int) -> object:
    """``ds.get(keyword, None)`` by the tag of a UI element: its value, None if absent. A raw
    element whose bytes are those pydicom would write of its UID is read without decoding
    it, so that it is copied (as the reference writer writes what it decodes)."""
    element = ds._dict.get(tag)  # type: ignore[call-overload]
    if element is None:
        return None
    if type(element) is DataElement:
        return element.value
    uid = written_uid(ds, tag)
    return ds[tag].value if uid is None else uid


class _Syntax(NamedTuple):
    """What the writer needs to know of an output transfer syntax."""

    writable: bool
    """Standard, little endian, not deflated: this path writes it."""
    implicit: bool
    compressed: bool


_SYNTAXES: dict[str, _Syntax] = {}
"""The standard transfer syntaxes met so far (a finite set: pydicom's dictionary)."""


def _syntax(value: object) -> _Syntax | None:
    """The output transfer syntax of a File Meta's Transfer Syntax UID value; None when it
    is missing, private or unknown (properties of pydicom's ``UID``, looked up once)."""
    if not isinstance(value, UID):
        return None
    known = _SYNTAXES.get(value)
    if known is None:
        if value.is_private or not value.is_transfer_syntax:
            return None
        known = _SYNTAXES[str(value)] = _Syntax(
            bool(value.is_little_endian and not value.is_deflated),
            bool(value.is_implicit_VR), bool(value.is_compressed))
    return known


def _prepared_meta(ds: Dataset) -> tuple[FileMetaDataset, _Syntax]:
    """The File Meta and transfer syntax as ``dcmwrite`` prepares them for writing.

    ``dcmwrite`` works on a copy; the dataset here is this path's own, so it is changed.
    """
    meta = ds.file_meta if hasattr(ds, "file_meta") else FileMetaDataset()
    syntax = _syntax(_uid_value(meta, TRANSFER_SYNTAX_UID))
    if syntax is None:
        raise Declined("output transfer syntax missing, private or unknown")
    if not syntax.writable:
        raise Declined("output transfer syntax is big endian or deflated")
    meta_class = _uid_value(meta, MEDIA_STORAGE_SOP_CLASS_UID)
    ds_class = _uid_value(ds, writer.SOP_CLASS_UID)
    if meta_class is None or (ds_class and ds_class != meta_class):
        meta.MediaStorageSOPClassUID = cast(UID, ds_class)
    meta_instance = _uid_value(meta, MEDIA_STORAGE_SOP_INSTANCE_UID)
    ds_instance = _uid_value(ds, writer.SOP_INSTANCE_UID)
    if meta_instance is None or (ds_instance and ds_instance != meta_instance):
        meta.MediaStorageSOPInstanceUID = cast(UID, ds_instance)
    _validate_file_meta(meta)
    return meta, syntax


VERSION = DataElement(FILE_META_INFORMATION_VERSION, "OB", b"\x00\x01")
"""File Meta Information Version as ``validate_file_meta`` adds it (never changed once
added: one object serves every File Meta this path writes)."""


def _validate_file_meta(meta: FileMetaDataset) -> None:
    """``validate_file_meta(meta, enforce_standard=True)``.

    On the File Meta this tool builds (exactly ``WRITER_META``, every value present and not
    empty) its only effect is to add File Meta Information Version, done here directly;
    any other File Meta is left to pydicom.
    """
    elements = meta._dict
    if elements.keys() == WRITER_META and all(
        type(element) is DataElement and not element.is_empty for element in elements.values()
    ):
        elements[VERSION.tag] = VERSION
    else:
        validate_file_meta(meta, enforce_standard=True)


def _meta_elements(meta: FileMetaDataset) -> bytes:
    """What ``write_file_meta_info`` writes, group length first (``meta`` is discarded
    after it is written, so the group length is not set in it)."""
    body: list[bytes] = []
    for tag in sorted(meta._dict):
        if tag == FILE_META_GROUP_LENGTH:
            continue
        data = encoding.encode(meta._dict[tag], False, True)
        if data is None:
            stream = DicomBytesIO()
            stream.is_implicit_VR, stream.is_little_endian = False, True
            write_file_meta_info(stream, meta, enforce_standard=True)
            return stream.getvalue()
        body.append(data)
    length = sum(len(part) for part in body)
    return GROUP_LENGTH_HEADER + length.to_bytes(4, "little") + b"".join(body)


GROUP_LENGTH_HEADER = b"\x02\x00\x00\x00UL\x04\x00"
"""File Meta Information Group Length's tag, VR and length, explicit VR little endian."""


def _head(meta: FileMetaDataset) -> bytes:
    """The reference writer's zero preamble, the prefix and File Meta Information."""
    return writer.PREAMBLE + PREFIX + _meta_elements(meta)


class _Output:
    """The output pieces in order: runs of input bytes, and encoded bytes."""

    def __init__(self, source: SourceFile, implicit: bool) -> None:
        self.pieces: list[Piece] = []
        self._source = source
        self._implicit = implicit
        self._run: tuple[int, int] | None = None

    def _flush_run(self) -> None:
        if self._run is not None:
            start, stop = self._run
            if stop - start > DEFER_THRESHOLD:
                self.pieces.append(Extent(start, stop))
            else:
                self.pieces.append(bytes(self._source.buffer[start:stop]))
            self._run = None

    def copy(self, start: int, stop: int) -> None:
        """Input bytes ``[start, stop)``, joined to the previous run when adjacent."""
        run = self._run
        if run is not None and run[1] == start:
            self._run = (run[0], stop)
            return
        self._flush_run()
        self._run = (start, stop)

    def add(self, data: bytes) -> None:
        """Bytes encoded here."""
        self._flush_run()
        self.pieces.append(data)

    def add_by_pydicom(self, element: DataElement | RawDataElement, encodings: object) -> None:
        """An element encoded by pydicom's ``write_data_element``."""
        stream = DicomBytesIO()
        stream.is_implicit_VR, stream.is_little_endian = self._implicit, True
        write_data_element(stream, element, encodings)  # type: ignore[arg-type]
        self.add(stream.getvalue())

    def finish(self) -> list[Piece]:
        self._flush_run()
        return self.pieces


def _copy_element(output: _Output, source: SourceFile, element: Element) -> None:
    """Copy an element as pydicom writes its untouched raw form; encapsulated Pixel Data
    with the engine's blanking of its codestreams (``Deidentifier.apply``) made."""
    if element.value_start - element.start == 12 and (
        source.buffer[element.start + 6 : element.start + 8] != b"\0\0"
    ):
        raise Declined("non-zero reserved bytes in an element header")
    if element.undefined_length:
        position = element.start
        if element.tag == PIXEL_DATA:
            for offset, data in codestream.edits_read(_reader(source), element.value_start,
                                                      element.content_end):
                output.copy(position, offset)
                output.add(data)
                position = offset + len(data)
        output.copy(position, element.content_end)
        output.add(SEQUENCE_DELIMITATION)
    else:
        output.copy(element.start, element.end)


def _reader(source: SourceFile) -> codestream.Read:
    """How the codestreams of the input's Pixel Data are read: from its bytes, or with
    ``pread`` from a mapped input (whose pages would otherwise join this process's memory)."""
    if source.mapped:
        return codestream.file_reader(source.fd)
    buffer = source.buffer
    return lambda low, high: bytes(buffer[low:high])


def _check_pixel_data(element: Element, implicit: bool, compressed: bool) -> None:
    """Untouched Pixel Data: ``dcmwrite`` must write it as it was read."""
    if element.undefined_length != compressed:
        raise Declined("Pixel Data length form does not match the transfer syntax")
    if (element.content_end - element.value_start) % 2:
        raise Declined("odd-length Pixel Data")
    if not implicit and element.vr not in ("OB", "OW"):
        raise Declined("Pixel Data VR other than OB or OW")


def _prepare_pixel_data(result: ReadResult, implicit: bool, compressed: bool) -> None:
    """Mark Pixel Data's length form as ``dcmwrite`` does, or check the untouched one."""
    ds = result.dataset
    hidden = next((e for e in reversed(result.copies) if e.tag <= PIXEL_DATA), None)
    if isinstance(hidden, Element) and hidden.tag == PIXEL_DATA:
        _check_pixel_data(hidden, implicit, compressed)
        return
    if PIXEL_DATA not in ds:
        return
    current: object = ds.get_item(PIXEL_DATA, keep_deferred=True)
    original = result.originals.get(PIXEL_DATA)
    if original is not None and current is original[0]:
        _check_pixel_data(original[1], implicit, compressed)
        return
    ds[PIXEL_DATA].is_undefined_length = compressed


def encode(result: ReadResult, source: SourceFile) -> list[Piece]:
    """Every piece of the output file, in order."""
    ds = result.dataset
    meta, syntax = _prepared_meta(ds)
    implicit = syntax.implicit
    if (implicit, True) != ds.original_encoding:
        raise Declined("output encoding differs from the input's")
    if ds.original_character_set != ds._character_set:
        raise Declined("character set changed")
    _prepare_pixel_data(result, implicit, syntax.compressed)
    output = _Output(source, implicit)
    output.pieces.append(_head(meta))
    encodings = ds.get("SpecificCharacterSet", default_encoding)
    ascii_text = encoding.ascii_safe(encodings)
    originals = result.originals
    copies = result.copies
    elements = ds._dict
    next_copy = 0
    for tag in sorted(elements, key=int):
        number = int(tag)
        while next_copy < len(copies) and copies[next_copy].tag < number:
            _copy_unless_group_length(output, source, copies[next_copy])
            next_copy += 1
        if next_copy < len(copies) and copies[next_copy].tag == number:
            raise Declined("the engine set an element that was kept from it")
        if number & 0xFFFF == 0 and number >> 16 > 6:
            continue
        item: object = elements[tag]
        original = originals.get(tag)
        if original is not None and item is original[0] and not _converted_on_write(original[0]):
            _copy_element(output, source, original[1])
        else:
            data = encoding.encode(item, implicit, ascii_text)
            if data is None and isinstance(item, DataElement) and item.VR == "SQ":
                data = sequences.sequence_bytes(item, implicit, encodings)
                if data is None:
                    data = encoding.encode_sequence(item, implicit, encodings)
            if data is None:
                output.add_by_pydicom(ds.get_item(tag), encodings)
            else:
                output.add(data)
    for element in copies[next_copy:]:
        _copy_unless_group_length(output, source, element)
    return output.finish()


def _converted_on_write(raw: RawDataElement) -> bool:
    """An empty raw element without a raw value: ``get_item`` decodes it before writing."""
    return raw.value is None and raw.length == 0


def _copy_unless_group_length(output: _Output, source: SourceFile,
                              element: Element | Treated) -> None:
    if element.tag & 0xFFFF == 0 and element.tag >> 16 > 6:
        return
    if isinstance(element, Treated):
        output.add(element.data)
    else:
        _copy_element(output, source, element)
