"""Dummy values for action code D (and Z where a value is kept non-empty).

One fixed value per VR, chosen so that it is valid for the VR (length and character set,
PS3.5 Table 6.2-1), never empty, and cannot be mistaken for a real identifier: text says
``ANONYMOUS``, dates are 1 January 1900, times midnight, numbers zero, binary values zero
bytes. UI is not handled here: a UID that must stay present gets a replacement UID (see
``deidentify.uids``); SQ has no dummy value.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

_TEXT = "ANONYMOUS"

DUMMY_VALUES: Mapping[str, object] = MappingProxyType(
    {
        "AE": _TEXT,
        "AS": "000D",
        "AT": 0x00000000,
        "CS": _TEXT,
        "DA": "19000101",
        "DS": "0",
        "DT": "19000101000000",
        "FD": 0.0,
        "FL": 0.0,
        "IS": "0",
        "LO": _TEXT,
        "LT": _TEXT,
        "OB": b"\x00\x00",
        "OD": bytes(8),
        "OF": bytes(4),
        "OL": bytes(4),
        "OV": bytes(8),
        "OW": b"\x00\x00",
        "PN": _TEXT,
        "SH": _TEXT,
        "SL": 0,
        "SS": 0,
        "ST": _TEXT,
        "SV": 0,
        "TM": "000000",
        "UC": _TEXT,
        "UL": 0,
        "UN": b"\x00\x00",
        "UR": "urn:uuid:00000000-0000-0000-0000-000000000000",
        "US": 0,
        "UT": _TEXT,
        "UV": 0,
    }
)
"""The dummy value of each VR, as pydicom takes it for an element's value.

AS ``000D`` is an age of zero days; AT ``(0000,0000)`` refers to no attribute of a dataset;
UR is the nil UUID as a URN; OB, OW and UN are two zero bytes, OF and OL one zero 32-bit
word, OD and OV one zero 64-bit word.
"""


def first_alternative(vr: str) -> str:
    """The first VR of an ambiguous dictionary VR (``"US or SS"`` -> ``"US"``); a plain VR as is."""
    return vr.split(" or ")[0].strip()


def dummy_value(vr: str) -> object:
    """The dummy value for a VR.

    A VR that pydicom's dictionary leaves ambiguous (``"US or SS"``, ``"OB or OW"``) takes its
    first alternative; every alternative's dummy encodes to the same zero bytes.
    Raises ValueError for UI (use a replacement UID), SQ and unknown VRs.
    """
    first = first_alternative(vr)
    if first == "UI":
        raise ValueError("UI has no dummy value: use a replacement UID")
    if first == "SQ":
        raise ValueError("SQ has no dummy value")
    try:
        return DUMMY_VALUES[first]
    except KeyError:
        raise ValueError(f"no dummy value for VR {vr!r}") from None


def describe_dummy(vr: str) -> str:
    """The dummy value of a VR as the conformance report prints it."""
    value = dummy_value(vr)
    if isinstance(value, bytes):
        return f"{len(value)} zero bytes"
    if first_alternative(vr) == "AT":
        return "(0000,0000)"
    return repr(value) if isinstance(value, str) else str(value)
