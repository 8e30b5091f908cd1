"""The dataset the reference reader would build, assembled from a parsed layout.

``pydicom.dcmread`` yields one raw (undecoded) element per defined-length element and parses
undefined-length sequences at once. This module builds the same objects straight from the
offsets of :mod:`deidentify.fastpath.layout`, without pydicom's per-element file reads, so the
engine sees what it sees on the reference path, less the elements it would neither read nor
change (:mod:`deidentify.fastpath.view`). Values larger than ``DEFER_THRESHOLD`` are left
deferred: pydicom reads them from the file only if the engine looks at them.
"""

from __future__ import annotations

from collections.abc import MutableSequence
from dataclasses import dataclass
from typing import BinaryIO, NamedTuple, cast

from pydicom.charset import convert_encodings, default_encoding
from pydicom.dataelem import (
    DataElement,
    RawDataElement,
    empty_value_for_VR,
)
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.filebase import DicomBytesIO
from pydicom.filereader import read_sequence
from pydicom.tag import BaseTag
from pydicom.values import convert_string

from deidentify import writer
from deidentify.fastpath import encoding as encoder
from deidentify.fastpath.layout import PIXEL_DATA, PREAMBLE_LENGTH, Declined, Element, FileLayout
from deidentify.fastpath.source import SourceFile
from deidentify.fastpath.view import DEFER_THRESHOLD, FIRST_OF_KEY, EngineView, Fate

SPECIFIC_CHARACTER_SET = 0x00080005
FILE_META_GROUP_LENGTH = 0x00020000

_new_raw = RawDataElement._make

Encoding = str | MutableSequence[str]


class Treated(NamedTuple):
    """An element treated without the engine's dataset: its output bytes, in tag order."""

    tag: int
    data: bytes


@dataclass(frozen=True)
class ReadResult:
    """What the engine sees and what it does not.

    ``dataset`` holds the elements the engine needs; ``originals`` maps their tags to the raw
    objects placed there; ``copies`` are the elements kept out of the dataset: copied from
    the input, or written as treated.
    """

    dataset: FileDataset
    originals: dict[int, tuple[RawDataElement, Element]]
    copies: tuple[Element | Treated, ...]


def _file_meta(source: SourceFile, layout: FileLayout) -> FileMetaDataset:
    """The File Meta as the reference reader decodes it (``_read_file_meta_info``)."""
    buffer = source.buffer
    elements: list[RawDataElement] = []
    for element in layout.meta:
        value = bytes(buffer[element.value_start : element.end])
        length = element.end - element.value_start
        raw = value if length else cast(bytes | None, empty_value_for_VR(element.vr, raw=True))
        elements.append(_new_raw((BaseTag(element.tag), element.vr, length, raw,
                                  element.value_start, False, True, True, False)))
    meta = writer.group_two(elements)  # the layout's File Meta is group 0002 only
    meta.set_original_encoding(False, True, default_encoding)
    if elements and not _decoding_cannot_fail(elements[0]):
        meta[elements[0].tag]  # pydicom decodes the first element to test the encoding
    return meta


def _decoding_cannot_fail(first: RawDataElement) -> bool:
    """Whether the first File Meta element is a group length of four bytes, whose decoding
    (pydicom's test of the File Meta's encoding) cannot fail."""
    return first.tag == FILE_META_GROUP_LENGTH and first.VR == "UL" and first.length == 4


def _undefined_sequence(
    source: SourceFile, element: Element, implicit: bool, encoding: Encoding
) -> DataElement:
    """An undefined-length sequence, parsed now as the reference reader does."""
    stream = DicomBytesIO(bytes(source.buffer[element.value_start : element.end]))
    sequence = read_sequence(
        cast(BinaryIO, stream), implicit, True, 0xFFFFFFFF, encoding, offset=element.value_start
    )
    return DataElement(
        BaseTag(element.tag), "SQ", sequence, element.value_start, is_undefined_length=True
    )


