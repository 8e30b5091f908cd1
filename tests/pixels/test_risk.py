"""The risk gate: which objects may carry burned-in identity, read from attributes only."""

from __future__ import annotations

import pytest
from pydicom import Dataset
from pydicom.dataset import FileMetaDataset
from pydicom.uid import UID

from deidentify.pixels import assess

CT = "1.2.840.10008.5.1.4.1.1.2"
US = "1.2.840.10008.5.1.4.1.1.6.1"
SC = "1.2.840.10008.5.1.4.1.1.7.2"
VL_VIDEO = "1.2.840.10008.5.1.4.1.1.77.1.1.1"
MPEG4 = UID("1.2.840.10008.1.2.4.102")


def _image(modality: str, sop_class: str, annotation: str | None = None,
           **attributes: object) -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = sop_class
    ds.Modality = modality
    ds.Rows = ds.Columns = 8
    if annotation is not None:
        ds.BurnedInAnnotation = annotation
    for keyword, value in attributes.items():
        setattr(ds, keyword, value)
    return ds


@pytest.mark.parametrize(
    ("ds", "why"),
    [
        (_image("CT", CT, "YES"), "Burned In Annotation YES"),
        (_image("US", US), "modality US"),
        (_image("ES", VL_VIDEO), "modality ES"),
        (_image("NM", SC), "SOP Class"),
        (_image("CT", CT, ImageType=["DERIVED", "SECONDARY", "SCREEN SHOT"]), "screen capture"),
        (_image("CT", CT, ConversionType="WSD"), "screen capture"),
        (_image("US", US, "maybe"), "modality US"),
    ],
    ids=["yes", "us", "endoscopy-video", "sc-class", "image-type", "workstation", "unknown"],
)
def test_at_risk(ds: Dataset, why: str) -> None:
    risk = assess(ds)
    assert risk is not None and why in risk.why and risk.cleanable


@pytest.mark.parametrize(
    "ds",
    [_image("CT", CT), _image("CT", CT, "NO"), _image("US", US, "NO"), _image("MR", CT, "no")],
    ids=["ct-absent", "ct-no", "us-no", "lower-case-no"],
)
def test_not_at_risk(ds: Dataset) -> None:
    assert assess(ds) is None


def test_an_object_without_an_image_is_never_at_risk() -> None:
    ds = _image("US", US, "YES")
    del ds.Rows
    assert assess(ds) is None


def test_an_overlay_in_the_high_bits_is_a_risk_whatever_the_annotation_says() -> None:
    ds = _image("CT", CT, "NO")
    ds.add_new(0x60000010, "US", 8)
    ds.add_new(0x60000100, "US", 16)
    risk = assess(ds)
    assert risk is not None and risk.embedded_overlay and "overlay" in risk.why
    ds.add_new(0x60000100, "US", 1)
    ds.add_new(0x60003000, "OW", b"\0" * 8)
    assert assess(ds) is None


def test_video_is_at_risk_and_cannot_be_cleaned() -> None:
    ds = _image("ES", VL_VIDEO)
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = MPEG4
    risk = assess(ds)
    assert risk is not None and not risk.cleanable
