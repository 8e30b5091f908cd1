"""One edition of PS3.15 -> the intermediate model.

Reads Table E.1-1 (attributes), E.1-1a (action codes, where present), E.3.10-1 (safe
private attributes) and E.3.4-1 (structured content, where present). Columns are known by
their header labels; a renamed, missing or reordered column is an error, and so is any cell
the model cannot hold. Every source row ends up in the model or in a merge report.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from compiler.docbook import Document, Table
from compiler.errors import CompileError
from compiler.model import (
    PROTECTION_ORDER,
    ActionCode,
    AttributeRule,
    ContentItemRule,
    Edition,
    MergedDuplicate,
    Option,
    PatternKind,
    SafePrivateAttribute,
    TagPattern,
)

ATTRIBUTES_TABLE = "table_E.1-1"
ACTION_CODES_TABLE = "table_E.1-1a"
SAFE_PRIVATE_TABLE = "table_E.3.10-1"
CONTENT_ITEMS_TABLE = "table_E.3.4-1"

BASIC = "Basic"
"""The column name the model and diffs use for the Basic Profile."""

SUBTITLE = re.compile(r"^DICOM PS3\.15 (?P<edition>\d{4}[a-z]?) - ")
EXACT_TAG = re.compile(r"^\(([0-9A-Fa-f]{4}),([0-9A-Fa-f]{4})\)$")
MASKED_TAG = re.compile(r"^\(([0-9A-Fa-fx]{4}),([0-9A-Fa-fx]{4})\)$")
PRIVATE_RULE = "(gggg,eeee) where gggg is odd"
SAFE_PRIVATE_TAG = re.compile(r"^\(([0-9A-Fa-f]{4}),xx([0-9A-Fa-f]{2})\)$")


@dataclass(frozen=True)
class Layout:
    """A known header of a table: the leading columns, then one column per code."""

    leading: tuple[str, ...]
    code_columns: tuple[tuple[str, Option | None], ...]

    @property
    def labels(self) -> tuple[str, ...]:
        return self.leading + tuple(label for label, _ in self.code_columns)


_LONG_ATTRIBUTE_LABELS = ("Attribute Name", "Tag", "Retired (from )", "In Std. Comp. IOD (from )")
_SHORT_ATTRIBUTE_LABELS = ("Attribute Name", "Tag", "Retd. (from )", "In Std. Comp. IOD (from )")

ATTRIBUTE_LAYOUTS = (
    Layout(
        _LONG_ATTRIBUTE_LABELS,
        (
            ("Basic Profile", None),
            ("Retain Safe Private Option", Option.RETAIN_SAFE_PRIVATE),
            ("Retain UIDs Option", Option.RETAIN_UIDS),
            ("Retain Device Ident. Option", Option.RETAIN_DEVICE_IDENTITY),
            ("Retain Patient Chars. Option", Option.RETAIN_PATIENT_CHARACTERISTICS),
            ("Retain Long. Full Dates Option", Option.RETAIN_LONGITUDINAL_FULL_DATES),
            ("Retain Long. Modif. Dates Option", Option.RETAIN_LONGITUDINAL_MODIFIED_DATES),
            ("Clean Desc. Option", Option.CLEAN_DESCRIPTORS),
            ("Clean Struct. Cont. Option", Option.CLEAN_STRUCTURED_CONTENT),
            ("Clean Graph. Option", Option.CLEAN_GRAPHICS),
        ),
    ),
    Layout(
        _SHORT_ATTRIBUTE_LABELS,
        (
            ("Basic Prof.", None),
            ("Rtn. Safe Priv. Opt.", Option.RETAIN_SAFE_PRIVATE),
            ("Rtn. UIDs Opt.", Option.RETAIN_UIDS),
            ("Rtn. Dev. Id. Opt.", Option.RETAIN_DEVICE_IDENTITY),
            ("Rtn. Inst. Id. Opt.", Option.RETAIN_INSTITUTION_IDENTITY),
            ("Rtn. Pat. Chars. Opt.", Option.RETAIN_PATIENT_CHARACTERISTICS),
            ("Rtn. Long. Full Dates Opt.", Option.RETAIN_LONGITUDINAL_FULL_DATES),
            ("Rtn. Long. Modif. Dates Opt.", Option.RETAIN_LONGITUDINAL_MODIFIED_DATES),
            ("Clean Desc. Opt.", Option.CLEAN_DESCRIPTORS),
            ("Clean Struct. Cont. Opt.", Option.CLEAN_STRUCTURED_CONTENT),
            ("Clean Graph. Opt.", Option.CLEAN_GRAPHICS),
        ),
    ),
)

CONTENT_ITEM_LAYOUT = Layout(
    (
        "Code Meaning",
        "Code Value",
        "Coding Scheme Designator",
        "Value Type",
        "Retd. (from )",
        "In Std. Tpl. (from )",
    ),
    (
        ("Basic Prof.", None),
        ("Rtn. UIDs Opt.", Option.RETAIN_UIDS),
        ("Rtn. Dev. Id. Opt.", Option.RETAIN_DEVICE_IDENTITY),
        ("Rtn. Inst. Id. Opt.", Option.RETAIN_INSTITUTION_IDENTITY),
        ("Rtn. Pat. Chars. Opt.", Option.RETAIN_PATIENT_CHARACTERISTICS),
        ("Rtn. Long. Full Dates Opt.", Option.RETAIN_LONGITUDINAL_FULL_DATES),
        ("Rtn. Long. Modif. Dates Opt.", Option.RETAIN_LONGITUDINAL_MODIFIED_DATES),
        ("Clean Desc. Opt.", Option.CLEAN_DESCRIPTORS),
    ),
)

SAFE_PRIVATE_LABELS = ("Data Element", "Private Creator", "VR", "VM", "Meaning")

_CODES = {code.value: code for code in ActionCode}


class EditionReader:
    """Reads one XML file into an ``Edition``; errors name the file, table, row and column."""

    def __init__(self, path: Path, source_url: str, sha256: str) -> None:
        self.path = path
        self.source_url = source_url
        self.sha256 = sha256
        self.document = Document(path)
        self.edition = self._edition_name()

    def read(self) -> Edition:
        """The whole model of this edition."""
        attributes_table = self._require(ATTRIBUTES_TABLE)
        layout = self._layout(attributes_table, ATTRIBUTE_LAYOUTS)
        legend = self._legend()
        rows = [self._attribute(layout, number, cells, legend)
                for number, cells in enumerate(attributes_table.rows, start=1)]
        options = tuple(option for _, option in layout.code_columns if option is not None)
        attributes, merged = merge_duplicates(rows, options)
        return Edition(
            edition=self.edition,
            source_url=self.source_url,
            sha256=self.sha256,
            options=options,
            attributes=attributes,
            safe_private=self._safe_private(),
            content_items=self._content_items(legend),
            merged_duplicates=merged,
            source_rows=len(attributes_table.rows),
        )

    def _edition_name(self) -> str:
        subtitle = self.document.subtitle()
        match = SUBTITLE.match(subtitle)
        if match is None:
            raise CompileError(
                f"{self.path}: not PS3.15 (its subtitle is {subtitle[:80]!r}, expected"
                " 'DICOM PS3.15 <edition> - ...')"
            )
        return match.group("edition")

    def _where(self, table: str, row: int | None = None, column: str | None = None) -> str:
        place = f"{self.path}: edition {self.edition}, table {table}"
        if row is not None:
            place += f", row {row}"
        if column is not None:
            place += f", column {column!r}"
        return place

    def _require(self, xml_id: str) -> Table:
        table = self.document.table(xml_id)
        if table is None:
            raise CompileError(f"{self._where(xml_id)}: not found")
        return table

    def _layout(self, table: Table, layouts: Sequence[Layout]) -> Layout:
        for layout in layouts:
            if table.header == layout.labels:
                return layout
        closest = min(layouts, key=lambda layout: abs(len(layout.labels) - len(table.header)))
        for index, expected in enumerate(closest.labels):
            found = table.header[index] if index < len(table.header) else "(missing)"
            if found != expected:
                raise CompileError(
                    f"{self._where(table.xml_id)}: column {index + 1} is {found!r}, expected"
                    f" {expected!r} (the columns were renamed, removed or reordered)"
                )
        extra = table.header[len(closest.labels)]
        raise CompileError(f"{self._where(table.xml_id)}: unexpected extra column {extra!r}")

    def _legend(self) -> frozenset[str] | None:
        table = self.document.table(ACTION_CODES_TABLE)
        if table is None:
            return None
        codes = set()
        for number, cells in enumerate(table.rows, start=1):
            if not cells or cells[0] not in _CODES:
                found = cells[0] if cells else ""
                raise CompileError(
                    f"{self._where(ACTION_CODES_TABLE, number)}: unknown action code {found!r}"
                )
            codes.add(cells[0])
        return frozenset(codes)

    def _code(
        self, text: str, table: str, row: int, column: str, legend: frozenset[str] | None
    ) -> ActionCode:
        code = _CODES.get(text)
        if code is None:
            raise CompileError(f"{self._where(table, row, column)}: unknown action code {text!r}")
        if legend is not None and text not in legend:
            raise CompileError(
                f"{self._where(table, row, column)}: action code {text!r} is not defined in"
                f" Table E.1-1a"
            )
        return code

    def _codes(
        self,
        layout: Layout,
        cells: tuple[str, ...],
        table: str,
        row: int,
        legend: frozenset[str] | None,
    ) -> tuple[ActionCode, tuple[tuple[Option, ActionCode], ...]]:
        codes = cells[len(layout.leading):]
        (basic_label, _), *option_columns = layout.code_columns
        if not codes[0]:
            raise CompileError(f"{self._where(table, row, basic_label)}: empty Basic Profile code")
        basic = self._code(codes[0], table, row, basic_label, legend)
        options = tuple(
            (option, self._code(text, table, row, label, legend))
            for (label, option), text in zip(option_columns, codes[1:], strict=True)
            if text and option is not None
        )
        return basic, options

    def _flag(self, text: str, table: str, row: int, column: str) -> bool | None:
        if text == "Y":
            return True
        if text == "N":
            return False
        if text == "":
            return None
        raise CompileError(
            f"{self._where(table, row, column)}: expected Y, N or empty, not {text!r}"
        )

    def _cells(self, table: str, row: int, cells: tuple[str, ...], width: int) -> None:
        if len(cells) != width:
            raise CompileError(
                f"{self._where(table, row)}: {len(cells)} cells, the header has {width}"
            )

    def _attribute(
        self, layout: Layout, row: int, cells: tuple[str, ...], legend: frozenset[str] | None
    ) -> AttributeRule:
        self._cells(ATTRIBUTES_TABLE, row, cells, len(layout.labels))
        name, tag_text, retired, in_iod = cells[:4]
        if not name:
            raise CompileError(f"{self._where(ATTRIBUTES_TABLE, row, 'Attribute Name')}: empty")
        basic, options = self._codes(layout, cells, ATTRIBUTES_TABLE, row, legend)
        return AttributeRule(
            name=name,
            tag=self._tag(tag_text, row),
            retired=self._flag(retired, ATTRIBUTES_TABLE, row, layout.leading[2]),
            in_std_iod=self._flag(in_iod, ATTRIBUTES_TABLE, row, layout.leading[3]),
            basic=basic,
            options=options,
        )

    def _tag(self, text: str, row: int) -> TagPattern:
        try:
            return parse_tag(text)
        except ValueError as error:
            raise CompileError(f"{self._where(ATTRIBUTES_TABLE, row, 'Tag')}: {error}") from None

    def _safe_private(self) -> tuple[SafePrivateAttribute, ...]:
        table = self._require(SAFE_PRIVATE_TABLE)
        if table.header != SAFE_PRIVATE_LABELS:
            self._layout(table, [Layout(SAFE_PRIVATE_LABELS, ())])
        safe = []
        for row, cells in enumerate(table.rows, start=1):
            self._cells(SAFE_PRIVATE_TABLE, row, cells, len(SAFE_PRIVATE_LABELS))
            tag_text, creator, vr, vm, meaning = cells
            tag_text = "".join(tag_text.split())
            match = SAFE_PRIVATE_TAG.match(tag_text)
            if match is None or not creator:
                raise CompileError(
                    f"{self._where(SAFE_PRIVATE_TABLE, row, 'Data Element')}: expected"
                    f" (gggg,xxee) with a Private Creator, not {tag_text!r}"
                )
            safe.append(SafePrivateAttribute(
                text=tag_text,
                group=int(match.group(1), 16),
                element=int(match.group(2), 16),
                private_creator=creator,
                vr=vr,
                vm=vm,
                meaning=meaning,
            ))
        return tuple(safe)

    def _content_items(self, legend: frozenset[str] | None) -> tuple[ContentItemRule, ...]:
        table = self.document.table(CONTENT_ITEMS_TABLE)
        if table is None:
            return ()
        layout = self._layout(table, [CONTENT_ITEM_LAYOUT])
        items = []
        for row, cells in enumerate(table.rows, start=1):
            self._cells(CONTENT_ITEMS_TABLE, row, cells, len(layout.labels))
            meaning, value, scheme, value_type, retired, in_template = cells[:6]
            if not value or not scheme:
                raise CompileError(
                    f"{self._where(CONTENT_ITEMS_TABLE, row)}: empty code value or scheme"
                )
            basic, options = self._codes(layout, cells, CONTENT_ITEMS_TABLE, row, legend)
            items.append(ContentItemRule(
                meaning=meaning,
                code_value=value,
                scheme=scheme,
                value_type=value_type,
                retired=self._flag(retired, CONTENT_ITEMS_TABLE, row, layout.leading[4]),
                in_std_template=self._flag(
                    in_template, CONTENT_ITEMS_TABLE, row, layout.leading[5]
                ),
                basic=basic,
                options=options,
            ))
        return tuple(items)


def parse_tag(text: str) -> TagPattern:
    """A tag cell as a pattern; ValueError names the problem."""
    compact = "".join(text.split())
    if " ".join(text.split()) == PRIVATE_RULE:
        return TagPattern(PRIVATE_RULE, PatternKind.PRIVATE, 0, 0)
    match = EXACT_TAG.match(compact)
    if match is not None:
        value = int(match.group(1) + match.group(2), 16)
        return TagPattern(compact.upper(), PatternKind.EXACT, value, 0xFFFFFFFF)
    match = MASKED_TAG.match(compact)
    if match is None:
        raise ValueError(f"not a tag, mask or the private rule: {text!r}")
    digits = match.group(1) + match.group(2)
    value = int(digits.replace("x", "0"), 16)
    mask = int("".join("0" if digit == "x" else "F" for digit in digits), 16)
    group, element = (part.upper().replace("X", "x") for part in match.groups())
    normalized = f"({group},{element})"
    return TagPattern(normalized, PatternKind.MASKED, value, mask)


def merge_duplicates(
    rows: Sequence[AttributeRule], columns: Sequence[Option]
) -> tuple[tuple[AttributeRule, ...], tuple[MergedDuplicate, ...]]:
    """One rule per tag. Identical rows merge; conflicting codes resolve to the most protective.

    The merged row keeps the position of the first and the name, Retired and In Std. IOD of
    the first row not retired (of the first row when all are retired). Each tag listed more
    than once is reported, with its conflicts.
    """
    by_tag: dict[str, list[AttributeRule]] = {}
    for rule in rows:
        by_tag.setdefault(rule.tag.text, []).append(rule)
    merged_rules = []
    reports = []
    for tag, group in by_tag.items():
        if len(group) == 1:
            merged_rules.append(group[0])
            continue
        rule, conflicts = _merge(group, columns)
        merged_rules.append(rule)
        reports.append(MergedDuplicate(tag, tuple(r.name for r in group), conflicts))
    return tuple(merged_rules), tuple(reports)


def _most_protective(codes: Sequence[ActionCode | None]) -> ActionCode | None:
    present = [code for code in codes if code is not None]
    if not present:
        return None
    return min(present, key=PROTECTION_ORDER.index)


def _merge(
    group: Sequence[AttributeRule], columns: Sequence[Option]
) -> tuple[AttributeRule, tuple[str, ...]]:
    conflicts = []
    basics = [rule.basic for rule in group]
    basic = _most_protective(basics)
    assert basic is not None
    if len(set(basics)) > 1:
        conflicts.append(_conflict(BASIC, basics, basic))
    options = []
    for option in columns:
        codes = [rule.code_for(option) for rule in group]
        winner = _most_protective(codes)
        if len(set(codes)) > 1:
            conflicts.append(_conflict(option.value, codes, winner))
        if winner is not None:
            options.append((option, winner))
    first = next((rule for rule in group if rule.retired is not True), group[0])
    merged = AttributeRule(
        first.name, first.tag, first.retired, first.in_std_iod, basic, tuple(options)
    )
    return merged, tuple(conflicts)


def _conflict(column: str, codes: Sequence[ActionCode | None], winner: ActionCode | None) -> str:
    listed = " vs ".join(code.value if code else "(empty)" for code in codes)
    chosen = winner.value if winner else "(empty)"
    return f"{column}: {listed} -> {chosen}"
