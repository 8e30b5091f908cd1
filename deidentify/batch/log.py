"""The JSON-lines log of a run: one record per input file, written as results arrive.

Each record: ``root`` (the input as given), ``input`` (path relative to it), ``output`` (path
relative to the output folder, or null), ``status`` (ok, skipped, failed) and ``reason``
(null when ok); for an object at risk of burned-in identity that was written, ``pixels``:
``action`` (accepted or cleaned), ``frames``, ``regions`` blanked and their count by
``rules`` (never the text). Paths are the user's own; no value read from a file is ever
recorded.

The process that finishes a file writes its record, right after moving the output into
place: one ``write`` of one line to the file opened for appending, so worker processes never
interleave and a record is on disk as soon as its output is, whatever stops the run later.
"""

from __future__ import annotations

import errno
import json
import os
from dataclasses import replace
from pathlib import Path
from types import TracebackType

from deidentify.batch.results import FileResult


def json_line(document: object) -> bytes:
    """One JSON line in UTF-8; a path that is not valid UTF-8 (a file name's undecodable
    bytes, kept by Python as lone surrogates) is written with ``\\u`` escapes instead."""
    try:
        return (json.dumps(document, ensure_ascii=False) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(document) + "\n").encode("ascii")


def record(result: FileResult) -> dict[str, object]:
    """The log record of one result."""
    entry: dict[str, object] = {
        "root": result.root,
        "input": result.input,
        "output": result.output,
        "status": result.status.value,
        "reason": result.reason,
    }
    if result.pixels is not None:
        entry["pixels"] = result.pixels
    return entry


class LogError(Exception):
    """The log file cannot be created or written; the message names it."""

    def __init__(self, path: Path, error: OSError) -> None:
        super().__init__(f"{path}: cannot write the log ({error.strerror or 'I/O error'})")
        self.path = path


class JsonLinesLog:
    """A log file open for appending records (``truncate``: emptied first, by the run).

    LogError when the file cannot be opened or a record cannot be written (a full disk).
    """

    def __init__(self, path: Path, truncate: bool = False) -> None:
        self.path = path
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | (os.O_TRUNC if truncate else 0)
        try:
            if truncate:
                path.parent.mkdir(parents=True, exist_ok=True)
            self._fd: int | None = os.open(path, flags, 0o644)
        except OSError as error:
            raise LogError(path, error) from None

    def write(self, result: FileResult) -> None:
        """Append one record."""
        if self._fd is None:
            raise ValueError("the log is closed")
        line = json_line(record(result))
        try:
            if os.write(self._fd, line) != len(line):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        except OSError as error:
            raise LogError(self.path, error) from None

    def close(self) -> None:
        """Close the file."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> JsonLinesLog:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


class ResultLog:
    """The records of results, appended to a log opened on first use (``None``: no log).

    A record that cannot be written is said in the result's ``log_error``, never raised.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._log: JsonLinesLog | None = None

    def record(self, result: FileResult) -> FileResult:
        """Write ``result``'s record; the result, with ``log_error`` set if that failed."""
        if self.path is None:
            return result
        try:
            if self._log is None:
                self._log = JsonLinesLog(self.path)
            self._log.write(result)
        except LogError as error:
            return replace(result, log_error=str(error))
        return result
