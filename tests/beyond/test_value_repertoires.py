"""A value of a strictly formed VR (DS, IS, DA, TM, AS, CS, UI) that holds what the VR cannot
(a name written as a number) is never kept verbatim, listed or private."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest
from pydicom.data import get_testdata_file

from deidentify import Deidentifier, Plan, parse_profile
from tests.fastpath.paths import fast_output, reference_output

SECRET = b"value repertoires: a fixed secret"
NAME = b"QUINTERO^R"


def _planted(path: Path, tag: int, vr: str, creator: str | None = None) -> Path:
    """MR_small (explicit VR) with ``NAME`` written into ``tag`` as a value of ``vr``:
    pydicom will not write it, so a placeholder of the same length is replaced in the
    bytes."""
    ds = pydicom.dcmread(str(get_testdata_file("MR_small.dcm")))
    if creator is not None:
        ds.add_new(tag & 0xFFFF0000 | 0x0010, "LO", creator)
    placeholder = "9.87654321"
    ds.add_new(tag, vr, placeholder)
    ds.save_as(path)
    path.write_bytes(path.read_bytes().replace(placeholder.encode(), NAME))
    return path


@pytest.mark.parametrize(("uri", "tag", "creator"), [
    ("deidentify:RetainPatientCharacteristicsOption", 0x00101030, None),  # Patient's Weight
    ("deidentify:RetainSafePrivateOption", 0x00191024, "GEMS_ACQU_01"),  # a safe private DS
])
@pytest.mark.parametrize("fast", [False, True])
def test_a_name_written_as_a_number_is_not_kept(
    tmp_path: Path, uri: str, tag: int, creator: str | None, fast: bool,
) -> None:
    source = _planted(tmp_path / "in.dcm", tag, "DS", creator)
    assert NAME in source.read_bytes()
    deidentifier = Deidentifier(Plan.build(parse_profile(uri)), SECRET)
    written = (fast_output(deidentifier, source) if fast
               else reference_output(deidentifier, source, tmp_path))
    assert written is not None
    assert NAME not in written


def test_a_number_is_still_kept(tmp_path: Path) -> None:
    ds = pydicom.dcmread(str(get_testdata_file("MR_small.dcm")))
    ds.PatientWeight = "72.5"
    source, target = tmp_path / "in.dcm", tmp_path / "out.dcm"
    ds.save_as(source)
    Deidentifier(Plan.build(parse_profile("deidentify:RetainPatientCharacteristicsOption")),
                 SECRET).deidentify_file(source, target)
    assert pydicom.dcmread(target).PatientWeight == 72.5
