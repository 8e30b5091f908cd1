"""Running one input through both paths: the reference path and the fast path."""

from __future__ import annotations

import io
import warnings
from functools import cache
from pathlib import Path

import pydicom.data

from deidentify import Deidentifier, Plan, parse_profile
from deidentify.fastpath import fast_deidentify_file
from deidentify.pixels import BurnedIn, PixelSettings
from deidentify.structure import CorruptStructure

SECRET = b"fast-path differential test secret"

PROFILES = (
    "deidentify:",
    "deidentify:RetainUIDsOption",
    "deidentify:RetainDeviceIdentityOption,RetainLongitudinalTemporalInformationModifiedDatesOption",
    "deidentify:RetainSafePrivateOption",
    "deidentify:CleanDescriptorsOption",
    "deidentify:RetainPatientIDHashOption,RetainInstitutionIdentityOption",
)


@cache
def deidentifier(uri: str) -> Deidentifier:
    """One de-identifier per profile for the whole test run; objects at burned-in risk
    (ultrasound, secondary captures) are accepted, so that both paths write them."""
    return Deidentifier(Plan.build(parse_profile(uri)), SECRET,
                        pixel_settings=PixelSettings(BurnedIn.ACCEPT))


def reference_output(deid: Deidentifier, source: Path, workdir: Path) -> bytes | None:
    """The reference path's output file, None where it rejects the input."""
    target = workdir / "reference.dcm"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            deid.deidentify_file(source, target)
        except Exception:
            return None
    return target.read_bytes()


def fast_output(deid: Deidentifier, source: Path) -> bytes | None:
    """The fast path's output, None where it declines or refuses a corrupt input."""
    stream = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            done = fast_deidentify_file(deid, source, stream)
        except CorruptStructure:
            done = False
    if not done:
        assert stream.getvalue() == b"", "a declining or refusing fast path wrote output"
        return None
    return stream.getvalue()


def shipped(name: str) -> Path:
    """A file shipped with pydicom or pydicom-data."""
    return Path(str(pydicom.data.get_testdata_file(name)))
