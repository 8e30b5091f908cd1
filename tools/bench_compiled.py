"""The fast path's stages per file, its compiled modules against their pure Python sources.

N copies of pydicom's CT_small.dcm (tools/bench.py's corpus) go through the stages of
``deidentify.fastpath.apply.encode_file`` (layout, the structural check's walk that records
it; read; apply; encode), then the whole fast path with the output written
(``fast_deidentify_file``). Each round runs two child
processes in turn, one with the compiled modules and one with ``DEIDENTIFY_PURE_PYTHON=1``;
each child goes over the files once to warm up, then ``PASSES`` times, timing each stage as
the CPU time of its thread (time taken by other processes on a busy machine is not counted)
and keeping each file's fastest pass. Reported: the best round of each form, in
microseconds of CPU per file, and their ratio.

    .venv/bin/python tools/bench_compiled.py [--files 200] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STAGES = ("layout", "read", "apply", "encode")
FORMS = ("pure", "compiled")
PASSES = 3
"""Timed passes over the files in each child; each file's fastest pass counts."""


def _child(folder: Path) -> None:
    """Time the stages over the files of ``folder``; print the microseconds per file."""
    from deidentify import compiled
    from deidentify.batch.files import EngineFactory
    from deidentify.fastpath import fast_deidentify_file, reading, writing
    from deidentify.fastpath.layout import read_layout
    from deidentify.fastpath.source import SourceFile
    from deidentify.fastpath.view import view_for
    from deidentify.profile import CompoundPolicy
    from deidentify.uids import UIDScheme

    factory = EngineFactory("deidentify:", None, CompoundPolicy.CONFORMANT, UIDScheme.KEYED,
                            b"benchmark secret, not a real one")
    deidentifier = factory.deidentifier()
    view = view_for(deidentifier)
    paths = sorted(folder.glob("*.dcm"))
    sources = [SourceFile(path) for path in paths]
    clock = time.thread_time
    best = [[float("inf")] * len(STAGES) for _ in sources]
    for number in range(PASSES + 1):
        for source, fastest in zip(sources, best, strict=True):
            t0 = clock()
            layout = read_layout(source.buffer)
            t1 = clock()
            result = reading.read(source, layout, view)
            t2 = clock()
            deidentifier.apply(result.dataset, shared=True)
            t3 = clock()
            writing.encode(result, source)
            t4 = clock()
            if number:
                for index, spent in enumerate((t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
                    fastest[index] = min(fastest[index], spent)
    for source in sources:
        source.close()
    target = folder.parent / f"out-{os.getpid()}.dcm"
    whole = [float("inf")] * len(paths)
    for number in range(PASSES + 1):
        for index, path in enumerate(paths):
            start = clock()
            if not fast_deidentify_file(deidentifier, path, target):
                raise SystemExit(f"bench: the fast path declined {path.name}")
            if number:
                whole[index] = min(whole[index], clock() - start)
    target.unlink()
    totals = {stage: sum(fastest[index] for fastest in best)
              for index, stage in enumerate(STAGES)}
    totals["whole file"] = sum(whole)
    figures = {stage: spent / len(paths) * 1e6 for stage, spent in totals.items()}
    print(json.dumps({"compiled": compiled.running_compiled(), "figures": figures}))


def _run(form: str, folder: Path) -> tuple[list[str], dict[str, float]]:
    environment = dict(os.environ)
    environment.pop("DEIDENTIFY_PURE_PYTHON", None)
    if form == "pure":
        environment["DEIDENTIFY_PURE_PYTHON"] = "1"
    output = subprocess.run([sys.executable, __file__, "--child", str(folder)], check=True,
                            capture_output=True, text=True, env=environment).stdout
    result = json.loads(output)
    return list(result["compiled"]), dict(result["figures"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        _child(options.child)
        return
    sys.path.insert(0, str(Path(__file__).parent))
    import bench

    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        bench.make_small_corpus(folder, options.files)
        best: dict[str, dict[str, float]] = {form: {} for form in FORMS}
        modules: dict[str, list[str]] = {}
        for _ in range(options.rounds):
            for form in FORMS:
                modules[form], figures = _run(form, folder / "ct")
                for stage, spent in figures.items():
                    best[form][stage] = min(best[form].get(stage, spent), spent)
    if not modules["compiled"]:
        print("bench: no compiled module is installed (pip install -e . with a C compiler)")
    print(f"{options.files} CT_small copies, best of {options.rounds} rounds, CPU us per file;"
          f" load average {os.getloadavg()[0]:.1f}")
    print(f"compiled: {', '.join(modules['compiled']) or 'none'}")
    print(f"{'stage':12} {'pure':>9} {'compiled':>9} {'ratio':>6}")
    pure, built = best["pure"], best["compiled"]
    pure["stages"] = sum(pure[stage] for stage in STAGES)
    built["stages"] = sum(built[stage] for stage in STAGES)
    for stage in (*STAGES, "stages", "whole file"):
        print(f"{stage:12} {pure[stage]:9.1f} {built[stage]:9.1f} "
              f"{built[stage] / pure[stage]:6.2f}")


if __name__ == "__main__":
    main()
