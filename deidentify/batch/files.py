"""The per-file de-identification a run applies: a function of (input path, output path).

A run takes a picklable factory of such functions; each worker process calls it once, so
the plan is built once per process. ``EngineFactory`` gives the engine's function: the
streaming path for large Pixel Data (memory bounded whatever the size), else the fast path
where it accepts the file, else the reference path (read whole, apply, write). All three
write the same bytes, and all three refuse an input whose element structure is inconsistent
(:mod:`deidentify.structure`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import BinaryIO, cast

from deidentify.batch.identity import RunIdentity, run_identity
from deidentify.batch.manifest import Written
from deidentify.batch.output import DigestingOutput
from deidentify.batch.reading import HEAD_BYTES, Kind, kind_of, read_whole
from deidentify.batch.results import DICOMDIR_DROPPED, TRUNCATED, FileFailed
from deidentify.batch.streaming import STREAM_THRESHOLD, deidentify_streaming
from deidentify.beyond import UnknownPolicy
from deidentify.engine import NESTED_TOO_DEEPLY, Deidentifier
from deidentify.fastpath import fast_deidentify_file
from deidentify.fastpath.source import SourceFile
from deidentify.inflation import DEFAULT_LIMIT, InflationLimit
from deidentify.linkage.hook import Replacements
from deidentify.linkage.settings import LinkageSettings
from deidentify.pixels import PixelSettings
from deidentify.plan import CompoundPolicy, Plan
from deidentify.profile import parse_profile
from deidentify.structure import CorruptStructure
from deidentify.uids import UIDScheme

FileNotes = dict[str, object] | None
"""What a per-file function adds to the file's log record: what was done to the pixels of
an object at risk of burned-in identity (``pixels.Outcome.record``), or None."""


@dataclass(frozen=True)
class FileOutcome:
    """What a per-file function reports of a file it wrote: the replacements it made (for
    linkage files, when they are noted), the notes for its log record and, when it has them,
    the input's size and the output's size and digest as written (else the worker reads
    them from the files)."""

    replacements: Replacements | None = None
    notes: FileNotes = None
    input_bytes: int | None = None
    written: Written | None = None


FileFunction = Callable[[Path, Path], FileOutcome | None]
"""Writes the de-identified ``source`` to ``target`` completely, or raises; what it reports
of the file (None: nothing)."""

FileFunctionFactory = Callable[[], FileFunction]
"""Builds a FileFunction; called once per worker process. Must be picklable."""


def deidentify_one(
    deid: Deidentifier,
    source: Path,
    target: Path,
    *,
    fast: bool,
    dicomdir_reason: str,
    inflation: InflationLimit,
) -> FileOutcome:
    """De-identify one file by the first path that takes it; the replacements it made, what
    was done to its pixels and the sizes. FileFailed if its sequences are nested deeper than
    the readers and the engine (all recursive) can follow, or if its element structure is
    inconsistent.

    The input is opened once: a small file is read whole, its kind told from its first
    bytes and the same bytes given to the fast path, whose output is digested as written.
    """
    try:
        with SourceFile(source) as opened:
            kind = kind_of(_head(opened), source, dicomdir_reason)
            streamed = deidentify_streaming(deid, source, target, kind, inflation, opened.size)
            if streamed is not None:
                return _outcome(deid, opened.size, streamed)
            if fast and kind is Kind.PART10:
                with DigestingOutput(target) as output:
                    if fast_deidentify_file(deid, opened, cast(BinaryIO, output)):
                        return _outcome(deid, opened.size, output.written)
        ds = read_whole(source, kind, inflation)
        deid.apply(ds)
        with open(target, "wb") as stream:
            deid.write(ds, stream)
        return _outcome(deid, opened.size)
    except RecursionError:
        raise FileFailed(NESTED_TOO_DEEPLY) from None
    except CorruptStructure as error:
        raise FileFailed(TRUNCATED if error.truncated else str(error)) from None


def _head(opened: SourceFile) -> bytes:
    """The first bytes of an input, from its buffer when that is read anyway (a file that
    the streaming path does not take)."""
    if opened.size > STREAM_THRESHOLD:
        return os.pread(opened.fd, HEAD_BYTES, 0)
    return bytes(opened.buffer[:HEAD_BYTES])


def _outcome(deid: Deidentifier, input_bytes: int, written: Written | None = None
             ) -> FileOutcome:
    pixel_outcome = deid.last_outcome
    return FileOutcome(deid.linkage.taken(),
                       None if pixel_outcome is None else pixel_outcome.record(),
                       input_bytes, written)


@dataclass(frozen=True)
class EngineFactory:
    """Everything a worker needs to build the engine's per-file function."""

    profile_uri: str
    edition: str | None
    policy: CompoundPolicy
    uid_scheme: UIDScheme
    secret: bytes = field(repr=False)
    fast: bool = True
    dicomdir_reason: str = DICOMDIR_DROPPED
    unknown: UnknownPolicy = UnknownPolicy.REMOVE
    inflation: InflationLimit = DEFAULT_LIMIT
    linkage: LinkageSettings = field(default_factory=LinkageSettings)
    pixels: PixelSettings = field(default_factory=PixelSettings)

    @property
    def identity(self) -> RunIdentity:
        """The settings an output folder records for this run."""
        return run_identity(self.profile_uri, self.edition or "", self.policy.value,
                            self.uid_scheme.value, self.secret, self.unknown.value,
                            self.linkage.identity(self.secret), self.pixels)

    def deidentifier(self) -> Deidentifier:
        """The engine for this run's profile, policy, unknown-element setting, scheme,
        secret, linkage and pixel settings."""
        plan = Plan.build(parse_profile(self.profile_uri, self.edition), self.policy,
                          self.unknown)
        return Deidentifier(plan, self.secret, uid_scheme=self.uid_scheme,
                            linkage=self.linkage.build(self.secret), pixel_settings=self.pixels)

    def __call__(self) -> FileFunction:
        return partial(
            deidentify_one,
            self.deidentifier(),
            fast=self.fast,
            dicomdir_reason=self.dicomdir_reason,
            inflation=self.inflation,
        )
