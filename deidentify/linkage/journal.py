"""Linkage files: ``patients.csv`` and ``uids.csv``, the replacements the outputs carry.

In: each output's replacements (``Replacements``), appended by the process that wrote the
output to its own journal file before the output is moved into place, with the output's
path. Out (``write_linkage_files``, at the end of every run): ``patients.csv`` (original
Patient ID -> new Patient ID; an object without Patient ID has an empty ``id_old``) and
``uids.csv`` (original UID -> replacement UID, at every depth, File Meta included), each with
the header ``id_old,id_new``, one row per distinct pair, sorted, written atomically with mode
0600. Only pairs of outputs that exist are listed, so a run that was killed and resumed into
the same output and linkage folders lists exactly what the outputs hold: an output written
before the kill has its pairs journalled already, one that was not is redone.

The journal files (``.journal/`` in the linkage folder, one per process and run) are kept
for later resumed runs; like the linkage files they identify patients.
"""

from __future__ import annotations

import csv
import io
import os
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path

from deidentify.atomic import atomic_output
from deidentify.linkage.replacements import Pair, Replacements

PATIENTS_FILE = "patients.csv"
UIDS_FILE = "uids.csv"
JOURNAL_FOLDER = ".journal"
HEADER = ("id_old", "id_new")
_PATIENT, _UID = "patient", "uid"


def _private_folder(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


class Journal:
    """This process's journal file in a linkage folder, opened on first use (thread-safe)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._fd: int | None = None
        self._lock = threading.Lock()

    def append(self, output: str, replacements: Replacements) -> None:
        """Note the replacements of one output (its path relative to the output folder)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerows((_PATIENT, output, old, new) for old, new in replacements.patients)
        writer.writerows((_UID, output, old, new) for old, new in replacements.uids)
        with self._lock:
            if self._fd is None:
                journal = self.folder / JOURNAL_FOLDER
                _private_folder(self.folder)
                _private_folder(journal)
                name = f"{os.getpid()}-{secrets.token_hex(4)}.csv"
                self._fd = os.open(journal / name, os.O_WRONLY | os.O_CREAT | os.O_APPEND,
                                   0o600)
            os.write(self._fd, buffer.getvalue().encode("utf-8", "surrogateescape"))

    def close(self) -> None:
        """Close the journal file."""
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


def _records(folder: Path) -> Iterator[list[str]]:
    journal = folder / JOURNAL_FOLDER
    if not journal.is_dir():
        return
    for path in sorted(journal.glob("*.csv")):
        with open(path, encoding="utf-8", errors="surrogateescape", newline="") as stream:
            for row in csv.reader(stream):
                if len(row) == 4:
                    yield row


def _write(path: Path, pairs: set[Pair]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(sorted(pairs))
    with atomic_output(path) as stream:
        stream.write(buffer.getvalue().encode("utf-8", "surrogateescape"))
    os.chmod(path, 0o600)


def write_linkage_files(folder: Path, output: Path) -> tuple[int, int]:
    """Write ``patients.csv`` and ``uids.csv`` from the journal, for the outputs that exist
    in ``output``; the numbers of patient and UID pairs."""
    _private_folder(folder)
    patients: set[Pair] = set()
    uids: set[Pair] = set()
    exists: dict[str, bool] = {}
    for kind, target, old, new in _records(folder):
        present = exists.get(target)
        if present is None:
            present = exists[target] = (output / target).is_file()
        if present:
            (patients if kind == _PATIENT else uids).add((old, new))
    _write(folder / PATIENTS_FILE, patients)
    _write(folder / UIDS_FILE, uids)
    return len(patients), len(uids)
