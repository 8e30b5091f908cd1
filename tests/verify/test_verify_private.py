"""`deidentify verify` judges private attributes under Retain Safe Private as the engine does
(``PrivateFilter``): a block the original's Private Data Element Characteristics mark safe may
stay; inside a private sequence nothing declares safe, an unlisted attribute holding free
text (``private.holds_free_text``) is a violation at every depth, and the table's own
attributes there are checked against the original's item. apply's output passes."""

from __future__ import annotations

import json
from pathlib import Path

import pydicom
from pydicom import Dataset
from pydicom.data import get_testdata_file
from pydicom.sequence import Sequence

from deidentify.cli import main
from tests.verify.verify_helpers import deidentify_tree

SAFE_PRIVATE = "deidentify:RetainSafePrivateOption"
CREATOR = 0x00290010
SEQUENCE = 0x00291001
MARKED = 0x00290011
MARKED_TEXT = 0x00291101
TEXT_VALUE = 0x0040A160
SLICE_THICKNESS = 0x00180050
CONCEPT_NAME_CODE_SEQUENCE = 0x0040A043
CODE_MEANING = 0x00080104
FREE_TEXT = "Seen by Dr Quentina Verifymarker"


def _item() -> Dataset:
    item = Dataset()
    item.add_new(TEXT_VALUE, "UT", FREE_TEXT)
    item.add_new(SLICE_THICKNESS, "DS", "2.5")
    item.PatientName = "Verifymarker^Quentina"
    nested = Dataset()
    nested.add_new(CODE_MEANING, "LO", FREE_TEXT)
    item.add_new(CONCEPT_NAME_CODE_SEQUENCE, "SQ", Sequence([nested]))
    return item


def _originals(folder: Path) -> Path:
    folder.mkdir()
    source = get_testdata_file("CT_small.dcm")
    assert source is not None
    ds = pydicom.dcmread(source)
    ds.add_new(CREATOR, "LO", "UNKNOWN VENDOR 1.0")
    ds.add_new(SEQUENCE, "SQ", Sequence([_item()]))
    ds.add_new(MARKED, "LO", "ACME MARKED 1.0")
    ds.add_new(MARKED_TEXT, "LO", "vendor text the object marks safe")
    mark = Dataset()
    mark.PrivateGroupReference = 0x0029
    mark.PrivateCreatorReference = "ACME MARKED 1.0"
    mark.BlockIdentifyingInformationStatus = "SAFE"
    ds.PrivateDataElementCharacteristicsSequence = Sequence([mark])
    ds.save_as(folder / "ct.dcm", enforce_file_format=True)
    return folder


def _violations(tmp_path: Path, originals: Path, outputs: Path) -> list[tuple[str, str]]:
    report = tmp_path / f"{outputs.name}.json"
    status = main(["verify", "--profile", SAFE_PRIVATE, str(originals), str(outputs),
                   "--json", str(report)])
    result = json.loads(report.read_text(encoding="utf-8"))
    assert status == (0 if result["passed"] else 1)
    return [(violation["path"], violation["expected"]) for violation in result["violations"]]


def _rewritten(outputs: Path, folder: Path, change: object) -> Path:
    folder.mkdir()
    ds = pydicom.dcmread(outputs / "ct.dcm")
    assert callable(change)
    change(ds)
    ds.save_as(folder / "ct.dcm", enforce_file_format=True)
    return folder


def test_apply_output_passes(tmp_path: Path) -> None:
    originals = _originals(tmp_path / "in")
    deidentify_tree(originals, tmp_path / "out", SAFE_PRIVATE)
    output = pydicom.dcmread(tmp_path / "out" / "ct.dcm")
    assert output[MARKED_TEXT].value == "vendor text the object marks safe"
    item = output[SEQUENCE].value[0]
    assert TEXT_VALUE not in item and str(item[SLICE_THICKNESS].value) == "2.5"
    assert _violations(tmp_path, originals, tmp_path / "out") == []


def test_free_text_left_in_an_unvetted_item_is_found_at_every_depth(tmp_path: Path) -> None:
    originals = _originals(tmp_path / "in")
    deidentify_tree(originals, tmp_path / "out", SAFE_PRIVATE)

    def restore_text(ds: Dataset) -> None:
        item = ds[SEQUENCE].value[0]
        item.add_new(TEXT_VALUE, "UT", FREE_TEXT)
        item.add_new(SLICE_THICKNESS, "DS", "2.5")
        item[CONCEPT_NAME_CODE_SEQUENCE].value[0].add_new(CODE_MEANING, "LO", FREE_TEXT)
        item.add_new(0x00200013, "IS", "7")  # Instance Number, a number: not free text

    found = _violations(tmp_path, originals, _rewritten(tmp_path / "out", tmp_path / "text",
                                                        restore_text))
    paths = {path for path, _ in found}
    assert "(0029,1001)[0]>(0040,A160)" in paths
    assert "(0029,1001)[0]>(0040,A043)[0]>(0008,0104)" in paths
    assert not any(path.endswith(("(0018,0050)", "(0020,0013)")) for path in paths)


def test_a_listed_attribute_left_in_an_unvetted_item_is_found(tmp_path: Path) -> None:
    originals = _originals(tmp_path / "in")
    deidentify_tree(originals, tmp_path / "out", SAFE_PRIVATE)

    def restore_name(ds: Dataset) -> None:
        ds[SEQUENCE].value[0].PatientName = "Verifymarker^Quentina"

    found = _violations(tmp_path, originals, _rewritten(tmp_path / "out", tmp_path / "name",
                                                        restore_name))
    assert ("(0029,1001)[0]>(0010,0010)", "zero length or a dummy") in found
    assert {path for path, _ in found} == {"(0029,1001)[0]>(0010,0010)"}


def test_a_block_marked_safe_is_only_safe_where_the_original_marks_it(tmp_path: Path) -> None:
    originals = _originals(tmp_path / "in")
    deidentify_tree(originals, tmp_path / "out", SAFE_PRIVATE)

    def unmark(ds: Dataset) -> None:
        ds.PrivateDataElementCharacteristicsSequence[0].PrivateCreatorReference = "OTHER"

    unmarked = tmp_path / "unmarked"
    unmarked.mkdir()
    original = pydicom.dcmread(originals / "ct.dcm")
    unmark(original)
    original.save_as(unmarked / "ct.dcm", enforce_file_format=True)
    found = _violations(tmp_path, unmarked, tmp_path / "out")
    assert ("(0029,1101)", "removed (not a safe private attribute)") in found
