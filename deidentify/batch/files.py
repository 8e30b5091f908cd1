"""The per-file de-identification a run applies: a function of (input path, output path).

A run takes a picklable factory of such functions; each worker process calls it once, so
the plan is built once per process. ``EngineFactory`` holds the engine's settings and gives
its function (:mod:`deidentify.batch.one_file`). This module imports neither pydicom nor the
engine: a run's main process makes the factory and hands it to the workers, which import
them when they call it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from deidentify.batch.identity import RunIdentity, run_identity
from deidentify.batch.manifest import Written
from deidentify.batch.results import DICOMDIR_DROPPED
from deidentify.beyond.unknown import UnknownPolicy
from deidentify.inflation import DEFAULT_LIMIT, InflationLimit
from deidentify.linkage.replacements import Replacements
from deidentify.linkage.settings import LinkageSettings
from deidentify.pixels.settings import PixelSettings

if TYPE_CHECKING:
    from deidentify.engine import Deidentifier
    from deidentify.profile import CompoundPolicy
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
    names: tuple[object, ...] = ()
    """The input's naming values (``Deidentifier.last_names``), which a mirrored output path
    may not hold (``layout.holds_names``); they never leave the worker."""


FileFunction = Callable[[Path, Path], FileOutcome | None]
"""Writes the de-identified ``source`` to ``target`` completely, or raises; what it reports
of the file (None: nothing)."""

FileFunctionFactory = Callable[[], FileFunction]
"""Builds a FileFunction; called once per worker process. Must be picklable."""


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
        from deidentify.batch.one_file import build_engine

        return build_engine(self)

    def __call__(self) -> FileFunction:
        from deidentify.batch.one_file import engine_function

        return engine_function(self)


def import_engine() -> None:
    """Import the engine's paths (and pydicom) now, for a run that applies them in this
    process: the hash that checks the run's secret, computed in a background thread
    (``deidentify.secrets.check_ahead``), then runs beside the import instead of before it."""
    import deidentify.batch.one_file  # noqa: F401
