"""Shared helpers of the runtime tests."""

from __future__ import annotations

from collections.abc import Iterator

from pydicom import Dataset
from pydicom.dataelem import DataElement
from pydicom.sequence import Sequence

from deidentify import Deidentifier, Plan, parse_profile
from deidentify.pixels import BurnedIn, PixelSettings

SECRET = b"runtime tests secret"
EDITION = "2026c"


def deidentifier(uri: str = "deidentify:", edition: str = EDITION,
                 burned_in: BurnedIn = BurnedIn.REFUSE) -> Deidentifier:
    """A Deidentifier for a profile URI with the tests' secret."""
    return Deidentifier(Plan.build(parse_profile(uri, edition)), SECRET,
                        pixel_settings=PixelSettings(burned_in))


def elements(ds: Dataset) -> Iterator[DataElement]:
    """Every element of a dataset and of its sequences' items (File Meta excluded)."""
    for element in ds:
        yield element
        if element.VR == "SQ" and isinstance(element.value, Sequence):
            for item in element.value:
                yield from elements(item)


def text_of(ds: Dataset) -> str:
    """Every textual value of a dataset (and its File Meta), joined, for marker searches."""
    parts: list[str] = []
    sources = [ds]
    meta = getattr(ds, "file_meta", None)
    if meta is not None:
        sources.append(meta)
    for source in sources:
        for element in elements(source):
            if element.VR in ("SQ", "OB", "OW", "OD", "OF", "OL", "OV", "UN"):
                continue
            value = element.value
            if isinstance(value, list | tuple) or type(value).__name__ == "MultiValue":
                parts.extend(str(part) for part in value)
            else:
                parts.append(str(value))
    return "\n".join(parts)
