"""What changes for a profile between two editions: rows added, removed, or treated otherwise."""

from __future__ import annotations

from dataclasses import dataclass

from deidentify.report.content import Report, ReportRow


@dataclass(frozen=True)
class RowChange:
    """A row present in both editions whose effective code or concrete behaviour differs."""

    tag: str
    name: str
    before: str
    after: str
    behaviour_before: str
    behaviour_after: str


@dataclass(frozen=True)
class ReportDiff:
    """From the ``other`` edition's report to this one's, for the same profile."""

    other: str
    edition: str
    added: tuple[ReportRow, ...]
    removed: tuple[ReportRow, ...]
    changed: tuple[RowChange, ...]


def diff_reports(other: Report, report: Report) -> ReportDiff:
    """Rows keyed by tag as written: added in ``report``, gone from it, or changed."""
    before = {row.tag: row for row in other.rows}
    after = {row.tag: row for row in report.rows}
    changed = tuple(
        RowChange(tag, row.name, before[tag].effective, row.effective,
                  before[tag].behaviour, row.behaviour)
        for tag, row in after.items()
        if tag in before and (before[tag].effective, before[tag].behaviour)
        != (row.effective, row.behaviour)
    )
    return ReportDiff(
        other=other.edition,
        edition=report.edition,
        added=tuple(row for tag, row in after.items() if tag not in before),
        removed=tuple(row for tag, row in before.items() if tag not in after),
        changed=changed,
    )


def rows_count(count: int) -> str:
    """``1 row``, ``2 rows``."""
    return f"{count} row" if count == 1 else f"{count} rows"
