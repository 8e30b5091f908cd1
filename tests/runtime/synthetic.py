"""A synthetic instance carrying every exact-tag attribute of Table E.1-1 with a marker value.

Each attribute appears twice: at the top level with a ``MK`` marker and inside the item of an
unlisted sequence (Shared Functional Groups Sequence) with an ``MN`` marker. Text markers of
free-text VRs also carry the patient's ID, so cleaning has something to remove. Curves,
overlays, private blocks (one with a safe attribute of Table E.3.10-1) and a File Meta and
preamble with markers complete it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from pydicom import Dataset
from pydicom.datadict import dictionary_VR
from pydicom.dataelem import DataElement
from pydicom.dataset import FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import UID, ExplicitVRLittleEndian

import generated
from generated.model import AttributeRule, PatternKind

PATIENT_ID = "PQ7788"
PATIENT_ID_TAG = 0x00100020
PATIENT_NAME_TAG = 0x00100010
SOP_CLASS_UID = "1.2.840.10008.5.1.4.1.1.7"
NESTING_SEQUENCE = 0x52009229
"""Shared Functional Groups Sequence: not listed in Table E.1-1, so kept and walked."""

CLEANED_VRS = frozenset({"LO", "LT", "ST", "UT", "UC", "SH"})
"""VRs whose markers carry the Patient ID (SH has room for it)."""

PRIVATE_CREATOR_SAFE = "GEMS_ACQU_01"
SAFE_TAG = 0x00191123
"""(0019,xx23) of GEMS_ACQU_01 (Table E.3.10-1), in block 0x11."""
UNSAFE_TAG = 0x00191101
OTHER_BLOCK_TAG = 0x00191001
PRIVATE_SEQUENCE = 0x00291001


def fallback_vr(name: str) -> str:
    """A VR for an attribute newer than pydicom's dictionary, from its name."""
    if name.endswith("Sequence"):
        return "SQ"
    if name.endswith("DateTime"):
        return "DT"
    if name.endswith("Date"):
        return "DA"
    if name.endswith("Time"):
        return "TM"
    if name.endswith("UID"):
        return "UI"
    return "LO"


def vr_of(rule: AttributeRule) -> str:
    """pydicom's VR for a rule's tag (the first alternative if ambiguous), else the fallback."""
    try:
        vr = dictionary_VR(rule.tag.value)
    except KeyError:
        return fallback_vr(rule.name)
    return vr.split(" or ")[0]


def marker(index: int, vr: str, nested: bool) -> object:
    """A distinct value valid for the VR; fixed width so no marker contains another."""
    prefix = "MN" if nested else "MK"
    shift = 5000 if nested else 0
    if vr in CLEANED_VRS:
        return f"{prefix}{index:04d} {PATIENT_ID}"
    if vr in ("CS", "AE", "PN"):
        return f"{prefix}{index:04d}"
    if vr == "UR":
        return f"http://{prefix.lower()}{index:04d}.example"
    if vr == "DA":
        return f"{date(1901, 1, 1) + timedelta(days=index + shift):%Y%m%d}"
    if vr == "DT":
        return f"{date(1931, 1, 1) + timedelta(days=index + shift):%Y%m%d}101010"
    if vr == "TM":
        return f"1010{index % 60:02d}.{index + shift:06d}"
    if vr == "UI":
        return f"1.2.826.0.1.3680043.10.999.{2 if nested else 1}.1{index:04d}"
    if vr in ("DS", "IS"):
        return str(700000 + index + shift)
    if vr == "AS":
        return f"{index % 1000:03d}D"
    if vr in ("US", "SS"):
        return 1000 + index + shift
    return f"{prefix}B{index:04d}".encode()


@dataclass(frozen=True)
class Marked:
    """A marked attribute of the synthetic instance."""

    rule: AttributeRule
    index: int
    vr: str
    top: object
    nested: object


def marked_rules(edition: str) -> list[Marked]:
    """The exact-tag rows of an edition with their markers (Command and File Meta excluded)."""
    found: list[Marked] = []
    for index, rule in enumerate(generated.load(edition).attributes):
        if rule.tag.kind is not PatternKind.EXACT or rule.tag.value >> 16 in (0x0000, 0x0002):
            continue
        vr = vr_of(rule)
        found.append(Marked(rule, index, vr, marker(index, vr, False), marker(index, vr, True)))
    return found


