"""The report as JSON (for pipelines) and CSV (one line per row of Table E.1-1)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict

from deidentify.report.content import Report, ReportRow
from deidentify.report.diff import ReportDiff
from generated.model import CodedConcept


def _code(code: CodedConcept) -> dict[str, str]:
    return {"value": code.value, "scheme": code.scheme, "meaning": code.meaning}


def _row(row: ReportRow) -> dict[str, object]:
    return {
        "tag": row.tag,
        "name": row.name,
        "retired": row.retired,
        "basic": row.basic,
        "effective": row.effective,
        "source": row.source,
        "treatment": row.treatment,
        "behaviour": row.behaviour,
        "options": dict(row.options),
        "conflict": dict(row.conflict),
    }


def _diff(diff: ReportDiff) -> dict[str, object]:
    return {
        "against": diff.other,
        "added": [_row(row) for row in diff.added],
        "removed": [_row(row) for row in diff.removed],
        "changed": [asdict(change) for change in diff.changed],
    }


def as_json(report: Report, diff: ReportDiff | None = None) -> str:
    """The whole report as one JSON object."""
    document: dict[str, object] = {
        "tool": {"name": report.tool, "version": report.version},
        "edition": {"name": report.edition, "source_url": report.source_url,
                    "sha256": report.sha256},
        "profile": {"uri": report.profile, "code": _code(report.profile_code)},
        "options": [{"name": name, "code": _code(code)} for name, code in report.options],
        "compound_policy": {"name": report.policy, "description": report.policy_description},
        "uid_scheme": report.uid_scheme,
        "rows": [_row(row) for row in report.rows],
        "conflicts": [_row(row) for row in report.conflicts],
        "merged_duplicates": [{"tag": tag, "resolution": how}
                              for tag, how in report.merged_duplicates],
        "not_implemented": list(report.limitations),
        "unknown_elements": report.unknown,
        "beyond_table": {"rules": list(report.beyond_rules),
                         "attributes": [asdict(row) for row in report.beyond]},
    }
    if diff is not None:
        document["diff"] = _diff(diff)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


ROW_COLUMNS = ("tag", "name", "basic", "effective", "source", "treatment", "behaviour",
               "conflict")
BEYOND_SOURCE = "beyond the table"
"""The Set-by column of a CSV line for an attribute beyond the table (Basic, effective and
treatment columns then say X, X and remove, or K, K and keep under the retaining option)."""
DIFF_COLUMNS = ("change", "tag", "name", "before", "after", "behaviour_before",
                "behaviour_after")


def as_csv(report: Report, diff: ReportDiff | None = None) -> str:
    """One line per row of Table E.1-1; with a diff, one line per change instead."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if diff is None:
        writer.writerow(ROW_COLUMNS)
        for row in report.rows:
            conflict = " ".join(f"{name}={code}" for name, code in row.conflict)
            writer.writerow((row.tag, row.name, row.basic, row.effective, row.source,
                             row.treatment, row.behaviour, conflict))
        for extra in report.beyond:
            removed = extra.behaviour.startswith("removed")
            code = "X" if removed else "K"
            writer.writerow((extra.tag, extra.name, "", code, BEYOND_SOURCE,
                             "remove" if removed else "keep", extra.behaviour, ""))
        return buffer.getvalue()
    writer.writerow(DIFF_COLUMNS)
    for row in diff.added:
        writer.writerow(("added", row.tag, row.name, "", row.effective, "", row.behaviour))
    for row in diff.removed:
        writer.writerow(("removed", row.tag, row.name, row.effective, "", row.behaviour, ""))
    for change in diff.changed:
        writer.writerow(("changed", change.tag, change.name, change.before, change.after,
                         change.behaviour_before, change.behaviour_after))
    return buffer.getvalue()
