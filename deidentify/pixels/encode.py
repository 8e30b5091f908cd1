"""The cleaned frames back into Pixel Data, with File Meta and the image attributes updated.

Flows in: a dataset and its cleaned ``Frames``; flows out: the dataset with new Pixel Data.

- Lossless input with an encoder here: the same transfer syntax (RLE Lossless by pydicom or
  pylibjpeg-rle; JPEG-LS Lossless by pyjpegls; JPEG 2000 Lossless by pylibjpeg-openjpeg).
- Other lossless input (native little endian or deflated stays as it is; big endian, JPEG
  Lossless, HTJ2K lossless, ...): Explicit VR Little Endian (deflated stays deflated).
- Lossy input (JPEG baseline and extended, JPEG-LS near-lossless, JPEG 2000, HTJ2K): never a
  second lossy generation: decompressed to Explicit VR Little Endian, Lossy Image
  Compression kept 01 (set to 01 if it was missing).

YBR inputs come out as RGB (pydicom decodes YBR to RGB), Planar Configuration 0.
"""

from __future__ import annotations

from pydicom import Dataset
from pydicom.uid import (
    UID,
    DeflatedExplicitVRLittleEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    JPEG2000Lossless,
    JPEGLSLossless,
    RLELossless,
)

from deidentify.pixels.decode import Frames
from deidentify.pixels.risk import UNDECODABLE, PixelRefusal

REENCODED = frozenset({RLELossless, JPEGLSLossless, JPEG2000Lossless})
"""Lossless syntaxes written again as they were read."""
NATIVE = frozenset({ExplicitVRLittleEndian, ImplicitVRLittleEndian,
                    DeflatedExplicitVRLittleEndian})
LOSSY = frozenset(
    UID(uid) for uid in (
        "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.81",
        "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.4.93", "1.2.840.10008.1.2.4.203",
    )
)
_ENCODE_ERRORS = (ValueError, RuntimeError, NotImplementedError, TypeError, KeyError)


def target_syntax(syntax: UID) -> UID:
    """The transfer syntax cleaned pixels are written in, for an input's."""
    if syntax in REENCODED or syntax in NATIVE:
        return syntax
    return ExplicitVRLittleEndian


def encode(ds: Dataset, frames: Frames) -> UID:
    """Write ``frames`` into ``ds`` (File Meta's Transfer Syntax UID too); the syntax used."""
    meta = ds.file_meta
    syntax = UID(str(meta.get("TransferSyntaxUID", ExplicitVRLittleEndian)))
    target = target_syntax(syntax)
    array = frames.array if frames.count > 1 else frames.array[0]
    if target != syntax:
        meta.TransferSyntaxUID = target  # before the new Pixel Data: it is written for it
    try:
        ds.set_pixel_data(array, frames.photometric, frames.bits_stored,
                          generate_instance_uid=False)
        if frames.count > 1 or "NumberOfFrames" in ds:
            ds.NumberOfFrames = frames.count
        if target in REENCODED:
            ds.compress(target, generate_instance_uid=False)
    except _ENCODE_ERRORS:
        raise PixelRefusal(UNDECODABLE) from None
    if syntax in LOSSY:
        ds.LossyImageCompression = "01"
    meta.TransferSyntaxUID = target
    return target
