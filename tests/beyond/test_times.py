"""Under Modified Dates, dates and times of one patient move by one instant offset: every
interval between two instants (date with its time, date-time) survives, also across files."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from pydicom import Dataset

from deidentify import Deidentifier, Plan, parse_profile
from tests.beyond import midnight, planted

SECRET = b"times beyond the table: a test secret"
PAIRS = (("StudyDate", "StudyTime"), ("SeriesDate", "SeriesTime"),
         ("AcquisitionDate", "AcquisitionTime"), ("ContentDate", "ContentTime"),
         ("InstanceCreationDate", "InstanceCreationTime"))


def _instants(rng: random.Random) -> Dataset:
    ds = Dataset()
    ds.PatientID = planted.PATIENT_ID
    start = datetime(2011, 4, 12) + timedelta(seconds=rng.randrange(86400 * 3))
    for number, (date_keyword, time_keyword) in enumerate(PAIRS):
        moment = start + timedelta(minutes=37 * number)
        setattr(ds, date_keyword, moment.strftime("%Y%m%d"))
        setattr(ds, time_keyword, moment.strftime("%H%M%S"))
    ds.AcquisitionDateTime = (start + timedelta(hours=5)).strftime("%Y%m%d%H%M%S")
    ds.PerformedProcedureStepStartTime = start.strftime("%H%M%S")  # no date beside it
    return ds


def _moments(ds: Dataset) -> list[datetime]:
    moments = [datetime.strptime(str(ds[d].value) + str(ds[t].value), "%Y%m%d%H%M%S")
               for d, t in PAIRS]
    return [*moments, datetime.strptime(str(ds.AcquisitionDateTime), "%Y%m%d%H%M%S")]


def test_intervals_within_a_patient_survive_in_and_across_files() -> None:
    deid = Deidentifier(Plan.build(parse_profile(planted.MODIFIED_DATES)), SECRET)
    rng = random.Random(7)
    originals, shifted = [], []
    for _ in range(20):
        ds = _instants(rng)
        originals.append((_moments(ds), ds.PerformedProcedureStepStartTime))
        deid.apply(ds)
        shifted.append((_moments(ds), ds.PerformedProcedureStepStartTime))
    offsets = {after - before for (old, _), (new, _) in zip(originals, shifted, strict=True)
               for before, after in zip(old, new, strict=True)}
    assert len(offsets) == 1
    [offset] = offsets
    assert offset != timedelta(0) and offset % timedelta(days=1) != timedelta(0)
    for (_, lone), (_, moved) in zip(originals, shifted, strict=True):
        expected = (datetime.strptime(lone, "%H%M%S") + offset).strftime("%H%M%S")
        assert moved == expected, "a lone time moves by the same seconds"


def test_another_patient_gets_another_offset() -> None:
    deid = Deidentifier(Plan.build(parse_profile(planted.MODIFIED_DATES)), SECRET)
    first, second = _instants(random.Random(1)), _instants(random.Random(1))
    second.PatientID = "ANOTHER-PATIENT"
    before = _moments(first)
    deid.apply(first)
    deid.apply(second)
    assert _moments(first) != _moments(second)
    assert _moments(first)[0] - before[0] != _moments(second)[0] - before[0]


def test_a_date_takes_the_day_its_time_carries_past_midnight_listed_or_not() -> None:
    deid = Deidentifier(Plan.build(parse_profile(planted.MODIFIED_DATES)), SECRET)
    ds, expected = midnight.instants_past_midnight(deid)
    deid.apply(ds)
    instants = midnight.carried_instants(ds)
    assert instants == dict.fromkeys(midnight.CARRIED_PAIRS, expected)
