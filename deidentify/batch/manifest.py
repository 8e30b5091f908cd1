"""What this tool wrote into an output folder: ``OUTPUT/.deidentify-manifest``, JSON lines.

One record per output, ``{"output": path below the folder, "bytes": size, "sha256": hex}``,
appended by the process that writes the output *before* it moves the output into place (one
``write`` of one line to a file opened for appending, so processes never interleave). So every
output on disk has its record, whatever stops the run; a record whose file is missing or
differs is simply not trusted. A later run counts a file at an output path as done only when
its size and SHA-256 are those recorded for that path (the last record wins).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from deidentify.batch.log import json_line

MANIFEST = ".deidentify-manifest"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Written:
    """One output as written: its size and SHA-256."""

    size: int
    sha256: str


def digest_of(path: Path) -> Written:
    """The size and SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return Written(size, digest.hexdigest())


def load_manifest(output: Path) -> dict[str, Written]:
    """The records of an output folder, output path -> the last one; damaged lines ignored."""
    records: dict[str, Written] = {}
    try:
        with open(output / MANIFEST, encoding="utf-8") as stream:
            for line in stream:
                try:
                    entry = json.loads(line)
                    records[str(entry["output"])] = Written(int(entry["bytes"]),
                                                            str(entry["sha256"]))
                except (ValueError, KeyError, TypeError):
                    continue
    except FileNotFoundError:
        pass
    return records


def is_ours(output: Path, relative: PurePosixPath | str,
            records: dict[str, Written] | None = None) -> bool:
    """Whether the file at ``relative`` is what this tool recorded writing there."""
    records = load_manifest(output) if records is None else records
    recorded = records.get(str(relative))
    path = output / relative
    try:
        if recorded is None or path.stat().st_size != recorded.size:
            return False
        return digest_of(path) == recorded
    except OSError:
        return False


class ManifestWriter:
    """Appends records to an output folder's manifest; one per process, opened on first use."""

    def __init__(self, output: Path) -> None:
        self.path = output / MANIFEST
        self._fd: int | None = None

    def record(self, relative: PurePosixPath | str, written: Written) -> None:
        """Append the record of an output about to be moved into place."""
        if self._fd is None:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.write(self._fd, json_line({"output": str(relative), "bytes": written.size,
                                      "sha256": written.sha256}))
