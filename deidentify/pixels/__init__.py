"""Burned-in identity in Pixel Data: the risk gate, and the Clean Pixel Data Option (113101).

What flows in: a pydicom dataset about to be de-identified, and the identifying values the
engine collected from it before changing anything. What flows out: the dataset with its
pixels cleaned (or untouched when it is not at risk), and a ``PixelOutcome`` saying how many
regions were blanked and by which rule, never the text.

Modules, one job each, in the order an object goes through them:

- ``settings``: what a run decides (``--burned-in refuse|accept``, detection mode, region
  rules file), recorded with the run's other settings.
- ``risk``: the gate, always on and cheap: reads attributes only (no numpy), and says
  whether an object may carry burned-in identity. ``PixelRefusal`` is its refusal.
- ``decode``: Pixel Data to frames (numpy arrays) by pydicom's pixel handlers, and a view
  of each frame for text detection.
- ``regions``: region rules (TOML) keyed by device signature: rectangles to blank.
- ``ocr``: the OCR engine (RapidOCR, PP-OCR models shipped in its wheel; no download).
- ``matching``: whether recognised text is identifying (the object's values, identity
  patterns), allowed (laterality, units, probe and scale labels) or too uncertain.
- ``redact``: blanks boxes on every frame; clears overlays in unused high bits.
- ``encode``: the cleaned frames back into Pixel Data: the same lossless transfer syntax
  where an encoder exists, else Explicit VR Little Endian; a lossy input is decompressed.
- ``cleaner``: ``PixelCleaner``, the one object the engine calls.

Only ``settings`` and ``risk`` are imported by the engine unconditionally (neither imports
pydicom, so a run's main process names them without it); the rest needs the ``pixels``
extra (numpy, Pillow, pylibjpeg and its plugins, pyjpegls, RapidOCR) and is imported only
when the profile names CleanPixelDataOption.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from deidentify.pixels.outcome import Outcome
from deidentify.pixels.risk import BURNED_IN_RISK, PixelRefusal, Risk, assess
from deidentify.pixels.settings import BurnedIn, PixelMode, PixelSettings
from deidentify.profile import ProfileError

if TYPE_CHECKING:
    from pydicom import Dataset

    from deidentify.cleaning import IdentifyingValues

EXTRA = "pip install 'deidentify[pixels]'"


class PixelsUnavailable(ProfileError):
    """CleanPixelDataOption asked for where the ``pixels`` extra is not installed."""


class PixelCleaning(Protocol):
    """What the engine calls for an at-risk object under CleanPixelDataOption."""

    def clean(
        self, ds: Dataset, risk: Risk, identifiers: IdentifyingValues | None
    ) -> Outcome:
        """Clean the pixels of ``ds`` in place (before the engine changes anything else);
        raises ``PixelRefusal`` when they cannot be cleaned safely."""
        ...


def load_cleaner(settings: PixelSettings) -> PixelCleaning:
    """The cleaner for a run; PixelsUnavailable (one line, saying what to install) when the
    ``pixels`` extra is missing, ProfileError for a bad region rules file."""
    try:
        from deidentify.pixels.cleaner import PixelCleaner
    except ImportError as error:
        missing = getattr(error, "name", None) or "a module"
        raise PixelsUnavailable(
            f"CleanPixelDataOption needs the pixels extra ({missing} is not installed): {EXTRA}"
        ) from None
    return PixelCleaner(settings)


__all__ = [
    "BURNED_IN_RISK",
    "BurnedIn",
    "Outcome",
    "PixelCleaning",
    "PixelMode",
    "PixelRefusal",
    "PixelSettings",
    "PixelsUnavailable",
    "Risk",
    "assess",
    "load_cleaner",
]
