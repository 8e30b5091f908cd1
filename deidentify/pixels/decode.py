"""Pixel Data to frames, by pydicom's pixel handlers and their plugins.

Flows in: a dataset with Pixel Data in any transfer syntax pydicom can decode (native,
deflated, RLE, JPEG baseline, extended and lossless, JPEG-LS, JPEG 2000, HTJ2K) and any
photometric interpretation (MONOCHROME1/2, RGB, YBR_FULL, YBR_FULL_422, PALETTE COLOR), 1
to 16 bits. Flows out: ``Frames``, a writable array (frames, rows, columns[, samples]) with
YBR converted to RGB and the bits above High Bit cleared, and, per frame, an 8-bit RGB view
for text detection.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from pydicom import Dataset
from pydicom.pixels.processing import apply_color_lut

from deidentify.pixels.risk import UNDECODABLE, PixelRefusal

_DECODE_ERRORS = (ValueError, RuntimeError, NotImplementedError, TypeError, KeyError,
                  AttributeError, IndexError, OSError, EOFError)
"""What pydicom's decoders raise on a stream they cannot decode."""


@dataclass
class Frames:
    """The decoded pixels of one object."""

    array: NDArray[np.generic]
    """(frames, rows, columns) or (frames, rows, columns, samples), writable."""
    photometric: str
    """The photometric interpretation of ``array`` (YBR is decoded to RGB)."""
    bits_stored: int
    signed: bool

    @property
    def count(self) -> int:
        """Number of frames."""
        return int(self.array.shape[0])


def _clear_unused_bits(array: NDArray[np.generic], bits_stored: int, signed: bool,
                       allocated: int) -> NDArray[np.generic]:
    """Bits above High Bit zeroed (unsigned) or set to the sign (signed): overlays embedded
    in the unused high bits of Pixel Data are gone."""
    if bits_stored >= allocated or array.dtype.kind not in "iu":
        return array
    if not signed:
        mask = (1 << bits_stored) - 1
        cleared: NDArray[np.generic] = np.bitwise_and(array, np.array(mask, dtype=array.dtype))
        return cleared
    shift = 32 - bits_stored
    widened = array.astype(np.int32)
    restored: NDArray[np.generic] = ((widened << shift) >> shift).astype(array.dtype)
    return restored


def decode(ds: Dataset) -> Frames:
    """Every frame of ``ds``; PixelRefusal when the Pixel Data cannot be decoded."""
    if "PixelData" not in ds:
        raise PixelRefusal(UNDECODABLE)
    try:
        array = np.array(ds.pixel_array, copy=True)
    except _DECODE_ERRORS:
        raise PixelRefusal(UNDECODABLE) from None
    samples = int(ds.get("SamplesPerPixel", 1) or 1)
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    if (frames == 1 and array.ndim == (3 if samples > 1 else 2)):
        array = array[np.newaxis, ...]
    photometric = str(ds.get("PhotometricInterpretation", "MONOCHROME2")).strip().upper()
    if samples == 3 and photometric.startswith("YBR"):
        photometric = "RGB"
    bits_stored = int(ds.get("BitsStored", ds.get("BitsAllocated", 8)) or 8)
    allocated = int(ds.get("BitsAllocated", 8) or 8)
    signed = int(ds.get("PixelRepresentation", 0) or 0) == 1
    array = _clear_unused_bits(array, bits_stored, signed, allocated)
    return Frames(array, photometric, bits_stored, signed)


def _stretch(plane: NDArray[np.generic]) -> NDArray[np.uint8]:
    values = plane.astype(np.float32)
    low, high = float(values.min()), float(values.max())
    if high <= low:
        return np.zeros(plane.shape, dtype=np.uint8)
    return ((values - low) * (255.0 / (high - low))).astype(np.uint8)


def view(frames: Frames, index: int, ds: Dataset) -> NDArray[np.uint8]:
    """Frame ``index`` as 8-bit RGB (rows, columns, 3), as a viewer would show it."""
    frame = frames.array[index]
    if frames.photometric == "PALETTE COLOR":
        with contextlib.suppress(*_DECODE_ERRORS):
            frame = apply_color_lut(frame, ds)
    if frame.ndim == 2:
        gray = _stretch(frame)
        if frames.photometric == "MONOCHROME1":
            gray = 255 - gray
        return np.repeat(gray[:, :, np.newaxis], 3, axis=2)
    if frame.dtype == np.uint8:
        return np.ascontiguousarray(frame[:, :, :3])
    return _stretch(frame[:, :, :3])
