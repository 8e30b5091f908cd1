"""The totals of a run and the closing summary table."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TextIO

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


def print_summary(totals: Totals, stream: TextIO) -> None:
    """The summary table, drawn by rich where installed, else as aligned text."""
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        width = max(len(label) for label, _ in rows(totals))
        for label, value in rows(totals):
            stream.write(f"{label:<{width}}  {value}\n")
        hint = way_forward(totals)
        if hint is not None:
            stream.write(hint + "\n")
        return
    table = Table(title="deidentify apply", show_header=False)
    table.add_column("", style="bold")
    table.add_column("", justify="right")
    for label, value in rows(totals):
        table.add_row(label, value)
    Console(file=stream, highlight=False).print(table)
    hint = way_forward(totals)
    if hint is not None:
        stream.write(hint + "\n")
