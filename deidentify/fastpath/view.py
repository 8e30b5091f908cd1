"""Which top-level elements the engine needs to see, decided once per tag and de-identifier.

The engine's walk (``Deidentifier.walk``) leaves some top-level elements alone without
reading them, and removes others without reading them. Those are kept out of the dataset
handed to the engine: the first are copied straight from the input, the second skipped.

- Removed unread: private elements (odd groups) when the profile keeps no private element
  (``PrivateFilter.process`` deletes them all), and groups 0002 and 0004.
- Removed unread too: an unlisted element the plan removes whatever its value
  (``Plan.unlisted``: item tags met as elements, attributes beyond the table, unknown tags and
  contradicting VRs under ``--unknown remove``).
- Left alone unread: an even-group element that Table E.1-1 does not list, outside the curve
  and overlay groups, whose VR is known and is neither SQ nor UN (``Deidentifier._unlisted``
  at the top level), unless the engine or the writer reads it for another purpose
  (``ENGINE_READS``). Where the plan checks its value's length (a fixed-size binary VR under
  ``--unknown remove``) the element is ``SIZED``: copied when ``Plan.conforms`` accepts the
  length the layout gives, removed unread otherwise, as the engine would.

- Treated without the engine's dataset: a listed element whose treatment does not depend on
  its value (X, Z, K, or D of a VR other than SQ and UI, at the top level), and a UID under
  U (replaced by the engine's own mapping, unless the linkage notes each dataset's
  replacements), unless the engine reads or sets it outside its walk (``ENGINE_READS``,
  ``PATIENT_TAGS``, ``NAMING``, the date and time pairs under Modified Dates). The engine
  itself treats the first such element of each tag, VR and conformity
  (``Deidentifier.conforms``) in a dataset of its own; what it leaves (nothing, the element as
  read, a constant, or the UID replaced) is reused for every later one
  (``EngineView.treated``). Not when the profile
  keeps private elements, whose filter may read public ones.

When the profile cleans text, the engine first collects identifying values from every
element, and when it seals the originals (``--encrypt-to``) it notes the original of every
element it removes: every element is shown to it then.
"""

from __future__ import annotations

import mmap
from enum import Enum
from weakref import WeakKeyDictionary

from pydicom.datadict import dictionary_VR
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.tag import BaseTag

from deidentify import graphics, method, writer
from deidentify.beyond.conformity import UNDEFINED_LENGTH
from deidentify.elements import uid_of_value
from deidentify.engine import NAMING_TAGS, Context, Deidentifier, TextMode
from deidentify.fastpath import encoding
from deidentify.fastpath.layout import Element
from deidentify.linkage import identity
from deidentify.pixels import risk
from deidentify.plan import Treatment
from deidentify.private import PrivateFilter

DEFER_THRESHOLD = 1024 * 1024
"""Values longer than this are not read into the dataset handed to the engine."""


class Fate(Enum):
    """What becomes of a top-level element."""

    ENGINE = "engine"
    COPY = "copy"
    DROP = "drop"
    SIZED = "sized"
    """Copied or dropped by its value's length (``EngineView.sized_fate``)."""
    TREATED = "treated"
    """Treated as the engine treats it alone, when that does not depend on the value
    (``EngineView.treated``)."""


SPECIFIC_CHARACTER_SET = 0x00080005
PRIVATE_DATA_ELEMENT_CHARACTERISTICS = 0x00080300
PATIENT_NAME = 0x00100010
ISSUER_OF_PATIENT_ID_QUALIFIERS_SEQUENCE = 0x00100024

AMBIGUOUS_VR_CONTEXT = (0x00280100, 0x00280103, 0x00283002, 0x54001004)
"""Bits Allocated, Pixel Representation, LUT Descriptor, Waveform Bits Allocated: what
pydicom reads to resolve "US or SS" and "OB or OW" when it decodes an implicit VR element."""

ENGINE_READS = frozenset(
    {
        SPECIFIC_CHARACTER_SET,
        writer.SOP_CLASS_UID,
        writer.SOP_INSTANCE_UID,
        PRIVATE_DATA_ELEMENT_CHARACTERISTICS,
        method.PATIENT_IDENTITY_REMOVED,
        method.DEIDENTIFICATION_METHOD,
        method.DEIDENTIFICATION_METHOD_CODE_SEQUENCE,
        method.LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED,
        method.CONTRIBUTING_EQUIPMENT_SEQUENCE,
        *AMBIGUOUS_VR_CONTEXT,
        *risk.READ_TAGS,
    }
)
"""Unlisted attributes that the engine, its File Meta, the method attributes, the burned-in
risk gate or pydicom's resolution of an ambiguous VR read or set."""

