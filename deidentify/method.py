"""What the standard adds to every de-identified object (PS3.15 E.1.1, E.2, E.3).

Patient Identity Removed (0012,0062) YES; De-identification Method (0012,0063) naming the
profile, options, edition, compound policy, the unknown-element setting and tool version,
and where free text is cleaned how, one value per part so that each fits LO's 64 characters;
De-identification Method Code Sequence (0012,0064) with one item per profile and option,
merged with the items of an earlier de-identification so no code is listed twice;
Longitudinal Temporal Information Modified (0028,0303), never claiming less than an earlier
de-identification did; and an item for this tool in Contributing Equipment Sequence
(0018,A001) with purpose (DCM, 109104, "De-identifying Equipment").
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version

from pydicom import Dataset
from pydicom.dataelem import DataElement, RawDataElement
from pydicom.sequence import Sequence
from pydicom.tag import BaseTag

from deidentify.elements import items
from deidentify.plan import Plan, Treatment
from deidentify.text import description
from generated.model import BASIC_PROFILE_CODE, CodedConcept, Option

PATIENT_IDENTITY_REMOVED = 0x00120062
DEIDENTIFICATION_METHOD = 0x00120063
DEIDENTIFICATION_METHOD_CODE_SEQUENCE = 0x00120064
LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED = 0x00280303
CONTRIBUTING_EQUIPMENT_SEQUENCE = 0x0018A001
PIXEL_REPRESENTATION = BaseTag(0x00280103)
PURPOSE_OF_REFERENCE_CODE_SEQUENCE = 0x0040A170
CODE_VALUE = 0x00080100
CODING_SCHEME_DESIGNATOR = 0x00080102
MANUFACTURER = 0x00080070
SOFTWARE_VERSIONS = 0x00181020

TOOL_NAME = "deidentify"
try:
    TOOL_VERSION = version("deidentify")
except PackageNotFoundError:
    TOOL_VERSION = "unknown"

DEIDENTIFYING_EQUIPMENT = CodedConcept("109104", "DCM", "De-identifying Equipment")

_TEMPORAL_RANK = {"UNMODIFIED": 0, "MODIFIED": 1, "REMOVED": 2}


_CLEANING_TEXT = frozenset(
    {Treatment.CLEAN_TEXT, Treatment.CLEAN_STRUCTURED_CONTENT, Treatment.CLEAN_GRAPHICS}
)


def method_text(plan: Plan) -> list[str]:
    """De-identification Method's values: each at most 64 characters; where the profile
    cleans free text, one value names how (``deidentify.text.description.METHOD``)."""
    cleans = any(row.treatment in _CLEANING_TEXT for row in plan.rows())
    return [
        f"{TOOL_NAME} {TOOL_VERSION} PS3.15 {plan.profile.edition}",
        BASIC_PROFILE_CODE.meaning,
        *plan.profile.option_names,
        f"compound codes {plan.policy.value}",
        f"unknown elements {plan.unknown.value}",
        *([description.METHOD] if cleans else []),
    ]


def method_codes(plan: Plan) -> list[CodedConcept]:
    """The profile's code and each active option's, in a fixed order."""
    return [BASIC_PROFILE_CODE, *(option.code for option in Option if plan.has(option))]


def temporal_state(plan: Plan) -> str:
    """Longitudinal Temporal Information Modified for this profile."""
    if plan.has(Option.RETAIN_LONGITUDINAL_FULL_DATES):
        return "UNMODIFIED"
    if plan.has(Option.RETAIN_LONGITUDINAL_MODIFIED_DATES):
        return "MODIFIED"
    return "REMOVED"


def code_item(code: CodedConcept) -> Dataset:
    """A Basic Coded Entry item."""
    item = Dataset()
    item.CodeValue = code.value
    item.CodingSchemeDesignator = code.scheme
    item.CodeMeaning = code.meaning
    return item


def equipment_item() -> Dataset:
    """This tool's Contributing Equipment item."""
    item = Dataset()
    item.PurposeOfReferenceCodeSequence = Sequence([code_item(DEIDENTIFYING_EQUIPMENT)])
    item.Manufacturer = TOOL_NAME
    item.ManufacturerModelName = TOOL_NAME
    item.SoftwareVersions = TOOL_VERSION
    item.ContributionDescription = "De-identified (PS3.15 Annex E)"
    return item


def _fresh_element(element: DataElement) -> DataElement:
    """A new element equal to ``element``: its value (already converted, and immutable or a
    sequence) is not converted or validated again; a sequence's items are copied too."""
    value = element.value
    if isinstance(value, Sequence):
        value = Sequence([fresh_item(item) for item in value])
    elif not isinstance(value, str):
        raise TypeError("only string and sequence values are copied")
    return DataElement(element.tag, element.VR, value, already_converted=True)


def fresh_item(template: Dataset) -> Dataset:
    """A new item with new elements equal to those of ``template``, in the same order.

    No object is shared with the template, so changing the copy never changes another.
    """
    return Dataset({tag: _fresh_element(template[tag]) for tag in template._dict})


def _key(item: Dataset) -> tuple[str, str]:
    return (
        str(item.get(CODE_VALUE).value if CODE_VALUE in item else ""),
        str(item.get(CODING_SCHEME_DESIGNATOR).value if CODING_SCHEME_DESIGNATOR in item else ""),
    )


def _is_this_tool(item: Dataset) -> bool:
    purposes = list(items(item, PURPOSE_OF_REFERENCE_CODE_SEQUENCE)) if (
        PURPOSE_OF_REFERENCE_CODE_SEQUENCE in item
    ) else []
    return (
        any(_key(purpose) == (DEIDENTIFYING_EQUIPMENT.value, "DCM") for purpose in purposes)
        and MANUFACTURER in item
        and str(item[MANUFACTURER].value) == TOOL_NAME
        and SOFTWARE_VERSIONS in item
        and str(item[SOFTWARE_VERSIONS].value) == TOOL_VERSION
    )


