"""The Deidentifier: applies a plan to a pydicom dataset in place, one walk over its elements.

Every element present is looked up once in the plan's tag -> row dict; nested sequences are
walked item by item with the same plan. Elements that Table E.1-1 does not list (Rows, Pixel
Data, ...) are kept; the pixel data is never decoded.

Where the VR is needed and unknown (implicit VR or UN, and a tag pydicom's dictionary does
not know), the safe choice is taken: D, U and C remove the element rather than write a value
of a guessed type; Z writes a zero-length UN. An attribute the dictionary itself declares UN
(Selector UN Value) gets UN's dummy under D.

Inside a sequence kept as its dummy (D on a sequence, e.g. Content Sequence under the Basic
Profile), long free text that Table E.1-1 does not list (Text Value, ...) is replaced by the
dummy too. Inside a sequence that an option cleans (C), free text that Table E.1-1 does not
list is cleaned.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from enum import IntEnum
from pathlib import Path
from typing import BinaryIO

import pydicom
from pydicom import Dataset
from pydicom.dataelem import DataElement
from pydicom.errors import InvalidDicomError

from deidentify import graphics, method, private, structured, writer
from deidentify.atomic import atomic_output
from deidentify.cleaning import IdentifyingValues, TextCleaner, collect_identifiers
from deidentify.dates import DateShifter, UnparseableDate
from deidentify.dummies import dummy_value
from deidentify.elements import (
    LONG_TEXT_VRS,
    TEXT_VRS,
    constant_element,
    element_vr,
    is_declared_unknown,
    raw_uid,
    set_empty,
    set_issued_uids,
    set_values,
    text_values,
)
from deidentify.plan import Plan, Treatment
from deidentify.pseudonyms import ae_title_pseudonym, patient_id_hash_of
from deidentify.text import default_cleaner
from deidentify.uids import UIDMapper, UIDScheme
from generated.model import Option

PATIENT_ID = 0x00100020
SOP_CLASS_UID = 0x00080016

_FILE_GROUPS = frozenset({0x0002, 0x0004})
"""File Meta and DICOMDIR groups: never part of a de-identified dataset's body."""

_CLEANING = frozenset(
    {
        Treatment.CLEAN_TEXT,
        Treatment.CLEAN_STRUCTURED_CONTENT,
        Treatment.CLEAN_GRAPHICS,
    }
)


_ELEMENT_ERRORS = (ValueError, TypeError, KeyError, AttributeError, OverflowError)
"""What malformed elements raise in pydicom; reported by type only, since pydicom's messages
may quote values."""


class DeidentifyError(ValueError):
    """A file that cannot be de-identified: the message names the file and the problem."""


def read(source: str | os.PathLike[str]) -> Dataset:
    """Read a DICOM file, also one without preamble and File Meta; DeidentifyError if not."""
    try:
        try:
            return pydicom.dcmread(source)
        except InvalidDicomError:
            ds = pydicom.dcmread(source, force=True)
    except (InvalidDicomError, OSError, ValueError, EOFError, KeyError) as error:
        raise DeidentifyError(f"{source}: not a readable DICOM file ({error})") from None
    if SOP_CLASS_UID not in ds:
        raise DeidentifyError(f"{source}: not a DICOM file (no DICM prefix, no SOP Class UID)")
    return ds


class TextMode(IntEnum):
    """What happens to unlisted free text inside a sequence; the higher mode wins when nested."""

    NONE = 0
    CLEAN = 1
    GRAPHICS = 2
    DUMMY = 3


@dataclass
class Context:
    """Per-dataset state: collected before anything is changed."""

    identifiers: IdentifyingValues | None
    offset: timedelta | None
    private_marks: private.Marks = field(default_factory=dict)


