"""The original values of what one de-identification changed or removed.

In: a dataset before de-identification (``Snapshot``, taken before anything changes) and the
same dataset afterwards. Out: the single item of the Modified Attributes Sequence
(0400,0550): the original of every top-level element that was removed or whose value
changed. A sequence in which anything changed, at any depth, is stored whole (its original
items with everything nested in them), so that restoring it restores the nested values too.
Always stored when present: SOP Instance UID (re-identifiers such as GDCM's require it),
Specific Character Set (the stored text is decoded by it) and the attributes every
de-identification sets (``METHOD_TAGS``), so that a re-identifier can tell which of those the
original lacked. Elements the de-identification only added are not stored.
"""

from __future__ import annotations

import copy

from pydicom import Dataset
from pydicom.dataelem import DataElement, RawDataElement, convert_raw_data_element
from pydicom.tag import BaseTag

from deidentify import method
from deidentify.beyond.sealed import ENCRYPTED_ATTRIBUTES_SEQUENCE

SPECIFIC_CHARACTER_SET = 0x00080005
SOP_INSTANCE_UID = 0x00080018

METHOD_TAGS = frozenset(
    {
        method.PATIENT_IDENTITY_REMOVED,
        method.DEIDENTIFICATION_METHOD,
        method.DEIDENTIFICATION_METHOD_CODE_SEQUENCE,
        method.LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED,
        method.CONTRIBUTING_EQUIPMENT_SEQUENCE,
    }
)
"""What every de-identification adds or sets: stored whenever the original has them."""

ALWAYS_STORED = METHOD_TAGS | {SPECIFIC_CHARACTER_SET, SOP_INSTANCE_UID}

Element = DataElement | RawDataElement


def _frozen(element: Element) -> Element:
    """An element that later changes to the dataset cannot reach: raw elements are tuples;
    a decoded one (a parsed sequence, a multi-valued list) is copied deeply."""
    return element if isinstance(element, RawDataElement) else copy.deepcopy(element)


class Snapshot:
    """The top-level elements of a dataset as they were (the Encrypted Attributes Sequence
    itself excluded)."""

    def __init__(self, ds: Dataset) -> None:
        self._elements: dict[BaseTag, Element] = {}
        for tag in list(ds.keys()):
            if tag != ENCRYPTED_ATTRIBUTES_SEQUENCE:
                self._elements[tag] = _frozen(ds.get_item(tag))
        self._original = Dataset(dict(self._elements))

    def modified(self, ds: Dataset) -> Dataset:
        """The Modified Attributes item: originals of what ``ds`` no longer holds as it was."""
        item = Dataset()
        original = self._original
        for tag, before in self._elements.items():
            if tag in ALWAYS_STORED or tag not in ds or not _unchanged(before, ds, tag):
                item[tag] = original[tag]
        return item


def _decoded(element: Element, ds: Dataset) -> DataElement:
    if isinstance(element, RawDataElement):
        return convert_raw_data_element(element, encoding=ds._character_set, ds=ds)
    return element


def _unchanged(before: Element, ds: Dataset, tag: int) -> bool:
    after = ds.get_item(tag)
    if after is before:
        return True
    old, new = _decoded(before, ds), _decoded(after, ds)
    return old.VR == new.VR and old.value == new.value
