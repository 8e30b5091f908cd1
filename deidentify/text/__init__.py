"""The free-text cleaner used by every C action on text (offline, deterministic).

In: a text value, its VR and the identifying values the object declares
(``deidentify.cleaning.IdentifyingValues``). Out: the text with each identifying span
replaced by a typed placeholder (``[NAME]``, ``[DATE]``, ``[AGE]``, ``[ID]``, ``[CONTACT]``,
``[ORG]``), every other word kept. Modelled on presidio's analyzer: a registry of
independent recognisers (``cleaner.RECOGNISERS``), each returning scored typed spans
(``spans``), merged by one resolver (``resolver``), replaced within the VR's length
(``placeholders``). The word lists (``vocabulary``) load on first use, once per process.
"""

from deidentify.text.cleaner import Cleaner, clean, default_cleaner
from deidentify.text.spans import Category, Span

__all__ = ["Category", "Cleaner", "Span", "clean", "default_cleaner"]
