"""The elements kept from the engine: only what it neither reads nor sets."""

from __future__ import annotations

import io
from pathlib import Path

import pydicom
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

from deidentify import Deidentifier
from deidentify.fastpath import fast_deidentify_file
from deidentify.fastpath.view import Fate, Left, view_for
from tests.fastpath.paths import SECRET, deidentifier, fast_output, reference_output, shipped


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

    def apply(self, ds: Dataset, shared: bool = False) -> None:
        super().apply(ds, shared)
        ds[0x00280011] = DataElement(0x00280011, "US", 1)


def test_an_engine_setting_a_kept_element_makes_the_path_decline() -> None:
    engine = _SettingColumns(deidentifier("deidentify:").plan, SECRET)
    source: Path = shipped("CT_small.dcm")
    assert not fast_deidentify_file(engine, source, io.BytesIO())


def test_value_free_listed_elements_are_treated_without_the_engine() -> None:
    view = view_for(deidentifier("deidentify:"))
    assert view.fate(0x00080090, "PN") is Fate.TREATED  # Referring Physician's Name: Z
    assert view.fate(0x00081030, "LO") is Fate.TREATED  # Study Description: X
    assert view.fate(0x00080080, "LO") is Fate.TREATED  # Institution Name: D
    assert view.fate(0x00081030, "") is Fate.TREATED  # implicit VR: the dictionary's LO
    assert view.fate(0x00100020, "LO") is Fate.ENGINE  # Patient ID: whose object it is
    assert view.fate(0x00200052, "UI") is Fate.TREATED  # Frame of Reference UID: U
    assert view.fate(0x0020000E, "UI") is Fate.ENGINE  # Series Instance UID: names a folder
    assert view.fate(0x0020000D, "UI") is Fate.ENGINE  # Study Instance UID: whose object
    assert view.fate(0x00280010, "US") is Fate.ENGINE
    dates = view_for(deidentifier(
        "deidentify:RetainDeviceIdentityOption,"
        "RetainLongitudinalTemporalInformationModifiedDatesOption"))
    assert dates.fate(0x00080030, "TM") is Fate.ENGINE  # Study Time moves with Study Date
    kept_private = view_for(deidentifier("deidentify:RetainSafePrivateOption"))
    assert kept_private.fate(0x00081030, "LO") is Fate.ENGINE


def _odd_forms(folder: Path, implicit: bool) -> Path:
    """CT_small with its value-free listed elements in every form the engine tells apart:
    conforming, of another VR, UN, of a length its VR cannot hold, under a character set
    that is not ASCII's."""
    ds = pydicom.dcmread(shipped("CT_small.dcm"))
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.InstitutionName = "Hospital Ærø"
    ds.add_new(0x00081010, "US", 7)  # Station Name (D) written as US
    ds.add_new(0x00181000, "LO", "SN-12345")  # Device Serial Number (K with device identity)
    ds.add_new(0x00081040, "UN", b"WARD 7")  # Institutional Department Name (D) as UN
    ds.add_new(0x00101010, "AS", "045Y")  # Patient's Age (X)
    ds.add_new(0x00101020, "DS", "1.75")  # Patient's Size (X)
    ds.add_new(0x00102160, "SH", "")  # Ethnic Group (X), empty
    ds.add_new(0x00080092, "ST", "1 Main St")  # Referring Physician's Address (X)
    ds.add_new(0x00321032, "PN", "Doe^Jane")  # Requesting Physician (X)
    ds.add_new(0x00400244, "DA", "20240101\\2024")  # Performed Procedure Step Start Date
    ds.add_new(0x00200052, "LO", "1.2.840.10008.9")  # Frame of Reference UID (U) as LO
    ds.add_new(0x00080014, "UI", "1.2.840.10008.1.2.3\\1.2.3")  # Instance Creator UID, two
    path = folder / f"odd-{'implicit' if implicit else 'explicit'}.dcm"
    ds.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian if implicit else ExplicitVRLittleEndian
    ds.save_as(path, enforce_file_format=True)
    return path


def test_treated_elements_are_the_reference_output(tmp_path: Path) -> None:
    for uri in ("deidentify:", "deidentify:RetainDeviceIdentityOption"):
        deid = deidentifier(uri)
        for implicit in (False, True):
            source = _odd_forms(tmp_path, implicit)
            fast = fast_output(deid, source)
            assert fast is not None, f"{source.name}: the fast path declined"
            assert fast == reference_output(deid, source, tmp_path), source.name
    treated = view_for(deidentifier("deidentify:"))._treated
    assert any(not conforms for _, _, conforms, _, _ in treated)
    assert any(implicit for _, _, _, implicit, _ in treated)
    assert any(not ascii_text for *_, ascii_text in treated)
    kept = view_for(deidentifier("deidentify:RetainDeviceIdentityOption"))._treated
    assert kept[(0x00181000, "LO", True, False, False)] is Left.AS_READ  # Device Serial Number: K


def test_uids_noted_for_linkage_are_replaced_by_the_engine(tmp_path: Path) -> None:
    from deidentify.linkage.hook import Linkage
    from deidentify.linkage.patients import KeyedPatients

    plan = deidentifier("deidentify:").plan
    recording = Deidentifier(plan, SECRET, linkage=Linkage(KeyedPatients(SECRET), record=True))
    source = _odd_forms(tmp_path, False)
    assert fast_output(recording, source) == reference_output(recording, source, tmp_path)
    series = pydicom.dcmread(source).SeriesInstanceUID
    fast_output(recording, source)
    taken = recording.linkage.taken()
    assert taken is not None and series in dict(taken.uids)
