"""No output written as ``ok`` holds an identifying value of its input, whatever the damage.

A few hundred seeded mutants (:mod:`tests.fuzz.mutants`) go through ``deidentify apply``'s
runner, with and without the fast path, under the Basic Profile. Every output the run
reports as done is searched, byte by byte, for every planted value (ASCII and UTF-16).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pydicom
import pytest
from pydicom.datadict import dictionary_VR

from deidentify.batch import BatchOptions, run_batch
from tests.batch.helpers import engine_factory
from tests.fuzz.mutants import MUTANTS_PER_SOURCE, SOURCES, Planted, write_mutants


def _holder(path: Path, needle: bytes) -> str:
    """Where a leaked value sits, for the failure message: an unknown public element, one
    with a VR the dictionary contradicts (both the engine's rules beyond the table), or
    elsewhere (the structure check let through a layout readers see differently)."""
    try:
        ds = pydicom.dcmread(path, force=True)
        elements = list(ds.iterall())
    except Exception:
        return "an unreadable output"
    for element in elements:
        value = element.value
        text = value if isinstance(value, bytes) else str(value).encode("latin-1", "replace")
        if needle not in text:
            continue
        try:
            vr = dictionary_VR(element.tag)
        except KeyError:
            return "an unknown element" if not element.tag.is_private else "a private element"
        return "an element of a wrong VR" if element.VR not in vr else "a known element"
    return "the raw bytes"


def _leaks(out: Path, log: Path, planted: dict[str, tuple[str, Planted]]
           ) -> tuple[Counter[str], list[str]]:
    statuses: Counter[str] = Counter()
    leaks = []
    for line in log.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        statuses[record["status"]] += 1
        if record["status"] != "ok":
            continue
        kind, identity = planted[record["input"]]
        written = out / record["output"]
        data = written.read_bytes()
        for needle in identity.needles():
            if needle in data:
                leaks.append(f"{record['input']} ({kind}): a planted value in"
                             f" {_holder(written, needle)}")
                break
    return statuses, leaks


@pytest.mark.parametrize("fast", [True, False])
def test_no_ok_output_of_a_mutant_holds_an_identifying_value(tmp_path: Path,
                                                            fast: bool) -> None:
    planted = write_mutants(tmp_path / "in")
    assert len(planted) == len(SOURCES) * (MUTANTS_PER_SOURCE + 1)
    log = tmp_path / "log.jsonl"
    out = tmp_path / "out"
    run_batch(BatchOptions(inputs=(tmp_path / "in",), output=out, log=log),
              engine_factory(fast=fast))
    statuses, leaks = _leaks(out, log, planted)
    assert sum(statuses.values()) == len(planted)
    intact = [name for name, (kind, _) in planted.items() if kind == "intact"]
    assert all((out / name).is_file() for name in intact)
    assert statuses["ok"] >= len(intact) + 20, statuses
    assert leaks == []
