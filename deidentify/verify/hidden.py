"""Text values that hide element structure: a sequence's bytes under a text tag.

In implicit VR a reader takes a sequence under a text tag (Body Part Examined, a CS) for
text: its item headers, lengths and the elements inside read as characters. Such a value
(one holding control characters or item bytes) in goes to ``hides_structure``; out of
``hidden_items`` come the items its bytes parse to, so that the values inside are searched
for and counted among the original's identifying values.
"""

from __future__ import annotations

import re
from io import BytesIO

from pydicom import Dataset
from pydicom.dataelem import DataElement
from pydicom.filereader import read_sequence
from pydicom.multival import MultiValue

TEXT_VRS = frozenset({"AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH",
                      "ST", "TM", "UC", "UR", "UT"})
ITEM_TAGS = (b"\xfe\xff\x00\xe0", b"\xff\xfe\xe0\x00")
"""An item tag, little and big endian."""
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")
"""Control characters no text value holds (TAB, LF, FF, CR and ESC are allowed)."""
PARSE_ERRORS: tuple[type[Exception], ...] = (
    ValueError, EOFError, KeyError, TypeError, AttributeError, OSError, NotImplementedError,
    OverflowError, IndexError, RecursionError,
)


def _text(element: DataElement) -> str | None:
    if element.VR not in TEXT_VRS:
        return None
    value = element.value
    if isinstance(value, MultiValue | list | tuple):
        value = "\\".join(str(part) for part in value)
    return str(value).rstrip("\x00 ") if isinstance(value, str) or value else None


def hides_structure(element: DataElement) -> bool:
    """Whether a text value holds control characters or item bytes."""
    text = _text(element)
    if not text:
        return False
    raw = text.encode("latin-1", "replace")
    return bool(_CONTROL.search(text)) or any(tag in raw for tag in ITEM_TAGS)


def hidden_items(element: DataElement) -> list[Dataset]:
    """The items a text value's bytes parse to, from its first item tag (none if it parses
    in neither implicit nor explicit VR)."""
    if not hides_structure(element):
        return []
    raw = str(_text(element)).encode("latin-1", "replace")
    start = min((raw.find(tag) for tag in ITEM_TAGS if tag in raw), default=-1)
    if start < 0:
        return []
    data = raw[start:]
    little = data.startswith(ITEM_TAGS[0])
    for implicit in (True, False):
        try:
            items = list(read_sequence(BytesIO(data), implicit, little, len(data), "iso8859"))
            for item in items:
                for _ in item.iterall():
                    pass
        except PARSE_ERRORS:
            continue
        return items
    return []
