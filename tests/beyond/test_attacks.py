"""Identity planted in pydicom's real test files where the table is silent, as an attacker
would: no marker in the output bytes under the profiles named, on the reference path and the
fast path (which must write the same bytes), in explicit and implicit VR."""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pydicom
import pytest
from pydicom import Dataset
from pydicom.data import get_testdata_file
from pydicom.dataelem import DataElement
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

from deidentify import Deidentifier, Plan, parse_profile
from deidentify.fastpath import fast_deidentify_file

SECRET = b"attacks beyond the table: a secret of 32 bytes"
NAME = "ZZMARKER^ALICE"
PATIENT_ID = "ZZ99887766"
UID = "1.2.826.0.1.3680043.99.1234"
MARKERS = (b"ZZMARKER", PATIENT_ID.encode(), UID.encode())

BASIC = "deidentify:"
MODIFIED_DATES = "deidentify:RetainLongitudinalTemporalInformationModifiedDatesOption"
CLEAN_GRAPHICS = "deidentify:CleanGraphicsOption"
SAFE_PRIVATE = "deidentify:RetainSafePrivateOption"


@cache
def deidentifier(uri: str) -> Deidentifier:
    return Deidentifier(Plan.build(parse_profile(uri)), SECRET)


def outputs(plant: Callable[[Dataset], None], uri: str, folder: Path,
            source_file: str = "CT_small.dcm") -> list[bytes]:
    """The reference and (where it does not decline) the fast path's output of a real file
    with ``plant`` applied, explicit and implicit VR; the two paths must agree."""
    written: list[bytes] = []
    for syntax in (ExplicitVRLittleEndian, ImplicitVRLittleEndian):
        path = get_testdata_file(source_file)
        assert isinstance(path, str)
        ds = pydicom.dcmread(path)
        plant(ds)
        ds.file_meta.TransferSyntaxUID = syntax
        source = folder / f"{syntax.name}.dcm"
        ds.save_as(source, enforce_file_format=True)
        assert any(marker in source.read_bytes() for marker in MARKERS)
        deid = deidentifier(uri)
        target = folder / "reference.dcm"
        stream = io.BytesIO()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            deid.deidentify_file(source, target)
            fast = fast_deidentify_file(deid, source, stream)
        written.append(target.read_bytes())
        if fast:
            assert stream.getvalue() == written[-1], f"{syntax.name}: the fast path differs"
    return written


def leaked(data: bytes) -> list[bytes]:
    return [marker for marker in MARKERS if marker in data]


def _curves_and_overlays_past_1e(ds: Dataset) -> None:
    """Curve and overlay elements in groups past 50 1E / 60 1E: pydicom's dictionary masks
    them as curves and overlays, but no such group exists (PS3.5 7.6)."""
    ds.PatientName, ds.PatientID = NAME, PATIENT_ID
    for group in (0x5020, 0x50FE, 0x6020, 0x60FE, 0x7F20):
        ds.add(DataElement(group << 16 | 0x0022, "LO", NAME))
        ds.add(DataElement(group << 16 | 0x1500, "LO", PATIENT_ID))
        ds.add(DataElement(group << 16 | 0x3000, "OB", NAME.encode()))


@pytest.mark.parametrize("uri", [BASIC, MODIFIED_DATES, CLEAN_GRAPHICS])
def test_curve_and_overlay_groups_past_1e_are_unknown(uri: str, tmp_path: Path) -> None:
    for data in outputs(_curves_and_overlays_past_1e, uri, tmp_path):
        assert leaked(data) == []
        ds = pydicom.dcmread(io.BytesIO(data))
        assert "PixelData" in ds
        assert not any(element.tag.group >= 0x5000 and element.tag.group < 0x7FE0
                       for element in ds)
