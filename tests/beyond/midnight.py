"""Date and time pairs of a real CT holding one instant that a patient's offset carries past
midnight: listed in Table E.1-1 and not, ``XDate`` with ``XTime`` and ``Date of X`` with
``Time of X``."""

from __future__ import annotations

from datetime import datetime, timedelta

import pydicom
from pydicom import Dataset
from pydicom.data import get_testdata_file

from deidentify import Deidentifier

CARRIED_PAIRS = (
    ("StudyDate", "StudyTime"),  # listed, paired all along
    ("DateOfSecondaryCapture", "TimeOfSecondaryCapture"),  # listed: Date of X
    ("SecondaryReviewDate", "SecondaryReviewTime"),  # not in Table E.1-1
    ("DateOfGainCalibration", "TimeOfGainCalibration"),  # not in Table E.1-1
)


def instants_past_midnight(deid: Deidentifier) -> tuple[Dataset, datetime]:
    """A real CT whose date and time pairs all hold one instant that the patient's offset
    carries past midnight, and that instant shifted (the offset learnt from a date-time of
    the same file)."""
    probe = pydicom.dcmread(str(get_testdata_file("CT_small.dcm")))
    probe.AcquisitionDateTime = "20110412000000"
    deid.apply(probe)
    offset = (datetime.strptime(str(probe.AcquisitionDateTime), "%Y%m%d%H%M%S")
              - datetime(2011, 4, 12))
    seconds = offset.seconds
    assert seconds > 0, "this secret's offset moves times"
    moment = datetime(2011, 4, 12) + timedelta(seconds=86400 - (seconds + 1) // 2)
    ds = pydicom.dcmread(str(get_testdata_file("CT_small.dcm")))
    for date_keyword, time_keyword in CARRIED_PAIRS:
        setattr(ds, date_keyword, moment.strftime("%Y%m%d"))
        setattr(ds, time_keyword, moment.strftime("%H%M%S"))
    return ds, moment + offset


def carried_instants(ds: Dataset) -> dict[tuple[str, str], datetime]:
    """The instant each date and time pair of ``CARRIED_PAIRS`` holds."""
    return {(date_keyword, time_keyword): datetime.strptime(str(ds[date_keyword].value)
                                            + str(ds[time_keyword].value), "%Y%m%d%H%M%S")
            for date_keyword, time_keyword in CARRIED_PAIRS}

