"""`deidentify verify`: passes our own output, fails (naming the attribute) on a leak."""

from __future__ import annotations

import json
from pathlib import Path

import pydicom
import pytest
from pydicom import Dataset
from pydicom.sequence import Sequence
from pydicom.uid import UID

from deidentify.cli import main
from generated import ContentItemRule, load
from tests.verify.verify_helpers import (
    MARKERS,
    SECRET,
    copy_testdata,
    deidentify_tree,
    write_marker_instance,
)

REAL_FILES = ["CT_small.dcm", "MR_small.dcm", "rtplan.dcm"]
CLEANING = "deidentify:CleanDescriptorsOption,CleanStructuredContentOption"


def verify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["verify", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret"
    path.write_text(SECRET.hex(), encoding="ascii")
    return path


@pytest.mark.parametrize(("names", "profile"), [
    ([*REAL_FILES, "test-SR.dcm"], "deidentify:"),
    ([*REAL_FILES, "test-SR.dcm"], CLEANING),
    (REAL_FILES, "deidentify:RetainDeviceIdentityOption,"
                 "RetainLongitudinalTemporalInformationModifiedDatesOption"),
    (REAL_FILES, "deidentify:RetainUIDsOption,RetainInstitutionIdentityOption"),
])
def test_our_own_output_of_real_files_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], names: list[str], profile: str
) -> None:
    copy_testdata(names, tmp_path / "in")
    deidentify_tree(tmp_path / "in", tmp_path / "out", profile)
    report = tmp_path / "result.json"
    status, out, _ = verify(capsys, str(tmp_path / "in"), str(tmp_path / "out"),
                            "--profile", profile, "--json", str(report))
    assert status == 0, out
    result = json.loads(report.read_text(encoding="utf-8"))
    assert result["passed"] is True
    assert result["pairs"] == len(names)
    assert result["paired_by"] == {"relative path": len(names)}
    assert out.startswith("PASS")


def test_renamed_outputs_pair_through_the_keyed_uid_mapping(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], secret_file: Path
) -> None:
    copy_testdata(REAL_FILES, tmp_path / "in")
    deidentify_tree(tmp_path / "in", tmp_path / "out", "deidentify:", rename=True)
    report = tmp_path / "result.json"
    status, out, _ = verify(capsys, str(tmp_path / "in"), str(tmp_path / "out"), "--profile",
                            "deidentify:", "--secret-file", str(secret_file),
                            "--json", str(report))
    assert status == 0, out
    result = json.loads(report.read_text(encoding="utf-8"))
    assert result["paired_by"] == {"mapped SOP Instance UID": 3}
    assert result["fingerprints_keyed_by"] == "secret"


def test_renamed_outputs_pair_by_instance_number_without_the_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy_testdata(["CT_small.dcm", "MR_small.dcm"], tmp_path / "in")
    deidentify_tree(tmp_path / "in", tmp_path / "out", "deidentify:", rename=True)
    report = tmp_path / "result.json"
    status, out, _ = verify(capsys, str(tmp_path / "in"), str(tmp_path / "out"),
                            "--profile", "deidentify:", "--json", str(report))
    assert status == 0, out
    assert json.loads(report.read_text())["paired_by"] == {"instance number in series": 2}


def _marker_trees(tmp_path: Path, profile: str = "deidentify:") -> tuple[Path, Path]:
    write_marker_instance(tmp_path / "in")
    deidentify_tree(tmp_path / "in", tmp_path / "out", profile)
    return tmp_path / "in", tmp_path / "out"


