"""Images the tests make: text drawn with Pillow at known boxes, in DICOM objects.

Each object carries its own identity (name, ID, dates, accession, institution) in its header
and burned into its pixels, beside labels that must survive (laterality, units, probe).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont
from pydicom import Dataset
from pydicom.dataset import FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import (
    UID,
    ExplicitVRLittleEndian,
    JPEGBaseline8Bit,
    generate_uid,
)

NAME = "DOE^JOHN"
PATIENT_ID = "PID48213"
BIRTH_DATE = "19610412"
STUDY_DATE = "20210304"
ACCESSION = "ACC77310"
INSTITUTION = "ST MARY HOSPITAL"

IDENTIFYING_LINES = (
    "DOE, JOHN",
    f"ID {PATIENT_ID}",
    "DOB 1961-04-12",
    "2021-03-04 10:22",
    ACCESSION,
    INSTITUTION,
)
"""Burned-in identity, one line each, drawn down the left side."""
LABELS = ("LEFT", "3.5MHz", "16cm")
"""Allow-listed labels, drawn down the right side: they must survive."""

ROWS, COLUMNS = 240, 320
FONT_SIZE = 14
LINE_STEP = 22

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Drawn:
    """An image and where each line of text was drawn (x0, y0, x1, y1)."""

    pixels: NDArray[np.uint8]
    identifying: tuple[Box, ...]
    labels: tuple[Box, ...]


@cache
def _font() -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=FONT_SIZE)


def draw(frame_shift: int = 0) -> Drawn:
    """A grey scan-like disc with text at known boxes (an RGB 8-bit image)."""
    image = Image.new("RGB", (COLUMNS, ROWS), (0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.ellipse((120 + frame_shift, 60, 260 + frame_shift, 200), fill=(96, 96, 96))
    pen.ellipse((160 + frame_shift, 100, 200 + frame_shift, 140), fill=(150, 140, 130))
    identifying = []
    for index, text in enumerate(IDENTIFYING_LINES):
        origin = (6, 6 + index * LINE_STEP)
        pen.text(origin, text, fill=(235, 235, 235), font=_font())
        identifying.append(_bounds(pen.textbbox(origin, text, font=_font())))
    labels = []
    for index, text in enumerate(LABELS):
        origin = (COLUMNS - 62, 150 + index * LINE_STEP)
        pen.text(origin, text, fill=(235, 235, 235), font=_font())
        labels.append(_bounds(pen.textbbox(origin, text, font=_font())))
    return Drawn(np.asarray(image).copy(), tuple(identifying), tuple(labels))


def _bounds(box: tuple[float, float, float, float]) -> Box:
    return (int(box[0]), int(box[1]), int(box[2]) + 1, int(box[3]) + 1)


def header(modality: str, sop_class: str) -> Dataset:
    """A header carrying the identity the pixels show; Burned In Annotation absent."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = UID(sop_class)
    instance = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = instance
    ds.SOPClassUID = UID(sop_class)
    ds.SOPInstanceUID = instance
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.Modality = modality
    ds.PatientName = NAME
    ds.PatientID = PATIENT_ID
    ds.PatientBirthDate = BIRTH_DATE
    ds.StudyDate = STUDY_DATE
    ds.AccessionNumber = ACCESSION
    ds.InstitutionName = INSTITUTION
    ds.Manufacturer = "ACME"
    ds.ManufacturerModelName = "SCANNER 1"
    return ds


US = "1.2.840.10008.5.1.4.1.1.6.1"
US_MULTIFRAME = "1.2.840.10008.5.1.4.1.1.3.1"
SC = "1.2.840.10008.5.1.4.1.1.7"
XA = "1.2.840.10008.5.1.4.1.1.12.1"


def us_rgb() -> tuple[Dataset, Drawn]:
    """Single-frame RGB ultrasound, native."""
    drawn = draw()
    ds = header("US", US)
    ds.set_pixel_data(drawn.pixels, "RGB", 8, generate_instance_uid=False)
    return ds, drawn


def us_multiframe(frames: int = 4) -> tuple[Dataset, Drawn]:
    """Multi-frame RGB ultrasound: the scan moves, the text stays."""
    drawn = [draw(frame_shift=4 * index) for index in range(frames)]
    ds = header("US", US_MULTIFRAME)
    ds.set_pixel_data(np.stack([item.pixels for item in drawn]), "RGB", 8,
                      generate_instance_uid=False)
    ds.NumberOfFrames = frames
    return ds, drawn[0]


def sc_gray() -> tuple[Dataset, Drawn]:
    """8-bit MONOCHROME2 secondary capture, native."""
    drawn = draw()
    ds = header("OT", SC)
    ds.set_pixel_data(drawn.pixels[:, :, 0].copy(), "MONOCHROME2", 8,
                      generate_instance_uid=False)
    return ds, drawn


def xa_16bit() -> tuple[Dataset, Drawn]:
    """16-bit XA, 12 bits stored, text at the brightest value."""
    drawn = draw()
    values = (drawn.pixels[:, :, 0].astype(np.uint16) * 16).astype(np.uint16)
    ds = header("XA", XA)
    ds.set_pixel_data(values, "MONOCHROME2", 12, generate_instance_uid=False)
    return ds, drawn


def jpeg_baseline() -> tuple[Dataset, Drawn]:
    """8-bit MONOCHROME2 secondary capture in JPEG Baseline (lossy), encoded by Pillow."""
    ds, drawn = sc_gray()
    import io

    stream = io.BytesIO()
    Image.fromarray(drawn.pixels[:, :, 0]).save(stream, format="JPEG", quality=92)
    ds.PixelData = encapsulate([stream.getvalue()])
    ds["PixelData"].VR = "OB"
    ds.file_meta.TransferSyntaxUID = JPEGBaseline8Bit
    ds.LossyImageCompression = "01"
    return ds, drawn


def encoded(make: str, syntax: UID) -> tuple[Dataset, Drawn]:
    """An object of ``make`` compressed losslessly into ``syntax`` by pydicom's encoders."""
    ds, drawn = MAKERS[make]()
    ds.compress(syntax, generate_instance_uid=False)
    return ds, drawn


MAKERS = {"us_rgb": us_rgb, "us_multiframe": us_multiframe, "sc_gray": sc_gray,
          "xa_16bit": xa_16bit, "jpeg_baseline": jpeg_baseline}
