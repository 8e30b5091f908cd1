"""Progress while a run goes: a rich bar on a terminal, plain lines otherwise, or nothing.

Failures are always reported, one line each (path relative to its input root and the
reason), whatever the progress display.
"""

from __future__ import annotations

import time
from typing import Protocol, TextIO

from deidentify.batch.results import FileResult, Status

PLAIN_INTERVAL = 2.0
"""Seconds between plain progress lines."""


class Progress(Protocol):
    """What the runner tells the display."""

    def start(self, total: int) -> None: ...
    def advance(self, result: FileResult) -> None: ...
    def finish(self) -> None: ...


def failure_line(result: FileResult) -> str:
    """The one-line report of a failed file."""
    return f"deidentify apply: failed: {result.root}: {result.input}: {result.reason}"


class QuietProgress:
    """Only failures."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def start(self, total: int) -> None:
        """Nothing to show."""

    def advance(self, result: FileResult) -> None:
        """Report a failure."""
        if result.status is Status.FAILED:
            self.stream.write(failure_line(result) + "\n")

    def finish(self) -> None:
        """Nothing to show."""


class PlainProgress(QuietProgress):
    """A line every few seconds: files done of total, files/s, ETA."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self.total = 0
        self.count = 0
        self.started = time.monotonic()
        self.last = self.started

    def start(self, total: int) -> None:
        """Note the total."""
        self.total = total
        self.started = self.last = time.monotonic()

    def advance(self, result: FileResult) -> None:
        """Count a file; print a progress line when due."""
        super().advance(result)
        self.count += 1
        now = time.monotonic()
        if now - self.last >= PLAIN_INTERVAL and self.count < self.total:
            self.last = now
            self.stream.write(self.line(now) + "\n")
            self.stream.flush()

    def line(self, now: float) -> str:
        """The progress line."""
        elapsed = max(now - self.started, 1e-9)
        rate = self.count / elapsed
        eta = (self.total - self.count) / rate if rate > 0 else 0.0
        percent = 100 * self.count / self.total if self.total else 100.0
        return (f"deidentify apply: {self.count}/{self.total} files ({percent:.0f}%), "
                f"{rate:.1f} files/s, ETA {eta:.0f} s")


class RichProgress(QuietProgress):
    """A rich progress bar with files/s and ETA."""

    def __init__(self, stream: TextIO) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as Bar

        super().__init__(stream)
        self.bar = Bar(
            TextColumn("de-identifying"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]} files/s"),
            TimeRemainingColumn(),
            console=Console(file=stream),
        )
        self.task = self.bar.add_task("files", total=0, rate="0.0")
        self.started = time.monotonic()
        self.count = 0

    def start(self, total: int) -> None:
        """Show the bar."""
        self.started = time.monotonic()
        self.bar.update(self.task, total=total)
        self.bar.start()

    def advance(self, result: FileResult) -> None:
        """Move the bar; print failures above it."""
        self.count += 1
        rate = self.count / max(time.monotonic() - self.started, 1e-9)
        self.bar.update(self.task, advance=1, rate=f"{rate:.1f}")
        if result.status is Status.FAILED:
            self.bar.console.print(failure_line(result), markup=False, highlight=False)

    def finish(self) -> None:
        """Remove the bar."""
        self.bar.stop()


def make_progress(stream: TextIO, quiet: bool) -> Progress:
    """The display for a stream: quiet, rich on a terminal (if installed), else plain."""
    if quiet:
        return QuietProgress(stream)
    if stream.isatty():
        try:
            return RichProgress(stream)
        except ImportError:
            pass
    return PlainProgress(stream)
