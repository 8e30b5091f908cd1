"""Hand-written checks behind the generated conformance tests (tests/conformance/test_*.py).

Each check builds a dataset holding one attribute with a VR-valid value, at the top level and
inside an item of a container sequence that Table E.1-1 does not list, applies the runtime
and asserts the observable outcome of the code the generated case gives. The dataset also
holds a Patient's Name and Patient ID ("marker" values), which free text embeds so that
cleaning has identifying text to remove.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import cache

import pydicom
import pytest
from pydicom import Dataset
from pydicom.config import RAISE
from pydicom.dataelem import DataElement
from pydicom.sequence import Sequence
from pydicom.uid import UID
from pydicom.valuerep import validate_value

from deidentify import Plan, parse_profile
from deidentify.engine import Deidentifier

Case = tuple[str, int, str, str, str]
"""(tag as the standard writes it, tag, VR, profile URI, expected code)."""

Probe = tuple[str, int, str, str, str]
"""(tag as written, tag, VR, expected code, outcome) of an attribute inside a kept item."""

PrivateCase = tuple[str, int, int, str, str, str, str]
"""(tag as written, group, element offset, Private Creator, VR, profile URI, rule's code)."""

SECRET = b"conformance tests: a fixed secret"
MARK_NAME = "Conformance^Marker"
MARK_ID = "CM48213"
MARK_TEXT = f"Seen by Conformance Marker, ID {MARK_ID}"
PLANTED = ("Conformance", "Marker", MARK_ID)
"""The identifying pieces that cleaned text must no longer contain."""

PATIENT_NAME = 0x00100010
PATIENT_ID = 0x00100020
TEXT_VRS = frozenset({"LO", "LT", "PN", "SH", "ST", "UC", "UT"})
SHIFTED_VRS = frozenset({"DA", "DT"})

ORIGINALS: dict[str, object] = {
    "AE": "CMSTATION1",
    "AS": "042Y",
    "AT": 0x00100020,
    "CS": MARK_ID,
    "DA": "20010203",
    "DS": "42.5",
    "DT": "20010203040506",
    "FD": 4.5,
    "FL": 4.5,
    "IS": "42",
    "LO": MARK_TEXT,
    "LT": MARK_TEXT,
    "OB": MARK_ID.encode() + b"\x00",
    "OD": MARK_ID.encode() + b"\x00",
    "OF": MARK_ID.encode() + b"\x00",
    "OL": MARK_ID.encode() + b"\x00",
    "OV": MARK_ID.encode() + b"\x00",
    "OW": MARK_ID.encode() + b"\x00",
    "PN": MARK_NAME,
    "SH": MARK_ID,
    "SL": 42,
    "SS": 42,
    "ST": MARK_TEXT,
    "SV": 42,
    "TM": "040506",
    "UC": MARK_TEXT,
    "UI": "1.2.826.0.1.3680043.10.1137.4821.1",
    "UL": 42,
    "UN": MARK_ID.encode() + b"\x00",
    "UR": f"http://example.org/{MARK_ID}",
    "US": 42,
    "UT": MARK_TEXT,
    "UV": 42,
}
"""The original value of each VR (SQ: one item holding the probes)."""


KNOWN_DISAGREEMENTS: dict[tuple[int, str], str] = {}
"""Where the runtime and Table E.1-1 are known to disagree, by (tag, outcome): such a case is
an expected failure, and fails outright once the runtime conforms, so that the entry goes."""


def _unless_known(case: Case, outcome: str, check: Callable[[], None]) -> None:
    reason = KNOWN_DISAGREEMENTS.get((case[1], outcome))
    if reason is None:
        check()
        return
    try:
        check()
    except AssertionError:
        pytest.xfail(f"known disagreement: {reason}")
    pytest.fail(f"{case[0]} now conforms: remove it from KNOWN_DISAGREEMENTS")


@cache
def deidentifier(edition: str, profile: str) -> Deidentifier:
    """One runtime per edition and profile, built once."""
    return Deidentifier(Plan.build(parse_profile(profile, edition=edition)), secret=SECRET)


def case_id(case: Case) -> str:
    return f"{case[0]}-{case[2]}-{case[3].removeprefix('deidentify:') or 'Basic'}"


def private_case_id(case: PrivateCase) -> str:
    return f"{case[0]}-{case[3]}-{case[5].removeprefix('deidentify:') or 'Basic'}"


def _element(tag: int, vr: str, probes: tuple[Probe, ...] = ()) -> DataElement:
    if vr == "SQ":
        item = Dataset()
        for probe in probes:
            item.add(_element(probe[1], probe[2]))
        return DataElement(tag, vr, Sequence([item]))
    return DataElement(tag, vr, ORIGINALS[vr])


def _base() -> Dataset:
    ds = Dataset()
    ds.PatientName = MARK_NAME
    ds.PatientID = MARK_ID
    return ds


def _apply(edition: str, profile: str, ds: Dataset, written: bool = False) -> Dataset:
    """Apply the runtime; File Meta is only observable in a written file: ``written`` writes
    the result and reads it back."""
    runtime = deidentifier(edition, profile)
    runtime.apply(ds)
    if not written:
        return ds
    buffer = io.BytesIO()
    runtime.write(ds, buffer)
    buffer.seek(0)
    return pydicom.dcmread(buffer)


def outcomes(edition: str, container: int, case: Case,
             probes: tuple[Probe, ...] = ()) -> list[tuple[Dataset, str]]:
    """The datasets holding the case's attribute after de-identification, with where it sits:
    the top level and (except File Meta) the container's item."""
    _, tag, vr, profile, _ = case
    top = _base()
    if tag >> 16 == 0x0002:
        top.file_meta = pydicom.dataset.FileMetaDataset()
        top.file_meta.add(_element(tag, vr, probes))
        top.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
        top.SOPInstanceUID = ORIGINALS["UI"]
        result = _apply(edition, profile, top, written=True)
        return [(result.file_meta, "File Meta")]
    top.add(_element(tag, vr, probes))
    nested = _base()
    item = Dataset()
    item.add(_element(tag, vr, probes))
    nested.add(DataElement(container, "SQ", Sequence([item])))
    top = _apply(edition, profile, top)
    nested = _apply(edition, profile, nested)
    assert container in nested, "the unlisted container sequence was not kept"
    items = nested[container].value
    assert len(items) == 1, "the unlisted container sequence lost its item"
    return [(top, "top level"), (items[0], "sequence item")]


def _valid(vr: str, value: object) -> bool:
    try:
        validate_value(vr, value, RAISE)
    except (ValueError, TypeError):
        return False
    return True


def check_removed(edition: str, container: int, case: Case) -> None:
    for ds, where in outcomes(edition, container, case):
        assert case[1] not in ds, f"{case[0]} still present ({where})"


def check_empty(edition: str, container: int, case: Case) -> None:
    """Z (E.1.1): a zero-length value, or a non-zero-length value that may be a dummy,
    consistent with the VR (the top-level Patient's Name gets the patient's pseudonym)."""
    vr = case[2]
    for ds, where in outcomes(edition, container, case):
        assert case[1] in ds, f"{case[0]} removed, expected zero length ({where})"
        element = ds[case[1]]
        if element.is_empty:
            continue
        assert element.value != ORIGINALS[vr], f"{case[0]} kept its original value ({where})"
        assert _valid(vr, element.value), f"{case[0]} value not valid for {vr} ({where})"
        assert not _contains_planted(element.value), f"{case[0]} holds identifying text ({where})"


def check_dummy(edition: str, container: int, case: Case) -> None:
    _unless_known(case, "dummy", lambda: _dummy(edition, container, case))


def _dummy(edition: str, container: int, case: Case) -> None:
    vr = case[2]
    for ds, where in outcomes(edition, container, case):
        assert case[1] in ds, f"{case[0]} removed, expected a dummy ({where})"
        element = ds[case[1]]
        assert not element.is_empty, f"{case[0]} empty, expected a dummy ({where})"
        assert element.value != ORIGINALS[vr], f"{case[0]} kept its original value ({where})"
        assert _valid(vr, element.value), f"{case[0]} dummy not valid for {vr} ({where})"


def check_kept(edition: str, container: int, case: Case) -> None:
    vr = case[2]
    for ds, where in outcomes(edition, container, case):
        assert case[1] in ds, f"{case[0]} removed, expected kept ({where})"
        assert ds[case[1]].value == ORIGINALS[vr], f"{case[0]} changed, expected kept ({where})"


def check_new_uid(edition: str, container: int, case: Case) -> None:
    original = ORIGINALS["UI"]
    values = set()
    for ds, where in outcomes(edition, container, case):
        assert case[1] in ds, f"{case[0]} removed, expected a new UID ({where})"
        value = ds[case[1]].value
        assert value != original, f"{case[0]} kept its original UID ({where})"
        assert UID(str(value)).is_valid, f"{case[0]} new UID not valid ({where})"
        values.add(str(value))
    assert len(values) == 1, f"{case[0]}: the same UID was replaced by different UIDs"


def _contains_planted(value: object) -> bool:
    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return any(piece in text for piece in PLANTED)


def check_cleaned(edition: str, container: int, case: Case) -> None:
    _unless_known(case, "cleaned", lambda: _cleaned(edition, container, case))


def _cleaned(edition: str, container: int, case: Case) -> None:
    vr = case[2]
    for ds, where in outcomes(edition, container, case):
        if vr in TEXT_VRS or vr in SHIFTED_VRS or vr == "AE":
            assert case[1] in ds, f"{case[0]} removed, expected cleaned ({where})"
        if case[1] not in ds:
            continue
        value = ds[case[1]].value
        assert _valid(vr, value), f"{case[0]} cleaned value not valid for {vr} ({where})"
        if vr in SHIFTED_VRS or vr == "AE":
            assert value != ORIGINALS[vr], f"{case[0]} not modified ({where})"
        assert not _contains_planted(value), f"{case[0]} still holds identifying text ({where})"


def _check_probe(item: Dataset, probe: Probe, where: str) -> None:
    text, tag, vr, _, outcome = probe
    if outcome == "removed":
        assert tag not in item, f"{text} inside the item still present ({where})"
        return
    assert tag in item, f"{text} inside the item removed ({where})"
    value = item[tag].value
    if outcome == "empty":
        assert item[tag].is_empty, f"{text} inside the item not emptied ({where})"
    elif outcome == "kept":
        assert value == ORIGINALS[vr], f"{text} inside the item changed ({where})"
    else:
        assert value != ORIGINALS[vr], f"{text} inside the item unchanged ({where})"


def check_items_cleaned(edition: str, container: int, case: Case,
                        probes: dict[str, tuple[Probe, ...]]) -> None:
    inside = probes[case[3]]
    for ds, where in outcomes(edition, container, case, inside):
        assert case[1] in ds, f"{case[0]} removed, expected the sequence kept ({where})"
        items = ds[case[1]].value
        assert len(items) == 1, f"{case[0]} lost its item ({where})"
        for probe in inside:
            _check_probe(items[0], probe, where)


def _private_dataset(case: PrivateCase) -> Dataset:
    _, group, element, creator, vr, _, _ = case
    ds = _base()
    block = ds.private_block(group, creator, create=True)
    if vr == "SQ":
        item = Dataset()
        item.CodeValue = MARK_ID
        block.add_new(element, vr, Sequence([item]))
    else:
        block.add_new(element, vr, ORIGINALS[vr])
    return ds


def _private_outcomes(edition: str, container: int, case: PrivateCase) -> list[tuple[Dataset, str]]:
    profile = case[5]
    top = _apply(edition, profile, _private_dataset(case))
    nested = _base()
    nested.add(DataElement(container, "SQ", Sequence([_private_dataset(case)])))
    nested = _apply(edition, profile, nested)
    assert container in nested, "the unlisted container sequence was not kept"
    return [(top, "top level"), (nested[container].value[0], "sequence item")]


def check_private_removed(edition: str, container: int, case: PrivateCase) -> None:
    _, group, _, creator, _, _, _ = case
    for ds, where in _private_outcomes(edition, container, case):
        left = [elem.tag for elem in ds if elem.tag.group == group]
        assert not left, f"{case[0]} of {creator!r}: private elements left ({where})"


def check_private_kept(edition: str, container: int, case: PrivateCase) -> None:
    _, group, element, creator, vr, _, _ = case
    for ds, where in _private_outcomes(edition, container, case):
        try:
            block = ds.private_block(group, creator)
        except KeyError:
            raise AssertionError(f"{case[0]}: Private Creator {creator!r} removed ({where})") from None
        assert element in block, f"{case[0]} of {creator!r} removed ({where})"
        value = block[element].value
        if vr == "SQ":
            assert len(value) == 1, f"{case[0]} of {creator!r} lost its item ({where})"
        else:
            assert value == ORIGINALS[vr], f"{case[0]} of {creator!r} changed ({where})"


ContentCase = tuple[str, str, str, str, str, str]
"""(code meaning, code value, coding scheme, value type, profile URI, Table E.3.4-1 code)."""

CONTENT_SEQUENCE = 0x0040A730
REFERENCED_SOP_SEQUENCE = 0x00081199
CONTENT_VALUES: dict[str, tuple[int, str]] = {
    "TEXT": (0x0040A160, "UT"),
    "PNAME": (0x0040A123, "PN"),
    "DATE": (0x0040A121, "DA"),
    "TIME": (0x0040A122, "TM"),
    "DATETIME": (0x0040A120, "DT"),
    "UIDREF": (0x0040A124, "UI"),
}
"""The element holding a content item's value, by Value Type, for the value types whose value
is one element (CODE, NUM and references hold theirs in a sequence)."""
REFERENCED_UID = "1.2.826.0.1.3680043.10.1137.4821.2"


def content_case_id(case: ContentCase) -> str:
    return f"{case[2]}-{case[1]}-{case[3]}-{case[4].removeprefix('deidentify:')}"


def _content_item(case: ContentCase) -> Dataset:
    meaning, code_value, scheme, value_type, _, _ = case
    item = Dataset()
    item.RelationshipType = "CONTAINS"
    item.ValueType = value_type
    concept = Dataset()
    concept.CodeValue = code_value
    concept.CodingSchemeDesignator = scheme
    concept.CodeMeaning = meaning[:64]
    item.ConceptNameCodeSequence = Sequence([concept])
    if value_type in CONTENT_VALUES:
        tag, vr = CONTENT_VALUES[value_type]
        item.add(DataElement(tag, vr, ORIGINALS[vr]))
    elif value_type == "CODE":
        code = Dataset()
        code.CodeValue = "248152002"
        code.CodingSchemeDesignator = "SCT"
        code.CodeMeaning = "Female"
        item.ConceptCodeSequence = Sequence([code])
    elif value_type == "NUM":
        measured = Dataset()
        measured.NumericValue = "42.5"
        item.MeasuredValueSequence = Sequence([measured])
    elif value_type in ("COMPOSITE", "IMAGE", "WAVEFORM"):
        reference = Dataset()
        reference.ReferencedSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
        reference.ReferencedSOPInstanceUID = REFERENCED_UID
        item.ReferencedSOPSequence = Sequence([reference])
    return item


def _content_value(item: Dataset, value_type: str) -> object:
    """The item's value as compared with the original; None where it has none left. A coded
    value is its Code Value: K keeps a sequence's items cleaned, so its Code Meaning may be."""
    if value_type in CONTENT_VALUES:
        tag = CONTENT_VALUES[value_type][0]
        return item[tag].value if tag in item else None
    if value_type == "CODE" and "ConceptCodeSequence" in item:
        codes = item.ConceptCodeSequence
        return str(codes[0].get("CodeValue", "")) if codes else None
    if value_type == "NUM" and "MeasuredValueSequence" in item:
        values = item.MeasuredValueSequence
        return str(values[0].get("NumericValue", "")) if values else None
    if REFERENCED_SOP_SEQUENCE in item:
        references = item[REFERENCED_SOP_SEQUENCE].value
        return str(references[0].get("ReferencedSOPInstanceUID", "")) if references else None
    return None


def _original_value(value_type: str) -> object:
    return _content_value(_content_item(("", "", "", value_type, "", "")), value_type)


def _content_outcomes(edition: str, case: ContentCase) -> list[tuple[Dataset | None, str]]:
    """The item after de-identification (None if removed): as a Content Sequence item and as
    the child of a CONTAINER item."""
    ds = _base()
    ds.ValueType = "CONTAINER"
    ds.add(DataElement(CONTENT_SEQUENCE, "SQ", Sequence([_content_item(case)])))
    parent = Dataset()
    parent.RelationshipType = "CONTAINS"
    parent.ValueType = "CONTAINER"
    parent.add(DataElement(CONTENT_SEQUENCE, "SQ", Sequence([_content_item(case)])))
    nested = _base()
    nested.ValueType = "CONTAINER"
    nested.add(DataElement(CONTENT_SEQUENCE, "SQ", Sequence([parent])))
    found: list[tuple[Dataset | None, str]] = []
    for result, where in ((_apply(edition, case[4], ds), "content item"),
                          (_apply(edition, case[4], nested), "nested content item")):
        holder = result
        if where == "nested content item":
            assert CONTENT_SEQUENCE in result and len(result[CONTENT_SEQUENCE].value) == 1, \
                "the CONTAINER item was not kept"
            holder = result[CONTENT_SEQUENCE].value[0]
        children = holder[CONTENT_SEQUENCE].value if CONTENT_SEQUENCE in holder else []
        found.append((children[0] if children else None, where))
    return found


def check_content_removed(edition: str, case: ContentCase) -> None:
    for item, where in _content_outcomes(edition, case):
        assert item is None, f"{case[0]} ({case[3]}) still present ({where})"


def check_content_empty(edition: str, case: ContentCase) -> None:
    for item, where in _content_outcomes(edition, case):
        assert item is not None, f"{case[0]} ({case[3]}) removed, expected emptied ({where})"
        assert _content_value(item, case[3]) in (None, "", ()), f"{case[0]} not empty ({where})"


def check_content_dummy(edition: str, case: ContentCase) -> None:
    original = _original_value(case[3])
    for item, where in _content_outcomes(edition, case):
        assert item is not None, f"{case[0]} ({case[3]}) removed, expected a dummy ({where})"
        if original is None:
            continue
        value = _content_value(item, case[3])
        assert value not in (None, ""), f"{case[0]} ({case[3]}) value removed ({where})"
        assert value != original, f"{case[0]} ({case[3]}) kept its value ({where})"


def check_content_kept(edition: str, case: ContentCase) -> None:
    original = _original_value(case[3])
    for item, where in _content_outcomes(edition, case):
        assert item is not None, f"{case[0]} ({case[3]}) removed, expected kept ({where})"
        assert _content_value(item, case[3]) == original, f"{case[0]} changed ({where})"


def check_content_cleaned(edition: str, case: ContentCase) -> None:
    original = _original_value(case[3])
    for item, where in _content_outcomes(edition, case):
        assert item is not None, f"{case[0]} ({case[3]}) removed, expected cleaned ({where})"
        value = _content_value(item, case[3])
        if case[3] in ("DATE", "DATETIME"):
            assert value not in (None, original), f"{case[0]} date not modified ({where})"
        elif value is not None:
            assert not _contains_planted(value), f"{case[0]} still identifying ({where})"