NAMING = frozenset(int(tag) for tag in NAMING_TAGS)
"""Listed attributes whose values as read the engine keeps for the caller's check of the
output's path (``Deidentifier.last_names``)."""

PATIENT_TAGS = frozenset(
    {
        identity.PATIENT_ID,
        identity.ISSUER_OF_PATIENT_ID,
        identity.STUDY_INSTANCE_UID,
        identity.SOP_INSTANCE_UID,
        PATIENT_NAME,
        ISSUER_OF_PATIENT_ID_QUALIFIERS_SEQUENCE,
    }
)
"""Listed attributes read before the walk (whose patient this is, the Patient ID hash) or
set after it (the patient's pseudonyms)."""

VALUE_FREE = frozenset({Treatment.REMOVE, Treatment.EMPTY, Treatment.DUMMY, Treatment.KEEP})
"""Treatments whose result does not depend on the value (but for a sequence, or a UID
under D): the element removed, replaced by a constant, or kept as it is."""

TREATABLE = VALUE_FREE | {Treatment.REPLACE_UID}
"""The treatments of the rows whose elements may be ``TREATED``."""


class Left(Enum):
    """What the engine leaves of a ``TREATED`` element, where it is not a constant."""

    AS_READ = "as read"
    """The element as it was read."""
    UID_REPLACED = "uid replaced"
    """Its one UID replaced (``Deidentifier.replaced_uid``)."""

CLEANING = frozenset(
    {Treatment.CLEAN_TEXT, Treatment.CLEAN_STRUCTURED_CONTENT, Treatment.CLEAN_GRAPHICS}
)
"""Treatments for which the engine first collects identifiers from the whole dataset."""

_FILE_GROUPS = frozenset({0x0002, 0x0004})


