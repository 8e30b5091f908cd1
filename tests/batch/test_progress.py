"""Progress lines, failure lines and the summary table."""

from __future__ import annotations

import io

import pytest

from deidentify.batch import Status, print_summary
from deidentify.batch import progress as progress_module
from deidentify.batch.progress import PlainProgress, QuietProgress, make_progress
from deidentify.batch.results import FileResult
from deidentify.batch.summary import Totals

OK = FileResult("in", "a.dcm", "a.dcm", Status.OK, None, 10, 12)
FAILED = FileResult("in", "b.dcm", None, Status.FAILED, "truncated or corrupt DICOM file")


def test_plain_progress_lines_and_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress_module, "PLAIN_INTERVAL", 0.0)
    stream = io.StringIO()
    display = make_progress(stream, quiet=False)
    assert isinstance(display, PlainProgress)
    display.start(3)
    display.advance(OK)
    display.advance(FAILED)
    display.advance(OK)
    display.finish()
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("deidentify apply: 1/3 files (33%), ")
    assert "files/s, ETA" in lines[0]
    assert "deidentify apply: failed: in: b.dcm: truncated or corrupt DICOM file" in lines
    assert not any(line.startswith("deidentify apply: 3/3") for line in lines)


def test_quiet_progress_reports_only_failures() -> None:
    stream = io.StringIO()
    display = make_progress(stream, quiet=True)
    assert type(display) is QuietProgress
    display.start(2)
    display.advance(OK)
    display.advance(FAILED)
    expected = "deidentify apply: failed: in: b.dcm: truncated or corrupt DICOM file\n"
    assert stream.getvalue() == expected


def test_summary_counts_and_reasons() -> None:
    totals = Totals()
    for result in (OK, FAILED, OK):
        totals.add(result)
    totals.seconds = 2.0
    stream = io.StringIO()
    print_summary(totals, stream)
    text = stream.getvalue()
    assert (totals.done, totals.failed, totals.files) == (2, 1, 3)
    assert totals.files_per_second == 1.5
    for label in ("de-identified", "failed", "files/s", "truncated or corrupt DICOM file"):
        assert label in text
