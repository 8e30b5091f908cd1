"""No planted identity survives where Table E.1-1 is silent: every channel, both profiles,
the reference path and the fast path, in the output bytes."""

from __future__ import annotations

import io
import warnings
from functools import cache
from pathlib import Path

import pydicom
import pytest

from deidentify import Deidentifier, Plan, parse_profile
from deidentify.beyond import UnknownPolicy
from deidentify.cli import main
from deidentify.fastpath import fast_deidentify_file
from deidentify.profile import CompoundPolicy
from tests.beyond import planted

SECRET = b"beyond the table: a test secret of 32 bytes"


@cache
def deidentifier(uri: str, unknown: UnknownPolicy = UnknownPolicy.REMOVE,
                 policy: CompoundPolicy = CompoundPolicy.CONFORMANT) -> Deidentifier:
    return Deidentifier(Plan.build(parse_profile(uri), policy, unknown), SECRET)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[planted.Channel, Path]]:
    return list(planted.inputs(tmp_path_factory.mktemp("planted")))


def _reference(deid: Deidentifier, source: Path, folder: Path) -> bytes:
    target = folder / f"ref-{source.name}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        deid.deidentify_file(source, target)
    return target.read_bytes()


def _fast(deid: Deidentifier, source: Path) -> bytes | None:
    stream = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        done = fast_deidentify_file(deid, source, stream)
    return stream.getvalue() if done else None


def test_every_channel_carries_the_markers(inputs: list[tuple[planted.Channel, Path]]) -> None:
    for channel, source in inputs:
        assert planted.leaked(source.read_bytes()), channel.name
    assert len(inputs) == 14


@pytest.mark.parametrize("uri", planted.PROFILES)
def test_no_marker_in_any_output(
    uri: str, inputs: list[tuple[planted.Channel, Path]], tmp_path: Path
) -> None:
    deid = deidentifier(uri)
    fast_taken = 0
    for _channel, source in inputs:
        reference = _reference(deid, source, tmp_path)
        assert planted.leaked(reference) == [], f"{source.name}: reference path"
        fast = _fast(deid, source)
        if fast is not None:
            fast_taken += 1
            assert fast == reference, f"{source.name}: the fast path differs"
    assert fast_taken >= len(inputs) - 2


def _output(uri: str, channel: str, implicit: bool = False, folder: Path | None = None,
            **settings: object) -> pydicom.Dataset:
    found = next(c for c in planted.CHANNELS if c.name == channel)
    assert folder is not None
    source = planted.write(found, folder, implicit)
    deid = deidentifier(uri, **settings)
    return pydicom.dcmread(io.BytesIO(_reference(deid, source, folder)))


def test_unknown_tags_are_removed_at_every_depth(tmp_path: Path) -> None:
    ds = _output(planted.BASIC, "unknown-in-kept-items", folder=tmp_path)
    items = [ds[planted.VOI_LUT_SEQUENCE][0], ds[planted.REFERENCED_IMAGE_SEQUENCE][0]]
    assert items[0].WindowWidth == "400"
    assert items[1].ReferencedSOPInstanceUID != planted.UID + ".9"
    for item in items:
        assert all(pydicom.datadict.dictionary_has_tag(element.tag) for element in item)


def test_unknown_keep_keeps_unknown_tags_but_never_identifying_attributes(
    tmp_path: Path,
) -> None:
    top = _output(planted.BASIC, "unknown-top-level", folder=tmp_path,
                  unknown=UnknownPolicy.KEEP)
    assert all(tag in top for tag in planted.NAMED_UNKNOWN)
    assert "unknown elements keep" in list(top.DeidentificationMethod)
    named = _output(planted.BASIC, "identifying-unlisted", folder=tmp_path,
                    unknown=UnknownPolicy.KEEP)
    for keyword in ("IssuerOfPatientIDQualifiersSequence", "EvaluatorName", "DeviceID"):
        assert keyword not in named


def test_wrong_vrs_are_removed_and_listed_dates_are_shifted_as_their_vr(
    tmp_path: Path,
) -> None:
    ds = _output(planted.BASIC, "wrong-vrs", folder=tmp_path)
    for tag in (0x00280011, 0x00080060, 0x00280010):
        assert tag not in ds
    assert "unknown elements remove" in list(ds.DeidentificationMethod)
    shifted = _output(planted.MODIFIED_DATES, "dates-as-text", folder=tmp_path)
    assert shifted["StudyDate"].VR == "DA" and shifted.StudyDate != planted.DATE
    assert len(shifted.StudyDate) == 8 and shifted.StudyDate < planted.DATE
    assert shifted["SeriesTime"].VR == "TM"
    assert shifted["AcquisitionDateTime"].VR == "DT"
    basic = _output(planted.BASIC, "dates-as-text", folder=tmp_path)
    assert basic["StudyDate"].VR == "DA" and basic["StudyDate"].is_empty  # Z, as DA


def test_a_binary_value_too_long_for_its_vm_is_removed(tmp_path: Path) -> None:
    for implicit in (False, True):
        ds = _output(planted.BASIC, "long-binary-value", implicit, folder=tmp_path)
        assert planted.REGION_SPATIAL_FORMAT not in ds
        assert ds.BitsAllocated == 16


def test_strict_policy_turns_z_d_into_z(tmp_path: Path) -> None:
    ds = _output(planted.BASIC, "identifying-unlisted", folder=tmp_path,
                 policy=CompoundPolicy.STRICT)
    assert str(ds.PatientID).startswith("PID")  # Z/D -> Z, whose value may be a dummy: the
    # patient's pseudonym (E.1.1)
    assert "compound codes strict" in list(ds.DeidentificationMethod)


@pytest.mark.parametrize("uri", planted.PROFILES)
def test_apply_writes_no_marker(
    uri: str, inputs: list[tuple[planted.Channel, Path]], tmp_path: Path
) -> None:
    secret = tmp_path / "secret"
    secret.write_bytes(SECRET)
    folder = inputs[0][1].parent
    output = tmp_path / "out"
    status = main(["apply", str(folder), "--output", str(output), "--profile", uri,
                   "--secret-file", str(secret), "--quiet"])
    written = sorted(output.rglob("*.dcm"))
    # An item tag met as an element in explicit VR may be refused as corrupt (not written).
    assert status in (0, 1) and len(written) >= len(inputs) - 1
    assert [path.name for path in written if planted.leaked(path.read_bytes())] == []
    assert "unknown=remove" in (output / ".deidentify-run").read_text()
