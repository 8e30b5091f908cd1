"""Large multi-frame files generated from a shipped CT, in several transfer syntaxes."""

from __future__ import annotations

import os
from pathlib import Path

import pydicom
from pydicom.encaps import encapsulate
from pydicom.uid import UID, ExplicitVRBigEndian, ExplicitVRLittleEndian, JPEGBaseline8Bit

from tests.batch.helpers import shipped

FRAME_ROWS = 512
PADDING = 0xFFFCFFFC


def write_multiframe(path: Path, syntax: UID, frames: int, padding: bool = False) -> bytes:
    """A CT (MR in big endian) with ``frames`` random 512x512 16-bit frames; its Pixel Data."""
    base = "MR_small_bigendian.dcm" if syntax == ExplicitVRBigEndian else "CT_small.dcm"
    ds = pydicom.dcmread(shipped(base))
    ds.Rows = ds.Columns = FRAME_ROWS
    ds.NumberOfFrames = frames
    frame_bytes = FRAME_ROWS * FRAME_ROWS * 2
    if syntax == JPEGBaseline8Bit:
        fragments = [os.urandom(frame_bytes // 4) for _ in range(frames)]
        ds.PixelData = encapsulate(fragments)
        ds["PixelData"].VR = "OB"
        ds["PixelData"].is_undefined_length = True
    else:
        ds.PixelData = os.urandom(frame_bytes * frames)
    if padding:
        ds.add_new(PADDING, "OB", b"\0" * 64)
    ds.file_meta.TransferSyntaxUID = syntax
    little = syntax != ExplicitVRBigEndian
    ds.save_as(path, implicit_vr=False, little_endian=little, enforce_file_format=True)
    return bytes(ds.PixelData)


SYNTAXES = (ExplicitVRLittleEndian, ExplicitVRBigEndian, JPEGBaseline8Bit)
