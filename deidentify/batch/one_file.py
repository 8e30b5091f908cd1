"""One file through the first of the engine's paths that takes it: streaming, fast, reference.

In: an ``EngineFactory``'s settings, then an input and an output path per call. Out: the
output written completely and a ``FileOutcome``, or an exception saying why not. The
streaming path takes large Pixel Data (memory bounded whatever the size), else the fast path
a file it accepts, else the reference path (read whole, apply, write). All three write the
same bytes, and all three refuse an input whose element structure is inconsistent
(:mod:`deidentify.structure`).
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, cast

from deidentify.batch.files import FileFunction, FileOutcome
from deidentify.batch.manifest import Written
from deidentify.batch.output import DigestingOutput
from deidentify.batch.reading import HEAD_BYTES, Kind, kind_of, read_whole
from deidentify.batch.results import TRUNCATED, FileFailed
from deidentify.batch.streaming import STREAM_THRESHOLD, deidentify_streaming
from deidentify.engine import NESTED_TOO_DEEPLY, Deidentifier
from deidentify.fastpath import fast_deidentify_file
from deidentify.fastpath.source import SourceFile
from deidentify.inflation import InflationLimit
from deidentify.plan import Plan
from deidentify.profile import parse_profile
from deidentify.structure import CorruptStructure

if TYPE_CHECKING:
    from deidentify.batch.files import EngineFactory


def build_engine(settings: EngineFactory) -> Deidentifier:
    """The engine for a run's profile, policy, unknown-element setting, scheme, secret,
    linkage and pixel settings."""
    plan = Plan.build(parse_profile(settings.profile_uri, settings.edition), settings.policy,
                      settings.unknown)
    return Deidentifier(plan, settings.secret, uid_scheme=settings.uid_scheme,
                        linkage=settings.linkage.build(settings.secret),
                        pixel_settings=settings.pixels)


def engine_function(settings: EngineFactory) -> FileFunction:
    """The per-file function of a run: its engine built once, applied by ``deidentify_one``."""
    return partial(deidentify_one, build_engine(settings), fast=settings.fast,
                   dicomdir_reason=settings.dicomdir_reason, inflation=settings.inflation)


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
            if fast and kind in (Kind.PART10, Kind.RAW):
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
                       input_bytes, written, deid.last_names)
