"""Shared by the pixel tests: one de-identifier per setting, for the whole run (so one OCR
engine), and the outputs of the Clean Pixel Data Option computed once per test object."""

from __future__ import annotations

import io
import warnings
from functools import cache

import pydicom
from pydicom import Dataset

from deidentify import Deidentifier, Plan, parse_profile
from deidentify.pixels import BurnedIn, Outcome, PixelMode, PixelSettings

SECRET = b"pixel tests secret of some length"
CLEAN = "deidentify:CleanPixelDataOption"


@cache
def deidentifier(uri: str = CLEAN, mode: PixelMode = PixelMode.IDENTIFIERS,
                 burned_in: BurnedIn = BurnedIn.REFUSE) -> Deidentifier:
    """One de-identifier per profile and setting."""
    return Deidentifier(Plan.build(parse_profile(uri)), SECRET,
                        pixel_settings=PixelSettings(burned_in, mode))


def round_trip(ds: Dataset) -> Dataset:
    """``ds`` written as a file and read back, as an input arrives."""
    stream = io.BytesIO()
    pydicom.dcmwrite(stream, ds, enforce_file_format=True)
    stream.seek(0)
    return pydicom.dcmread(stream)


def cleaned(ds: Dataset, deid: Deidentifier | None = None) -> tuple[Dataset, Outcome | None]:
    """``ds`` de-identified and written, then read back; and the pixel outcome."""
    deid = deid or deidentifier()
    source = round_trip(ds)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outcome = deid.apply(source)
    stream = io.BytesIO()
    deid.write(source, stream)
    stream.seek(0)
    return pydicom.dcmread(stream), outcome
