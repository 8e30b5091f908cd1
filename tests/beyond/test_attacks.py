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
from deidentify.engine import DeidentifyError
from deidentify.fastpath import fast_deidentify_file
from deidentify.structure import CorruptStructure

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
    with ``plant`` applied, explicit and implicit VR; the two paths must agree. A file refused
    as corrupt (a planted structure no reader can tell apart from a damaged one) is refused by
    both paths and has no output."""
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
            try:
                deid.deidentify_file(source, target)
            except DeidentifyError as refused:
                assert "corrupt" in str(refused), f"{syntax.name}: {refused}"
                with pytest.raises(CorruptStructure):
                    fast_deidentify_file(deid, source, stream)
                continue
            fast = fast_deidentify_file(deid, source, stream)
        written.append(target.read_bytes())
        if fast:
            assert stream.getvalue() == written[-1], f"{syntax.name}: the fast path differs"
    assert written, "every form of the planted file was refused"
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


DATE = "19471103"
TIME = "101112"
OBJECT_UIDS = {0x00081167: "MultiFrameSourceSOPInstanceUID",
               0x00200242: "SOPInstanceUIDOfConcatenationSource",
               0x0018991E: "TargetFrameOfReferenceUID", 0x00440102: "AssertionUID"}
UNLISTED_DATES = {0x00141020: "DA", 0x00143076: "DA", 0x00143077: "TM", 0x0008041F: "DT"}
"""Expiry Date, Date and Time of Gain Calibration, Study Update DateTime."""


def _unlisted_uids_and_dates(ds: Dataset) -> None:
    """The object's own UIDs copied into UI attributes the table does not list, and dates
    and times into DA, TM and DT attributes it does not list, at the top level and in an
    item of an unlisted sequence; one class UID beside them."""
    ds.PatientName, ds.PatientID, ds.PatientBirthDate = NAME, PATIENT_ID, DATE
    item = Dataset()
    for target in (ds, item):
        for tag in OBJECT_UIDS:
            target.add(DataElement(tag, "UI", UID))
        for tag, vr in UNLISTED_DATES.items():
            target.add(DataElement(tag, vr, {"DA": DATE, "TM": TIME, "DT": DATE + TIME}[vr]))
    item.add(DataElement(0x00081150, "UI", "1.2.840.10008.5.1.4.1.1.2"))
    ds.add(DataElement(0x00283010, "SQ", [item]))


@pytest.mark.parametrize("uri", [BASIC, MODIFIED_DATES, SAFE_PRIVATE])
def test_unlisted_uids_and_dates_get_their_kind_s_treatment(uri: str, tmp_path: Path) -> None:
    for data in outputs(_unlisted_uids_and_dates, uri, tmp_path):
        assert [marker for marker in (*MARKERS, DATE.encode(), TIME.encode())
                if marker in data] == []
        ds = pydicom.dcmread(io.BytesIO(data))
        item = ds[0x00283010][0]
        assert item.ReferencedSOPClassUID == "1.2.840.10008.5.1.4.1.1.2"
        for target in (ds, item):
            assert all(str(target[tag].value) == str(ds[0x00081167].value)
                       for tag in OBJECT_UIDS)
            for tag in UNLISTED_DATES:
                assert target[tag].is_empty is (uri != MODIFIED_DATES)


def test_retain_uids_and_full_dates_keep_unlisted_uids_and_dates(tmp_path: Path) -> None:
    uri = ("deidentify:RetainUIDsOption,"
           "RetainLongitudinalTemporalInformationFullDatesOption")
    for data in outputs(_unlisted_uids_and_dates, uri, tmp_path):
        ds = pydicom.dcmread(io.BytesIO(data))
        assert all(ds[tag].value == UID for tag in OBJECT_UIDS)
        assert ds[0x00141020].value == DATE


def _retired_free_text(ds: Dataset) -> None:
    """Identity in retired free-text attributes the table does not list, at the top level and
    in a kept item."""
    ds.add(DataElement(0x00201020, "LO", NAME))  # Reference
    ds.add(DataElement(0x00280063, "SH", PATIENT_ID))  # Compression Description
    item = Dataset()
    item.add(DataElement(0x40080103, "LO", NAME))  # Reference to Recorded Sound
    item.WindowCenter = "40"
    ds.add(DataElement(0x00283010, "SQ", [item]))


@pytest.mark.parametrize("uri", [BASIC, "deidentify:RetainUIDsOption", SAFE_PRIVATE])
def test_retired_free_text_is_removed(uri: str, tmp_path: Path) -> None:
    for data in outputs(_retired_free_text, uri, tmp_path):
        assert leaked(data) == []
        assert pydicom.dcmread(io.BytesIO(data))[0x00283010][0].WindowCenter == "40"


PHILIPS_PET = "Philips PET Private Group"
"""Table E.3.10-1 lists (7053,xx00) SUV Factor, DS, and (7053,xx09) Activity Concentration
Scale Factor, DS, under this creator."""


def _spoofed_safe_creator(ds: Dataset) -> None:
    """A safe creator's listed offsets holding identity: a name as PN, an ID as UN (the
    table's VR is DS, and no number is in it); a true SUV Factor beside them."""
    ds.add(DataElement(0x70530010, "LO", PHILIPS_PET))
    ds.add(DataElement(0x70531000, "PN", NAME))
    ds.add(DataElement(0x70530011, "LO", PHILIPS_PET))
    ds.add(DataElement(0x70531100, "DS", "0.00123"))
    ds.add(DataElement(0x70530012, "LO", PHILIPS_PET))
    ds.add(DataElement(0x70531209, "UN", PATIENT_ID.encode()))


