"""Benchmark of the free-text cleaner: what it costs where text is cleaned, and that files
with no C on text lose nothing.

In one run, on N copies of pydicom's CT_small.dcm (default 1000), each with a Study, Series
and Image description holding a name, a date and an age: ``deidentify apply --jobs 1`` under
the Basic Profile (no C on text) and under Clean Descriptors (every description cleaned),
each with this tree's runtime and, with ``--baseline TREE``, with another source tree's (say
a ``git worktree`` of the commit before the cleaner), the tools taking turns over
``--rounds`` and the fastest run counting. Then the cleaner alone on the labelled test corpus
(texts per second) and the one-off cost of its first call (patterns and word lists loaded).

    .venv/bin/python tools/bench_text.py [--files 1000] [--rounds 3] [--baseline TREE]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pydicom
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid

ROOT = Path(__file__).resolve().parent.parent
PROFILES = {
    "Basic (no C text)": "deidentify:",
    "Clean Descriptors": "deidentify:CleanDescriptorsOption",
}
TEXTS = (
    ("StudyDescription", "CT chest abdomen pelvis - 55F Dr. Whitfield"),
    ("SeriesDescription", "Ax 1.25mm lung, compare 2021-03-04"),
    ("ImageComments", "Contrast per protocol, tech: JS, call ext 4471 re results"),
)


def make_corpus(folder: Path, count: int) -> None:
    template = pydicom.dcmread(str(get_testdata_file("CT_small.dcm")))
    for keyword, text in TEXTS:
        setattr(template, keyword, text)
    for index in range(count):
        template.SOPInstanceUID = template.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        template.save_as(folder / f"ct{index:05d}.dcm", enforce_file_format=True)


def run_apply(tree: Path, profile: str, source: Path, target: Path, secret: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    argv = [sys.executable, "-m", "deidentify", "apply", "--quiet", "--jobs", "1", "--profile",
            profile, "--secret-file", str(secret), "--output", str(target), str(source)]
    started = time.perf_counter()
    subprocess.run(argv, check=True, env=env, cwd=tree, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def cleaner_speed() -> tuple[float, float, int]:
    """(seconds of the first call, texts per CPU second after it, corpus size)."""
    sys.path.insert(0, str(ROOT))
    from deidentify.text import clean
    from tests.text.corpus import corpus

    texts = [sample.text for sample in corpus()]
    started = time.perf_counter()
    clean(texts[0])
    first = time.perf_counter() - started
    started = time.process_time()
    for text in texts:
        clean(text)
    return first, len(texts) / (time.process_time() - started), len(texts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="another source tree to compare with")
    args = parser.parse_args()
    trees = {"this tree": ROOT}
    if args.baseline:
        trees["baseline"] = args.baseline.resolve()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        source = folder / "in"
        source.mkdir()
        make_corpus(source, args.files)
        secret = folder / "secret"
        secret.write_text(os.urandom(32).hex(), encoding="ascii")
        best: dict[tuple[str, str], float] = {}
        runs = 0
        for _ in range(args.rounds):
            for tree_name, tree in trees.items():
                for profile_name, profile in PROFILES.items():
                    runs += 1
                    target = folder / f"out-{runs}"
                    seconds = run_apply(tree, profile, source, target, secret)
                    key = (tree_name, profile_name)
                    best[key] = min(best.get(key, seconds), seconds)
    print(f"{args.files} CT_small files with three descriptions, --jobs 1, fastest of"
          f" {args.rounds}, start-up included")
    print(f"{'runtime':10} {'profile':20} {'s':>7} {'files/s':>8} {'vs baseline':>11}")
    for (tree_name, profile_name), seconds in best.items():
        base = best.get(("baseline", profile_name))
        ratio = f"{base / seconds:10.2f}x" if base else ""
        speed = args.files / seconds
        print(f"{tree_name:10} {profile_name:20} {seconds:7.2f} {speed:8.1f} {ratio}")
    first, speed, count = cleaner_speed()
    print(f"cleaner: first call {first * 1000:.0f} ms (patterns and word lists loaded),"
          f" then {speed:.0f} texts per CPU second on the {count} texts of the test corpus")
    return 0


if __name__ == "__main__":
    sys.exit(main())