class EngineView:
    """The fate of each top-level element for one de-identifier."""

    def __init__(self, deidentifier: Deidentifier) -> None:
        plan = deidentifier.plan
        self._deidentifier = deidentifier
        self._plan = plan
        self._conformity = plan.conformity
        self._exact = plan.exact
        self.shows_everything = deidentifier.linkage.sees_every_element or any(
            row.treatment in CLEANING for row in plan.rows()
        )
        self._drops_private = not PrivateFilter(plan).retains
        self._engine_tags = ENGINE_READS | PATIENT_TAGS | NAMING | frozenset(
            tag for pair in deidentifier.date_time_pairs.items() for tag in pair)
        self._maps_uids = not deidentifier.linkage.record
        """Whether UIDs may be replaced before the engine's walk (not when the linkage
        notes each dataset's replacements during it)."""
        self.fates: dict[tuple[int, str], Fate] = {}
        """The fates decided so far, by tag and VR."""
        self._treated: dict[tuple[int, str, bool, bool, bool], bytes | Left | None] = {}
        """The outputs of ``TREATED`` elements, by tag, VR, conformity and encoding."""
        self.drops_private = self._drops_private and not self.shows_everything
        """Whether every element of an odd group is ``DROP`` (what ``fate`` says of them)."""

    def fate(self, tag: int, vr: str) -> Fate:
        """The fate of a top-level element; ``vr`` is ``""`` in implicit VR."""
        key = (tag, vr)
        known = self.fates.get(key)
        if known is None:
            known = self.fates[key] = self._decide(tag, vr)
        return known

    def _decide(self, tag: int, vr: str) -> Fate:
        if self.shows_everything:
            return Fate.ENGINE
        group = tag >> 16
        if group & 1:
            return Fate.DROP if self._drops_private or group <= 0x0008 else Fate.ENGINE
        if group in _FILE_GROUPS:
            return Fate.DROP
        if graphics.is_repeating_group(group) or tag in self._engine_tags:
            return Fate.ENGINE
        row = self._exact.get(tag)
        if row is not None:
            treated = (self._drops_private and row.treatment in TREATABLE
                       and tag > SPECIFIC_CHARACTER_SET and _resolved_vr(tag, vr))
            return Fate.TREATED if treated else Fate.ENGINE
        verdict = self._plan.unlisted(tag, vr or None)
        if verdict.treatment is Treatment.REMOVE:
            return Fate.DROP
        if verdict.treatment is not None:
            return Fate.ENGINE
        if not _inert_vr(tag, vr):
            return Fate.ENGINE
        return Fate.SIZED if verdict.checks_length else Fate.COPY

    def sized_fate(self, element: Element, buffer: bytes | mmap.mmap) -> Fate:
        """COPY or DROP for a ``SIZED`` element, by the length and characters of its value
        (read from ``buffer`` unless longer than the engine would be shown, as it is read)."""
        length = UNDEFINED_LENGTH if element.undefined_length else (
            element.content_end - element.value_start)
        value = None if element.undefined_length or length > DEFER_THRESHOLD else bytes(
            buffer[element.value_start:element.content_end])
        conforms = self._conformity.conforms(element.tag, element.vr or None, length, value)
        return Fate.COPY if conforms else Fate.DROP


    def treated(self, element: Element, value: bytes | None, implicit: bool,
                ascii_text: bool) -> bytes | Fate | None:
        """A ``TREATED`` element's output: its encoded replacement, ``b""`` when removed,
        ``Fate.COPY`` when kept as it is, None when the engine must see it (its treatment
        depends on its value, or the replacement is not one
        :mod:`~deidentify.fastpath.encoding` encodes), or ``FIRST_OF_KEY`` for the first
        element of its key (then ``treat_first`` decides).

        ``value``: the element's value as the reference reader reads it. The key holds
        whatever the treatment depends on but the value: the tag, the VR as written,
        conformity (``Plan.conforms`` of the value as read, as ``Deidentifier.conforms``
        finds it of the raw element) and the output's encoding."""
        known = self._treated.get(self._key(element, value, implicit, ascii_text), _UNKNOWN)
        if known is _UNKNOWN:
            return FIRST_OF_KEY
        if known is Left.AS_READ:
            return Fate.COPY
        if known is Left.UID_REPLACED:
            uid = uid_of_value(element.vr or None, value)
            if uid is None:
                return None
            return encoding.encode_uid(element.tag, self._deidentifier.map_uid(uid), implicit)
        return known  # type: ignore[return-value]

    def treat_first(self, raw: RawDataElement, element: Element, value: bytes | None,
                    implicit: bool, ascii_text: bool) -> bytes | Fate | None:
        """``treated`` of the first element of its key, ``raw`` as the reference reader
        builds it: the engine treats it alone, and what it leaves is kept for the key."""
        key = self._key(element, value, implicit, ascii_text)
        self._treated[key] = self._treat_alone(raw, implicit, ascii_text)
        return self.treated(element, value, implicit, ascii_text)

    def _key(self, element: Element, value: bytes | None, implicit: bool,
             ascii_text: bool) -> tuple[int, str, bool, bool, bool]:
        tag, vr = element.tag, element.vr
        length = element.content_end - element.value_start
        conforms = self._conformity.conforms(tag, vr or None, length, value)
        return tag, vr, conforms, implicit, ascii_text

    def _treat_alone(self, raw: RawDataElement, implicit: bool,
                     ascii_text: bool) -> bytes | Left | None:
        """The engine's treatment of ``raw`` in a dataset of its own, encoded."""
        deidentifier = self._deidentifier
        tag = BaseTag(raw.tag)
        alone = Dataset({tag: raw})
        alone.set_original_encoding(implicit, True, None)
        treatment, vr = deidentifier.listed_treatment(alone, tag, self._exact[tag])
        if treatment is Treatment.REPLACE_UID and vr == "UI" and self._maps_uids:
            return Left.UID_REPLACED
        if treatment not in VALUE_FREE or vr == "SQ" or (
                treatment is Treatment.DUMMY and vr == "UI"):
            return None
        deidentifier.treat(alone, tag, vr, treatment, Context(None, None), TextMode.NONE)
        if tag not in alone:
            return b""
        left: object = alone.get_item(tag, keep_deferred=True)
        if left is raw:
            return Left.AS_READ
        return encoding.encode(left, implicit, ascii_text)


_UNKNOWN = object()
FIRST_OF_KEY = Fate.TREATED
"""``EngineView.treated`` of the first element of its key: ``treat_first`` decides it."""


def _resolved_vr(tag: int, vr: str) -> bool:
    """Whether the engine resolves the VR of an element of this tag and written VR without
    its dataset: a VR written (not UN), or the dictionary's single VR."""
    if vr and vr != "UN":
        return True
    try:
        return len(dictionary_VR(tag)) == 2
    except KeyError:
        return False


def _inert_vr(tag: int, vr: str) -> bool:
    """Whether the engine takes the element's VR as known and neither SQ nor UN."""
    if not vr:
        try:
            vr = dictionary_VR(tag)
        except KeyError:
            return False
        if len(vr) != 2:
            return False
    return vr not in ("SQ", "UN")


_VIEWS: WeakKeyDictionary[Deidentifier, EngineView] = WeakKeyDictionary()


def view_for(deidentifier: Deidentifier) -> EngineView:
    """The view of a de-identifier, built on first use."""
    view = _VIEWS.get(deidentifier)
    if view is None:
        view = _VIEWS[deidentifier] = EngineView(deidentifier)
    return view