def _read_whole(element: Element) -> bool:
    """Whether the reference reader reads the value (of defined length, not deferred)."""
    return not element.undefined_length and (
        element.content_end - element.value_start <= DEFER_THRESHOLD)


def _value(source: SourceFile, element: Element) -> bytes | None:
    """The value the reference reader reads of an element that is not an undefined-length
    sequence: its bytes, the empty value of its VR, or None when deferred past
    ``DEFER_THRESHOLD`` (but Specific Character Set); Declined for large Pixel Data in a
    memory map, which the engine would decode."""
    size = element.content_end - element.value_start
    if size == 0:
        return cast(bytes | None, empty_value_for_VR(element.vr or None, raw=True))
    if size > DEFER_THRESHOLD and element.tag != SPECIFIC_CHARACTER_SET:
        if element.tag == PIXEL_DATA and source.mapped:
            raise Declined("large Pixel Data that the engine would decode")
        return None
    return bytes(source.buffer[element.value_start : element.content_end])


def _raw_element(element: Element, value: bytes | None, implicit: bool) -> RawDataElement:
    """The raw element the reference reader builds of an element that is not an
    undefined-length sequence, ``value`` as it reads it (``_value``)."""
    length = 0xFFFFFFFF if element.undefined_length else (
        element.content_end - element.value_start)
    return _new_raw((BaseTag(element.tag), element.vr or None, length, value,
                     element.value_start, implicit, True, True, False))


def read(source: SourceFile, layout: FileLayout, view: EngineView) -> ReadResult:
    """Build the dataset of a parsed file as ``pydicom.dcmread(path)`` returns it, without
    the elements that ``view`` keeps from the engine."""
    buffer = source.buffer
    implicit = layout.implicit_vr
    if layout.raw and any(element.content_end - element.value_start > DEFER_THRESHOLD
                          for element in layout.elements):
        raise Declined("a raw dataset with a value the reference reader would defer")
    encoding: Encoding = default_encoding
    elements: dict[BaseTag, RawDataElement | DataElement] = {}
    originals: dict[int, tuple[RawDataElement, Element]] = {}
    copies: list[Element | Treated] = []
    known, fate = view.fates, view.fate
    to_engine, to_copy, to_size, to_treat = Fate.ENGINE, Fate.COPY, Fate.SIZED, Fate.TREATED
    first_of_key = FIRST_OF_KEY
    ascii_text = True
    for element in layout.elements:
        key = element[:2]
        kept = known.get(key) or fate(*key)
        if kept is to_size:
            kept = view.sized_fate(element, buffer)
        treated: RawDataElement | None = None
        if kept is to_treat:
            data = None
            if _read_whole(element):
                value = _value(source, element)
                data = view.treated(element, value, implicit, ascii_text)
                if data is first_of_key:
                    treated = _raw_element(element, value, implicit)
                    data = view.treat_first(treated, element, value, implicit, ascii_text)
            if data is Fate.COPY:
                copies.append(element)
                continue
            if isinstance(data, bytes):
                if data:
                    copies.append(Treated(element.tag, data))
                continue
        elif kept is not to_engine:
            if kept is to_copy:
                copies.append(element)
            continue
        if element.undefined_length and element.tag != PIXEL_DATA:
            elements[BaseTag(element.tag)] = _undefined_sequence(source, element, implicit,
                                                                 encoding)
            continue
        raw = treated or _raw_element(element, _value(source, element), implicit)
        if element.tag == SPECIFIC_CHARACTER_SET:
            encoding = convert_encodings(convert_string(raw.value or b"", True))
            ascii_text = encoder.ascii_safe(encoding)
        elements[raw.tag] = raw
        originals[raw.tag] = (raw, element)
    preamble = None if layout.raw else bytes(buffer[:PREAMBLE_LENGTH])
    result = FileDataset(
        str(source.path), elements, preamble, _file_meta(source, layout), implicit, True
    )
    result.set_original_encoding(implicit, True, result._character_set)
    return ReadResult(result, originals, tuple(copies))
