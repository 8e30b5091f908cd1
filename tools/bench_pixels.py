"""Benchmark of the Clean Pixel Data Option, in frames per second beside plain decoding.

For each input, in one run: (a) decode, pydicom reading the file and decoding every frame;
(b) detect, OCR of the frames the option reads (first, middle, last) and the verdict on each
line; (c) redact, blanking the boxes on every frame and re-encoding; (d) the whole option,
``Deidentifier.apply`` and write, as ``deidentify apply`` runs it. Frames per second count
every frame of the object (the option reads three and blanks all); ``vs decode`` is the
ratio to (a). Inputs: the ultrasound images of the ``deid-data`` package (a 1024x768 RGB
and greyscale frame, a 30-frame 800x600 RGB cine) and the same RGB frame in RLE Lossless.
One process, one OCR thread; the fastest of ``--rounds``.

    PYTHONPATH=. .venv/bin/python tools/bench_pixels.py [--rounds 2]
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import tempfile
import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import deid_data
import pydicom
from pydicom.uid import RLELossless

from deidentify import Deidentifier, Plan, parse_profile
from deidentify.cleaning import collect_identifiers
from deidentify.pixels import PixelMode
from deidentify.pixels.cleaner import sampled_frames
from deidentify.pixels.decode import decode, view
from deidentify.pixels.encode import encode
from deidentify.pixels.matching import verdict
from deidentify.pixels.ocr import engine_label, read_text
from deidentify.pixels.redact import blank, padded

SECRET = b"benchmark secret, not a real one"
ULTRASOUNDS = Path(deid_data.__file__).parent / "data" / "ultrasounds"


def _inputs(folder: Path) -> list[Path]:
    rgb = ULTRASOUNDS / "RGB_IMAGE.dcm"
    rle = folder / "RGB_IMAGE_rle.dcm"
    ds = pydicom.dcmread(rgb)
    ds.compress(RLELossless, generate_instance_uid=False)
    ds.save_as(rle, enforce_file_format=True)
    return [rgb, ULTRASOUNDS / "GREYSCALE_IMAGE.dcm", rle,
            ULTRASOUNDS / "ultrasound-multiframe.dcm"]


def _fastest(rounds: int, work: Callable[[], None]) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def _decode(path: Path) -> None:
    decode(pydicom.dcmread(path))


def _detect(path: Path) -> None:
    ds = pydicom.dcmread(path)
    identifiers = collect_identifiers(ds)
    frames = decode(ds)
    for index in sampled_frames(frames.count):
        for line in read_text(view(frames, index, ds)):
            verdict(line.text, line.score, identifiers, PixelMode.IDENTIFIERS)


def _redact(path: Path) -> None:
    ds = pydicom.dcmread(path)
    frames = decode(ds)
    rows, columns = frames.array.shape[1:3]
    blank(frames, [padded((0, 0, columns, 30), rows, columns), (0, rows - 30, 200, rows)])
    encode(ds, frames)
    ds.save_as(io.BytesIO(), enforce_file_format=True)


def _option(deid: Deidentifier, path: Path) -> Callable[[], None]:
    def run() -> None:
        ds = pydicom.dcmread(path)
        deid.apply(ds)
        deid.write(ds, io.BytesIO())
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    deid = Deidentifier(Plan.build(parse_profile("deidentify:CleanPixelDataOption")), SECRET)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"{stamp}, {os.cpu_count()} CPUs, {platform.machine()}, Python "
          f"{platform.python_version()}, pydicom {pydicom.__version__}, {engine_label()}, "
          f"fastest of {args.rounds} rounds, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as folder:
        inputs = _inputs(Path(folder))
        _option(deid, inputs[0])()  # loads the OCR engine and the decoders once
        header = (f"{'input':<30} {'frames':>6} {'decode f/s':>11} {'detect f/s':>11}"
                  f" {'redact f/s':>11} {'option f/s':>11} {'option vs decode':>17}")
        print(header)
        for path in inputs:
            ds = pydicom.dcmread(path, stop_before_pixels=True)
            frames = int(ds.get("NumberOfFrames", 1) or 1)
            times = {
                "decode": _fastest(args.rounds, partial(_decode, path)),
                "detect": _fastest(args.rounds, partial(_detect, path)),
                "redact": _fastest(args.rounds, partial(_redact, path)),
                "option": _fastest(args.rounds, _option(deid, path)),
            }
            rate = {key: frames / seconds for key, seconds in times.items()}
            print(f"{path.name:<30} {frames:>6} {rate['decode']:>11.1f} {rate['detect']:>11.2f}"
                  f" {rate['redact']:>11.1f} {rate['option']:>11.2f}"
                  f" {rate['option'] / rate['decode']:>16.3f}x")


if __name__ == "__main__":
    main()
