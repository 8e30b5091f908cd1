"""The conformance report: what a profile does under an edition, attribute by attribute."""

from __future__ import annotations

from collections.abc import Callable

from deidentify.report.content import Report, ReportRow, build_report
from deidentify.report.diff import ReportDiff, diff_reports
from deidentify.report.markdown import as_markdown
from deidentify.report.page import as_html
from deidentify.report.tabular import as_csv, as_json

Renderer = Callable[[Report, ReportDiff | None], str]

FORMATS: dict[str, Renderer] = {
    "md": as_markdown,
    "html": as_html,
    "json": as_json,
    "csv": as_csv,
}

__all__ = [
    "FORMATS",
    "Report",
    "ReportDiff",
    "ReportRow",
    "build_report",
    "diff_reports",
]
