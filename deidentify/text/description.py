"""What the built-in cleaner does, in the words the De-identification Method and the
conformance report use (one definition for both)."""

from __future__ import annotations

METHOD = "free text C: own identifiers, patterns, names, organisations"
"""A value of De-identification Method (at most 64 characters)."""

TEXT = (
    "cleaned: the object's own identifiers and the names, dates, ages, IDs, contacts and"
    " organisations the built-in recognisers find replaced by [NAME], [DATE], [AGE], [ID],"
    " [CONTACT], [ORG]; every other word kept"
)
"""What happens to a free-text value (LO, SH, ST, LT, UT, UC) under C."""

PERSON_NAME = "the family, given and middle names replaced by [NAME]; prefix and suffix cleaned"
"""What happens to a PN value under C."""

CODED = (
    "cleaned: the object's own identifiers and contacts replaced (XXX in a CS value); a code"
    " is not searched for names, dates or numbers"
)
"""What happens to an AE or CS value under C."""

LIMITS = (
    "Cleaning (C) of free text is by rules and word lists, offline and deterministic: the"
    " object's own identifying values (names and their parts, IDs, dates, institution, device,"
    " addresses), date, age, identifier, telephone, e-mail, URL and address patterns, person"
    " names by titles, credentials, context, DICOM ^ forms, initials and a names lexicon"
    " (Faker's person names) guarded by a clinical vocabulary, and organisation names. A name"
    " that is in no list, written with no cue, and is also an ordinary word can be missed; a"
    " site can plug in its own cleaner. C on a binary value (OB, OW, UN, ...) removes it:"
    " text inside binary data cannot be read."
)
"""The statement of the report's limitations about cleaning."""
