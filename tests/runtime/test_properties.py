"""Any valid combination of options: identity never survives, the record names every option."""

from __future__ import annotations

import io

import pydicom
from hypothesis import given, settings
from hypothesis import strategies as st

import generated
from deidentify import Deidentifier, Plan, parse_profile
from generated.model import Option
from tests.runtime.helpers import EDITION, SECRET
from tests.runtime.synthetic import PATIENT_ID, build

OPTIONS = [*generated.load(EDITION).options, Option.RETAIN_PATIENT_ID_HASH]
EXCLUSIVE = {Option.RETAIN_LONGITUDINAL_FULL_DATES, Option.RETAIN_LONGITUDINAL_MODIFIED_DATES}
PATIENT_NAME_MARKERS = (b"MK", b"MN")


@settings(max_examples=20, deadline=None)
@given(st.sets(st.sampled_from(OPTIONS)).filter(lambda chosen: not chosen >= EXCLUSIVE))
def test_patient_identity_never_survives_any_combination(chosen: set[Option]) -> None:
    uri = "deidentify:" + ",".join(option.value for option in chosen)
    plan = Plan.build(parse_profile(uri, EDITION))
    deid = Deidentifier(plan, SECRET)
    ds = build()
    deid.apply(ds)
    buffer = io.BytesIO()
    deid.write(ds, buffer)
    result = pydicom.dcmread(io.BytesIO(buffer.getvalue()))
    assert PATIENT_ID not in str(result.get("PatientID", ""))
    name = str(result.get("PatientName", "")).encode()
    assert not name.startswith(PATIENT_NAME_MARKERS)
    assert len(result.DeidentificationMethodCodeSequence) == len(chosen) + 1
    assert result.PatientIdentityRemoved == "YES"
    assert b"MKPREAMBLE" not in buffer.getvalue()
    assert b"MKSOURCEAE" not in buffer.getvalue()
