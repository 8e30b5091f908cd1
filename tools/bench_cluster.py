"""Benchmark of ``deidentify apply --cluster`` against local ``--jobs``, as ratios in one run.

Inputs: N copies of pydicom's CT_small.dcm, each with its own study, series and instance UIDs
(and a quarter of them as a second, smaller corpus). Each mode is a ``deidentify apply``
command (wall time, interpreter start-up included), the modes taking turns in every round,
the fastest of the rounds kept:

- ``--jobs 1`` and ``--jobs 2``: this machine's worker processes;
- ``--cluster tcp://...`` with 1 and 2 workers: a Dask scheduler and worker processes of one
  thread on 127.0.0.1, started once by this script and warm (as a standing cluster is);
- ``--cluster local:2``: the command starts its own cluster (start-up included).

Measured per command: wall time, and CPU time of every process that works for it (the
command and its children; the standing cluster's workers and scheduler), which the other
load of a shared machine does not inflate. The cost per file of each mode is the slope
between the two corpus sizes (fixed costs such as start-up and connecting cancel out); the
cluster's overhead per file is its cost per file minus that of the local mode with as many
processes.

    PYTHONPATH=. .venv/bin/python tools/bench_cluster.py [--files 2000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import distributed
import pydicom
import pydicom.data
from pydicom.uid import generate_uid

SECRET_HEX = "62656e63686d61726b207365637265742c206e6f742061207265616c206f6e65"


def make_inputs(folder: Path, count: int) -> None:
    """``count`` copies of CT_small.dcm with distinct UIDs."""
    template = pydicom.dcmread(str(pydicom.data.get_testdata_file("CT_small.dcm")))
    folder.mkdir(parents=True)
    for index in range(count):
        template.StudyInstanceUID = generate_uid()
        template.SeriesInstanceUID = generate_uid()
        template.SOPInstanceUID = template.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        template.save_as(folder / f"ct{index:05d}.dcm", enforce_file_format=True)


@contextlib.contextmanager
def standing_cluster(workers: int) -> Iterator[tuple[str, distributed.Client | None]]:
    """A scheduler and ``workers`` worker processes of one thread on 127.0.0.1: its address
    and a client to ask the workers their CPU time."""
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=":0",
                                  silence_logs=logging.ERROR) as cluster, \
            distributed.Client(cluster, set_as_default=False) as client:
        yield cluster.scheduler_address, client


def _process_cpu() -> float:
    return sum(os.times()[:2])


def _cpu(workers: distributed.Client | None) -> tuple[float, float, float]:
    """CPU seconds so far of this process's reaped children (the command, with its own
    children), of this process (the standing clusters' schedulers) and of the standing
    cluster's workers."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    per_worker: dict[str, float] = workers.run(_process_cpu) if workers is not None else {}
    return (children.ru_utime + children.ru_stime, time.process_time(),
            sum(per_worker.values()))


def timed(argv: list[str], workers: distributed.Client | None) -> tuple[float, ...]:
    """Wall seconds, then the CPU seconds of the command, the schedulers and the workers, of
    one command, which must succeed."""
    start, before = time.perf_counter(), _cpu(workers)
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    after = _cpu(workers)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)}: exit {done.returncode}: {done.stderr.strip()}")
    return (seconds, *(end - begin for begin, end in zip(before, after, strict=True)))


def main() -> int:
    """Run the modes and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=2000, help="CT_small copies (2000)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds, fastest kept (2)")
    args = parser.parse_args()
    command = [sys.executable, "-m", "deidentify", "apply"]
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as scratch, \
            standing_cluster(1) as (one, one_workers), standing_cluster(2) as (two, two_workers):
        base = Path(scratch)
        secret = base / "secret"
        secret.write_text(SECRET_HEX, encoding="ascii")
        sizes = {"large": args.files, "small": max(1, args.files // 4)}
        for name, count in sizes.items():
            make_inputs(base / name, count)
        modes: dict[str, tuple[list[str], distributed.Client | None]] = {
            "--jobs 1": (["--jobs", "1"], None),
            "--jobs 2": (["--jobs", "2"], None),
            "cluster, 1 worker": (["--cluster", one], one_workers),
            "cluster, 2 workers": (["--cluster", two], two_workers),
            "--cluster local:2": (["--cluster", "local:2"], None),
        }
        best: dict[tuple[str, str], tuple[float, ...]] = {}
        for _ in range(args.rounds):
            for corpus in sizes:
                for mode, (extra, workers) in modes.items():
                    out = base / "out"
                    measured = timed([*command, str(base / corpus), "--output", str(out),
                                      "--secret-file", str(secret), "--quiet", *extra], workers)
                    shutil.rmtree(out)
                    key = (mode, corpus)
                    known = best.get(key, measured)
                    best[key] = tuple(map(min, known, measured))
    load = os.getloadavg()[0]
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, "
          f"{platform.machine()}, Python {platform.python_version()}, distributed "
          f"{version('distributed')}, fastest of {args.rounds} rounds, load average {load:.1f}")
    print(f"{sizes['large']} and {sizes['small']} copies of CT_small.dcm; per file: the slope "
          "between the two sizes")
    print(f"{'':<20}{'wall':^34}{'CPU ms per file':^36}")
    print(f"{'mode':<20}{'s':>7}{'files/s':>9}{'vs jobs 1':>10}{'ms/file':>8}"
          f"{'all':>8}{'command':>9}{'scheduler':>10}{'workers':>9}{'fixed CPU s':>12}")
    wall_slope: dict[str, float] = {}
    cpu_slope: dict[str, float] = {}
    spread = sizes["large"] - sizes["small"]
    for mode, (_, workers) in modes.items():
        large, small = best[(mode, "large")], best[(mode, "small")]
        slopes = [(end - begin) / spread for begin, end in zip(small, large, strict=True)]
        wall_slope[mode], cpu_slope[mode] = slopes[0], sum(slopes[1:])
        fixed = sum(large[1:]) - cpu_slope[mode] * sizes["large"]
        ratio = best[("--jobs 1", "large")][0] / large[0]
        parts = (f"{slopes[1] * 1000:>9.2f}{slopes[2] * 1000:>10.2f}{slopes[3] * 1000:>9.2f}"
                 if workers is not None else f"{'':>28}")
        print(f"{mode:<20}{large[0]:>7.2f}{sizes['large'] / large[0]:>9.1f}{ratio:>9.2f}x"
              f"{wall_slope[mode] * 1000:>8.2f}{cpu_slope[mode] * 1000:>8.2f}{parts}"
              f"{fixed:>12.2f}")
    for cluster, local in (("cluster, 1 worker", "--jobs 1"), ("cluster, 2 workers", "--jobs 2")):
        print(f"cluster path, {cluster[9:]} against {local}: "
              f"{(cpu_slope[cluster] - cpu_slope[local]) * 1000:+.2f} ms CPU per file "
              f"({cpu_slope[cluster] / cpu_slope[local]:.2f}x), "
              f"{(wall_slope[cluster] - wall_slope[local]) * 1000:+.2f} ms wall per file, "
              f"{best[(cluster, 'large')][0] / best[(local, 'large')][0]:.2f}x the wall time")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
