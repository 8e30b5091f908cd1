"""Micro benchmark of the fast path of ``deidentify apply``, as ratios measured in one run.

Small files: N copies of pydicom's CT_small.dcm with distinct UIDs, each (a) read and written
by pydicom with no change, (b) de-identified by the reference path
(``Deidentifier.deidentify_file``), (c) de-identified by the fast path; single process, each
output written to a temporary name and renamed, the three taking turns by blocks of files.
Large file: a multi-frame file of about 1 GB (explicit VR little endian, per-frame
functional groups), copied with ``shutil.copyfile`` and de-identified by the fast path in a
child process whose peak RSS is reported.

    PYTHONPATH=. .venv/bin/python tools/bench_fastpath.py [--files 2000] [--large-mb 1024]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import pydicom
import pydicom.data
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, JPEG2000Lossless, generate_uid

from deidentify import Deidentifier, Plan, parse_profile
from deidentify.fastpath import fast_deidentify_file

SECRET = b"benchmark secret, not a real one"
FRAME_BYTES = 512 * 512 * 2


def _deidentifier(uri: str) -> Deidentifier:
    return Deidentifier(Plan.build(parse_profile(uri)), SECRET)


def make_small_inputs(folder: Path, count: int) -> list[Path]:
    """``count`` copies of CT_small.dcm, each with its own study, series and instance UIDs."""
    template = pydicom.dcmread(str(pydicom.data.get_testdata_file("CT_small.dcm")))
    paths = []
    for index in range(count):
        template.StudyInstanceUID = generate_uid()
        template.SeriesInstanceUID = generate_uid()
        template.SOPInstanceUID = template.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        path = folder / f"ct{index:05d}.dcm"
        template.save_as(path, enforce_file_format=True)
        paths.append(path)
    return paths


def _atomic(target: Path, write: Callable[[Path], None]) -> None:
    temporary = target.with_name(f".{target.name}.tmp")
    write(temporary)
    os.replace(temporary, target)


def _interleaved(
    paths: list[Path], out: Path, runs: dict[str, Callable[[Path, Path], None]], block: int = 50
) -> dict[str, tuple[float, float]]:
    """Files per second of each ``run(source, target)``, by wall clock and by this process's
    CPU time (which other processes on a shared machine do not inflate). The runs take turns
    by blocks of ``block`` files (the first to go rotates), so that background load and
    write-back hit all of them alike while each runs warm within a block."""
    wall = dict.fromkeys(runs, 0.0)
    cpu = dict.fromkeys(runs, 0.0)
    names = list(runs)
    for number, first in enumerate(range(0, len(paths), block)):
        chunk = paths[first : first + block]
        for turn in range(len(names)):
            name = names[(number + turn) % len(names)]
            run = runs[name]
            start, start_cpu = time.perf_counter(), time.process_time()
            for source in chunk:
                run(source, out / f"{name[:4]}-{source.name}")
            wall[name] += time.perf_counter() - start
            cpu[name] += time.process_time() - start_cpu
    return {name: (len(paths) / wall[name], len(paths) / cpu[name]) for name in runs}


def bench_small(count: int, uri: str, rounds: int) -> None:
    deid = _deidentifier(uri)

    def plain(source: Path, target: Path) -> None:
        ds = pydicom.dcmread(source)
        _atomic(target, lambda temporary: ds.save_as(temporary))

    def reference(source: Path, target: Path) -> None:
        deid.deidentify_file(source, target)

    def fast(source: Path, target: Path) -> None:
        def write(temporary: Path) -> None:
            if not fast_deidentify_file(deid, source, temporary):
                raise SystemExit(f"{source.name}: the fast path declined")

        _atomic(target, write)

    with tempfile.TemporaryDirectory(prefix="bench-fastpath-") as work:
        folder, out = Path(work) / "in", Path(work) / "out"
        folder.mkdir()
        out.mkdir()
        paths = make_small_inputs(folder, count)
        runs: dict[str, Callable[[Path, Path], None]] = {
            "pydicom read+write": plain, "reference": reference, "fast": fast
        }
        rates = dict.fromkeys(runs, (0.0, 0.0))
        for _ in range(rounds):
            for name, (by_wall, by_cpu) in _interleaved(paths, out, runs).items():
                rates[name] = (max(rates[name][0], by_wall), max(rates[name][1], by_cpu))
    print(f"small files: {count} x CT_small.dcm, profile {uri}, best of {rounds} rounds")
    print(f"  {'':<20} {'wall clock':>12} {'CPU time':>12}")
    for name, (by_wall, by_cpu) in rates.items():
        print(f"  {name:<20} {by_wall:8.0f} f/s {by_cpu:8.0f} f/s")
    for other in ("pydicom read+write", "reference"):
        wall_ratio = rates["fast"][0] / rates[other][0]
        cpu_ratio = rates["fast"][1] / rates[other][1]
        print(f"  fast / {other:<18} {wall_ratio:8.2f}x {cpu_ratio:10.2f}x")


def _large_header(frames: int) -> Dataset:
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.2.1"
    ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.PatientName = "Doe^John"
    ds.PatientID = "PID-LARGE"
    ds.PatientBirthDate = "19700101"
    ds.StudyDate = ds.ContentDate = "20240101"
    ds.Modality = "CT"
    ds.InstitutionName = "General Hospital"
    ds.NumberOfFrames = frames
    ds.Rows = ds.Columns = 512
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 0
    per_frame = []
    for index in range(frames):
        content = Dataset()
        content.FrameAcquisitionNumber = index
        content.FrameReferenceDateTime = "20240101120000"
        item = Dataset()
        item.FrameContentSequence = Sequence([content])
        per_frame.append(item)
    ds.PerFrameFunctionalGroupsSequence = Sequence(per_frame)
    return ds


def make_large_input(path: Path, megabytes: int, encapsulated: bool = False) -> None:
    """A multi-frame file whose Pixel Data is about ``megabytes`` MB: native, or one
    fragment per frame under JPEG 2000 (never decoded here)."""
    frames = max(1, megabytes * 1024 * 1024 // FRAME_BYTES)
    ds = _large_header(frames)
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.file_meta.TransferSyntaxUID = JPEG2000Lossless if encapsulated else ExplicitVRLittleEndian
    ds.save_as(path, enforce_file_format=True)
    pattern = os.urandom(FRAME_BYTES)
    item = b"\xfe\xff\x00\xe0" + FRAME_BYTES.to_bytes(4, "little")
    with path.open("ab") as stream:
        if encapsulated:
            stream.write(b"\xe0\x7f\x10\x00OB\x00\x00\xff\xff\xff\xff\xfe\xff\x00\xe0\0\0\0\0")
        else:
            length = (frames * FRAME_BYTES).to_bytes(4, "little")
            stream.write(b"\xe0\x7f\x10\x00OW\x00\x00" + length)
        for _ in range(frames):
            stream.write(item + pattern if encapsulated else pattern)
        if encapsulated:
            stream.write(b"\xfe\xff\xdd\xe0\0\0\0\0")


def run_large_child(source: str, target: str, uri: str) -> None:
    """In a child process: de-identify one file by the fast path; print seconds and peak RSS."""
    deid = _deidentifier(uri)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        done = fast_deidentify_file(deid, Path(source), Path(target))
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{int(done)} {seconds:.6f} {peak_kb}")


def bench_large(megabytes: int, uri: str, rounds: int, encapsulated: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-fastpath-large-") as work:
        source, copy, output = (Path(work) / name for name in ("in.dcm", "copy.dcm", "out.dcm"))
        make_large_input(source, megabytes, encapsulated)
        size = source.stat().st_size
        copy_seconds, fast_seconds, peak_kb, done = float("inf"), float("inf"), 0, True
        for _ in range(rounds):
            start = time.perf_counter()
            shutil.copyfile(source, copy)
            copy_seconds = min(copy_seconds, time.perf_counter() - start)
            copy.unlink()
            child = subprocess.run(
                [sys.executable, __file__, "--large-child", str(source), str(output), uri],
                check=True, capture_output=True, text=True,
            )
            flag, seconds, peak = child.stdout.split()
            done = done and flag == "1"
            fast_seconds = min(fast_seconds, float(seconds))
            peak_kb = max(peak_kb, int(peak))
            output.unlink(missing_ok=True)
    if not done:
        raise SystemExit("the fast path declined the large file")
    kind = "encapsulated" if encapsulated else "native"
    print(f"large file: {size / 1e6:.0f} MB multi-frame, {kind} Pixel Data, profile {uri},"
          f" best of {rounds} rounds")
    print(f"  plain copy (shutil.copyfile) {size / copy_seconds / 1e6:8.0f} MB/s")
    print(f"  fast path                    {size / fast_seconds / 1e6:8.0f} MB/s")
    print(f"  fast / plain copy = {copy_seconds / fast_seconds:.2f}x")
    print(f"  fast path peak RSS = {peak_kb / 1024:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--large-mb", type=int, default=1024, help="0 skips the large file")
    parser.add_argument("--profile", default="deidentify:")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--encapsulated", action="store_true", help="large file: JPEG 2000")
    parser.add_argument("--large-child", nargs=3, metavar=("SOURCE", "TARGET", "URI"))
    args = parser.parse_args()
    if args.large_child:
        run_large_child(*args.large_child)
        return
    warnings.simplefilter("ignore")
    if args.files:
        bench_small(args.files, args.profile, args.rounds)
    if args.large_mb:
        bench_large(args.large_mb, args.profile, args.rounds, args.encapsulated)


if __name__ == "__main__":
    main()
