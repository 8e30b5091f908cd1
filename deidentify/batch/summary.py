"""The totals of a run, the closing summary table and its machine-readable form."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from deidentify.atomic import atomic_output
from deidentify.batch.results import FileResult, Status
from deidentify.pixels import BURNED_IN_RISK

WAY_FORWARD = ("add CleanPixelDataOption to the profile to clean them, or --burned-in accept"
               " to write them uncleaned")
"""What the summary says after counting objects refused for burned-in annotation risk."""


@dataclass
class Totals:
    """Counts and sizes of a run so far."""

    done: int = 0
    skipped: int = 0
    failed: int = 0
    input_bytes: int = 0
    output_bytes: int = 0
    seconds: float = 0.0
    reasons: dict[str, int] = field(default_factory=dict)
    log_error: str | None = None
    """Why the log could not be written (the run stopped there), or None."""
    interrupted: bool = False
    """The run stopped before every file was done (a signal, the log)."""
    pixels: dict[str, int] = field(default_factory=dict)
    """Objects at risk of burned-in identity written, by action (accepted, cleaned)."""

    def add(self, result: FileResult) -> None:
        """Count one result."""
        if result.status is Status.OK:
            self.done += 1
        elif result.status is Status.SKIPPED:
            self.skipped += 1
        else:
            self.failed += 1
        if result.reason is not None:
            self.reasons[result.reason] = self.reasons.get(result.reason, 0) + 1
        if result.pixels is not None:
            action = str(result.pixels.get("action"))
            self.pixels[action] = self.pixels.get(action, 0) + 1
        self.input_bytes += result.input_bytes
        self.output_bytes += result.output_bytes

    @property
    def files(self) -> int:
        """Files seen."""
        return self.done + self.skipped + self.failed

    @property
    def files_per_second(self) -> float:
        """Files seen per second of the run."""
        return self.files / self.seconds if self.seconds > 0 else 0.0


def _megabytes(count: int) -> str:
    return f"{count / 1e6:.1f} MB"


def rows(totals: Totals) -> list[tuple[str, str]]:
    """The summary as label, value pairs."""
    lines = [
        ("de-identified", str(totals.done)),
        ("skipped", str(totals.skipped)),
        ("failed", str(totals.failed)),
        ("read", _megabytes(totals.input_bytes)),
        ("written", _megabytes(totals.output_bytes)),
        ("seconds", f"{totals.seconds:.2f}"),
        ("files/s", f"{totals.files_per_second:.1f}"),
    ]
    lines.extend((f"  {reason}", str(count)) for reason, count in sorted(totals.reasons.items()))
    lines.extend((f"burned-in risk {action}", str(count))
                 for action, count in sorted(totals.pixels.items()))
    return lines


def way_forward(totals: Totals) -> str | None:
    """The line printed after the summary when objects were refused for burned-in risk."""
    refused = totals.reasons.get(BURNED_IN_RISK, 0)
    if not refused:
        return None
    return f"{refused} refused for {BURNED_IN_RISK}: {WAY_FORWARD}"


def as_json(totals: Totals, status: int) -> str:
    """The summary as a JSON document: counts, sizes in bytes, reasons, the exit status."""
    document = {
        "exit_status": status,
        "de_identified": totals.done,
        "skipped": totals.skipped,
        "failed": totals.failed,
        "files": totals.files,
        "read_bytes": totals.input_bytes,
        "written_bytes": totals.output_bytes,
        "seconds": round(totals.seconds, 3),
        "reasons": dict(sorted(totals.reasons.items())),
        "interrupted": totals.interrupted,
        "log_error": totals.log_error,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_summary_json(path: Path, totals: Totals, status: int) -> None:
    """Write ``as_json`` to ``path`` atomically (complete or not at all)."""
    with atomic_output(path) as stream:
        stream.write(as_json(totals, status).encode("utf-8"))


def _plain(totals: Totals, stream: TextIO) -> None:
    """One line per row, labels left and values right aligned, never wrapped."""
    lines = rows(totals)
    width = max(len(label) for label, _ in lines)
    values = max(len(value) for _, value in lines)
    for label, value in lines:
        stream.write(f"{label:<{width}}  {value:>{values}}\n")


def print_summary(totals: Totals, stream: TextIO) -> None:
    """The summary table, drawn by rich on a terminal where installed, else plain text (one
    line per row: nothing wraps in a file, a pipe or a CI log)."""
    if stream.isatty():
        try:
            from rich.console import Console
            from rich.table import Table
        except ImportError:
            _plain(totals, stream)
        else:
            table = Table(title="deidentify apply", show_header=False)
            table.add_column("", style="bold")
            table.add_column("", justify="right")
            for label, value in rows(totals):
                table.add_row(label, value)
            Console(file=stream, highlight=False).print(table)
    else:
        _plain(totals, stream)
    hint = way_forward(totals)
    if hint is not None:
        stream.write(hint + "\n")
