"""The UIDs the node has issued: pseudonym -> original, for queries by pseudonymous UID; and
the patient pseudonyms it issued (-> the patient's identity key), so that an object carrying
one is given that pseudonym again.

The keyed UID mapping is one-way, so a query that names a pseudonymous UID can only be
translated back if the node remembers what it issued. The table lives in memory and, when a
file is configured, in SQLite as well (loaded at start, appended as UIDs are issued). The file
holds original UIDs and Patient IDs: it is created readable by its owner only and must be
protected like the secret.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

_SCHEMA = "CREATE TABLE IF NOT EXISTS issued (pseudonym TEXT PRIMARY KEY, original TEXT NOT NULL)"


class IssuedUIDs:
    """A thread-safe reverse lookup table of the UIDs the node issued."""

    def __init__(self, path: str | Path | None = None) -> None:
        self._lock = threading.Lock()
        self._originals: dict[str, str] = {}
        self._db: sqlite3.Connection | None = None
        if path is not None:
            self._db = _open(Path(path))
            rows = self._db.execute("SELECT pseudonym, original FROM issued").fetchall()
            self._originals.update((str(pseudonym), str(original)) for pseudonym, original in rows)

    def record(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Remember (pseudonym, original) pairs."""
        with self._lock:
            fresh = [(p, o) for p, o in pairs if self._originals.get(p) != o]
            if not fresh:
                return
            self._originals.update(fresh)
            if self._db is not None:
                with self._db:
                    self._db.executemany("INSERT OR REPLACE INTO issued VALUES (?, ?)", fresh)

    def original(self, pseudonym: str) -> str | None:
        """The original UID the node mapped to this pseudonym, if it issued it."""
        with self._lock:
            return self._originals.get(pseudonym)

    def __len__(self) -> int:
        with self._lock:
            return len(self._originals)

    def close(self) -> None:
        """Close the SQLite file, if any."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


def _open(path: Path) -> sqlite3.Connection:
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    db = sqlite3.connect(path, check_same_thread=False)
    db.execute(_SCHEMA)
    db.commit()
    return db
