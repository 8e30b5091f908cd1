"""C-FIND attribute matching (PS3.4 C.2.2.2) of a response against request keys.

Used on the node's side of a relay: keys that the upstream provider cannot match (because
they are in pseudonymous space) are sent universal, and the coerced responses are matched
here against the keys as the querying peer wrote them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue

_RANGE_VRS = frozenset({"DA", "TM", "DT"})
_TEXT_VRS = frozenset({"AE", "AS", "CS", "DS", "IS", "LO", "LT", "PN", "SH", "ST", "UC", "UT"})


def matches(keys: Dataset, candidate: Dataset) -> bool:
    """Whether the candidate matches every key (an empty key is universal matching)."""
    return all(_element_matches(key, candidate.get(key.tag)) for key in keys)


def _element_matches(key: DataElement, found: DataElement | None) -> bool:
    if key.tag == 0x00080005:
        return True
    if key.VR == "SQ":
        if not key.value:
            return True
        items = list(found.value) if found is not None and found.VR == "SQ" else []
        return all(any(matches(query, item) for item in items) for query in key.value)
    wanted = _text(key.value)
    if not wanted:
        return True
    have = _values(found.value) if found is not None else []
    if key.VR == "UI":
        return any(uid in wanted.split("\\") for uid in have)
    if key.VR in _RANGE_VRS and "-" in wanted:
        return any(_in_range(wanted, value) for value in have)
    if key.VR in _TEXT_VRS and ("*" in wanted or "?" in wanted):
        pattern = _wildcard(wanted, key.VR == "PN")
        return any(pattern.fullmatch(value) for value in have)
    if key.VR == "PN":
        return any(value.upper() == wanted.upper() for value in have)
    return wanted in have


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, MultiValue | list | tuple):
        return "\\".join(str(item) for item in value).strip()
    return str(value).strip()


def _values(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, MultiValue | list | tuple):
        return [str(item).strip() for item in value]
    return [str(value).strip()]


def _in_range(wanted: str, value: str) -> bool:
    low, _, high = wanted.partition("-")
    if not value:
        return False
    width = max(len(low), len(high))
    comparable = value[:width] if width else value
    return (not low or comparable >= low[: len(comparable)]) and (
        not high or comparable <= high[: len(comparable)]
    )


@lru_cache(maxsize=512)
def _wildcard(wanted: str, fold_case: bool) -> re.Pattern[str]:
    body = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in wanted
    )
    return re.compile(body, re.IGNORECASE | re.DOTALL if fold_case else re.DOTALL)
