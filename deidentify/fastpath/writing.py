"""The output of ``pydicom.dcmwrite(target, ds, enforce_file_format=True)``, mostly copied.

The reference writer encodes every element; an element still holding the raw object the
reader placed there is written by pydicom as its original bytes, so here those bytes are
copied from the input instead (large values as file ranges). Elements the engine replaced or
added are encoded by pydicom's own ``write_data_element``. The File Meta is written by
pydicom exactly as ``dcmwrite`` prepares it. Whatever this module would write differently
from pydicom raises :class:`~deidentify.fastpath.layout.Declined` before anything is written.
"""

from __future__ import annotations

from copy import deepcopy

from pydicom.charset import default_encoding
from pydicom.dataelem import DataElement, RawDataElement
from pydicom.dataset import Dataset, FileMetaDataset, validate_file_meta
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_data_element, write_file_meta_info
from pydicom.uid import UID

from deidentify import writer
from deidentify.fastpath.layout import PIXEL_DATA, PREFIX, Declined, Element
from deidentify.fastpath.reading import DEFER_THRESHOLD, ReadResult
from deidentify.fastpath.sink import Extent, Piece
from deidentify.fastpath.source import SourceFile

SEQUENCE_DELIMITATION = b"\xfe\xff\xdd\xe0\x00\x00\x00\x00"
"""The Sequence Delimitation Item as pydicom writes it (zero length)."""


def _prepared_meta(ds: Dataset) -> tuple[FileMetaDataset, UID]:
    """The File Meta and transfer syntax as ``dcmwrite`` prepares them for writing."""
    meta = deepcopy(ds.file_meta) if hasattr(ds, "file_meta") else FileMetaDataset()
    syntax = meta.get("TransferSyntaxUID", None)
    if syntax is None or syntax.is_private or not syntax.is_transfer_syntax:
        raise Declined("output transfer syntax missing, private or unknown")
    if not syntax.is_little_endian or syntax.is_deflated:
        raise Declined("output transfer syntax is big endian or deflated")
    meta_class = meta.get("MediaStorageSOPClassUID", None)
    ds_class = ds.get("SOPClassUID", None)
    if meta_class is None or (ds_class and ds_class != meta_class):
        meta.MediaStorageSOPClassUID = ds_class
    meta_instance = meta.get("MediaStorageSOPInstanceUID", None)
    ds_instance = ds.get("SOPInstanceUID", None)
    if meta_instance is None or (ds_instance and ds_instance != meta_instance):
        meta.MediaStorageSOPInstanceUID = ds_instance
    validate_file_meta(meta, enforce_standard=True)
    return meta, UID(syntax)


def _head(meta: FileMetaDataset, implicit: bool) -> bytes:
    """The reference writer's zero preamble, the prefix and File Meta Information."""
    stream = DicomBytesIO()
    stream.is_implicit_VR, stream.is_little_endian = implicit, True
    stream.write(writer.PREAMBLE)
    stream.write(PREFIX)
    write_file_meta_info(stream, meta, enforce_standard=True)
    return stream.getvalue()


def _copied(source: SourceFile, raw: RawDataElement, element: Element) -> list[Piece]:
    """The bytes pydicom writes for an untouched raw element, as input pieces."""
    buffer = source.buffer
    header_length = element.value_start - element.start
    if raw.value is None and raw.length == 0:
        raise Declined("empty raw element the reference writer cannot encode")
    if header_length == 12 and buffer[element.start + 6 : element.start + 8] != b"\0\0":
        raise Declined("non-zero reserved bytes in an element header")
    if element.undefined_length:
        head = bytes(buffer[element.start : element.value_start])
        value = _value_pieces(source, element.value_start, element.content_end)
        return [head, *value, SEQUENCE_DELIMITATION]
    return _value_pieces(source, element.start, element.end)


def _value_pieces(source: SourceFile, start: int, stop: int) -> list[Piece]:
    if stop - start > DEFER_THRESHOLD:
        return [Extent(start, stop)]
    return [bytes(source.buffer[start:stop])]


def _prepare_pixel_data(result: ReadResult, compressed: bool) -> None:
    """Mark Pixel Data's length as ``dcmwrite`` does; an untouched raw one must match."""
    ds = result.dataset
    if PIXEL_DATA not in ds:
        return
    current: object = ds.get_item(PIXEL_DATA)
    original = result.originals.get(PIXEL_DATA)
    if original is not None and current is original[0]:
        raw, element = original
        if element.undefined_length != compressed:
            raise Declined("Pixel Data length form does not match the transfer syntax")
        if (element.content_end - element.value_start) % 2:
            raise Declined("odd-length Pixel Data")
        if not raw.is_implicit_VR and raw.VR not in ("OB", "OW"):
            raise Declined("Pixel Data VR other than OB or OW")
        return
    ds[PIXEL_DATA].is_undefined_length = compressed


def encode(result: ReadResult, source: SourceFile) -> list[Piece]:
    """Every piece of the output file, in order."""
    ds = result.dataset
    meta, syntax = _prepared_meta(ds)
    implicit = bool(syntax.is_implicit_VR)
    if (implicit, True) != ds.original_encoding:
        raise Declined("output encoding differs from the input's")
    if ds.original_character_set != ds._character_set:
        raise Declined("character set changed")
    _prepare_pixel_data(result, bool(syntax.is_compressed))
    pieces: list[Piece] = [_head(meta, implicit)]
    encodings = ds.get("SpecificCharacterSet", default_encoding)
    encoded = DicomBytesIO()
    encoded.is_implicit_VR, encoded.is_little_endian = implicit, True
    originals = result.originals
    elements = ds._dict
    for tag in sorted(elements):
        if tag & 0xFFFF == 0 and tag >> 16 > 6:
            continue
        item: object = elements[tag]
        original = originals.get(tag)
        if original is not None and item is original[0]:
            if encoded.tell():
                pieces.append(encoded.getvalue())
                encoded = DicomBytesIO()
                encoded.is_implicit_VR, encoded.is_little_endian = implicit, True
            pieces.extend(_copied(source, original[0], original[1]))
        else:
            element: DataElement | RawDataElement = ds.get_item(tag)
            write_data_element(encoded, element, encodings)
    if encoded.tell():
        pieces.append(encoded.getvalue())
    return pieces
