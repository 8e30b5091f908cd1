"""Where each output goes: mirroring the input tree, or by the new identifiers.

``hierarchy`` arranges outputs as ``<Patient ID>/<Study Instance UID>/<Series Instance
UID>/<SOP Instance UID>.dcm`` using the values of the de-identified output, read back from
the written file: no original identifier reaches a path.
"""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path, PurePosixPath

from deidentify.batch.results import FileFailed
from deidentify.words import bounded, date_forms, masked, value_text

PATIENT_ID = 0x00100020
STUDY_INSTANCE_UID = 0x0020000D
SERIES_INSTANCE_UID = 0x0020000E
SOP_INSTANCE_UID = 0x00080018
_HIERARCHY_TAGS = [PATIENT_ID, STUDY_INSTANCE_UID, SERIES_INSTANCE_UID, SOP_INSTANCE_UID]
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
NO_VALUE = "_"


NAMES_IN_PATH = ("its mirrored output path would hold its patient's name or ID, its accession"
                 " number, an original UID or date (a folder or file name of the input): use"
                 " --layout hierarchy")
MIN_PATH_NAME = 4
"""Shorter names and IDs are not looked for in a path: they occur there by chance."""
MIN_PATH_UID = 8
_NAME_PARTS = re.compile(r"[\^=\\\s]+")


DATE_TAGS = (0x00100030, 0x00080020, 0x00080021, 0x00080022, 0x00080023)
"""Patient's Birth Date, Study, Series, Acquisition and Content Date: the dates that name a
patient or an object in a folder or file name."""
_DATE_SHAPED = re.compile(r"\d{8}|\d{4}[-._]\d{2}[-._]\d{2}|\d{2}[-._]\d{2}[-._]\d{4}")


def naming_terms(names: tuple[object, ...]) -> frozenset[str]:
    """What a path is searched for of an object's naming values (``Deidentifier.last_names``):
    each component of a name, an ID, a UID, casefolded, of ``MIN_PATH_NAME`` (a UID
    ``MIN_PATH_UID``) characters or more."""
    terms: set[str] = set()
    for value in names:
        for part in _NAME_PARTS.split(value_text(value)):
            if len(part) >= (MIN_PATH_UID if part[:1].isdigit() and "." in part
                             else MIN_PATH_NAME):
                terms.add(part.casefold())
    return frozenset(terms)


def date_terms(texts: tuple[str, ...], source: Path, output: Path) -> frozenset[str]:
    """What a path is searched for of an object's dates: each of the ``DATE_TAGS`` dates of
    ``source`` that its de-identified ``output`` does not hold as it was (removed, emptied,
    shifted), in each of its ``date_forms``. Both files are read only when one of ``texts``
    (the paths to check) holds something shaped like a date: none otherwise."""
    if not any(_DATE_SHAPED.search(text) for text in texts):
        return frozenset()
    before, after = _dates(source), _dates(output)
    return frozenset(form for tag, value in before.items() if after.get(tag) != value
                     for form in date_forms(value))


def _dates(path: Path) -> dict[int, str]:
    """The ``DATE_TAGS`` values of a file as text; none of a file pydicom cannot read."""
    import pydicom

    try:
        ds = pydicom.dcmread(path, force=True, stop_before_pixels=True,
                             specific_tags=list(DATE_TAGS))
    except Exception:
        return {}
    return {tag: value_text(ds[tag].value) for tag in DATE_TAGS if tag in ds}


def holds_names(path: PurePosixPath, terms: frozenset[str]) -> bool:
    """Whether ``path`` holds one of the ``naming_terms`` as a whole word or number, in any
    case."""
    text = str(path)
    return masked_names(text, terms) != text


def masked_names(text: str, terms: frozenset[str]) -> str:
    """``text`` (a path, a folder's name) with each of the ``naming_terms`` it holds as a
    whole word or number (``words.bounded``) masked, ``*`` a character: what a log or a
    message may show of it."""
    folded = text.casefold()
    if len(folded) != len(text):
        folded = text.lower()
    spans = []
    for term in terms:
        start = folded.find(term)
        while start >= 0:
            if bounded(folded, start, start + len(term)):
                spans.append((start, len(term)))
            start = folded.find(term, start + 1)
    return masked(text, spans)


class Layout(Enum):
    """The output tree."""

    MIRROR = "mirror"
    HIERARCHY = "hierarchy"


def path_component(value: str) -> str:
    """A value as one safe path component: other characters become ``_``; never empty."""
    text = _UNSAFE.sub("_", value.strip().rstrip("\x00"))
    if text in ("", ".", ".."):
        return NO_VALUE
    return text[:128]


def hierarchy_path(output_file: Path) -> PurePosixPath:
    """The hierarchy-layout path of a written de-identified file (read by a worker: pydicom is
    imported here, so that the run's main process names the layouts without it)."""
    import pydicom

    try:
        ds = pydicom.dcmread(output_file, stop_before_pixels=True, specific_tags=_HIERARCHY_TAGS)
    except Exception:
        raise FileFailed("the de-identified output cannot be read back") from None
    parts = [path_component(str(ds[tag].value or "")) if tag in ds else NO_VALUE
             for tag in _HIERARCHY_TAGS]
    parts[-1] += ".dcm"
    return PurePosixPath(*parts)
