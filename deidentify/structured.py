"""Clean Structured Content (PS3.15 E.3.4): content items handled by their concept name.

Content Sequence (0040,A730), Acquisition Context Sequence (0040,0555), Specimen Preparation
Sequence (0040,0610) (with its Specimen Preparation Step Content Item Sequence) and Waveform
Annotation Sequence (0040,B020) are cleaned item by item. An item whose Concept Name Code
Sequence names a concept of Table E.3.4-1 (Code Value and Coding Scheme Designator, with the
retired SNOMED designators SRT, SNM3 and 99SDM taken as SCT) gets the table's code, resolved
for the active options as Table E.1-1 is: X removes the item (and its children), Z empties
its value, D replaces its value by a dummy (a UID by a replacement UID, a number by zero, a
referenced object's UIDs replaced), K keeps it, C cleans or shifts it. Where the table lists
one concept for several value types, the item's Value Type picks the row, else the most
protective row applies. The rest of every item is handled by Table E.1-1, with free text that
table does not list cleaned of the identifiers found in the object.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydicom import Dataset
from pydicom.sequence import Sequence

from deidentify.elements import element_vr, items
from deidentify.plan import COMPOUND, Plan, Treatment, resolve_code, treatment_for
from deidentify.profile import CompoundPolicy
from generated.model import ActionCode, Option

if TYPE_CHECKING:
    from deidentify.engine import Context, Deidentifier, TextMode

CONCEPT_NAME_CODE_SEQUENCE = 0x0040A043
VALUE_TYPE = 0x0040A040
CODE_VALUE = 0x00080100
CODING_SCHEME_DESIGNATOR = 0x00080102
MEASURED_VALUE_SEQUENCE = 0x0040A300
NUMERIC_VALUE = 0x0040A30A
FLOATING_POINT_VALUE = 0x0040A161
SPECIMEN_STEP_ITEMS = 0x00400612

VALUE_TAGS: dict[str, tuple[int, ...]] = {
    "TEXT": (0x0040A160,),
    "PNAME": (0x0040A123,),
    "DATE": (0x0040A121,),
    "TIME": (0x0040A122,),
    "DATETIME": (0x0040A120,),
    "UIDREF": (0x0040A124,),
    "CODE": (0x0040A168,),
    "NUM": (MEASURED_VALUE_SEQUENCE,),
    "COMPOSITE": (0x00081199,),
    "IMAGE": (0x00081199,),
    "WAVEFORM": (0x00081199,),
    "CONTAINER": (),
}
"""The elements holding a content item's value, by Value Type."""

EQUIVALENT_SCHEMES: dict[str, str] = {"SRT": "SCT", "SNM3": "SCT", "99SDM": "SCT"}


def _scheme(designator: str) -> str:
    return EQUIVALENT_SCHEMES.get(designator, designator)


def _text(item: Dataset, tag: int) -> str:
    if tag not in item:
        return ""
    return str(item[tag].value or "").strip()


class ContentItems:
    """Table E.3.4-1 resolved for a plan."""

    def __init__(self, plan: Plan) -> None:
        self._policy = plan.policy
        self._rules: dict[tuple[str, str], dict[str, tuple[ActionCode, Option | None]]] = {}
        for rule in plan.edition.content_items:
            code, source, _ = resolve_code(rule.basic, rule.options, plan.profile.options)
            key = (rule.code_value, _scheme(rule.scheme))
            self._rules.setdefault(key, {})[rule.value_type] = (code, source)

    def _lookup(self, item: Dataset) -> tuple[str, ActionCode, Option | None] | None:
        """The item's Value Type and resolved code if Table E.3.4-1 lists its concept."""
        if CONCEPT_NAME_CODE_SEQUENCE not in item:
            return None
        concept = next(iter(items(item, CONCEPT_NAME_CODE_SEQUENCE)), None)
        if concept is None:
            return None
        key = (_text(concept, CODE_VALUE), _scheme(_text(concept, CODING_SCHEME_DESIGNATOR)))
        codes = self._rules.get(key)
        if not codes:
            return None
        value_type = _text(item, VALUE_TYPE)
        if value_type not in codes:
            value_type = max(codes, key=lambda name: codes[name][0].protection)
        code, source = codes[value_type]
        return value_type, code, source

    def clean(
        self, engine: Deidentifier, ds: Dataset, tag: int, context: Context, mode: TextMode
    ) -> None:
        """Clean the content items of the sequence ``tag`` of ``ds``."""
        value = ds[tag].value
        if not isinstance(value, Sequence):
            return
        kept = [item for item in value if self._clean_item(engine, item, context, mode)]
        if len(kept) != len(value):
            ds[tag].value = Sequence(kept)

    def _clean_item(
        self, engine: Deidentifier, item: Dataset, context: Context, mode: TextMode
    ) -> bool:
        """Clean one item; False when the item is to be removed."""
        skip: set[int] = set()
        if SPECIMEN_STEP_ITEMS in item:
            self.clean(engine, item, SPECIMEN_STEP_ITEMS, context, mode)
            skip.add(SPECIMEN_STEP_ITEMS)
        found = self._lookup(item)
        if found is not None:
            value_type, code, source = found
            if code is ActionCode.X or (code in COMPOUND and self._policy is CompoundPolicy.STRICT):
                return False
            for value_tag in VALUE_TAGS.get(_text(item, VALUE_TYPE) or value_type, ()):
                if value_tag not in item:
                    continue
                vr = element_vr(item, value_tag)
                treatment = treatment_for(code, source, vr, self._policy)
                dummy = treatment is Treatment.DUMMY_AND_CLEAN_ITEMS
                if value_tag == MEASURED_VALUE_SEQUENCE and dummy:
                    _zero_measurements(item)
                engine.treat(item, value_tag, vr, treatment, context, mode)
                skip.add(value_tag)
        engine.walk(item, context, mode, frozenset(skip))
        return True


def _zero_measurements(item: Dataset) -> None:
    for measurement in items(item, MEASURED_VALUE_SEQUENCE):
        if NUMERIC_VALUE in measurement:
            measurement.NumericValue = "0"
        if FLOATING_POINT_VALUE in measurement:
            measurement.FloatingPointValue = 0.0
