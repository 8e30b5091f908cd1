"""Pairing each de-identified file with its original, from keys read once per file.

With the secret, an original's SOP Instance UID is mapped as the run mapped it (or kept, for
Retain UIDs) and looked up among the outputs. Where several originals or several outputs
share that UID, those that also share their relative path pair; the rest are ambiguous and
are left unchecked (each such output fails the run). Then files pair by the same relative
path; then by (Modality, Series Number, Instance Number), which de-identification keeps,
where that key is unique on both sides. Only the keys are held, never a dataset, so a tree
of any size pairs in little memory.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from pydicom import Dataset

SeriesKey = tuple[str, str, str]


@dataclass(frozen=True)
class Loaded:
    """A DICOM file found for verification: its path, its path under its tree, and the keys
    that pair it."""

    path: Path
    relative: str
    uid: str | None
    series_key: SeriesKey | None

    @classmethod
    def of(cls, path: Path, relative: str, header: Dataset) -> Loaded:
        """The keys of a file, from its attributes up to Pixel Data."""
        value = header.get("SOPInstanceUID")
        uid = str(value).rstrip("\x00 ") if value else None
        instance = header.get("InstanceNumber")
        key = None
        if instance is not None and str(instance) != "":
            key = (str(header.get("Modality", "")), str(header.get("SeriesNumber", "")),
                   str(instance))
        return cls(path, relative, uid or None, key)


@dataclass(frozen=True)
class Pair:
    original: Loaded
    output: Loaded
    how: str


@dataclass
class Pairing:
    """The pairs, what is left unpaired on either side, and the ambiguous outputs."""

    pairs: list[Pair]
    unpaired_originals: list[Loaded]
    unpaired_outputs: list[Loaded]
    ambiguous_outputs: list[Loaded]


def _unique(items: Iterable[Loaded]) -> dict[SeriesKey, Loaded]:
    keyed = [(item.series_key, item) for item in items]
    counts = Counter(key for key, _ in keyed if key is not None)
    return {key: item for key, item in keyed if key is not None and counts[key] == 1}


def _by_uid(items: Iterable[Loaded]) -> dict[str, list[Loaded]]:
    grouped: dict[str, list[Loaded]] = defaultdict(list)
    for item in items:
        if item.uid:
            grouped[item.uid].append(item)
    return grouped


def _pair_by_uid(originals: list[Loaded], outputs: list[Loaded],
                 map_uid: Callable[[str], str], pairing: Pairing) -> tuple[list[Loaded],
                                                                           list[Loaded]]:
    """Pair through the mapped UID; returns the originals and outputs still free."""
    outputs_by_uid = _by_uid(outputs)
    taken: set[int] = set()
    left: list[Loaded] = []
    for uid, group in _by_uid(originals).items():
        candidates = outputs_by_uid.get(map_uid(uid)) or outputs_by_uid.get(uid) or []
        candidates = [output for output in candidates if id(output) not in taken]
        if not candidates:
            left += group
            continue
        if len(group) == 1 and len(candidates) == 1:
            pairing.pairs.append(Pair(group[0], candidates[0], "mapped SOP Instance UID"))
            taken.add(id(candidates[0]))
            continue
        by_path = {output.relative: output for output in candidates}
        for original in group:
            match = by_path.pop(original.relative, None)
            if match is None:
                left.append(original)
                continue
            pairing.pairs.append(Pair(original, match,
                                      "mapped SOP Instance UID and relative path"))
            taken.add(id(match))
        for output in by_path.values():
            pairing.ambiguous_outputs.append(output)
            taken.add(id(output))
    left += [original for original in originals if not original.uid]
    return left, [output for output in outputs if id(output) not in taken]


def pair_files(originals: list[Loaded], outputs: list[Loaded],
               map_uid: Callable[[str], str] | None) -> Pairing:
    """Pair every output with its original where one can be found unambiguously."""
    pairing = Pairing([], [], [], [])
    left, free = list(originals), list(outputs)
    if map_uid is not None:
        left, free = _pair_by_uid(left, free, map_uid, pairing)
    by_path = {output.relative: output for output in free}
    remaining = []
    for original in left:
        match = by_path.pop(original.relative, None)
        if match is not None:
            pairing.pairs.append(Pair(original, match, "relative path"))
        else:
            remaining.append(original)
    free = list(by_path.values())
    outputs_by_key = _unique(free)
    originals_by_key = _unique(remaining)
    taken: set[int] = set()
    for original in remaining:
        key = original.series_key
        match = outputs_by_key.get(key) if key is not None and key in originals_by_key else None
        if match is not None:
            pairing.pairs.append(Pair(original, match, "instance number in series"))
            taken.add(id(match))
        else:
            pairing.unpaired_originals.append(original)
    pairing.unpaired_outputs = [output for output in free if id(output) not in taken]
    return pairing