def test_synthetic_marker_instance_passes(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    originals, outputs = _marker_trees(tmp_path)
    status, out, _ = verify(capsys, str(originals), str(outputs), "--profile", "deidentify:")
    assert status == 0, out


def _tamper(path: Path, keyword: str, value: object) -> None:
    ds = pydicom.dcmread(path)
    setattr(ds, keyword, value)
    ds.save_as(path)


def test_patient_name_copied_back_fails_naming_it_without_the_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    originals, outputs = _marker_trees(tmp_path)
    _tamper(outputs / "instance.dcm", "PatientName", MARKERS["PatientName"])
    report = tmp_path / "result.json"
    status, out, _ = verify(capsys, str(originals), str(outputs), "--profile", "deidentify:",
                            "--json", str(report))
    assert status == 1
    text = report.read_text(encoding="utf-8")
    violations = json.loads(text)["violations"]
    attribute = [v for v in violations if v["kind"] == "action Z"]
    assert [(v["attribute"], v["path"]) for v in attribute] == [("Patient's Name", "(0010,0010)")]
    assert attribute[0]["observed"].startswith("the original value (length 21, fingerprint ")
    leaks = [v for v in violations if v["kind"] == "identifying value"]
    assert ("(0010,0010)", "Patient's Name") in {(v["path"], v["attribute"]) for v in leaks}
    assert out.startswith("FAIL")
    for marker in ("Verifymarker", "Quentina"):
        assert marker not in out and marker not in text


def test_a_uid_restored_inside_a_kept_sequence_is_named_by_its_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    originals, outputs = _marker_trees(tmp_path)
    original = pydicom.dcmread(originals / "instance.dcm")
    ds = pydicom.dcmread(outputs / "instance.dcm")
    reference = original.ReferencedImageSequence[0].ReferencedSOPInstanceUID
    ds.ReferencedImageSequence[0].ReferencedSOPInstanceUID = reference
    ds.save_as(outputs / "instance.dcm")
    status, out, _ = verify(capsys, str(originals), str(outputs), "--profile", "deidentify:")
    assert status == 1
    assert "Referenced SOP Instance UID (0008,1140)[0]>(0008,1155): action U" in out


def test_a_removed_sequence_left_in_place_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    originals, outputs = _marker_trees(tmp_path)
    original = pydicom.dcmread(originals / "instance.dcm")
    _tamper(outputs / "instance.dcm", "RequestAttributesSequence",
            original.RequestAttributesSequence)
    status, out, _ = verify(capsys, str(originals), str(outputs), "--profile", "deidentify:")
    assert status == 1
    assert "Request Attributes Sequence (0040,0275): action X: expected removed" in out
    assert "(0040,0275)[0]>(0040,0009)" in out  # the Scheduled Procedure Step ID leaks


def test_a_private_element_left_in_place_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    originals, outputs = _marker_trees(tmp_path)
    ds = pydicom.dcmread(outputs / "instance.dcm")
    ds.private_block(0x0011, "VERIFY MARKER VENDOR", create=True).add_new(0x01, "LO", "x")
    ds.save_as(outputs / "instance.dcm")
    status, out, _ = verify(capsys, str(originals), str(outputs), "--profile", "deidentify:")
    assert status == 1
    assert "Private attribute of 'VERIFY MARKER VENDOR' (0011,1001)" in out


def test_an_identifier_hidden_in_the_preamble_is_found_in_the_raw_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    originals, outputs = _marker_trees(tmp_path)
    path = outputs / "instance.dcm"
    data = bytearray(path.read_bytes())
    marker = MARKERS["PatientID"].encode()
    data[16:16 + len(marker)] = marker
    path.write_bytes(bytes(data))
    status, out, _ = verify(capsys, str(originals), str(outputs), "--profile", "deidentify:")
    assert status == 1
    assert "raw file bytes byte 16: identifying value" in out
    assert "Patient ID" in out


def test_a_kept_institution_is_no_violation_but_a_kept_name_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = "deidentify:RetainInstitutionIdentityOption"
    originals, outputs = _marker_trees(tmp_path, profile)
    assert pydicom.dcmread(outputs / "instance.dcm").InstitutionName == MARKERS["InstitutionName"]
    status, out, _ = verify(capsys, str(originals), str(outputs), "--profile", profile)
    assert status == 0, out
    status, out, _ = verify(capsys, str(originals), str(outputs), "--profile", "deidentify:")
    assert status == 1
    assert ("Institution Name (0008,0080): action X/Z/D: expected removed, zero length or a"
            " dummy; observed the original value") in out


@pytest.mark.parametrize("args", [
    ["/nonexistent/originals", "/nonexistent/outputs", "--profile", "deidentify:"],
    ["IN", "OUT", "--profile", "deidentify:NoSuchOption"],
    ["IN", "OUT", "--profile", "deidentify:", "--secret-file", "/nonexistent/secret"],
])
def test_usage_errors_exit_2_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    originals, outputs = _marker_trees(tmp_path)
    args = [str(originals) if a == "IN" else str(outputs) if a == "OUT" else a for a in args]
    status, out, err = verify(capsys, *args)
    assert status == 2
    assert out == ""
    assert err.startswith("deidentify verify: ") and err.count("\n") == 1


def test_output_without_this_tools_method_attributes_still_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Another tool's output carries none of our De-identification Method attributes."""
    copy_testdata(REAL_FILES, tmp_path / "in")
    deidentify_tree(tmp_path / "in", tmp_path / "out", "deidentify:")
    for path in (tmp_path / "out").iterdir():
        ds = pydicom.dcmread(path)
        for keyword in ("PatientIdentityRemoved", "DeidentificationMethod",
                        "DeidentificationMethodCodeSequence", "ContributingEquipmentSequence",
                        "LongitudinalTemporalInformationModified"):
            if keyword in ds:
                delattr(ds, keyword)
        ds.file_meta.ImplementationClassUID = UID("1.2.3.4.5.6.7")
        ds.file_meta.ImplementationVersionName = "OTHER TOOL 1"
        ds.save_as(path)
    status, out, _ = verify(capsys, str(tmp_path / "in"), str(tmp_path / "out"),
                            "--profile", "deidentify:")
    assert status == 0, out


def test_safe_private_attributes_pass_only_under_retain_safe_private(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    originals = tmp_path / "in"
    path = write_marker_instance(originals)
    ds = pydicom.dcmread(path)
    ds.private_block(0x7053, "Philips PET Private Group", create=True).add_new(0x00, "DS", "1.5")
    ds.save_as(path)
    profile = "deidentify:RetainSafePrivateOption"
    deidentify_tree(originals, tmp_path / "out", profile)
    kept = pydicom.dcmread(tmp_path / "out" / "instance.dcm")
    assert kept.private_block(0x7053, "Philips PET Private Group")[0x00].value == 1.5
    status, out, _ = verify(capsys, str(originals), str(tmp_path / "out"), "--profile", profile)
    assert status == 0, out
    status, out, _ = verify(capsys, str(originals), str(tmp_path / "out"),
                            "--profile", "deidentify:")
    assert status == 1
    assert "Private attribute of 'Philips PET Private Group' (7053,1000)" in out
    assert "Private Creator 'Philips PET Private Group' (7053,0010)" in out


def test_a_truncated_output_fails_and_other_files_are_ignored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy_testdata(["CT_small.dcm", "MR_small.dcm"], tmp_path / "in")
    deidentify_tree(tmp_path / "in", tmp_path / "out", "deidentify:")
    damaged = tmp_path / "out" / "MR_small.dcm"
    damaged.write_bytes(damaged.read_bytes()[:300])
    (tmp_path / "out" / "README.txt").write_text("not DICOM", encoding="utf-8")
    report = tmp_path / "result.json"
    status, _, _ = verify(capsys, str(tmp_path / "in"), str(tmp_path / "out"),
                            "--profile", "deidentify:", "--json", str(report))
    assert status == 1
    result = json.loads(report.read_text(encoding="utf-8"))
    assert result["outputs"] == 2
    assert result["violations"]
    assert {v["file"] for v in result["violations"]} == {"MR_small.dcm"}


def _content_item(rule: ContentItemRule, value_keyword: str, value: str) -> Dataset:
    item = Dataset()
    item.RelationshipType = "CONTAINS"
    item.ValueType = rule.value_type
    concept = Dataset()
    concept.CodeValue = rule.code_value
    concept.CodingSchemeDesignator = rule.scheme
    concept.CodeMeaning = rule.meaning[:64]
    item.ConceptNameCodeSequence = Sequence([concept])
    setattr(item, value_keyword, value)
    return item


def test_content_items_removed_by_clean_structured_content_are_no_violation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = load("2026c").content_items
    removed = next(r for r in rules if r.value_type == "PNAME" and r.basic.value == "X")
    kept = next(r for r in rules if r.value_type == "TEXT" and r.basic.value == "D")
    originals = tmp_path / "in"
    path = write_marker_instance(originals)
    ds = pydicom.dcmread(path)
    ds.ContentSequence = Sequence([
        _content_item(removed, "PersonName", "Witness^Marker"),
        _content_item(kept, "TextValue", "free text"),
    ])
    ds.save_as(path)
    profile = "deidentify:CleanStructuredContentOption"
    deidentify_tree(originals, tmp_path / "out", profile)
    assert len(pydicom.dcmread(tmp_path / "out" / "instance.dcm").ContentSequence) == 1
    status, out, _ = verify(capsys, str(originals), str(tmp_path / "out"), "--profile", profile)
    assert status == 0, out
