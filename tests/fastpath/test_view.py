"""The elements kept from the engine: only what it neither reads nor sets."""

from __future__ import annotations

import io
from pathlib import Path

from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset

from deidentify import Deidentifier
from deidentify.fastpath import fast_deidentify_file
from deidentify.fastpath.view import Fate, view_for
from tests.fastpath.paths import SECRET, deidentifier, shipped


def test_fates_under_the_basic_profile() -> None:
    view = view_for(deidentifier("deidentify:"))
    assert view.fate(0x00100010, "PN") is Fate.ENGINE
    assert view.fate(0x00090010, "LO") is Fate.DROP
    assert view.fate(0x00280010, "US") is Fate.ENGINE  # Rows: the burned-in risk gate reads it
    assert view.fate(0x00280011, "US") is Fate.SIZED  # copied when its length is one US
    assert view.fate(0x00080060, "CS") is Fate.ENGINE  # Modality: the burned-in risk gate reads it
    assert view.fate(0x00280004, "CS") is Fate.SIZED  # copied when its bytes can be a CS
    assert view.fate(0x00280011, "PN") is Fate.DROP  # Columns as PN
    assert view.fate(0x00102020, "LO") is Fate.DROP  # no dictionary defines it
    assert view.fate(0xFFFEE000, "") is Fate.DROP
    assert view.fate(0x7FE00010, "OW") is Fate.COPY
    assert view.fate(0x7FE00010, "") is Fate.ENGINE
    assert view.fate(0x00283010, "SQ") is Fate.ENGINE
    assert view.fate(0x60003000, "OW") is Fate.ENGINE
    assert view.fate(0x00080016, "UI") is Fate.ENGINE


def test_retaining_private_or_cleaning_shows_more() -> None:
    assert view_for(deidentifier("deidentify:RetainSafePrivateOption")).fate(
        0x00090010, "LO"
    ) is Fate.ENGINE
    assert view_for(deidentifier("deidentify:CleanDescriptorsOption")).fate(
        0x00280011, "US"
    ) is Fate.ENGINE


class _SettingColumns(Deidentifier):
    """An engine that also sets an attribute the view keeps from it."""

    def apply(self, ds: Dataset) -> None:
        super().apply(ds)
        ds[0x00280011] = DataElement(0x00280011, "US", 1)


def test_an_engine_setting_a_kept_element_makes_the_path_decline() -> None:
    engine = _SettingColumns(deidentifier("deidentify:").plan, SECRET)
    source: Path = shipped("CT_small.dcm")
    assert not fast_deidentify_file(engine, source, io.BytesIO())