def test_a_spoofed_safe_creator_keeps_only_values_of_the_table_s_vr(tmp_path: Path) -> None:
    for data in outputs(_spoofed_safe_creator, SAFE_PRIVATE, tmp_path):
        assert leaked(data) == []
        ds = pydicom.dcmread(io.BytesIO(data))
        assert 0x70531100 in ds and b"0.00123" in data


CLEAN_DESCRIPTORS = "deidentify:CleanDescriptorsOption"


def _sequence_under_text_tags(ds: Dataset) -> None:
    """Items holding a name under text tags: in implicit VR they read as text (Body Part
    Examined, CS, unlisted; Study Description, LO, cleaned under Clean Descriptors; Series
    Description, LO, in an item) whose bytes hold item headers and lengths."""
    inner = Dataset()
    inner.PatientName, inner.PatientID = NAME, PATIENT_ID
    ds.add(DataElement(0x00180015, "SQ", [inner]))
    ds.add(DataElement(0x00081030, "SQ", [inner]))
    item = Dataset()
    item.add(DataElement(0x0008103E, "SQ", [inner]))
    item.WindowCenter = "40"
    ds.add(DataElement(0x00283010, "SQ", [item]))


@pytest.mark.parametrize("uri", [BASIC, MODIFIED_DATES, CLEAN_DESCRIPTORS, CLEAN_GRAPHICS])
def test_a_sequence_under_a_text_tag_is_not_text(uri: str, tmp_path: Path) -> None:
    for source_file in ("CT_small.dcm", "rtplan.dcm"):
        for data in outputs(_sequence_under_text_tags, uri, tmp_path, source_file):
            assert leaked(data) == []
            assert pydicom.dcmread(io.BytesIO(data))[0x00283010][0].WindowCenter == "40"


PLANTS = (_curves_and_overlays_past_1e, _unlisted_uids_and_dates, _retired_free_text,
          _sequence_under_text_tags)


@pytest.mark.parametrize("uri", [BASIC, MODIFIED_DATES])
def test_no_marker_reaches_the_node_s_storage(uri: str, tmp_path: Path) -> None:
    pytest.importorskip("pynetdicom", reason="the node needs pynetdicom (the 'net' extra)")
    from tests.beyond.test_node import _rule, send_paths
    from tests.net.nodes import files_containing, node_toml, running_node

    (tmp_path / "in").mkdir()
    sources: list[Path] = []
    for index, plant in enumerate(PLANTS):
        for syntax in (ExplicitVRLittleEndian, ImplicitVRLittleEndian):
            path = get_testdata_file("CT_small.dcm")
            assert isinstance(path, str)
            ds = pydicom.dcmread(path)
            plant(ds)
            ds.SOPInstanceUID = f"{UID}.{index}.{len(sources)}"
            ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
            ds.file_meta.TransferSyntaxUID = syntax
            sources.append(tmp_path / "in" / f"{index}-{syntax.name}.dcm")
            ds.save_as(sources[-1], enforce_file_format=True)
    with running_node(node_toml(tmp_path, rules=_rule(uri))) as node:
        statuses = send_paths(node.address[1], sources)
    # A sequence under a text tag in implicit VR is indistinguishable from a damaged text
    # value: the node refuses it as corrupt (0xC000); everything else is stored.
    refused = [source.name for source, status in zip(sources, statuses, strict=True)
               if status != 0]
    index = PLANTS.index(_sequence_under_text_tags)
    assert refused == [f"{index}-{ImplicitVRLittleEndian.name}.dcm"]
    assert statuses.count(0xC000) == 1
    assert len(list((tmp_path / "storage").rglob("*.dcm"))) == len(sources) - 1
    assert files_containing([tmp_path / "storage"], list(MARKERS)) == []


