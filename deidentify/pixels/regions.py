"""Region rules: rectangles to blank, keyed by what identifies a device and screen layout.

Flows in: a TOML file of ``[[rule]]`` tables; flows out: the boxes of the rules whose
signature matches an object. Each rule has a ``name``, a ``match`` table of top-level
attribute keywords (Manufacturer, ManufacturerModelName, Modality, Rows, Columns,
SoftwareVersions, ...) and ``boxes``, a list of ``[x, y, width, height]`` in pixels (as in
CTP's DicomPixelAnonymizer); ``ocr = false`` skips OCR for objects it matches. A string
matches case-insensitively, whole, or as a prefix when it ends with ``*``; a list matches
any of its values; an integer matches exactly. Every attribute named must match.

```toml
[[rule]]
name = "epiq-header"
match = { Manufacturer = "Philips*", ManufacturerModelName = "EPIQ*", Rows = 768 }
boxes = [[0, 0, 1024, 50]]
```
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydicom import Dataset
from pydicom.datadict import tag_for_keyword

from deidentify.profile import ProfileError

Box = tuple[int, int, int, int]
"""x0, y0, x1, y1: columns x0 to x1-1, rows y0 to y1-1."""


class RegionRulesError(ProfileError):
    """A region rules file that cannot be used: one line naming the file, rule and key."""


@dataclass(frozen=True)
class RegionRule:
    """One device signature and its rectangles."""

    name: str
    match: tuple[tuple[str, tuple[str | int, ...]], ...]
    boxes: tuple[Box, ...]
    ocr: bool = True

    def matches(self, ds: Dataset) -> bool:
        """Whether every attribute of the signature matches ``ds``."""
        return all(_matches(ds, keyword, wanted) for keyword, wanted in self.match)


def _matches(ds: Dataset, keyword: str, wanted: tuple[str | int, ...]) -> bool:
    element = ds.get(keyword)
    if element is None:
        return False
    value = element.value if hasattr(element, "value") else element
    for expected in wanted:
        if isinstance(expected, int):
            try:
                if int(value) == expected:
                    return True
            except (TypeError, ValueError):
                continue
            continue
        text = str(value).strip().upper()
        pattern = expected.strip().upper()
        if text == pattern or (pattern.endswith("*") and text.startswith(pattern[:-1])):
            return True
    return False


def _error(source: Path, where: str, problem: str) -> RegionRulesError:
    return RegionRulesError(f"{source}: {where}: {problem}")


def _box(source: Path, where: str, value: object) -> Box:
    if not (isinstance(value, list) and len(value) == 4
            and all(isinstance(part, int) and part >= 0 for part in value)):
        raise _error(source, where, "a box is [x, y, width, height] of non-negative integers")
    x, y, width, height = value
    return (x, y, x + width, y + height)


def _rule(source: Path, index: int, table: object) -> RegionRule:
    where = f"rule {index + 1}"
    if not isinstance(table, dict):
        raise _error(source, where, "must be a table")
    unknown = sorted(set(table) - {"name", "match", "boxes", "ocr"})
    if unknown:
        raise _error(source, where, f"unknown key {unknown[0]!r}; valid: boxes, match, name, ocr")
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _error(source, where, "name must be a non-empty string")
    match = table.get("match", {})
    if not isinstance(match, dict) or not match:
        raise _error(source, where, "match must be a table of attribute keywords")
    signature: list[tuple[str, tuple[str | int, ...]]] = []
    for keyword, wanted in match.items():
        if tag_for_keyword(keyword) is None:
            raise _error(source, f"{where} match", f"{keyword!r} is not a DICOM keyword")
        values = wanted if isinstance(wanted, list) else [wanted]
        if not values or not all(isinstance(v, str | int) and not isinstance(v, bool)
                                 for v in values):
            raise _error(source, f"{where} match {keyword}", "must be a string, an integer or"
                         " a list of them")
        signature.append((keyword, tuple(values)))
    boxes = table.get("boxes", [])
    if not isinstance(boxes, list):
        raise _error(source, where, "boxes must be a list")
    ocr = table.get("ocr", True)
    if not isinstance(ocr, bool):
        raise _error(source, where, "ocr must be true or false")
    return RegionRule(name.strip(), tuple(signature),
                      tuple(_box(source, f"{where} boxes", box) for box in boxes), ocr)


def load_rules(source: Path) -> tuple[RegionRule, ...]:
    """The rules of a TOML file; RegionRulesError (one line) when it is not valid."""
    try:
        document = tomllib.loads(source.read_text(encoding="utf-8"))
    except OSError as error:
        raise RegionRulesError(f"{source}: {error.strerror or 'cannot be read'}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise RegionRulesError(f"{source}: not valid TOML ({error})") from None
    unknown = sorted(set(document) - {"rule"})
    if unknown:
        raise _error(source, "top level", f"unknown key {unknown[0]!r}; valid: rule")
    tables = document.get("rule", [])
    if not isinstance(tables, list):
        raise _error(source, "rule", "must be an array of tables ([[rule]])")
    return tuple(_rule(source, index, table) for index, table in enumerate(tables))


def matching(rules: tuple[RegionRule, ...], ds: Dataset) -> list[RegionRule]:
    """The rules whose signature matches ``ds``."""
    return [rule for rule in rules if rule.matches(ds)]
