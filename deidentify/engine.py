"""The Deidentifier: applies a plan to a pydicom dataset in place, one walk over its elements.

Every element present is looked up once in the plan's tag -> row dict; nested sequences are
walked item by item with the same plan. Elements that Table E.1-1 does not list (Rows, Pixel
Data, ...) are kept; the pixel data is never decoded, except that of an object the risk gate
(``deidentify.pixels``) finds at risk of burned-in identity under CleanPixelDataOption; an
at-risk object without that option is refused (``PixelRefusal``) or, when the run accepts
it, written uncleaned with De-identification Method saying so. Beyond the table
(``Plan.unlisted``, at every depth): item and delimiter tags met as elements, unlisted
attributes that identify a person, an organisation or a device, and (unless ``--unknown
keep``) public tags no dictionary defines and elements whose VR or length contradicts the
dictionary are removed. A listed attribute whose VR or length contradicts the dictionary
gets its row's action in the safest form (``PlanRow.safest``); a sequence under a tag that
is not one is removed.

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
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from enum import IntEnum
from pathlib import Path
from typing import BinaryIO

import pydicom
from pydicom import Dataset
from pydicom.datadict import dictionary_VR
from pydicom.dataelem import DataElement, RawDataElement
from pydicom.errors import BytesLengthException, InvalidDicomError
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence
from pydicom.tag import BaseTag

from deidentify import graphics, method, pixels, private, structured, writer
from deidentify.atomic import atomic_output
from deidentify.beyond import sealed
from deidentify.beyond.conformity import UNDEFINED_LENGTH
from deidentify.cleaning import IdentifyingValues, TextCleaner, collect_identifiers
from deidentify.dates import DateShifter, UnparseableDate, time_carry
from deidentify.dummies import dummy_value
from deidentify.elements import (
    LONG_TEXT_VRS,
    TEXT_VRS,
    constant_element,
    element_conforms,
    element_vr,
    is_declared_unknown,
    issued_uid,
    raw_uid,
    read_as_sequence,
    set_empty,
    set_issued_uids,
    set_values,
    text_values,
)
from deidentify.inflation import DEFAULT_LIMIT, InflationLimit, InflationRefused, check_file
from deidentify.linkage.hook import Linkage
from deidentify.linkage.patients import KeyedPatients, UnmappedPatient
from deidentify.pixels import codestream
from deidentify.pixels.outcome import ACCEPTED, Outcome
from deidentify.plan import Plan, PlanRow, Treatment
from deidentify.pseudonyms import ae_title_pseudonym, patient_id_hash_of
from deidentify.structure import PIXEL_DATA, CorruptStructure, check_path
from deidentify.text import default_cleaner
from deidentify.uids import UIDScheme
from deidentify.words import value_text
from generated.model import Option

PATIENT_ID = 0x00100020

NESTED_TOO_DEEPLY = "sequences nested too deeply to follow"
"""Sequences deeper than the recursive readers and the engine can follow."""
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


_ELEMENT_ERRORS = (ValueError, TypeError, KeyError, AttributeError, OverflowError,
                   NotImplementedError, BytesLengthException)
"""What malformed elements raise in pydicom; reported by type only, since pydicom's messages
may quote values."""


class DeidentifyError(ValueError):
    """A file that cannot be de-identified: the message names the file and the problem."""


def read(source: str | os.PathLike[str], limit: InflationLimit = DEFAULT_LIMIT) -> Dataset:
    """Read a DICOM file, also one without preamble and File Meta; DeidentifyError if not, if
    its deflated dataset inflates past ``limit``, or if its element structure is inconsistent
    (:mod:`deidentify.structure`)."""
    corrupt = None
    try:
        with open(source, "rb") as stream:
            check_file(stream, limit)
        check_path(source)
    except InflationRefused as refused:
        raise DeidentifyError(f"{source}: {refused}") from None
    except CorruptStructure as error:
        if error.part10:
            raise DeidentifyError(f"{source}: {error}") from None
        corrupt = error
    except RecursionError:
        raise DeidentifyError(f"{source}: {NESTED_TOO_DEEPLY}") from None
    except OSError as error:
        raise DeidentifyError(f"{source}: not a readable DICOM file ({error})") from None
    except (*_ELEMENT_ERRORS, EOFError) as error:
        raise DeidentifyError(f"{source}: not a readable DICOM file ({type(error).__name__}"
                              " in its File Meta)") from None
    try:
        try:
            ds = pydicom.dcmread(source)
        except InvalidDicomError:
            ds = pydicom.dcmread(source, force=True)
            if SOP_CLASS_UID not in ds:
                raise DeidentifyError(
                    f"{source}: not a DICOM file (no DICM prefix, no SOP Class UID)") from None
    except DeidentifyError:
        raise
    except (InvalidDicomError, OSError, ValueError, EOFError, KeyError) as error:
        raise DeidentifyError(f"{source}: not a readable DICOM file ({error})") from None
    except RecursionError:
        raise DeidentifyError(f"{source}: {NESTED_TOO_DEEPLY}") from None
    if corrupt is not None:
        raise DeidentifyError(f"{source}: {corrupt}")
    return ds
    return ds


NAMING_TAGS = tuple(BaseTag(tag) for tag in (
    0x00100010, PATIENT_ID, 0x00080050, 0x0020000D, 0x0020000E, 0x00080018))
"""Patient's Name, Patient ID, Accession Number, Study, Series and SOP Instance UID: the
values that name a patient or an object in a folder or file name
(``Deidentifier.last_names``)."""


def _as_read(ds: Dataset, tag: BaseTag) -> DataElement | RawDataElement | None:
    return ds._dict.get(tag)


def _changed(ds: Dataset, naming: tuple[DataElement | RawDataElement | None, ...]
             ) -> tuple[object, ...]:
    """The values as read of the ``NAMING_TAGS`` elements ``naming`` that the
    de-identification of ``ds`` removed or changed (None for one it kept as it was: a UID
    under Retain UIDs names nothing new)."""
    names: list[object] = []
    for tag, before in zip(NAMING_TAGS, naming, strict=True):
        after = _as_read(ds, tag)
        if before is None or after is before or (
                after is not None and value_text(after.value) == value_text(before.value)):
            names.append(None)
        else:
            names.append(before.value)
    return tuple(names)


CODE_IDENTIFIERS = frozenset({
    0x00080100,  # Code Value
    0x00080102,  # Coding Scheme Designator
    0x00080103,  # Coding Scheme Version
    0x00080105,  # Mapping Resource
    0x00080106,  # Context Group Version
    0x0008010F,  # Context Identifier
    0x00080119,  # Long Code Value
    0x00080120,  # URN Code Value
})
"""What identifies a coded concept in a code item (PS3.3 Table 8.8-1): codes, not long free
text, which a dummy sequence's items keep as they keep a Code Value (a Long Code Value is
one too long for SH); a cleaning text mode cleans them as codes (``text.cleaner``)."""


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
    carries: dict[int, int] = field(default_factory=dict)
    """The day carried into each date of the dataset being walked by its paired time."""
    sealed_kept: int = 0
    """The items of earlier passes' Encrypted Attributes Sequences kept (``beyond.sealed``)."""
    unvetted: bool = False
    """Whether the walk is inside a private sequence that nothing declares safe
    (``PrivateFilter.process``): there an unlisted value that can hold free text is removed
    (``private.holds_free_text``)."""