IDEOGRAPHIC_NAME = "Yamada^Tarou=山田^太郎=やまだ^たろう"


@pytest.mark.parametrize("charset", ["\\ISO 2022 IR 87", "ISO_IR 192"])
def test_ideographic_name_components_are_cleaned_from_descriptions(
    charset: str, tmp_path: Path
) -> None:
    """A two-character family name in the ideographic group, and the name written without
    spaces, are cleaned from free text under Clean Descriptors."""
    def plant(ds: Dataset) -> None:
        ds.SpecificCharacterSet, ds.PatientName = charset, IDEOGRAPHIC_NAME
        ds.StudyDescription = "Yamada 山田"
        ds.SeriesDescription = "山田太郎 series"
        ds.PatientID = PATIENT_ID

    for data in outputs(plant, CLEAN_DESCRIPTORS, tmp_path):
        ds = pydicom.dcmread(io.BytesIO(data))
        for keyword in ("StudyDescription", "SeriesDescription"):
            text = str(ds.get(keyword, ""))
            assert "山田" not in text and "太郎" not in text, keyword
        assert str(ds.SeriesDescription).endswith("series")


def test_undecodable_values_are_one_clear_error_or_removed(tmp_path: Path) -> None:
    """A File Meta VR pydicom does not know, and a group length of 6 bytes in implicit VR
    (which pydicom cannot convert to UL, as cleaning reads every value under Modified
    Dates): DeidentifyError naming the file, or an output without the element."""
    from deidentify.engine import DeidentifyError

    path = get_testdata_file("CT_small.dcm")
    assert isinstance(path, str)
    data = Path(path).read_bytes()
    bad_meta = tmp_path / "meta.dcm"
    bad_meta.write_bytes(data.replace(b"\x02\x00\x10\x00UI", b"\x02\x00\x10\x00UU", 1))
    with pytest.raises(DeidentifyError, match=r"meta\.dcm: .*NotImplementedError"):
        deidentifier(BASIC).deidentify_file(bad_meta, tmp_path / "out.dcm")
    ds = pydicom.dcmread(path)
    ds.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    body = buffer.getvalue()
    start = body.index(b"\x08\x00\x05\x00")  # Specific Character Set, the body's first
    group_length = tmp_path / "group-length.dcm"
    group_length.write_bytes(body[:start] + b"\x08\x00\x00\x00\x06\x00\x00\x00" + bytes(6)
                             + body[start:])
    for uri in (BASIC, MODIFIED_DATES):
        target = tmp_path / "written.dcm"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            deidentifier(uri).deidentify_file(group_length, target)
        assert 0x00080000 not in pydicom.dcmread(target)


def test_a_truncated_file_is_one_clear_error_wherever_it_stops(tmp_path: Path) -> None:
    """rtplan.dcm (implicit VR, nested sequences read lazily) cut at every 37th byte:
    written, or DeidentifyError naming the file; never a bare pydicom exception."""
    from deidentify.engine import DeidentifyError

    path = get_testdata_file("rtplan.dcm")
    assert isinstance(path, str)
    data = Path(path).read_bytes()
    refused = 0
    for cut in range(400, len(data), 37):
        source = tmp_path / f"cut-{cut}.dcm"
        source.write_bytes(data[:cut])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                deidentifier(BASIC).deidentify_file(source, tmp_path / "out.dcm")
            except DeidentifyError as error:
                assert str(error).startswith(str(source))
                refused += 1
    assert refused > 0
