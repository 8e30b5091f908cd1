"""The fast path against the reference path on every file pydicom ships (and pydicom-data).

Each output must be byte-identical to the reference path's, or the fast path must have
declined. The fast path must also actually handle the common encodings.
"""

from __future__ import annotations

from pathlib import Path

import pydicom.data
import pytest
from pydicom.uid import UID

from deidentify import CompoundPolicy, Deidentifier, Plan, parse_profile
from deidentify.uids import UIDScheme
from tests.fastpath.paths import PROFILES, deidentifier, fast_output, reference_output

FILES = sorted(Path(name) for name in pydicom.data.get_testdata_files() if Path(name).is_file())

HANDLED = ("CT_small.dcm", "MR_small_implicit.dcm", "MR_small_RLE.dcm", "JPEG2000.dcm",
           "rtstruct.dcm", "ExplVR_LitEndNoMeta.dcm")
"""Explicit VR, implicit VR, two encapsulated inputs and two raw datasets (implicit and
explicit VR, no preamble or File Meta) the fast path must not decline."""


def _transfer_syntax(path: Path) -> UID | None:
    try:
        meta = pydicom.dcmread(path, stop_before_pixels=True).file_meta
    except Exception:
        return None
    syntax = meta.get("TransferSyntaxUID")
    return UID(syntax) if syntax is not None else None


@pytest.mark.parametrize("uri", PROFILES)
def test_fast_path_output_is_the_reference_output(uri: str, tmp_path: Path) -> None:
    deid = deidentifier(uri)
    mismatches: list[str] = []
    handled: list[str] = []
    for source in FILES:
        reference = reference_output(deid, source, tmp_path)
        fast = fast_output(deid, source)
        if fast is None:
            continue
        if reference is None:
            mismatches.append(f"{source.name}: the reference path rejects what the fast path wrote")
        elif fast != reference:
            mismatches.append(f"{source.name}: output differs")
        else:
            handled.append(source.name)
    assert mismatches == []
    assert set(HANDLED) <= set(handled)


def test_little_endian_files_are_mostly_handled(tmp_path: Path) -> None:
    deid = deidentifier("deidentify:")
    little = [
        source for source in FILES
        if (syntax := _transfer_syntax(source)) is not None
        and syntax.is_transfer_syntax and syntax.is_little_endian and not syntax.is_deflated
        and reference_output(deid, source, tmp_path) is not None
    ]
    declined = [source.name for source in little if fast_output(deid, source) is None]
    assert len(little) > 150
    assert len(declined) <= len(little) // 20, declined


def test_strict_policy_and_dcm4che_uids_match_the_reference(tmp_path: Path) -> None:
    plan = Plan.build(parse_profile("deidentify:RetainDeviceIdentityOption"), CompoundPolicy.STRICT)
    deid = Deidentifier(plan, b"another secret", uid_scheme=UIDScheme.DCM4CHE)
    compared = 0
    for source in FILES[::3]:
        reference = reference_output(deid, source, tmp_path)
        fast = fast_output(deid, source)
        if fast is not None:
            assert fast == reference, source.name
            compared += 1
    assert compared > 40
