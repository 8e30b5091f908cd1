"""What changed from one edition's Table E.1-1 to another's: rows added, removed, codes changed."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from compiler.model import AttributeRule, Edition, Option
from compiler.reader import BASIC


@dataclass(frozen=True)
class RowRef:
    """A row named by its tag as the standard writes it."""

    tag: str
    name: str


@dataclass(frozen=True)
class CodeChange:
    """One cell whose code differs; an empty cell is the empty string."""

    tag: str
    name: str
    column: str
    old: str
    new: str


@dataclass(frozen=True)
class EditionDiff:
    """The differences between two editions, in the newer edition's row order."""

    old: str
    new: str
    added: tuple[RowRef, ...]
    removed: tuple[RowRef, ...]
    changed: tuple[CodeChange, ...]


def _cells(rule: AttributeRule) -> dict[str, str]:
    cells = {BASIC: rule.basic.value}
    cells.update((option.value, code.value) for option, code in rule.options)
    return cells


def diff_editions(old: Edition, new: Edition) -> EditionDiff:
    """Compare two editions row by row (by tag) and column by column."""
    old_rows = {rule.tag.text: rule for rule in old.attributes}
    new_rows = {rule.tag.text: rule for rule in new.attributes}
    columns = [BASIC] + [option.value for option in Option]
    changed: list[CodeChange] = []
    for tag, rule in new_rows.items():
        before = old_rows.get(tag)
        if before is None:
            continue
        old_cells, new_cells = _cells(before), _cells(rule)
        changed.extend(
            CodeChange(tag, rule.name, column, old_cells.get(column, ""), new_cells.get(column, ""))
            for column in columns
            if old_cells.get(column, "") != new_cells.get(column, "")
        )
    return EditionDiff(
        old=old.edition,
        new=new.edition,
        added=tuple(RowRef(t, r.name) for t, r in new_rows.items() if t not in old_rows),
        removed=tuple(RowRef(t, r.name) for t, r in old_rows.items() if t not in new_rows),
        changed=tuple(changed),
    )


def as_json(diff: EditionDiff) -> str:
    """The diff as a JSON object with ``added``, ``removed`` and ``changed``."""
    return json.dumps(asdict(diff), indent=2, ensure_ascii=False) + "\n"


def as_markdown(diff: EditionDiff) -> str:
    """The diff as a Markdown report."""
    lines = [f"# PS3.15 Table E.1-1: {diff.old} -> {diff.new}", ""]
    lines.append(
        f"{len(diff.added)} rows added, {len(diff.removed)} removed,"
        f" {len(diff.changed)} codes changed."
    )
    for title, rows in (("Added", diff.added), ("Removed", diff.removed)):
        if rows:
            lines += ["", f"## {title}", "", "| Tag | Name |", "| --- | --- |"]
            lines += [f"| {row.tag} | {row.name} |" for row in rows]
    if diff.changed:
        lines += ["", "## Changed", "", "| Tag | Name | Column | Old | New |",
                  "| --- | --- | --- | --- | --- |"]
        lines += [f"| {c.tag} | {c.name} | {c.column} | {c.old or '(empty)'} |"
                  f" {c.new or '(empty)'} |" for c in diff.changed]
    return "\n".join(lines) + "\n"
