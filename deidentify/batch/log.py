"""The JSON-lines log of a run: one record per input file, written as results arrive.

Each record: ``root`` (the input as given), ``input`` (path relative to it), ``output`` (path
relative to the output folder, or null), ``status`` (ok, skipped, failed) and ``reason``
(null when ok). Paths are the user's own; no value read from a file is ever recorded.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from types import TracebackType
from typing import TextIO

from deidentify.batch.results import FileResult


def record(result: FileResult) -> dict[str, str | None]:
    """The log record of one result."""
    return {
        "root": result.root,
        "input": result.input,
        "output": result.output,
        "status": result.status.value,
        "reason": result.reason,
    }


class LogError(Exception):
    """The log file cannot be created or written; the message names it."""

    def __init__(self, path: Path, error: OSError) -> None:
        super().__init__(f"{path}: cannot write the log ({error.strerror or 'I/O error'})")
        self.path = path


class JsonLinesLog:
    """An open log file; each record is flushed so an interrupted run keeps its log.

    LogError when the file cannot be created or a record cannot be written (a full disk).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._stream: TextIO = open(path, "w", encoding="utf-8")  # noqa: SIM115
        except OSError as error:
            raise LogError(path, error) from None

    def write(self, result: FileResult) -> None:
        """Append one record."""
        try:
            self._stream.write(json.dumps(record(result), ensure_ascii=False) + "\n")
            self._stream.flush()
        except OSError as error:
            raise LogError(self.path, error) from None

    def close(self) -> None:
        """Close the file (a record that could not be written is not retried)."""
        with contextlib.suppress(OSError):
            self._stream.close()

    def __enter__(self) -> JsonLinesLog:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
