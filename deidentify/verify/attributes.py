"""Every attribute of an original against its effective code, in the paired de-identified file.

The checks accept any conformant realisation of a code, not only this tool's: Z allows zero
length or a dummy, D any value but the original, X/Z, X/D and X/Z/D also removal, U any valid
UID but the original as long as one original UID always gets the same replacement. They
recurse through the sequences both files keep, item by item, where both hold as many items
(a sequence whose items were removed, as Clean Structured Content removes content items, is
left to the search for identifying values).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from pydicom import Dataset
from pydicom.datadict import dictionary_description
from pydicom.dataelem import DataElement
from pydicom.multival import MultiValue
from pydicom.uid import UID

from deidentify.elements import element_conforms
from deidentify.plan import Plan, Treatment
from deidentify.private import Marks, PrivateFilter, collect_marks, holds_free_text
from deidentify.verify.findings import Fingerprinter, Violation
from generated.model import ActionCode, Option, PatternKind

A = ActionCode
PRESENCE_REQUIRED = frozenset({A.Z, A.D, A.Z_D, A.U, A.K})
"""Codes that do not allow removal."""
NON_EMPTY_REQUIRED = frozenset({A.D, A.Z_D, A.X_D, A.U})
"""Codes that, where the attribute is present, do not allow zero length."""
EXPECTED: dict[ActionCode, str] = {
    A.X: "removed",
    A.Z: "zero length or a dummy",
    A.D: "a dummy value",
    A.U: "a replacement UID",
    A.K: "kept unchanged",
    A.C: "cleaned",
    A.X_Z: "removed, zero length or a dummy",
    A.X_D: "removed or a dummy value",
    A.Z_D: "zero length or a dummy",
    A.X_Z_D: "removed, zero length or a dummy",
    A.X_Z_U: "removed, empty, or the sequence with its UIDs replaced",
}
SAFEST_CODES: dict[Treatment, ActionCode] = {
    Treatment.REMOVE: A.X,
    Treatment.EMPTY: A.Z,
    Treatment.DUMMY: A.D,
    Treatment.REPLACE_UID: A.U,
    Treatment.SHIFT_DATE: A.X_D,
}
"""The action checked of an element whose VR or length contradicts the dictionary, by the
treatment the engine gives it instead of its row's (``PlanRow.safest_for``): a date so
written is shifted (a new value) or, unparseable, removed."""
DATE_VRS = frozenset({"DA", "DT"})
FILE_META_GROUP = 0x0002
"""File Meta follows the dataset (a writer sets its UIDs), so its kept UIDs may change and its
replaced ones are not counted in the mapping's consistency."""
DIRECTORY_GROUP = 0x0004
"""Directory Structuring Elements: removed from every de-identified object (E.1.1 drops the
DICOMDIR), so their removal is never a missing U or D."""


def tag_text(tag: int) -> str:
    """A tag as the standard writes it: ``(gggg,eeee)``."""
    return f"({tag >> 16:04X},{tag & 0xFFFF:04X})"


def normalised(value: object) -> object:
    """A value as compared: text without its padding, several values as a tuple; a binary
    value as it is (a dummy of two zero bytes is a value, not zero length)."""
    if isinstance(value, MultiValue | list | tuple):
        return tuple(normalised(part) for part in value)
    if isinstance(value, bytes):
        return value
    if value is None:
        return ""
    if isinstance(value, int | float):
        return value
    return str(value).rstrip("\x00 ")


def is_empty(value: object) -> bool:
    return value in ("", b"", ())


def _uids(value: object) -> list[str]:
    parts = value if isinstance(value, tuple) else (value,)
    return [str(part) for part in parts if str(part)]


