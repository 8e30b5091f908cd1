"""The word lists shipped in deidentify/text/data/ are what their sources give."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from deidentify.text import vocabulary

ROOT = Path(__file__).resolve().parents[2]
SCOWL = Path("/usr/share/dict/american-english-small")


def test_the_shipped_lists_are_rebuilt_identically() -> None:
    if not SCOWL.exists():
        pytest.skip(f"{SCOWL} missing: apt-get install wamerican-small (.ci/run installs it)")
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_text_lexicons.py"), "--check"],
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr


def test_the_lists_hold_what_the_cleaner_relies_on() -> None:
    names, english, clinical = vocabulary.names(), vocabulary.english(), vocabulary.clinical()
    assert {"smith", "garcia", "nguyen", "kowalski", "tanaka", "okafor", "sharma"} <= names
    assert {"will", "grant", "brown", "mark"} <= english & names
    assert {"chest", "mass", "foley", "doppler", "adipose"} <= clinical
    assert vocabulary.fold("Müller") == "muller"
