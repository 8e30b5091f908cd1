"""Pairing each de-identified file with its original.

With the secret, an original's SOP Instance UID is mapped as the run mapped it (or kept, for
Retain UIDs) and looked up among the outputs; then by the same relative path; then by
(Modality, Series Number, Instance Number), which de-identification keeps, where that key
is unique on both sides.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from pydicom import Dataset


@dataclass(frozen=True)
class Loaded:
    """A DICOM file found for verification: its path, its path under its tree, and its
    attributes up to Pixel Data (enough to pair it)."""

    path: Path
    relative: str
    header: Dataset


@dataclass(frozen=True)
class Pair:
    original: Loaded
    output: Loaded
    how: str


def _uid(loaded: Loaded) -> str | None:
    value = loaded.header.get("SOPInstanceUID")
    return str(value).rstrip("\x00 ") if value else None


def _series_key(loaded: Loaded) -> tuple[str, str, str] | None:
    ds = loaded.header
    instance = ds.get("InstanceNumber")
    if instance is None or str(instance) == "":
        return None
    return (str(ds.get("Modality", "")), str(ds.get("SeriesNumber", "")), str(instance))


def _unique(items: Iterable[Loaded],
            key: Callable[[Loaded], tuple[str, str, str] | None]) -> dict[object, Loaded]:
    keyed = [(key(item), item) for item in items]
    counts = Counter(k for k, _ in keyed if k is not None)
    return {k: item for k, item in keyed if k is not None and counts[k] == 1}


def pair_files(originals: list[Loaded], outputs: list[Loaded],
               map_uid: Callable[[str], str] | None) -> tuple[list[Pair], list[Loaded],
                                                              list[Loaded]]:
    """The pairs, the unpaired originals and the unpaired outputs."""
    pairs: list[Pair] = []
    left = list(originals)
    free = {id(output): output for output in outputs}
    if map_uid is not None:
        by_uid = {uid: output for output in outputs if (uid := _uid(output))}
        remaining = []
        for original in left:
            uid = _uid(original)
            match = None
            if uid:
                match = by_uid.get(map_uid(uid)) or by_uid.get(uid)
            if match is not None and id(match) in free:
                pairs.append(Pair(original, free.pop(id(match)), "mapped SOP Instance UID"))
            else:
                remaining.append(original)
        left = remaining
    by_path = {output.relative: output for output in free.values()}
    remaining = []
    for original in left:
        match = by_path.get(original.relative)
        if match is not None and id(match) in free:
            pairs.append(Pair(original, free.pop(id(match)), "relative path"))
        else:
            remaining.append(original)
    left = remaining
    outputs_by_key = _unique(free.values(), _series_key)
    originals_by_key = _unique(left, _series_key)
    remaining = []
    for original in left:
        key = _series_key(original)
        match = outputs_by_key.get(key) if key in originals_by_key else None
        if match is not None and id(match) in free:
            pairs.append(Pair(original, free.pop(id(match)), "instance number in series"))
        else:
            remaining.append(original)
    return pairs, remaining, list(free.values())
