"""The free-text cleaner used by every C action on text (offline, deterministic).

In: a text value, its VR and the identifying values the object declares
(``deidentify.cleaning.IdentifyingValues``). Out: the text with each identifying span
replaced by a typed placeholder (``[NAME]``, ``[DATE]``, ``[AGE]``, ``[ID]``, ``[CONTACT]``,
``[ORG]``), every other word kept. Modelled on presidio's analyzer: a registry of
independent recognisers (``cleaner.RECOGNISERS``), each returning scored typed spans
(``spans``), merged by one resolver (``resolver``), replaced within the VR's length
(``placeholders``).

Nothing loads before text is cleaned: importing this package compiles no pattern and reads
no word list; the recognisers load on the first call, the word lists (``vocabulary``) when
first needed, once per process.
"""

from __future__ import annotations

from deidentify.cleaning import IdentifyingValues


def default_cleaner(text: str, vr: str, identifiers: IdentifyingValues) -> str:
    """The built-in ``TextCleaner`` (``deidentify.cleaning.TextCleaner``): every layer."""
    from deidentify.text import cleaner  # loaded where text is cleaned

    return cleaner.default().clean(text, vr, identifiers)


def clean(text: str, vr: str = "UT", identifiers: IdentifyingValues | None = None) -> str:
    """Clean one text value (of VR ``vr``) with the built-in recognisers."""
    return default_cleaner(text, vr, identifiers or IdentifyingValues())