class AttributeChecker:
    """Checks pairs of datasets; keeps the UID mapping seen so far to check its consistency."""

    def __init__(self, plan: Plan, fingerprints: Fingerprinter) -> None:
        self.plan = plan
        self.fingerprints = fingerprints
        private = plan.private
        self._private_code = private.effective if private is not None else A.X
        self._filter = PrivateFilter(plan)
        self._marks: Marks = {}
        """What the original being checked marks safe (its Private Data Element
        Characteristics), as the engine reads them."""
        self._replacements: dict[str, set[str]] = defaultdict(set)
        self._originals_of: dict[str, set[str]] = defaultdict(set)
        self._first_seen: dict[str, tuple[str, str]] = {}

    def check(self, original: Dataset, output: Dataset, file: str) -> list[Violation]:
        """The violations of one pair, File Meta included."""
        found: list[Violation] = []
        self._marks = collect_marks(original) if self._filter.retains else {}
        original_meta = getattr(original, "file_meta", None)
        if original_meta is not None:
            output_meta = getattr(output, "file_meta", None) or Dataset()
            self._dataset(original_meta, output_meta, "", file, found)
        self._dataset(original, output, "", file, found)
        return found

    def _name(self, tag: int) -> str:
        row = self.plan.action_for(tag)
        if row is not None and row.rule.tag.kind is not PatternKind.PRIVATE:
            return row.rule.name
        try:
            return dictionary_description(tag)
        except KeyError:
            return "Private attribute" if (tag >> 16) % 2 else "Unknown attribute"

    def _dataset(self, original: Dataset, output: Dataset, prefix: str, file: str,
                 found: list[Violation], unvetted: bool = False) -> None:
        """``unvetted``: the datasets are items of a private sequence nothing declares
        safe, where no unlisted attribute may hold free text (``private.holds_free_text``)."""
        if unvetted:
            self._free_text(output, prefix, file, found)
        for tag in list(original.keys()):
            if tag.is_private:
                continue
            as_read = original.get_item(tag, keep_deferred=True)
            element = original[tag]
            observed = output.get(tag)
            path = prefix + tag_text(tag)
            row = self.plan.action_for(tag)
            if row is None:
                self._items(element, observed, path, file, found, unvetted)
                continue
            code = row.effective
            if not element_conforms(self.plan, as_read):
                code = SAFEST_CODES[row.safest_for(as_read.VR)[0]]
            self._element(code, element, observed, path, file, found, unvetted)
        self._private(original, output, prefix, file, found)

    def _items(self, element: DataElement, observed: DataElement | None, path: str,
               file: str, found: list[Violation], unvetted: bool = False) -> None:
        if element.VR != "SQ" or observed is None or observed.VR != "SQ":
            return
        if len(element.value) != len(observed.value):
            if unvetted:  # nothing to align with, but free text is found all the same
                for index, after in enumerate(observed.value):
                    self._dataset(Dataset(), after, f"{path}[{index}]>", file, found, True)
            return  # items were removed (e.g. content items): they cannot be aligned
        for index, (before, after) in enumerate(zip(element.value, observed.value,
                                                    strict=True)):
            self._dataset(before, after, f"{path}[{index}]>", file, found, unvetted)

    def _free_text(self, output: Dataset, prefix: str, file: str,
                   found: list[Violation]) -> None:
        """Unlisted attributes of an unvetted private item that can hold free text."""
        for tag in list(output.keys()):
            if tag.is_private or self.plan.action_for(tag) is not None:
                continue
            if holds_free_text(output, tag):
                found.append(Violation(
                    file, prefix + tag_text(tag), self._name(tag), "free text",
                    "removed (free text inside a private sequence not known safe)",
                    "present"))

    def _violation(self, file: str, path: str, tag: int, code: ActionCode, observed: str,
                   found: list[Violation]) -> None:
        found.append(Violation(file, path, self._name(tag), f"action {code.value}",
                               EXPECTED[code], observed))

    def _element(self, code: ActionCode, element: DataElement, observed: DataElement | None,
                 path: str, file: str, found: list[Violation], unvetted: bool = False) -> None:
        tag = int(element.tag)
        if observed is None:
            if code in PRESENCE_REQUIRED and tag >> 16 != DIRECTORY_GROUP:
                self._violation(file, path, tag, code, "removed", found)
            return
        if code is A.X:
            self._violation(file, path, tag, code, "present", found)
            return
        if element.VR == "SQ":
            self._items(element, observed, path, file, found, unvetted)
            return
        before, after = normalised(element.value), normalised(observed.value)
        if code in NON_EMPTY_REQUIRED and is_empty(after) and not is_empty(before):
            self._violation(file, path, tag, code, "zero length", found)
            return
        if code is A.K:
            if after != before and tag >> 16 != FILE_META_GROUP:
                self._violation(file, path, tag, code, "a changed value", found)
            return
        if is_empty(before):
            return
        same = "the original value (" + self.fingerprints.describe(str(before)) + ")"
        if code is A.C:
            if element.VR in DATE_VRS and self.plan.has(
                    Option.RETAIN_LONGITUDINAL_MODIFIED_DATES) and after == before:
                self._violation(file, path, tag, code, same, found)
            return
        if after == before:
            self._violation(file, path, tag, code, same, found)
            return
        if element.VR == "UI" and not is_empty(after):
            self._uid(before, after, path, tag, code, file, found)

    def _uid(self, before: object, after: object, path: str, tag: int, code: ActionCode,
             file: str, found: list[Violation]) -> None:
        old, new = _uids(before), _uids(after)
        invalid = [uid for uid in new if not UID(uid).is_valid]
        if invalid:
            self._violation(file, path, tag, code, "an invalid UID", found)
            return
        if tag >> 16 == FILE_META_GROUP:
            return
        for original_uid, replacement in zip(old, new, strict=False):
            self._replacements[original_uid].add(replacement)
            self._originals_of[replacement].add(original_uid)
            self._first_seen.setdefault(original_uid, (file, path))

    def uid_consistency(self) -> list[Violation]:
        """One original UID replaced differently, or two originals given one replacement."""
        found = []
        for original_uid, replacements in sorted(self._replacements.items()):
            if len(replacements) > 1:
                file, path = self._first_seen[original_uid]
                found.append(Violation(
                    file, path, "UID mapping", "consistency",
                    "one replacement per original UID",
                    f"{len(replacements)} replacements of one original UID"
                    f" ({self.fingerprints.describe(original_uid)})"))
        for originals in self._originals_of.values():
            if len(originals) > 1:
                found.append(Violation(
                    "(all files)", "", "UID mapping", "consistency",
                    "distinct originals get distinct UIDs",
                    f"{len(originals)} original UIDs replaced by the same UID"))
        return found

    def _allowed_private(self, group: int, creator: str | None, offset: int,
                         element: DataElement) -> bool:
        """Whether a private attribute may be present, as ``PrivateFilter`` judges it: one
        that Table E.3.10-1 or the original's characteristics declare safe (or give an action
        other than removal), under Retain Safe Private; any under a profile keeping them."""
        if self._private_code is A.K:
            return True
        if not self._filter.retains or creator is None:
            return False
        verdict = self._filter.verdict(group, creator.strip(), offset, self._marks, element)
        return verdict is not None and verdict is not Treatment.REMOVE

    def _private(self, original: Dataset, output: Dataset, prefix: str, file: str,
                 found: list[Violation]) -> None:
        creators = {int(e.tag): str(e.value) for e in _private_creators(output)}
        kept_blocks: set[int] = set()
        for element in output:
            tag = int(element.tag)
            if not element.tag.is_private or element.tag.element < 0x1000:
                continue
            creator_tag = (tag & 0xFFFF0000) | (element.tag.element >> 8)
            creator = creators.get(creator_tag)
            if self._allowed_private(tag >> 16, creator, element.tag.element & 0xFF, element):
                kept_blocks.add(creator_tag)
                continue
            if element.VR == "SQ" and self._filter.retains:
                kept_blocks.add(creator_tag)  # kept and walked item by item (E.3.10)
                before = original.get(tag)
                self._items(before if before is not None and before.VR == "SQ" else
                            DataElement(tag, "SQ", []), element, prefix + tag_text(tag),
                            file, found, True)
                continue
            found.append(Violation(
                file, prefix + tag_text(tag), f"Private attribute of {creator!r}",
                f"action {self._private_code.value}",
                "removed (not a safe private attribute)" if self._private_code is A.C
                else "removed", "present"))
        for creator_tag, creator in creators.items():
            if creator_tag not in kept_blocks and self._private_code is not A.K:
                found.append(Violation(
                    file, prefix + tag_text(creator_tag), f"Private Creator {creator!r}",
                    f"action {self._private_code.value}", "removed", "present"))


def _private_creators(ds: Dataset) -> Iterable[DataElement]:
    for element in ds:
        if element.tag.is_private and 0x0010 <= element.tag.element <= 0x00FF:
            yield element
