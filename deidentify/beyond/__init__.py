"""Rules beyond Table E.1-1: what the tool does where the table is silent (PS3.15 E.1.1 warns
that the table "may not be sufficient").

The plan builds these once from pydicom's data dictionary and the edition's table; the engine
and the byte-level fast path only look them up.

- ``dictionary``: what the data dictionary says of a tag: known or not, its VRs and VM.
- ``unknown``: the ``--unknown`` setting (remove or keep public elements nobody defines).
- ``conformity``: whether an element's VR (and a binary value's length) agrees with the
  dictionary.
- ``identifying``: the unlisted standard attributes that identify a person, an organisation or
  a device, computed from the dictionary by documented criteria.

The names below are imported on first use: the command line's parsers name
``UnknownPolicy`` without importing pydicom's dictionary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from deidentify.lazy import importer

if TYPE_CHECKING:
    from deidentify.beyond.identifying import (
        BeyondRule,
        Category,
        identifying_rule,
        identifying_rules,
    )
    from deidentify.beyond.unknown import UnknownPolicy

_HOMES = {
    "BeyondRule": "deidentify.beyond.identifying",
    "Category": "deidentify.beyond.identifying",
    "UnknownPolicy": "deidentify.beyond.unknown",
    "identifying_rule": "deidentify.beyond.identifying",
    "identifying_rules": "deidentify.beyond.identifying",
}

__all__ = ["BeyondRule", "Category", "UnknownPolicy", "identifying_rule", "identifying_rules"]


__getattr__ = importer(__name__, _HOMES, globals())