def _item_with_patient_name(value: str) -> Dataset:
    item = Dataset()
    item[PATIENT_NAME_TAG] = DataElement(PATIENT_NAME_TAG, "PN", value)
    return item


def _put(ds: Dataset, marked: Marked, nested: bool) -> None:
    tag = marked.rule.tag.value
    if tag == PATIENT_ID_TAG:
        ds[tag] = DataElement(tag, "LO", PATIENT_ID)
    elif marked.vr == "SQ":
        inner = f"{'MS' if nested else 'MR'}{marked.index:04d}"
        ds[tag] = DataElement(tag, "SQ", Sequence([_item_with_patient_name(inner)]))
    else:
        ds[tag] = DataElement(tag, marked.vr, marked.nested if nested else marked.top)


def _curves_and_overlays(ds: Dataset) -> None:
    ds.add_new(0x50000005, "US", 1)
    ds.add_new(0x50000022, "LO", f"MKCURVE {PATIENT_ID}")
    ds.add_new(0x50003000, "OB", b"MKCURVEDATA0")
    ds.add_new(0x60000010, "US", 1)
    ds.add_new(0x60000011, "US", 8)
    ds.add_new(0x60000022, "LO", f"MKOVLDESC {PATIENT_ID}")
    ds.add_new(0x60000040, "CS", "G")
    ds.add_new(0x60000050, "SS", [1, 1])
    ds.add_new(0x60000100, "US", 1)
    ds.add_new(0x60000102, "US", 0)
    ds.add_new(0x60001500, "LO", f"MKOVLLABEL {PATIENT_ID}")
    ds.add_new(0x60003000, "OW", b"MKOVERLAYDATA0")
    ds.add_new(0x60004000, "LT", f"MKOVLCOMMENT {PATIENT_ID}")


def _private(ds: Dataset) -> None:
    ds.add_new(0x00190010, "LO", "MKCREATOR_A")
    ds.add_new(OTHER_BLOCK_TAG, "LO", "MKPRIVATE_A")
    ds.add_new(0x00190011, "LO", PRIVATE_CREATOR_SAFE)
    ds.add_new(UNSAFE_TAG, "LO", "MKPRIVATE_B")
    ds.add_new(SAFE_TAG, "DS", "12.5")
    ds.add_new(0x00290010, "LO", "MKCREATOR_SQ")
    item = Dataset()
    item.add_new(0x00100010, "PN", "MKPRIVATE_SQ_NAME")
    item.add_new(0x00080060, "CS", "OT")
    ds.add_new(PRIVATE_SEQUENCE, "SQ", Sequence([item]))


def build(edition: str = "2026c", study_uid: str | None = None, index: int = 1) -> Dataset:
    """The synthetic instance (``study_uid`` and ``index`` vary the Study and SOP Instance)."""
    rules = marked_rules(edition)
    ds = Dataset()
    nested = Dataset()
    for marked in rules:
        _put(ds, marked, False)
        _put(nested, marked, True)
    ds.SOPClassUID = SOP_CLASS_UID
    ds.SOPInstanceUID = f"1.2.826.0.1.3680043.10.999.3.{index}"
    if study_uid is not None:
        ds.StudyInstanceUID = study_uid
    ds.Rows = 1
    ds.Columns = 1
    ds.BitsAllocated = 8
    ds.BurnedInAnnotation = "NO"  # a secondary capture: not at burned-in risk only so
    ds[0x7FE00010] = DataElement(0x7FE00010, "OB", b"\x01\x02")
    ds[NESTING_SEQUENCE] = DataElement(NESTING_SEQUENCE, "SQ", Sequence([nested]))
    _curves_and_overlays(ds)
    _private(ds)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = UID(SOP_CLASS_UID)
    meta.MediaStorageSOPInstanceUID = UID(ds.SOPInstanceUID)
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = UID("1.2.826.0.1.3680043.10.999.4.1")
    meta.ImplementationVersionName = "MKIMPLNAME"
    meta.SourceApplicationEntityTitle = "MKSOURCEAE"
    ds.file_meta = meta
    ds.preamble = b"MKPREAMBLE".ljust(128, b"\0")
    return ds
