"""Benchmark: objects per second through the node, beside `deidentify apply` on the same objects.

    PYTHONPATH=. python tools/bench_net.py [--count 2000] [--associations 4] [--timeout 900]
                                           [--json FILE]

Writes ``count`` distinct copies of pydicom's CT_small.dcm and MR_small.dcm to a temporary
folder, times ``deidentify apply`` on that folder (one process, default options, the same
profile and secret), then sends the same objects to a node on 127.0.0.1 over concurrent
associations and waits until every one is stored. Loopback only; the run is bounded by
``--timeout``. Exits 1 if the node lost any object.
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pydicom
from pynetdicom import AE, ALL_TRANSFER_SYNTAXES, evt
from pynetdicom.presentation import StoragePresentationContexts

from deidentify.net.coercion import Coercer
from deidentify.net.config import load_config
from deidentify.net.engine import engines
from deidentify.net.node import Node
from deidentify.writer import write
from tests.net.load import distinct_copies, send_concurrently
from tests.net.nodes import MODIFIED_DATES, SECRET, SECRET_HEX, node_toml, read_test_file


@dataclass(frozen=True)
class Result:
    """One run's figures."""

    objects: int
    associations: int
    apply_s: float
    node_s: float
    node_stored: int
    bare_scp_s: float

    @property
    def apply_per_s(self) -> float:
        """Objects per second, file to file."""
        return self.objects / self.apply_s

    @property
    def node_per_s(self) -> float:
        """Objects per second, over the network into the node's storage."""
        return self.objects / self.node_s


def bench_apply(inputs: Path, out: Path, secret_file: Path) -> float:
    """Seconds of ``deidentify apply`` (one process, the default single job) over the inputs."""
    command = [sys.executable, "-m", "deidentify", "apply", str(inputs), "--output", str(out),
               "--profile", MODIFIED_DATES, "--secret-file", str(secret_file), "--quiet"]
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def bench_bare_scp(files: list[Path], associations: int, timeout: float) -> float:
    """Seconds for a pynetdicom Storage SCP that decodes each object and keeps nothing: the
    floor the network layer sets, for comparison."""
    datasets = [pydicom.dcmread(path) for path in files]
    ae = AE(ae_title="DEIDNODE")
    for context in StoragePresentationContexts:
        if context.abstract_syntax is not None:
            ae.add_supported_context(context.abstract_syntax, ALL_TRANSFER_SYNTAXES)

    def decode(event: Any) -> int:
        return 0x0000 if event.dataset is not None else 0xC000

    server = ae.start_server(("127.0.0.1", 0), block=False,
                             evt_handlers=[(evt.EVT_C_STORE, decode)])
    assert server is not None
    try:
        start = time.perf_counter()
        send_concurrently(int(server.server_address[1]), datasets, associations, timeout)
        return time.perf_counter() - start
    finally:
        server.shutdown()


def bench_node(files: list[Path], folder: Path, associations: int, timeout: float) -> tuple[
    float, int, list[int]
]:
    """Seconds to send every file through a node until all are stored; stored count; statuses."""
    datasets = [pydicom.dcmread(path) for path in files]
    config = load_config(node_toml(folder))
    node = Node(config, Coercer(config.rules, engines(SECRET)), SECRET, write)
    node.start()
    try:
        start = time.perf_counter()
        result = send_concurrently(node.address[1], datasets, associations, timeout)
        elapsed = time.perf_counter() - start
    finally:
        node.stop()
    return elapsed, node.stored, result.statuses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--associations", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    faulthandler.register(signal.SIGUSR1)
    with tempfile.TemporaryDirectory(prefix="bench-net-") as temporary:
        folder = Path(temporary)
        inputs = folder / "in"
        inputs.mkdir()
        templates = [read_test_file("CT_small.dcm"), read_test_file("MR_small.dcm")]
        files = []
        for index, dataset in enumerate(distinct_copies(templates, args.count)):
            path = inputs / f"{index:06d}.dcm"
            dataset.save_as(path, enforce_file_format=True)
            files.append(path)
        print("timing apply...", file=sys.stderr, flush=True)
        secret_file = folder / "secret"
        secret_file.write_text(SECRET_HEX + "\n")
        apply_s = bench_apply(inputs, folder / "applied", secret_file)
        node_folder = folder / "node"
        node_folder.mkdir()
        print("timing node...", file=sys.stderr, flush=True)
        node_s, stored, statuses = bench_node(files, node_folder, args.associations,
                                              args.timeout)
        on_disk = len(list((node_folder / "storage").rglob("*.dcm")))
        print("timing bare SCP...", file=sys.stderr, flush=True)
        bare_s = bench_bare_scp(files, args.associations, args.timeout)
    result = Result(args.count, args.associations, apply_s, node_s, stored, bare_s)
    print(f"objects            {result.objects}")
    print(f"deidentify apply   {result.apply_s:8.2f} s  {result.apply_per_s:8.1f} objects/s")
    print(f"node ({result.associations} assoc.)    {result.node_s:8.2f} s  "
          f"{result.node_per_s:8.1f} objects/s")
    print(f"bare pynetdicom SCP {result.bare_scp_s:7.2f} s  "
          f"{result.objects / result.bare_scp_s:8.1f} objects/s (decode only, nothing stored)")
    print(f"node / apply       {result.node_per_s / result.apply_per_s:8.2f}")
    lost = args.count - min(on_disk, statuses.count(0))
    print(f"lost               {lost}")
    if args.json is not None:
        figures = {**asdict(result), "apply_per_s": result.apply_per_s,
                   "node_per_s": result.node_per_s, "lost": lost}
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
