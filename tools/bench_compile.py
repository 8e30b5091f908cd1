"""Benchmark: compiling each pinned edition, beside parsing its XML alone (the baseline).

    python tools/bench_compile.py [--repeat N] [--json FILE]

Prints, per edition, the seconds of a bare lxml parse, of the full read into the model, and
of rendering the edition's package, with the ratio of compile to parse, all from one run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

import jinja2
from lxml import etree

from compiler.build import compile_file
from compiler.render import environment, render_edition
from compiler.sources import PinnedEdition, load_manifest, obtain


def best_of(repeat: int, work: Callable[[], object]) -> float:
    """The fastest of ``repeat`` timed runs, in seconds."""
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return min(timings)


@dataclass(frozen=True)
class Timing:
    """Best-of timings of one edition, in seconds."""

    edition: str
    rows: int
    parse_s: float
    compile_s: float
    render_s: float

    @property
    def ratio(self) -> float:
        """Compile time over bare parse time."""
        return self.compile_s / self.parse_s


def measure(pinned: PinnedEdition, env: jinja2.Environment, repeat: int) -> Timing:
    """Parse, compile and render timings of one edition."""
    path = obtain(pinned)
    edition = compile_file(path, pinned)
    parse = best_of(repeat, partial(etree.parse, str(path)))
    compile_ = best_of(repeat, partial(compile_file, path, pinned))
    render = best_of(repeat, partial(render_edition, env, edition))
    return Timing(pinned.name, edition.source_rows, parse, compile_, render)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    env = environment()
    print(f"{'edition':8} {'rows':>5} {'parse s':>8} {'compile s':>9} {'render s':>8} {'ratio':>6}")
    results = []
    for pinned in load_manifest():
        row = measure(pinned, env, args.repeat)
        results.append(row)
        print(f"{row.edition:8} {row.rows:5} {row.parse_s:8.3f} {row.compile_s:9.3f}"
              f" {row.render_s:8.3f} {row.ratio:6.2f}")
    ratios = [row.ratio for row in results]
    print(f"median compile/parse ratio: {statistics.median(ratios):.2f}")
    if args.json:
        rows = [asdict(row) | {"compile_to_parse": row.ratio} for row in results]
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
