"""Curves, overlays and graphic annotations under Basic and Clean Graphics."""

from __future__ import annotations

import io

import pydicom
from pydicom import Dataset
from pydicom.data import get_testdata_file
from pydicom.sequence import Sequence

from deidentify.pixels import BurnedIn
from tests.runtime.helpers import deidentifier, elements
from tests.runtime.synthetic import PATIENT_ID, build

CLEAN_GRAPHICS = "deidentify:CleanGraphicsOption"


def _repeating(ds: Dataset) -> dict[int, object]:
    return {
        int(element.tag): element.value
        for element in ds
        if element.tag.group & 0xFF00 in (0x5000, 0x6000)
    }


def test_basic_removes_curves_and_whole_overlays() -> None:
    ds = build()
    assert _repeating(ds)
    deidentifier().apply(ds)
    assert _repeating(ds) == {}


def test_clean_graphics_removes_each_curve_and_overlay_with_its_data() -> None:
    """Text in curve data or an overlay bitmap cannot be cleaned: the data goes, and with it
    the rest of its group (no orphan description, label or comment)."""
    ds = build()
    deidentifier(CLEAN_GRAPHICS).apply(ds)
    assert _repeating(ds) == {}


def test_clean_graphics_cleans_every_text_of_groups_without_data() -> None:
    ds = build()
    del ds[0x50003000], ds[0x60003000]  # an overlay left in Pixel Data's high bits: at risk
    deidentifier(CLEAN_GRAPHICS, burned_in=BurnedIn.ACCEPT).apply(ds)
    kept = _repeating(ds)
    texts = {0x50000022: "MKCURVE", 0x60000022: "MKOVLDESC", 0x60001500: "MKOVLLABEL",
             0x60004000: "MKOVLCOMMENT"}
    assert set(texts) <= set(kept)
    assert kept[0x50000005] == 1
    for tag, prefix in texts.items():
        assert str(kept[tag]).startswith(prefix)
        assert PATIENT_ID not in str(kept[tag])


def test_basic_removes_groups_without_data_too() -> None:
    ds = build()
    del ds[0x50003000], ds[0x60003000]
    deidentifier(burned_in=BurnedIn.ACCEPT).apply(ds)
    assert _repeating(ds) == {}


def _annotated() -> Dataset:
    ds = Dataset()
    ds.PatientName = "Doe^Jonathan"
    ds.PatientID = "PID-4711"
    text = Dataset()
    text.UnformattedTextValue = "Lesion of Jonathan Doe, PID-4711"
    text.BoundingBoxAnnotationUnits = "PIXEL"
    graphic = Dataset()
    graphic.GraphicAnnotationUnits = "PIXEL"
    graphic.GraphicType = "POINT"
    graphic.NumberOfGraphicPoints = 1
    graphic.GraphicData = [1.0, 1.0]
    annotation = Dataset()
    annotation.GraphicLayer = "LAYER1"
    annotation.TextObjectSequence = Sequence([text])
    annotation.GraphicObjectSequence = Sequence([graphic])
    ds.GraphicAnnotationSequence = Sequence([annotation])
    return ds


def test_basic_replaces_graphic_annotation_text_by_a_dummy() -> None:
    ds = _annotated()
    deidentifier().apply(ds)
    text = ds.GraphicAnnotationSequence[0].TextObjectSequence[0].UnformattedTextValue
    assert "Jonathan" not in text and "4711" not in text
    assert text


def test_clean_graphics_cleans_graphic_annotation_text() -> None:
    ds = _annotated()
    deidentifier(CLEAN_GRAPHICS).apply(ds)
    annotation = ds.GraphicAnnotationSequence[0]
    text = annotation.TextObjectSequence[0].UnformattedTextValue
    assert text.startswith("Lesion of")
    assert "Jonathan" not in text and "Doe" not in text and "PID-4711" not in text
    assert annotation.GraphicObjectSequence[0].GraphicData == [1.0, 1.0]
    assert annotation.GraphicLayer == "LAYER1"


def test_real_overlay_file_loses_its_overlay_and_keeps_its_pixels() -> None:
    path = get_testdata_file("examples_overlay.dcm")
    assert isinstance(path, str)
    ds = pydicom.dcmread(path)
    assert _repeating(ds)
    pixels = ds.get_item(0x7FE00010).value
    deid = deidentifier(CLEAN_GRAPHICS)
    deid.apply(ds)
    buffer = io.BytesIO()
    deid.write(ds, buffer)
    result = pydicom.dcmread(io.BytesIO(buffer.getvalue()))
    assert _repeating(result) == {}
    assert result.get_item(0x7FE00010).value == pixels
    assert not any(element.tag.group % 2 for element in elements(result))
