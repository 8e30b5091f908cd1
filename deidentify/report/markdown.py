"""The report as Markdown."""

from __future__ import annotations

from deidentify.report.beyond import BeyondRow
from deidentify.report.content import Report, ReportRow
from deidentify.report.diff import ReportDiff, rows_count


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _rows(rows: tuple[ReportRow, ...]) -> list[str]:
    lines = ["| Tag | Attribute | Basic | Effective | Set by | What this tool does |",
             "| --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {_cell(row.tag)} | {_cell(row.name)} | {row.basic} | {row.effective} |"
              f" {row.source} | {_cell(row.behaviour)} |" for row in rows]
    return lines


def _beyond(report: Report) -> list[str]:
    rows: tuple[BeyondRow, ...] = report.beyond
    lines = [f"## Beyond Table E.1-1 (additions: {len(rows)} unlisted attributes)", "",
             *(f"- {text}" for text in report.beyond_rules), "",
             "| Tag | Attribute | VR | Identifies | Criterion | What this tool does |",
             "| --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {_cell(row.tag)} | {_cell(row.name)} | {row.vr} | {row.category} |"
              f" {_cell(row.criterion)} | {_cell(row.behaviour)} |" for row in rows]
    return lines


def _diff(diff: ReportDiff) -> list[str]:
    lines = [f"## Changes from edition {diff.other} to {diff.edition}", "",
             f"{rows_count(len(diff.added))} added, {len(diff.removed)} removed,"
             f" {len(diff.changed)} treated differently.", ""]
    if diff.added:
        lines += ["### Added", "", *_rows(diff.added), ""]
    if diff.removed:
        lines += ["### Removed", "", *_rows(diff.removed), ""]
    if diff.changed:
        lines += ["### Changed", "", "| Tag | Attribute | Before | After | Now |",
                  "| --- | --- | --- | --- | --- |"]
        lines += [f"| {_cell(c.tag)} | {_cell(c.name)} | {c.before} | {c.after} |"
                  f" {_cell(c.behaviour_after)} |" for c in diff.changed]
        lines.append("")
    return lines


def as_markdown(report: Report, diff: ReportDiff | None = None) -> str:
    """The whole report as one Markdown document."""
    lines = [
        f"# Conformance report: {report.profile}", "",
        f"- Tool: {report.tool} {report.version}",
        f"- Edition: PS3.15 {report.edition} ({report.source_url}),"
        f" SHA-256 `{report.sha256}`",
        f"- Profile: {report.profile_code.meaning}"
        f" ({report.profile_code.scheme} {report.profile_code.value})",
    ]
    lines += [f"- Option: {name} ({code.scheme} {code.value} {code.meaning})"
              for name, code in report.options]
    lines += [
        f"- Compound codes: {report.policy} ({report.policy_description})",
        f"- Replacement UIDs: {report.uid_scheme} scheme",
        f"- Unknown elements: {report.unknown}",
        "", "## Not implemented", "",
        *(f"- {text}" for text in report.limitations),
        "", f"## Conflicting options ({len(report.conflicts)} rows)", "",
    ]
    if report.conflicts:
        lines += ["| Tag | Attribute | Codes of the active options | Resolved as |",
                  "| --- | --- | --- | --- |"]
        lines += [f"| {_cell(row.tag)} | {_cell(row.name)} |"
                  f" {', '.join(f'{n} {c}' for n, c in row.conflict)} |"
                  f" {row.effective} (the most protective) |" for row in report.conflicts]
    else:
        lines.append("No row has two active options with different codes.")
    if report.merged_duplicates:
        lines += ["", "## Tags listed twice in the edition", ""]
        lines += [f"- {tag}: {_cell(how)}" for tag, how in report.merged_duplicates]
    lines += ["", f"## Table E.1-1 ({len(report.rows)} rows)", "", *_rows(report.rows), ""]
    lines += [*_beyond(report), ""]
    if diff is not None:
        lines += _diff(diff)
    return "\n".join(lines)
