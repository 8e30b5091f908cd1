"""``PixelCleaner``: the Clean Pixel Data Option for one at-risk object, start to end.

Flows in: the dataset (before the engine changes it), its risk, its identifying values;
flows out: the dataset with burned-in text blanked on every frame, Burned In Annotation NO,
embedded overlays gone, Pixel Data re-encoded (``encode``), and an ``Outcome`` (regions
blanked by rule) for the log. Boxes come from the region rules matching the object and from
OCR of a few frames (first, middle, last: burned-in text is drawn at the same place on every
frame of a cine loop); each box is blanked on every frame. When nothing is found and no
overlay is embedded, Pixel Data is left byte for byte as it was.
"""

from __future__ import annotations

from collections import Counter

from pydicom import Dataset

from deidentify.cleaning import IdentifyingValues
from deidentify.pixels.decode import decode, view
from deidentify.pixels.encode import encode
from deidentify.pixels.matching import verdict
from deidentify.pixels.ocr import engine_label, read_text
from deidentify.pixels.outcome import Outcome
from deidentify.pixels.redact import blank, padded
from deidentify.pixels.regions import Box, RegionRule, load_rules, matching
from deidentify.pixels.risk import UNCLEANABLE, PixelRefusal, Risk, embedded_overlay_groups
from deidentify.pixels.settings import PixelSettings

OCR_FRAMES = 3
"""Frames of a multi-frame object read by OCR: the first, the middle and the last."""


def sampled_frames(count: int, wanted: int = OCR_FRAMES) -> list[int]:
    """The frame indices OCR reads."""
    if count <= wanted:
        return list(range(count))
    return sorted({round(index * (count - 1) / (wanted - 1)) for index in range(wanted)})


def _remove_overlay_groups(ds: Dataset, groups: list[int]) -> None:
    for tag in [tag for tag in list(ds.keys()) if tag >> 16 in groups]:
        del ds[tag]


class PixelCleaner:
    """Cleans the pixels of at-risk objects under one run's settings."""

    def __init__(self, settings: PixelSettings) -> None:
        self.settings = settings
        self.rules: tuple[RegionRule, ...] = (
            load_rules(settings.rules) if settings.rules is not None else ()
        )
        self.method = f"Clean Pixel Data: {engine_label()}, mode {settings.mode.value}"[:64]

    def clean(self, ds: Dataset, risk: Risk, identifiers: IdentifyingValues | None) -> Outcome:
        """Clean ``ds`` in place; PixelRefusal when it cannot be cleaned safely."""
        if not risk.cleanable:
            raise PixelRefusal(UNCLEANABLE)
        rules = matching(self.rules, ds)
        overlays = embedded_overlay_groups(ds)
        frames = decode(ds)
        counts: Counter[str] = Counter()
        boxes: list[Box] = []
        for rule in rules:
            boxes += rule.boxes
            counts[f"region:{rule.name}"] += len(rule.boxes)
        if all(rule.ocr for rule in rules):
            rows, columns = frames.array.shape[1:3]
            found: dict[Box, str] = {}
            for index in sampled_frames(frames.count):
                for line in read_text(view(frames, index, ds)):
                    why = verdict(line.text, line.score, identifiers, self.settings.mode)
                    if why is not None:
                        found.setdefault(padded(line.box, rows, columns), why)
            boxes += found
            counts.update(f"ocr:{why}" for why in found.values())
        if boxes or overlays:
            blank(frames, boxes)
            encode(ds, frames)
            _remove_overlay_groups(ds, overlays)
        ds.BurnedInAnnotation = "NO"
        return Outcome("cleaned", self.method, frames.count, dict(counts))
