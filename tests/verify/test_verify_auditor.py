"""`deidentify verify` as an independent auditor.

It passes this tool's own output of the synthetic every-row instances under Basic and
several options with no violation at all; it fails each output of an "older build" that
leaked a name (into an unknown tag, beside a kept value, into a private tag, under a wrong
VR, into a nested item); it pairs with the secret when files share a SOP Instance UID, and
an output it cannot pair, or pairs ambiguously, fails the run.
"""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import pydicom
import pytest
from pydicom.sequence import Sequence

from deidentify import Plan, parse_profile
from deidentify.cli import main
from deidentify.commands.verify import PairProgress
from deidentify.engine import Deidentifier
from tests.runtime import synthetic
from tests.verify.verify_helpers import MARKERS, SECRET, deidentify_tree, marker_instance

NAME = MARKERS["PatientName"]
FAMILY = NAME.split("^")[0]
PROFILES = (
    "deidentify:",
    "deidentify:CleanDescriptorsOption",
    "deidentify:RetainUIDsOption,RetainDeviceIdentityOption,RetainInstitutionIdentityOption",
    "deidentify:RetainLongitudinalTemporalInformationModifiedDatesOption,"
    "RetainPatientCharacteristicsOption",
    "deidentify:RetainSafePrivateOption,CleanGraphicsOption,CleanStructuredContentOption",
)


def _verify(capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: str) -> dict[str, object]:
    report = tmp_path / "result.json"
    status = main(["verify", *args, "--json", str(report)])
    out = capsys.readouterr().out
    result: dict[str, object] = json.loads(report.read_text(encoding="utf-8"))
    assert status == (0 if result["passed"] else 1)
    assert FAMILY not in out and MARKERS["PatientID"] not in out
    return result


def _violations(result: dict[str, object]) -> list[dict[str, str]]:
    violations = result["violations"]
    assert isinstance(violations, list)
    return violations


@pytest.mark.parametrize("profile", PROFILES)
def test_our_output_of_the_every_row_instances_has_no_violation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], profile: str
) -> None:
    originals = tmp_path / "in"
    originals.mkdir()
    for index in (1, 2):
        ds = synthetic.build(study_uid=f"1.2.826.0.1.3680043.10.999.5.{index}", index=index)
        pydicom.dcmwrite(originals / f"every-row-{index}.dcm", ds, enforce_file_format=True)
    deidentify_tree(originals, tmp_path / "out", profile)
    result = _verify(capsys, tmp_path, str(originals), str(tmp_path / "out"),
                     "--profile", profile)
    assert _violations(result) == []
    assert result["pairs"] == 2


def _older_build(tmp_path: Path, leak: str) -> tuple[Path, Path]:
    """The marker instance (its Patient's Name also in Manufacturer's Model Name, which the
    profile keeps), de-identified by this tool, then leaking the name as an older build did."""
    originals = tmp_path / "in"
    originals.mkdir()
    ds = marker_instance()
    ds.ManufacturerModelName = NAME
    pydicom.dcmwrite(originals / "instance.dcm", ds, enforce_file_format=True)
    deidentify_tree(originals, tmp_path / "out", "deidentify:")
    path = tmp_path / "out" / "instance.dcm"
    output = pydicom.dcmread(path)
    if leak == "unknown tag":
        output.add_new(0x00102020, "LO", NAME)
    elif leak == "kept tag":
        output.add_new(0x00180015, "CS", NAME.upper())  # Body Part Examined: kept
    elif leak == "private tag":
        output.private_block(0x0013, "OLDER BUILD", create=True).add_new(0x01, "LO", NAME)
    elif leak == "wrong VR":
        output.add_new(0x00280011, "PN", NAME)
    elif leak == "nested item":
        output.ReferencedImageSequence[0].add_new(0x00180015, "CS", NAME.upper())
    output.save_as(path)
    return originals, tmp_path / "out"


LEAKS = {"unknown tag": "(0010,2020)", "kept tag": "(0018,0015)",
         "private tag": "(0013,1001)", "wrong VR": "(0028,0011)",
         "nested item": "(0008,1140)[0]>(0018,0015)"}


def test_the_clean_marker_output_passes(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    originals, outputs = _older_build(tmp_path, "none")
    assert _violations(_verify(capsys, tmp_path, str(originals), str(outputs),
                               "--profile", "deidentify:")) == []


@pytest.mark.parametrize("leak", sorted(LEAKS))
def test_each_leak_of_an_older_build_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           leak: str) -> None:
    originals, outputs = _older_build(tmp_path, leak)
    result = _verify(capsys, tmp_path, str(originals), str(outputs), "--profile", "deidentify:")
    found = [v for v in _violations(result) if v["kind"] == "identifying value"]
    assert LEAKS[leak] in {v["path"] for v in found}, found
    assert all("(length " in v["observed"] for v in found)


def _secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret"
    path.write_text(SECRET.hex(), encoding="ascii")
    return path


def _shared_uid_tree(tmp_path: Path) -> Path:
    """Two series of originals, in two folders, whose instances share SOP Instance UIDs."""
    originals = tmp_path / "in"
    for series in ("a", "b"):
        (originals / series).mkdir(parents=True)
        for number in (1, 2):
            ds = marker_instance()
            ds.SOPInstanceUID = f"1.2.826.0.1.3680043.10.999.6.{number}"
            ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
            ds.InstanceNumber = number
            ds.SeriesDescription = f"series {series}"
            pydicom.dcmwrite(originals / series / f"{number}.dcm", ds, enforce_file_format=True)
    return originals


