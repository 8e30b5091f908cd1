"""The JSON-lines log of a run: one record per input file, written as results arrive.

Each record: ``root`` (the input as given), ``input`` (path relative to it), ``output`` (path
relative to the output folder, or null), ``status`` (ok, skipped, failed) and ``reason``
(null when ok); for an object at risk of burned-in identity that was written, ``pixels``:
``action`` (accepted or cleaned), ``frames``, ``regions`` blanked and their count by
``rules`` (never the text). Paths are the user's own; no value read from a file is ever recorded.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import TracebackType
from typing import TextIO

from deidentify.batch.results import FileResult


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


class JsonLinesLog:
    """An open log file; each record is flushed so an interrupted run keeps its log."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._stream: TextIO = open(path, "w", encoding="utf-8")  # noqa: SIM115

    def write(self, result: FileResult) -> None:
        """Append one record."""
        self._stream.write(json.dumps(record(result), ensure_ascii=False) + "\n")
        self._stream.flush()

    def close(self) -> None:
        """Close the file."""
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
