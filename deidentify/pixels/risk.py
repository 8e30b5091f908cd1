"""The risk gate: whether an object may carry identity burned into its pixels.

Flows in: a dataset (only attributes are read, never Pixel Data, so the gate is cheap and
works without the ``pixels`` extra); flows out: None (not at risk), or a ``Risk`` naming
why, and whether the pixels can be cleaned at all.

An object with an image (Rows present) is at risk when:

- Burned In Annotation (0028,0301) is YES;
- it is absent (or neither YES nor NO) and the modality or the SOP Class routinely burns in
  text (ultrasound, secondary capture, visible light, video, X-ray angiography and
  fluoroscopy, the DX family where it is required, documents, other), or the object is a
  screen capture (Image Type, or Conversion Type WSD);
- an overlay lives in the unused high bits of Pixel Data (retired, but still written), whatever
  Burned In Annotation says.

A video transfer syntax, or a JPIP reference (no pixels in the object), cannot be cleaned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydicom import Dataset

BURNED_IN_RISK = "burned-in annotation risk"
"""The reason an at-risk object is refused when the profile does not clean pixel data."""

TRANSFER_SYNTAX_UID = 0x00020010
SOP_CLASS_UID = 0x00080016
IMAGE_TYPE = 0x00080008
MODALITY = 0x00080060
CONVERSION_TYPE = 0x00080064
ROWS = 0x00280010
BURNED_IN_ANNOTATION = 0x00280301
OVERLAY_ROWS = 0x0010
OVERLAY_BITS_ALLOCATED = 0x0100
OVERLAY_DATA = 0x3000

READ_TAGS = frozenset(
    {SOP_CLASS_UID, IMAGE_TYPE, MODALITY, CONVERSION_TYPE, ROWS, BURNED_IN_ANNOTATION}
)
"""Top-level attributes the gate reads (besides the overlay groups 60xx and File Meta)."""

AT_RISK_MODALITIES = frozenset(
    {"US", "IVUS", "ES", "XC", "OT", "DOC", "GM", "SM", "OP", "PX", "IO", "XA", "RF", "MG",
     "DX", "SC", "VL", "TG"}
)
"""Modalities that routinely burn in text (or, for DX, MG and IO, must state it)."""

_CLASS_PREFIXES = (
    "1.2.840.10008.5.1.4.1.1.7",  # secondary capture, multi-frame SC, and .77 visible light
    "1.2.840.10008.5.1.4.1.1.6.",  # ultrasound, enhanced US volume
    "1.2.840.10008.5.1.4.1.1.3.",  # ultrasound multi-frame
    "1.2.840.10008.5.1.4.1.1.12.",  # X-ray angiography, fluoroscopy
    "1.2.840.10008.5.1.4.1.1.1.1",  # digital X-ray, mammography, intra-oral
)
_CLASSES = frozenset({"1.2.840.10008.5.1.4.1.1.6", "1.2.840.10008.5.1.4.1.1.3"})
"""SOP Classes at risk: by prefix, and the retired ultrasound classes exactly."""

SCREEN_CAPTURE_TYPES = frozenset({"SCREEN SHOT", "SCREENSHOT", "SCREEN CAPTURE", "CAPTURE"})
WORKSTATION = "WSD"

_VIDEO_PREFIX = "1.2.840.10008.1.2.4.10"
"""MPEG-2, MPEG-4 AVC/H.264 and HEVC/H.265 transfer syntaxes (.100 to .108)."""
_JPIP = frozenset({"1.2.840.10008.1.2.4.94", "1.2.840.10008.1.2.4.95"})


class PixelRefusal(ValueError):
    """An object this run does not write: at risk and not cleaned, or not cleanable.

    ``reason`` is a fixed phrase of this package; it never quotes a value of the object.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Risk:
    """Why an object is at risk, and whether its pixels can be cleaned."""

    why: str
    cleanable: bool = True
    embedded_overlay: bool = False


def _text(ds: Dataset, tag: int) -> str:
    """The value of a top-level element as upper-case text, read without pydicom converting
    it (the gate runs on every object: a raw value's bytes are decoded as ASCII)."""
    if tag not in ds._dict:
        return ""
    element = ds.get_item(tag)
    value = element.value if element is not None else None
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("ascii", "replace").strip(" \0").upper()
    if isinstance(value, str):
        return value.strip().upper()
    return "\\".join(str(part) for part in value).strip().upper()


def _values(ds: Dataset, tag: int) -> list[str]:
    return [part.strip() for part in _text(ds, tag).split("\\")]


def _transfer_syntax(ds: Dataset) -> str:
    meta = getattr(ds, "file_meta", None)
    if meta is None or TRANSFER_SYNTAX_UID not in meta:
        return ""
    return str(meta[TRANSFER_SYNTAX_UID].value).strip()


def embedded_overlay_groups(ds: Dataset) -> list[int]:
    """The overlay groups (60xx) whose bitmap lives in Pixel Data's unused high bits."""
    groups = []
    present = ds._dict
    for group in range(0x6000, 0x6020, 2):
        if (group << 16 | OVERLAY_ROWS) not in present:
            continue
        allocated = ds.get(group << 16 | OVERLAY_BITS_ALLOCATED)
        bits = allocated.value if allocated is not None else None
        in_pixels = isinstance(bits, int) and bits > 1
        if in_pixels or (group << 16 | OVERLAY_DATA) not in present:
            groups.append(group)
    return groups


def _class_at_risk(sop_class: str) -> bool:
    return sop_class in _CLASSES or sop_class.startswith(_CLASS_PREFIXES)


def _routine_risk(ds: Dataset) -> str | None:
    modality = _text(ds, MODALITY)
    if modality in AT_RISK_MODALITIES:
        return f"modality {modality} without Burned In Annotation NO"
    if _class_at_risk(_text(ds, SOP_CLASS_UID)):
        return "SOP Class that burns in text, without Burned In Annotation NO"
    if SCREEN_CAPTURE_TYPES & set(_values(ds, IMAGE_TYPE)) or _text(
        ds, CONVERSION_TYPE
    ) == WORKSTATION:
        return "screen capture without Burned In Annotation NO"
    return None


def assess(ds: Dataset) -> Risk | None:
    """The object's burned-in risk; None when it has no image or is not at risk."""
    if ROWS not in ds._dict:
        return None
    overlay = bool(embedded_overlay_groups(ds))
    annotation = _text(ds, BURNED_IN_ANNOTATION)
    if annotation == "YES":
        why: str | None = "Burned In Annotation YES"
    elif annotation == "NO":
        why = None
    else:
        why = _routine_risk(ds)
    if why is None and overlay:
        why = "overlay in the unused high bits of Pixel Data"
    if why is None:
        return None
    syntax = _transfer_syntax(ds)
    cleanable = not (syntax.startswith(_VIDEO_PREFIX) or syntax in _JPIP)
    return Risk(why, cleanable, overlay)


UNCLEANABLE = "video or referenced pixel data: burned-in annotation cannot be cleaned"
"""The reason an at-risk object whose pixels cannot be cleaned is refused under the option."""
UNDECODABLE = "pixel data cannot be decoded: burned-in annotation cannot be cleaned"
"""The reason an at-risk object whose Pixel Data cannot be decoded is refused."""