class Deidentifier:
    """Applies one plan with one secret to many datasets."""

    def __init__(
        self,
        plan: Plan,
        secret: bytes,
        uid_scheme: UIDScheme = UIDScheme.KEYED,
        cleaner: TextCleaner | None = None,
        linkage: Linkage | None = None,
        pixel_settings: pixels.PixelSettings | None = None,
    ) -> None:
        self.plan = plan
        self.pixel_settings = pixel_settings or pixels.PixelSettings()
        self._pixel_cleaner: pixels.PixelCleaning | None = None
        if plan.has(Option.CLEAN_PIXEL_DATA):
            self._pixel_cleaner = pixels.load_cleaner(self.pixel_settings)
        self._secret = secret
        self.linkage = linkage or Linkage(KeyedPatients(secret))
        """Patient values (keyed pseudonyms by default), replacements noted, originals sealed."""
        self._uids = self.linkage.uid_mapper(secret, uid_scheme)
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
        self._pairs = plan.date_time_pairs if self._dates is not None else {}
        self._last = threading.local()

    @property
    def last_names(self) -> tuple[object, ...]:
        """The values as read of the latest ``apply``'s object's ``NAMING_TAGS`` in this
        thread that it removed or changed (bytes, or what pydicom decoded; None where absent
        or kept): what a path the caller gives its output must not hold (``batch.layout``)."""
        names: tuple[object, ...] = getattr(self._last, "names", ())
        return names

    @property
    def last_outcome(self) -> Outcome | None:
        """What the latest ``apply`` in this thread did to an at-risk object's pixels."""
        outcome: Outcome | None = getattr(self._last, "outcome", None)
        return outcome

    @property
    def date_time_pairs(self) -> dict[int, int]:
        """The date and time tags that move as one instant (under Modified Dates), by date
        tag: the walk reads the times before it treats anything."""
        return self._pairs

    def map_uid(self, uid: str) -> str:
        """The replacement of a UID under this de-identifier's secret and scheme."""
        return self._uids.map(uid)

    def needs_pixels(self, ds: Dataset) -> bool:
        """Whether ``apply`` will decode the Pixel Data of ``ds`` (so it must be read whole):
        an object at risk of burned-in identity, under CleanPixelDataOption."""
        return self._pixel_cleaner is not None and pixels.assess(ds) is not None

    def apply(self, ds: Dataset, shared: bool = False) -> Outcome | None:
        """De-identify ``ds`` in place, File Meta included.

        Returns what was done to an object at risk of burned-in identity (None for one not
        at risk); raises ``PixelRefusal`` for one this run does not write. ``shared``: the
        caller encodes ``ds`` once and discards it unchanged, so that the method attributes
        may be the same objects in every dataset (``MethodAttributes.add``).
        """
        self._last.outcome = None
        self._last.names = ()
        naming = tuple(_as_read(ds, tag) for tag in NAMING_TAGS)
        risk = pixels.assess(ds)
        if (risk is not None and self._pixel_cleaner is None
                and self.pixel_settings.burned_in is not pixels.BurnedIn.ACCEPT):
            raise pixels.PixelRefusal(pixels.BURNED_IN_RISK)
        cleans_pixels = risk is not None and self._pixel_cleaner is not None
        linkage = self.linkage.begin(ds)
        needs_identifiers = self._needs_identifiers or cleans_pixels
        context = Context(
            identifiers=collect_identifiers(ds) if needs_identifiers else None,
            offset=self._dates.patient_offset(linkage.identity.key) if self._dates else None,
            private_marks=private.collect_marks(ds) if self._private.retains else {},
        )
        id_hash = patient_id_hash_of(ds) if self.plan.has(Option.RETAIN_PATIENT_ID_HASH) else None
        outcome: Outcome | None = None
        if risk is not None:
            outcome = ACCEPTED
            if self._pixel_cleaner is not None:
                outcome = self._pixel_cleaner.clean(ds, risk, context.identifiers)
        original_meta = getattr(ds, "file_meta", None)
        self.walk(ds, context, TextMode.NONE)
        _blank_codestreams(ds)
        linkage.set_patient(ds, id_hash, self.plan)
        ds.file_meta = writer.file_meta(ds, original_meta, self._uids.map, self._retains_uids)
        self._method.add(ds, (*(() if outcome is None else (outcome.method,)),
                              *sealed.method_text(context.sealed_kept)), shared)
        linkage.finish(ds)
        self._last.outcome = outcome
        self._last.names = _changed(ds, naming)
        return outcome

    @property
    def _retains_uids(self) -> bool:
        return self.plan.has(Option.RETAIN_UIDS)

    def write(self, ds: Dataset, target: str | os.PathLike[str] | BinaryIO) -> None:
        """Write ``ds`` with this tool's File Meta and a zero preamble."""
        writer.write(ds, target)

    def deidentify_file(
        self,
        source: str | os.PathLike[str],
        target: str | os.PathLike[str],
        limit: InflationLimit = DEFAULT_LIMIT,
    ) -> None:
        """Read, de-identify and write one file; the target appears atomically."""
        ds = read(source, limit)
        try:
            self.apply(ds)
        except (OSError, EOFError) as error:  # a sequence parsed lazily, found corrupt
            raise DeidentifyError(
                f"{source}: truncated or corrupt DICOM file ({type(error).__name__} in a"
                " sequence)") from None
        except UnmappedPatient as error:
            raise DeidentifyError(f"{source}: {error}") from None
        except pixels.PixelRefusal as refusal:
            raise DeidentifyError(f"{source}: {refusal.reason}") from None
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
        groups: dict[int, bool] = {}
        carries = context.carries
        context.carries = self._carries(ds, context) if self._pairs else {}
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
            row = exact.get(int(tag))  # an int key compares in C, a pydicom tag in Python
            if row is None:
                if group in _FILE_GROUPS:
                    del ds[tag]
                elif graphics.is_repeating_group(group):
                    self._repeating(ds, tag, context, groups)
                else:
                    self._unlisted(ds, tag, context, mode)
                continue
            self._listed(ds, tag, row, context, mode)
        if private_tags:
            self._private.process(self, ds, private_tags, context, mode)
        context.carries = carries

    def _listed(self, ds: Dataset, tag: int, row: PlanRow, context: Context,
                mode: TextMode) -> None:
        """Treat an element of a row of Table E.1-1."""
        treatment, vr = self.listed_treatment(ds, tag, row)
        if mode is TextMode.GRAPHICS and tag in graphics.GRAPHIC_TEXT:
            treatment = Treatment.CLEAN_TEXT
        self.treat(ds, tag, vr, treatment, context, mode)

    def listed_treatment(self, ds: Dataset, tag: int,
                         row: PlanRow) -> tuple[Treatment, str | None]:
        """The treatment of an element of a row of Table E.1-1 and the VR it is treated as;
        the safest form where its VR or length contradicts the dictionary
        (``PlanRow.safest``)."""
        raw = ds.get_item(tag, keep_deferred=True)
        if not self.conforms(raw):
            return row.safest_for(raw.VR)
        vr = element_vr(ds, tag)
        treatment = row.treatment_for_vr(vr, self._policy)
        if treatment is Treatment.SHIFT_DATE:
            vr = row.vr or vr
        return treatment, vr

    def conforms(self, element: DataElement | RawDataElement) -> bool:
        """Whether an element of a listed tag is what the dictionary defines
        (``Plan.conforms`` of its VR, length and value)."""
        return element_conforms(self.plan, element)

    def _carries(self, ds: Dataset, context: Context) -> dict[int, int]:
        """The day each shifted date of ``ds`` gains when its paired time, moved by the
        patient's offset, passes midnight (read before anything is shifted)."""
        if context.offset is None:
            return {}
        carries: dict[int, int] = {}
        for date_tag, time_tag in self._pairs.items():
            if date_tag in ds and time_tag in ds:
                value = ds[time_tag].value
                if isinstance(value, str):
                    carries[date_tag] = time_carry(value, context.offset)
        return carries

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
            if vr in ("UN", None) and read_as_sequence(ds, tag):
                vr = "SQ"
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
        if uid is not None:
            ds[tag] = self.replaced_uid(tag, uid)
            return
        values = text_values(ds, tag)
        if values:
            set_issued_uids(ds, tag, [self._uids.map(value) for value in values])

    def replaced_uid(self, tag: int, uid: str) -> DataElement:
        """The element U leaves of a UI element holding one valid UID as read."""
        return issued_uid(tag, self._uids.map(uid))

    def _shift(self, ds: Dataset, tag: int, vr: str | None, context: Context) -> None:
        """Shift a date, time or date-time (``vr`` is the dictionary's, whatever the VR the
        element was written with); an unparseable value is removed, never kept."""
        if self._dates is None or context.offset is None or vr not in ("DA", "DT", "TM"):
            del ds[tag]
            return
        text = _date_text(ds[tag].value)
        if text is None:
            del ds[tag]
            return
        if not text:
            if vr != ds[tag].VR:
                ds[tag] = constant_element(tag, vr, None)
            return
        carry = context.carries.get(tag, 0)
        try:
            shifted = self._dates.shift(vr, text, context.offset, carry)
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

    def _treated_beyond(self, ds: Dataset, tag: int, context: Context, mode: TextMode) -> bool:
        """Treat an unlisted element that the rules beyond the table treat (``Plan.unlisted``:
        removed, or an unlisted UID or date treated as its kind; removed too where its
        value's length contradicts the dictionary)."""
        raw = ds.get_item(tag, keep_deferred=True)
        verdict = self.plan.unlisted(tag, raw.VR)
        if verdict.treatment is Treatment.REMOVE or (
                verdict.checks_length and not self.conforms(raw)):
            del ds[tag]
            return True
        if verdict.treatment is not None:
            self.treat(ds, tag, dictionary_VR(tag), verdict.treatment, context, mode)
            return True
        return False

    def _unlisted(self, ds: Dataset, tag: int, context: Context, mode: TextMode) -> None:
        if self._treated_beyond(ds, tag, context, mode):
            return
        if context.unvetted and private.holds_free_text(ds, tag):
            del ds[tag]
            return
        raw_vr = ds.get_item(tag, keep_deferred=True).VR
        if mode is TextMode.NONE and raw_vr is not None and raw_vr not in ("SQ", "UN"):
            return
        vr = element_vr(ds, tag)
        if vr == "SQ" and tag == sealed.ENCRYPTED_ATTRIBUTES_SEQUENCE:
            self._sealed(ds, tag, context)
        elif vr == "SQ":
            self.walk_items(ds, tag, context, mode)
        elif mode is TextMode.DUMMY and vr in LONG_TEXT_VRS and tag not in CODE_IDENTIFIERS:
            ds[tag] = constant_element(tag, vr, dummy_value(vr))
        elif mode in (TextMode.CLEAN, TextMode.GRAPHICS) and vr in TEXT_VRS:
            self.clean_text(ds, tag, vr, context)

    @staticmethod
    def _sealed(ds: Dataset, tag: int, context: Context) -> None:
        """An Encrypted Attributes Sequence of an earlier pass: only its items sealed as CMS
        EnvelopedData are kept, reduced to their two attributes (``beyond.sealed``)."""
        kept = sealed.sealed_items(ds[tag].value or ())
        context.sealed_kept += len(kept)
        if kept:
            ds[tag] = DataElement(tag, "SQ", Sequence(kept))
        else:
            del ds[tag]

    def _repeating(self, ds: Dataset, tag: int, context: Context,
                   groups: dict[int, bool]) -> None:
        """An element of a curve or overlay group; ``groups`` remembers, per group of
        ``ds``, whether its data element was present and removed (then the group goes)."""
        group = tag >> 16
        doomed = groups.get(group)
        if doomed is None:
            doomed = groups[group] = graphics.data_removed(self.plan, ds, group)
        if doomed:
            del ds[tag]
            return
        row = self.plan.masked_row(tag)
        if row is not None:
            self._listed(ds, tag, row, context, TextMode.NONE)
            return
        if self._treated_beyond(ds, tag, context, TextMode.NONE):
            return
        vr = element_vr(ds, tag)
        treatment = graphics.unlisted_treatment(self.plan, tag, vr)
        if treatment is None:
            self._unlisted(ds, tag, context, TextMode.NONE)
        else:
            self.treat(ds, tag, vr, treatment, context, TextMode.NONE)


def _blank_codestreams(ds: Dataset) -> None:
    """Blank what the codestreams of encapsulated Pixel Data carry beside the image
    (``deidentify.pixels.codestream``): comments, application segments, JP2 text boxes."""
    element = ds._dict.get(PIXEL_DATA)  # type: ignore[call-overload]
    if element is None:
        return
    encapsulated = (element.length == UNDEFINED_LENGTH if isinstance(element, RawDataElement)
                    else element.is_undefined_length)
    value = element.value
    if not encapsulated or not isinstance(value, bytes):
        return
    blanked = codestream.blanked(value)
    if blanked is not value:
        ds[PIXEL_DATA] = DataElement(PIXEL_DATA, element.VR or "OB", blanked,
                                     is_undefined_length=True)


def _date_text(value: object) -> str | None:
    """A date, time or date-time element's value as text, whatever VR it was read with
    (several values joined by backslashes); None for a value that is not text at all."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("latin-1").rstrip(" \x00")
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple | MultiValue):
        parts = list(value)
        if all(isinstance(part, str) for part in parts):
            return "\\".join(parts)
    return None