class Deidentifier:
    """Applies one plan with one secret to many datasets."""

    def __init__(
        self,
        plan: Plan,
        secret: bytes,
        uid_scheme: UIDScheme = UIDScheme.KEYED,
        cleaner: TextCleaner | None = None,
    ) -> None:
        self.plan = plan
        self._secret = secret
        self._uids = UIDMapper(secret, uid_scheme)
        self._dates = DateShifter(secret) if plan.has(
            Option.RETAIN_LONGITUDINAL_MODIFIED_DATES
        ) else None
        self._cleaner: TextCleaner = cleaner or default_cleaner
        self._exact = plan.exact
        self._policy = plan.policy
        self._private = private.PrivateFilter(plan)
        self._content = structured.ContentItems(plan)
        self._method = method.MethodAttributes(plan)
        self._needs_identifiers = any(row.treatment in _CLEANING for row in plan.rows())

    def map_uid(self, uid: str) -> str:
        """The replacement of a UID under this de-identifier's secret and scheme."""
        return self._uids.map(uid)

    def apply(self, ds: Dataset) -> None:
        """De-identify ``ds`` in place, File Meta included."""
        patient_id = str(ds.get(PATIENT_ID).value or "") if PATIENT_ID in ds else ""
        context = Context(
            identifiers=collect_identifiers(ds) if self._needs_identifiers else None,
            offset=self._dates.offset_for(patient_id) if self._dates else None,
            private_marks=private.collect_marks(ds) if self._private.retains else {},
        )
        id_hash = patient_id_hash_of(ds) if self.plan.has(Option.RETAIN_PATIENT_ID_HASH) else None
        original_meta = getattr(ds, "file_meta", None)
        self.walk(ds, context, TextMode.NONE)
        if id_hash is not None:
            ds[PATIENT_ID] = DataElement(PATIENT_ID, "LO", id_hash)
        ds.file_meta = writer.file_meta(ds, original_meta, self._uids.map, self._retains_uids)
        self._method.add(ds)

    @property
    def _retains_uids(self) -> bool:
        return self.plan.has(Option.RETAIN_UIDS)

    def write(self, ds: Dataset, target: str | os.PathLike[str] | BinaryIO) -> None:
        """Write ``ds`` with this tool's File Meta and a zero preamble."""
        writer.write(ds, target)

    def deidentify_file(
        self, source: str | os.PathLike[str], target: str | os.PathLike[str]
    ) -> None:
        """Read, de-identify and write one file; the target appears atomically."""
        ds = read(source)
        try:
            self.apply(ds)
        except _ELEMENT_ERRORS as error:
            raise DeidentifyError(
                f"{source}: cannot be de-identified ({type(error).__name__} in its elements)"
            ) from None
        if not writer.writable(ds):
            raise DeidentifyError(f"{source}: {writer.NOT_WRITABLE}")
        try:
            with atomic_output(Path(target)) as stream:
                writer.write(ds, stream)
        except _ELEMENT_ERRORS as error:
            raise DeidentifyError(
                f"{source}: cannot be written ({type(error).__name__} in its elements)"
            ) from None

    def walk(
        self, ds: Dataset, context: Context, mode: TextMode, skip: frozenset[int] = frozenset()
    ) -> None:
        """Apply the plan to every element of ``ds`` and, recursively, of its sequences.

        ``skip`` names elements already treated (a content item's value).
        """
        exact = self._exact
        private_tags: list[int] = []
        for tag in list(ds.keys()):
            if tag in skip:
                continue
            group = tag >> 16
            if group & 1:
                if group > 0x0008:
                    private_tags.append(tag)
                else:
                    del ds[tag]
                continue
            row = exact.get(tag)
            if row is None:
                if group in _FILE_GROUPS:
                    del ds[tag]
                elif graphics.is_repeating_group(group):
                    self._repeating(ds, tag, context)
                else:
                    self._unlisted(ds, tag, context, mode)
                continue
            vr = element_vr(ds, tag)
            treatment = row.treatment_for_vr(vr, self._policy)
            if mode is TextMode.GRAPHICS and tag in graphics.GRAPHIC_TEXT:
                treatment = Treatment.CLEAN_TEXT
            self.treat(ds, tag, vr, treatment, context, mode)
        if private_tags:
            self._private.process(self, ds, private_tags, context, mode)

    def walk_items(self, ds: Dataset, tag: int, context: Context, mode: TextMode) -> None:
        """Walk every item of a sequence element."""
        value = ds[tag].value
        for item in value or ():
            self.walk(item, context, mode)

    def treat(
        self,
        ds: Dataset,
        tag: int,
        vr: str | None,
        treatment: Treatment,
        context: Context,
        mode: TextMode,
    ) -> None:
        """Do one treatment to one element of ``ds``."""
        if treatment is Treatment.REMOVE:
            del ds[tag]
        elif treatment is Treatment.EMPTY:
            set_empty(ds, tag, vr)
        elif treatment in (Treatment.KEEP, Treatment.KEEP_AND_CLEAN_ITEMS):
            if vr == "SQ":
                self.walk_items(ds, tag, context, mode)
        elif treatment in (Treatment.DUMMY, Treatment.DUMMY_AND_CLEAN_ITEMS):
            self._dummy(ds, tag, vr, context, mode)
        elif treatment is Treatment.REPLACE_UID:
            self._replace_uid(ds, tag, vr, context, mode)
        elif treatment is Treatment.SHIFT_DATE:
            self._shift(ds, tag, vr, context)
        elif treatment is Treatment.PSEUDONYMIZE:
            self._pseudonymize(ds, tag, vr)
        elif treatment is Treatment.CLEAN_STRUCTURED_CONTENT and vr == "SQ":
            self._content.clean(self, ds, tag, context, max(mode, TextMode.CLEAN))
        elif treatment is Treatment.CLEAN_GRAPHICS and vr == "SQ":
            self.walk_items(ds, tag, context, max(mode, TextMode.GRAPHICS))
        elif treatment is Treatment.CLEAN_GRAPHICS and vr not in TEXT_VRS and vr is not None:
            return
        else:
            self._clean(ds, tag, vr, context, mode)

    def _dummy(
        self, ds: Dataset, tag: int, vr: str | None, context: Context, mode: TextMode
    ) -> None:
        if vr == "SQ":
            self.walk_items(ds, tag, context, TextMode.DUMMY)
        elif vr == "UI":
            self._replace_uid(ds, tag, vr, context, mode)
        elif vr is None or (vr == "UN" and not is_declared_unknown(tag)):
            del ds[tag]
        else:
            ds[tag] = constant_element(tag, vr, dummy_value(vr))

    def _replace_uid(
        self, ds: Dataset, tag: int, vr: str | None, context: Context, mode: TextMode
    ) -> None:
        if vr == "SQ":
            self.walk_items(ds, tag, context, mode)
            return
        if vr != "UI":
            del ds[tag]
            return
        uid = raw_uid(ds, tag)
        values = [uid] if uid is not None else text_values(ds, tag)
        if values:
            set_issued_uids(ds, tag, [self._uids.map(uid) for uid in values])

    def _shift(self, ds: Dataset, tag: int, vr: str | None, context: Context) -> None:
        if self._dates is None or context.offset is None or vr not in ("DA", "DT", "TM"):
            del ds[tag]
            return
        value = ds[tag].value
        if value is None or value == "":
            return
        text = value if isinstance(value, str) else "\\".join(str(part) for part in value)
        try:
            shifted = self._dates.shift(vr, str(text), context.offset)
        except UnparseableDate:
            del ds[tag]
            return
        ds[tag] = DataElement(tag, vr, shifted)

    def _pseudonymize(self, ds: Dataset, tag: int, vr: str | None) -> None:
        if vr is None or vr == "UN":
            del ds[tag]
            return
        values = [ae_title_pseudonym(self._secret, value) for value in text_values(ds, tag)]
        if values:
            set_values(ds, tag, vr, values)

    def _clean(
        self, ds: Dataset, tag: int, vr: str | None, context: Context, mode: TextMode
    ) -> None:
        if vr == "SQ":
            self.walk_items(ds, tag, context, max(mode, TextMode.CLEAN))
        elif vr in TEXT_VRS or vr in ("AE", "CS"):
            self.clean_text(ds, tag, vr, context)
        else:
            del ds[tag]

    def clean_text(self, ds: Dataset, tag: int, vr: str, context: Context) -> None:
        """Redact the identifiers collected from the whole object out of a text element."""
        values = text_values(ds, tag)
        if not values:
            return
        identifiers = context.identifiers
        if identifiers is None:
            del ds[tag]  # only when an element's VR contradicts the dictionary the plan used
            return
        cleaned = [self._cleaner(value, vr, identifiers) for value in values]
        if cleaned != values:
            set_values(ds, tag, vr, cleaned)

    def _unlisted(self, ds: Dataset, tag: int, context: Context, mode: TextMode) -> None:
        raw_vr = ds.get_item(tag).VR
        if mode is TextMode.NONE and raw_vr is not None and raw_vr not in ("SQ", "UN"):
            return
        vr = element_vr(ds, tag)
        if vr == "SQ":
            self.walk_items(ds, tag, context, mode)
        elif mode is TextMode.DUMMY and vr in LONG_TEXT_VRS:
            ds[tag] = constant_element(tag, vr, dummy_value(vr))
        elif mode in (TextMode.CLEAN, TextMode.GRAPHICS) and vr in TEXT_VRS:
            self.clean_text(ds, tag, vr, context)

    def _repeating(self, ds: Dataset, tag: int, context: Context) -> None:
        vr = element_vr(ds, tag)
        treatment = graphics.repeating_treatment(self.plan, tag, vr)
        if treatment is None:
            self._unlisted(ds, tag, context, TextMode.NONE)
        else:
            self.treat(ds, tag, vr, treatment, context, TextMode.NONE)

