"""Private attributes: removed under Basic; Retain Safe Private keeps Table E.3.10-1 and marks."""

from __future__ import annotations

import pydicom
from pydicom import Dataset
from pydicom.data import get_testdata_file
from pydicom.sequence import Sequence

from tests.runtime.helpers import deidentifier, elements
from tests.runtime.synthetic import (
    OTHER_BLOCK_TAG,
    PRIVATE_SEQUENCE,
    SAFE_TAG,
    UNSAFE_TAG,
    build,
)

SAFE_PRIVATE = "deidentify:RetainSafePrivateOption"


def _private_tags(ds: Dataset) -> set[int]:
    return {int(element.tag) for element in ds if element.tag.group % 2}


def test_basic_removes_every_private_element_and_creator() -> None:
    ds = build()
    deidentifier().apply(ds)
    assert not any(element.tag.group % 2 for element in elements(ds))


def test_safe_private_keeps_a_listed_attribute_in_any_block_with_its_creator() -> None:
    ds = build()
    deidentifier(SAFE_PRIVATE).apply(ds)
    tags = _private_tags(ds)
    assert SAFE_TAG in tags
    assert ds[SAFE_TAG].value == 12.5
    assert 0x00190011 in tags and ds[0x00190011].value == "GEMS_ACQU_01"
    assert UNSAFE_TAG not in tags
    assert OTHER_BLOCK_TAG not in tags
    assert 0x00190010 not in tags


def test_safe_private_in_the_first_block() -> None:
    ds = Dataset()
    ds.add_new(0x00190010, "LO", "GEMS_ACQU_01")
    ds.add_new(0x00191023, "DS", "3.5")
    ds.add_new(0x00191001, "LO", "unsafe")
    deidentifier(SAFE_PRIVATE).apply(ds)
    assert _private_tags(ds) == {0x00190010, 0x00191023}


def test_a_listed_offset_under_another_creator_is_not_safe() -> None:
    ds = Dataset()
    ds.add_new(0x00190010, "LO", "SOME OTHER VENDOR")
    ds.add_new(0x00191023, "DS", "3.5")
    deidentifier(SAFE_PRIVATE).apply(ds)
    assert _private_tags(ds) == set()


def test_an_unknown_private_sequence_is_parsed_item_by_item() -> None:
    ds = build()
    deidentifier(SAFE_PRIVATE).apply(ds)
    assert PRIVATE_SEQUENCE in ds and 0x00290010 in ds
    item = ds[PRIVATE_SEQUENCE].value[0]
    assert item["PatientName"].is_empty
    assert item.Modality == "OT"


def _characteristics(status: str | None, nonidentifying: list[int] | None,
                     actions: list[tuple[int, str]]) -> Dataset:
    item = Dataset()
    item.PrivateGroupReference = 0x0029
    item.PrivateCreatorReference = "ACME 1.0"
    if status is not None:
        item.BlockIdentifyingInformationStatus = status
    if nonidentifying is not None:
        item.NonidentifyingPrivateElements = nonidentifying
    if actions:
        action_items = []
        for offset, code in actions:
            action = Dataset()
            action.IdentifyingPrivateElements = [offset]
            action.DeidentificationAction = code
            action_items.append(action)
        item.DeidentificationActionSequence = Sequence(action_items)
    return item


def _acme(item: Dataset) -> Dataset:
    ds = Dataset()
    ds.PrivateDataElementCharacteristicsSequence = Sequence([item])
    ds.add_new(0x00290010, "LO", "ACME 1.0")
    ds.add_new(0x00291001, "LO", "first")
    ds.add_new(0x00291002, "LO", "second")
    ds.add_new(0x00291003, "UI", "1.2.826.0.1.3680043.10.999.7")
    return ds


def test_a_block_marked_safe_is_kept() -> None:
    ds = _acme(_characteristics("SAFE", None, []))
    deidentifier(SAFE_PRIVATE).apply(ds)
    assert _private_tags(ds) == {0x00290010, 0x00291001, 0x00291002, 0x00291003}


def test_nonidentifying_elements_are_kept_and_actions_applied() -> None:
    ds = _acme(_characteristics("MIXED", [0x01], [(0x02, "D"), (0x03, "U")]))
    deid = deidentifier(SAFE_PRIVATE)
    deid.apply(ds)
    assert _private_tags(ds) == {0x00290010, 0x00291001, 0x00291002, 0x00291003}
    assert ds[0x00291001].value == "first"
    assert ds[0x00291002].value not in ("", "second")
    assert ds[0x00291003].value == deid.map_uid("1.2.826.0.1.3680043.10.999.7")


def test_an_action_x_removes_even_a_safe_block_element() -> None:
    ds = _acme(_characteristics("SAFE", None, [(0x02, "X")]))
    deidentifier(SAFE_PRIVATE).apply(ds)
    assert _private_tags(ds) == {0x00290010, 0x00291001, 0x00291003}


def test_marks_are_ignored_without_the_option() -> None:
    ds = _acme(_characteristics("SAFE", None, []))
    deidentifier().apply(ds)
    assert _private_tags(ds) == set()


def test_real_file_with_private_tags_under_safe_private() -> None:
    path = get_testdata_file("CT_small.dcm")
    assert isinstance(path, str)
    ds = pydicom.dcmread(path)
    before = _private_tags(ds)
    assert before
    deidentifier(SAFE_PRIVATE).apply(ds)
    after = _private_tags(ds)
    assert after < before
    assert {0x00190010, 0x00191023, 0x00191024, 0x00191027} <= after
    creators = {tag for tag in after if 0x10 <= tag & 0xFFFF <= 0xFF}
    blocks = {(tag >> 16, (tag & 0xFFFF) >> 8) for tag in after - creators}
    assert blocks == {(tag >> 16, tag & 0xFF) for tag in creators}