def _set_sequence(ds: Dataset, element: DataElement) -> None:
    """``ds[element.tag] = element`` for a shared sequence of this tool's constant items.

    pydicom's ``__setitem__`` would also decode Pixel Representation, to resolve the "US or
    SS" elements of the items, which hold none. That is skipped where the decoding could
    neither fail nor change how the element is written: it is absent, decoded already, or
    one two-byte value of VR US (or implicit)."""
    representation = ds._dict.get(PIXEL_REPRESENTATION)
    if isinstance(representation, RawDataElement) and not (
            representation.VR in ("US", None) and isinstance(representation.value, bytes)
            and len(representation.value) == 2):
        ds[element.tag] = element
    else:
        ds._dict[element.tag] = element


class MethodAttributes:
    """The attributes that record the de-identification under one plan.

    Their constant parts (code items, the equipment item, coded strings) are built once, by
    pydicom's own conversion and validation; each dataset gets new copies of them, or, for a
    dataset encoded once and then discarded (``shared``), the same elements as every other.
    """

    def __init__(self, plan: Plan) -> None:
        self._method_text = method_text(plan)
        self._codes = [(code.value, code.scheme, code_item(code)) for code in method_codes(plan)]
        self._equipment = equipment_item()
        self._state = temporal_state(plan)
        self._coded = {
            text: DataElement(tag, "CS", text)
            for tag, texts in (
                (PATIENT_IDENTITY_REMOVED, ("YES",)),
                (LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED, tuple(_TEMPORAL_RANK)),
            )
            for text in texts
        }
        self._shared: dict[object, DataElement] = {}
        """Elements given to every dataset that is encoded once and discarded."""

    def add(self, ds: Dataset, extra: tuple[str, ...] = (), shared: bool = False) -> None:
        """Add (or update) the attributes that record the de-identification; ``extra``
        values of De-identification Method say what was done to this object's pixels.

        ``shared``: ``ds`` is encoded once and discarded, unchanged, so that the elements
        that are the same for every dataset may be the same objects."""
        fresh = self._once if shared else _fresh_element
        ds[PATIENT_IDENTITY_REMOVED] = fresh(self._coded["YES"])
        text = (*self._method_text, *extra)
        ds[DEIDENTIFICATION_METHOD] = self._shared_element(
            text, lambda: self._method_element(text)) if shared else self._method_element(text)
        if shared and DEIDENTIFICATION_METHOD_CODE_SEQUENCE not in ds:
            _set_sequence(ds, self._shared_element(
                DEIDENTIFICATION_METHOD_CODE_SEQUENCE, lambda: self._codes_element([])))
        else:
            self._merge_codes(ds)
        ds[LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED] = fresh(self._coded[self._temporal(ds)])
        if shared and CONTRIBUTING_EQUIPMENT_SEQUENCE not in ds:
            _set_sequence(ds, self._shared_element(
                CONTRIBUTING_EQUIPMENT_SEQUENCE, lambda: self._equipment_element([])))
        else:
            self._add_equipment(ds)

    @staticmethod
    def _once(element: DataElement) -> DataElement:
        return element

    def _shared_element(self, key: object, build: Callable[[], DataElement]) -> DataElement:
        """The element built once for ``key`` and given to every dataset after."""
        element = self._shared.get(key)
        if element is None:
            element = self._shared[key] = build()
        return element

    @staticmethod
    def _method_element(text: tuple[str, ...]) -> DataElement:
        return DataElement(DEIDENTIFICATION_METHOD, "LO", list(text))

    def _merge_codes(self, ds: Dataset) -> None:
        existing = list(items(ds, DEIDENTIFICATION_METHOD_CODE_SEQUENCE)) if (
            DEIDENTIFICATION_METHOD_CODE_SEQUENCE in ds
        ) else []
        ds[DEIDENTIFICATION_METHOD_CODE_SEQUENCE] = self._codes_element(existing)

    def _codes_element(self, existing: list[Dataset]) -> DataElement:
        """The code sequence: the earlier items (with a code) and this plan's new ones."""
        merged = [item for item in existing if _key(item) != ("", "")]
        present = {_key(item) for item in merged}
        merged += [
            fresh_item(item) for value, scheme, item in self._codes
            if (value, scheme) not in present
        ]
        return DataElement(DEIDENTIFICATION_METHOD_CODE_SEQUENCE, "SQ", Sequence(merged),
                           already_converted=True)

    def _temporal(self, ds: Dataset) -> str:
        state = self._state
        if LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED not in ds:
            return state
        earlier = str(ds[LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED].value or "").strip()
        if _TEMPORAL_RANK.get(earlier, -1) > _TEMPORAL_RANK[state]:
            return earlier
        return state

    def _add_equipment(self, ds: Dataset) -> None:
        existing = list(items(ds, CONTRIBUTING_EQUIPMENT_SEQUENCE)) if (
            CONTRIBUTING_EQUIPMENT_SEQUENCE in ds
        ) else []
        if any(_is_this_tool(item) for item in existing):
            return
        ds[CONTRIBUTING_EQUIPMENT_SEQUENCE] = self._equipment_element(existing)

    def _equipment_element(self, existing: list[Dataset]) -> DataElement:
        """The equipment sequence: the earlier items and this tool's."""
        return DataElement(CONTRIBUTING_EQUIPMENT_SEQUENCE, "SQ",
                           Sequence([*existing, fresh_item(self._equipment)]),
                           already_converted=True)
