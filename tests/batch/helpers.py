"""Shared pieces of the batch tests: per-file functions, corpora and a real engine factory."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pydicom
from pydicom.data import get_testdata_file, get_testdata_files

from deidentify.batch import EngineFactory
from deidentify.batch.identity import RECORD
from deidentify.batch.lock import LOCK
from deidentify.batch.manifest import MANIFEST
from deidentify.profile import CompoundPolicy
from deidentify.uids import UIDScheme

SECRET = b"batch tests: a secret of more than sixteen bytes"
MARK = "BATCH^TEST"


def shipped(name: str) -> Path:
    """A file shipped with pydicom or pydicom-data."""
    path = get_testdata_file(name)
    assert path is not None, name
    return Path(str(path))


def shipped_files() -> list[Path]:
    """Every file pydicom and pydicom-data ship as test data (found offline)."""
    return sorted({Path(name) for name in get_testdata_files() if Path(name).is_file()})


def copy_corpus(names: Iterable[str], folder: Path) -> list[Path]:
    """Copy shipped files into ``folder`` (sub/<name> for every other one)."""
    copied = []
    for index, name in enumerate(names):
        target = folder / ("sub" if index % 2 else "") / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shipped(name), target)
        copied.append(target)
    return copied


def mark_file(source: Path, target: Path) -> None:
    """A trivial per-file function: set Patient's Name and write."""
    ds = pydicom.dcmread(source)
    ds.PatientName = MARK
    ds.save_as(target)


@dataclass(frozen=True)
class MarkFactory:
    """Builds ``mark_file``; counts how often it is built in a file, one line per call."""

    count_file: Path | None = None

    def __call__(self) -> Callable[[Path, Path], None]:
        if self.count_file is not None:
            with open(self.count_file, "a", encoding="ascii") as stream:
                stream.write(f"{os.getpid()}\n")
        return mark_file


class Interrupted(BaseException):
    """Raised by ``InterruptingFactory``'s function, as a Ctrl-C would be."""


@dataclass(frozen=True)
class InterruptingFactory:
    """A function that writes half a file and is interrupted after ``after`` files."""

    after: int

    def __call__(self) -> Callable[[Path, Path], None]:
        done = [0]

        def function(source: Path, target: Path) -> None:
            if done[0] == self.after:
                target.write_bytes(source.read_bytes()[:100])
                raise Interrupted
            done[0] += 1
            mark_file(source, target)

        return function


def engine_factory(**changes: object) -> EngineFactory:
    """The real engine under the Basic Profile with the tests' secret."""
    settings: dict[str, object] = {
        "profile_uri": "deidentify:",
        "edition": None,
        "policy": CompoundPolicy.CONFORMANT,
        "uid_scheme": UIDScheme.KEYED,
        "secret": SECRET,
    }
    settings.update(changes)
    return EngineFactory(**settings)  # type: ignore[arg-type]


def cli(*args: str | os.PathLike[str]) -> list[str]:
    """The command line of ``deidentify`` under this interpreter."""
    return [sys.executable, "-m", "deidentify", *(os.fspath(arg) for arg in args)]


def output_files(folder: Path) -> list[Path]:
    """Every output file under an output folder: not the run's record, manifest or lock, nor
    the temporary folder."""
    return sorted(p for p in folder.rglob("*") if p.is_file()
                  and p.name not in (RECORD, MANIFEST, LOCK)
                  and ".deidentify-tmp" not in p.parts)


@dataclass(frozen=True)
class DyingFactory:
    """A function whose process dies (as if killed) on the file named ``fatal``."""

    fatal: str

    def __call__(self) -> Callable[[Path, Path], None]:
        def function(source: Path, target: Path) -> None:
            if source.name == self.fatal:
                os._exit(9)
            mark_file(source, target)

        return function