def _deidentify(originals: Path, outputs: Path, rename: bool) -> None:
    runtime = Deidentifier(Plan.build(parse_profile("deidentify:")), secret=SECRET)
    for number, source in enumerate(sorted(originals.rglob("*.dcm"))):
        relative = source.relative_to(originals)
        target = outputs / (f"out-{number}.dcm" if rename else relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        runtime.deidentify_file(source, target)


def test_shared_sop_instance_uids_pair_by_mapped_uid_and_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    originals = _shared_uid_tree(tmp_path)
    _deidentify(originals, tmp_path / "out", rename=False)
    result = _verify(capsys, tmp_path, str(originals), str(tmp_path / "out"), "--profile",
                     "deidentify:", "--secret-file", str(_secret_file(tmp_path)))
    assert result["passed"] is True, _violations(result)
    assert result["paired_by"] == {"mapped SOP Instance UID and relative path": 4}


def test_renamed_outputs_sharing_a_uid_are_ambiguous_and_fail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    originals = _shared_uid_tree(tmp_path)
    _deidentify(originals, tmp_path / "out", rename=True)
    result = _verify(capsys, tmp_path, str(originals), str(tmp_path / "out"), "--profile",
                     "deidentify:", "--secret-file", str(_secret_file(tmp_path)))
    assert result["passed"] is False
    assert result["ambiguous_outputs"] == 4
    assert sorted(v["file"] for v in _violations(result) if v["kind"] == "pairing") == [
        f"out-{number}.dcm" for number in range(4)]


def test_an_output_without_an_original_fails_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    originals = _shared_uid_tree(tmp_path)
    _deidentify(originals, tmp_path / "out", rename=False)
    shutil.rmtree(originals / "b")
    stray = pydicom.dcmread(tmp_path / "out" / "a" / "1.dcm")
    stray.SOPInstanceUID = "1.2.826.0.1.3680043.10.999.7.1"
    stray.save_as(tmp_path / "out" / "stray.dcm")
    result = _verify(capsys, tmp_path, str(originals), str(tmp_path / "out"), "--profile",
                     "deidentify:", "--secret-file", str(_secret_file(tmp_path)))
    assert result["passed"] is False
    unchecked = sorted(v["file"] for v in _violations(result) if v["kind"] == "pairing")
    assert unchecked == ["b/1.dcm", "b/2.dcm", "stray.dcm"]


def test_a_leak_into_a_nested_item_of_a_private_sequence_is_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    originals, outputs = _older_build(tmp_path, "none")
    path = outputs / "instance.dcm"
    output = pydicom.dcmread(path)
    item = pydicom.Dataset()
    item.add_new(0x00100010, "PN", NAME)
    output.private_block(0x0013, "OLDER BUILD", create=True).add_new(0x02, "SQ",
                                                                     Sequence([item]))
    output.save_as(path)
    result = _verify(capsys, tmp_path, str(originals), str(outputs), "--profile", "deidentify:")
    assert "(0013,1002)[0]>(0010,0010)" in {v["path"] for v in _violations(result)
                                            if v["kind"] == "identifying value"}


def test_a_value_also_held_by_a_kept_attribute_is_still_searched_elsewhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Station Name is kept under Retain Device Identity and holds the institution's name,
    which Institution Name (removed) holds too: a copy into another element still fails."""
    profile = "deidentify:RetainDeviceIdentityOption"
    originals = tmp_path / "in"
    originals.mkdir()
    ds = marker_instance()
    ds.StationName = MARKERS["InstitutionName"]
    pydicom.dcmwrite(originals / "instance.dcm", ds, enforce_file_format=True)
    deidentify_tree(originals, tmp_path / "out", profile)
    path = tmp_path / "out" / "instance.dcm"
    assert _violations(_verify(capsys, tmp_path, str(originals), str(tmp_path / "out"),
                               "--profile", profile)) == []
    output = pydicom.dcmread(path)
    assert output.StationName == MARKERS["InstitutionName"]
    output.add_new(0x00102020, "LO", MARKERS["InstitutionName"])
    output.save_as(path)
    result = _verify(capsys, tmp_path, str(originals), str(tmp_path / "out"), "--profile", profile)
    paths = {v["path"] for v in _violations(result) if v["kind"] == "identifying value"}
    assert "(0010,2020)" in paths
    assert "(0008,1010)" not in paths


def test_an_output_whose_layout_readers_see_differently_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A value that swallows the next element's header: pydicom reads on, the check does not."""
    originals, outputs = _older_build(tmp_path, "none")
    path = outputs / "instance.dcm"
    data = path.read_bytes()
    at = data.index(b"\x08\x00\x60\x00CS")  # Modality, followed by more elements
    (length,) = struct.unpack_from("<H", data, at + 6)
    following = at + 8 + length
    (swallowed,) = struct.unpack_from("<H", data, following + 6)
    path.write_bytes(data[:at + 6] + struct.pack("<H", length + 8 + swallowed) + data[at + 8:])
    result = _verify(capsys, tmp_path, str(originals), str(outputs), "--profile", "deidentify:")
    assert [v["kind"] for v in _violations(result)].count("structure") == 1


def test_the_progress_line_counts_pairs_on_standard_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(PairProgress, "INTERVAL", 0.0)
    originals = _shared_uid_tree(tmp_path)
    _deidentify(originals, tmp_path / "out", rename=False)
    status = main(["verify", str(originals), str(tmp_path / "out"), "--profile", "deidentify:",
                   "--secret-file", str(_secret_file(tmp_path))])
    err = capsys.readouterr().err
    assert status == 0
    assert err.splitlines()[-1] == "deidentify verify: 4/4 pairs checked"
    status = main(["verify", str(originals), str(tmp_path / "out"), "--profile", "deidentify:",
                   "--secret-file", str(_secret_file(tmp_path)), "--quiet"])
    assert status == 0 and capsys.readouterr().err == ""
