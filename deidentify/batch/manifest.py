"""What this tool wrote into an output folder: ``OUTPUT/.deidentify-manifest``, JSON lines.

One record per output, ``{"output": path below the folder, "bytes": size, "blake3": hex}``,
appended by the process that writes the output *before* it moves the output into place (one
``write`` of one line to a file opened for appending, so processes never interleave). So every
output on disk has its record, whatever stops the run; a record whose file is missing or
differs is simply not trusted. A later run counts a file at an output path as done only when
its size and digest are those recorded for that path (the last record wins). Records of
earlier versions carry ``"sha256"`` instead of ``"blake3"``: their files are checked by
SHA-256.

``Digest`` is the one definition of an output's record, used by every writer: the size and
BLAKE3 of the bytes given to it in order.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Protocol

from blake3 import blake3

from deidentify.batch.log import json_line

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

MANIFEST = ".deidentify-manifest"
BLAKE3 = "blake3"
"""The digest of the records this version writes."""
SHA256 = "sha256"
"""The digest of the records of earlier versions, still honoured."""
DIGEST_CHUNK = 1 << 20
"""Bytes read at a time to digest a file or a range of one, into one buffer that stays in the
core's cache (beside the kernel's copy of a 1 GB range, 1 MiB measured best; 4 MiB and more,
larger than the core's L2, slower)."""


class _Hash(Protocol):
    def update(self, data: ReadableBuffer, /) -> object: ...

    def hexdigest(self) -> str: ...


_HASHES: dict[str, Callable[[], _Hash]] = {BLAKE3: blake3, SHA256: hashlib.sha256}


@dataclass(frozen=True)
class Written:
    """One output as written: its size and the digest of its bytes by ``algorithm``."""

    size: int
    algorithm: str
    hexdigest: str


class Digest:
    """The size and digest by ``algorithm`` (BLAKE3 unless checking an earlier version's
    record) of the bytes given, in order, to ``update``."""

    def __init__(self, algorithm: str = BLAKE3) -> None:
        self.algorithm = algorithm
        self.size = 0
        self._hash = _HASHES[algorithm]()

    def update(self, data: ReadableBuffer) -> None:
        """Add bytes (the GIL is released while a large buffer is hashed)."""
        self._hash.update(data)
        self.size += memoryview(data).nbytes

    @property
    def written(self) -> Written:
        """The record of the bytes given so far."""
        return Written(self.size, self.algorithm, self._hash.hexdigest())


def digest_of(path: Path, algorithm: str = BLAKE3) -> Written:
    """The size and digest of a file, read in chunks into one buffer."""
    digest = Digest(algorithm)
    buffer = memoryview(bytearray(DIGEST_CHUNK))
    with open(path, "rb", buffering=0) as stream:
        while count := stream.readinto(buffer):
            digest.update(buffer[:count])
    return digest.written


def _parse(line: str) -> tuple[str, Written] | None:
    """The output path and record of one line; None if it is damaged."""
    try:
        entry = json.loads(line)
        if not isinstance(entry, dict):
            return None
        algorithm = BLAKE3 if BLAKE3 in entry else SHA256
        return str(entry["output"]), Written(int(entry["bytes"]), algorithm,
                                             str(entry[algorithm]))
    except (ValueError, KeyError, TypeError):
        return None


def load_manifest(output: Path) -> dict[str, Written]:
    """The records of an output folder, output path -> the last one; damaged lines ignored."""
    records: dict[str, Written] = {}
    try:
        with open(output / MANIFEST, encoding="utf-8") as stream:
            for line in stream:
                parsed = _parse(line)
                if parsed is not None:
                    records[parsed[0]] = parsed[1]
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
        return digest_of(path, recorded.algorithm) == recorded
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
                                      written.algorithm: written.hexdigest}))
