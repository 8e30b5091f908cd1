"""Benchmark of ``deidentify apply`` beside a plain copy, pydicom and peer tools, in one run.

The corpora are built in a temporary folder. ``--corpus ct`` (the default):

- small: N copies of pydicom's CT_small.dcm with distinct UIDs (default 2000) and a few real
  files of other kinds (MR, RT, SR, JPEG, JPEG 2000, RLE, deflated, big endian);
- large: one multi-frame object of M MB (default 1024), its Pixel Data written in chunks.

``--corpus mixed``: S studies (default 20) mixed like real ones, each a copy with its own
UIDs of the same pydicom and pydicom-data files: an enhanced multi-frame MR, MR with
overlays, CT (plain, JPEG 2000, with UN elements), a multi-frame JPEG ultrasound, an
ultrasound and a secondary capture, RT plan, dose and structure set, an SR, a segmentation
and an NM JPEG 2000 image; one small file type flatters every tool.

``deidentify apply`` runs with ``--burned-in accept``: the ultrasound and secondary capture
objects, refused by default for the risk of burned-in identity, are written like every other
object (as the peers write them), so every tool writes every file.

On each corpus, in a child process that reports wall time and the peak RSS of the process
tree (``resource.getrusage(RUSAGE_CHILDREN)``): a plain copy (shutil), pydicom read + write
with no change, ``deidentify apply`` with --jobs 1 and --jobs 2, and the peers that install
into their own virtual environments under .cache/bench/ (dcmanon, dicognito,
dicom-anonymizer, deid; a peer whose install fails is skipped with a note); peers without a
folder-to-folder command line (dcmanon, deid, dicom-anonymizer, whose command reads one
folder level) are driven file by file through their Python API by the same walk as pydicom's.
Each run writes into a new folder, and the outputs of many files are removed only when the
benchmark ends: on ext4 without a journal (this machine's file system), a new inode is not
taken from those deleted in the last 60 s (360 s while the inode table is not written back),
and each creation scans past them one by one. A run started right after the last run's 2,000
outputs were removed spent a third of its time there (perf), whichever tool it was.
Printed: files/s, MB/s, peak RSS, the ratio to pydicom and to the fastest peer (among peers
that wrote outputs); --json FILE writes them too. Times include interpreter start-up.

``--scaling``: only ``deidentify apply`` with --jobs 1 and --jobs 2 on the CT_small copies
(no other file, no large file, no peer), and the ratio of their wall times: how two processes
scale (measure it on 20,000 files, ``--files 20000``, so that start-up weighs little). The
ratio is printed after every run that measures both.

    .venv/bin/python tools/bench.py [--corpus ct|mixed] [--files 2000] [--large-mb 1024]
                                    [--studies 20] [--rounds 1] [--json FILE] [--no-peers]
                                    [--scaling]

With --rounds R every tool runs R times, the tools taking turns, and the fastest run counts:
on a shared machine the load then weighs on every tool alike. The project's modules are
compiled to bytecode first (``compileall``), as an installed package has them: the
environment may forbid writing bytecode at import time, which would make every start-up
compile them again.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import pydicom
from pydicom.data import get_testdata_file
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

ROOT = Path(__file__).resolve().parent.parent
PEER_FOLDER = ROOT / ".cache" / "bench"
MIXED = ("MR_small.dcm", "MR_small_bigendian.dcm", "rtplan.dcm", "rtstruct.dcm", "rtdose.dcm",
         "test-SR.dcm", "JPEG-lossy.dcm", "emri_small_jpeg_2k_lossless.dcm", "MR_small_RLE.dcm",
         "image_dfl.dcm")
STUDY = ("emri_small.dcm", "MR-SIEMENS-DICOM-WithOverlays.dcm", "CT_small.dcm",
         "693_J2KR.dcm", "explicit_VR-UN.dcm", "color3d_jpeg_baseline.dcm", "US1_UNCR.dcm",
         "SC_rgb.dcm", "rtplan.dcm", "rtdose.dcm", "rtstruct.dcm", "test-SR.dcm", "liver.dcm",
         "JPEG2000.dcm")
SINGLE = "deidentify --jobs 1"
DOUBLE = "deidentify --jobs 2"
FRAME_BYTES = 512 * 512 * 2
PIXEL_DATA = 0x7FE00010
CHUNK_FRAMES = 16

MEASURE = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
print(json.dumps({"seconds": time.perf_counter() - started, "rc": done.returncode,
                  "peak_rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  "stderr": done.stderr[-400:].decode(errors="replace")}))
"""

WALK = """
import os, sys, warnings
warnings.simplefilter("ignore")
source, target = sys.argv[1], sys.argv[2]
def pairs():
    for folder, _, names in os.walk(source):
        for name in names:
            path = os.path.join(folder, name)
            out = os.path.join(target, os.path.relpath(path, source))
            os.makedirs(os.path.dirname(out), exist_ok=True)
            yield path, out
"""

COPY = "import shutil, sys; shutil.copytree(sys.argv[1], sys.argv[2])"

PYDICOM = WALK + """
import pydicom
for path, out in pairs():
    try:
        pydicom.dcmread(path).save_as(out)
    except Exception:
        pass
"""

DCMANON = WALK + """
from dcmanon import Anonymizer
anonymizer = Anonymizer()
for path, out in pairs():
    try:
        data = anonymizer.anonymize(path)
    except Exception:
        continue
    with open(out, "wb") as stream:
        stream.write(data)
"""

DICOM_ANONYMIZER = WALK + """
from dicomanonymizer import anonymize_dicom_file
for path, out in pairs():
    try:
        anonymize_dicom_file(path, out)
    except Exception:
        pass
"""

DEID = WALK + """
import logging
from deid.config import DeidRecipe
from deid.dicom import replace_identifiers
recipe = DeidRecipe()
for path, out in pairs():
    try:
        replace_identifiers([path], deid=recipe, save=True, overwrite=True,
                            output_folder=os.path.dirname(out))
    except Exception:
        pass
"""


@dataclass
class Result:
    """One tool on one corpus."""

    tool: str
    corpus: str
    files: int
    megabytes: float
    outputs: int
    seconds: float
    peak_rss_mb: float
    files_per_second: float
    megabytes_per_second: float
    exit_status: int
    note: str = ""


@dataclass
class Tool:
    """A command over (input folder, output folder)."""

    name: str
    command: list[str]

    def argv(self, source: Path, target: Path) -> list[str]:
        """The command line for one corpus."""
        return [*self.command, str(source), str(target)]


def make_small_corpus(folder: Path, count: int) -> None:
    """``count`` CT_small copies with their own UIDs, and the mixed real files."""
    template = pydicom.dcmread(str(get_testdata_file("CT_small.dcm")))
    (folder / "ct").mkdir(parents=True)
    for index in range(count):
        template.StudyInstanceUID = generate_uid()
        template.SeriesInstanceUID = generate_uid()
        template.SOPInstanceUID = template.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        template.save_as(folder / "ct" / f"ct{index:05d}.dcm", enforce_file_format=True)
    (folder / "mixed").mkdir()
    for name in MIXED:
        source = get_testdata_file(name)
        if source is not None:
            shutil.copyfile(str(source), folder / "mixed" / name)


def make_mixed_corpus(folder: Path, studies: int) -> None:
    """``studies`` folders, each the files of ``STUDY`` with a new Study, Series and SOP
    Instance UID (the files are otherwise written back as they were read)."""
    sources = [Path(str(get_testdata_file(name))) for name in STUDY]
    missing = [name for name, path in zip(STUDY, sources, strict=True) if not path.is_file()]
    if missing:
        raise SystemExit(f"bench: not installed (pydicom-data?): {', '.join(missing)}")
    for study in range(studies):
        target = folder / f"study{study:03d}"
        target.mkdir(parents=True)
        study_uid = generate_uid()
        for path in sources:
            ds = pydicom.dcmread(str(path), force=True)
            ds.StudyInstanceUID = study_uid
            ds.SeriesInstanceUID = generate_uid()
            ds.SOPInstanceUID = generate_uid()
            if "MediaStorageSOPInstanceUID" in ds.file_meta:
                ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
            ds.save_as(target / path.name)


def make_large_corpus(folder: Path, megabytes: int) -> None:
    """One multi-frame CT of about ``megabytes`` MB; Pixel Data written in chunks, last."""
    folder.mkdir(parents=True)
    frames = max(1, megabytes * 1024 * 1024 // FRAME_BYTES)
    ds = pydicom.dcmread(str(get_testdata_file("CT_small.dcm")))
    for tag in [elem.tag for elem in ds if elem.tag >= PIXEL_DATA]:
        del ds[tag]  # Pixel Data and what follows it (trailing padding): appended below
    ds.Rows = ds.Columns = 512
    ds.NumberOfFrames = frames
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    path = folder / "large.dcm"
    ds.save_as(path, enforce_file_format=True)
    chunk = os.urandom(FRAME_BYTES) * CHUNK_FRAMES
    with open(path, "ab") as stream:
        stream.write(b"\xe0\x7f\x10\x00OW\x00\x00" + (frames * FRAME_BYTES).to_bytes(4, "little"))
        for start in range(0, frames, CHUNK_FRAMES):
            stream.write(chunk[: FRAME_BYTES * min(CHUNK_FRAMES, frames - start)])


def _peer_python(name: str, package: str) -> Path | None:
    """The peer's virtual environment's python, installing it on first use; None on failure."""
    venv = PEER_FOLDER / name
    python = venv / "bin" / "python"
    marker = venv / ".installed"
    if marker.exists():
        return python
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True,
                       capture_output=True, timeout=300)
        subprocess.run([str(python), "-m", "pip", "install", "-q", package], check=True,
                       capture_output=True, timeout=900)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError):
        return None
    marker.write_text(package + "\n", encoding="ascii")
    return python


def tools(secret: Path, peers: bool) -> tuple[list[Tool], list[str]]:
    """The tools to measure, and notes on peers that could not be installed."""
    python = sys.executable
    apply = [python, "-m", "deidentify", "apply", "--quiet", "--secret-file", str(secret),
             "--burned-in", "accept"]
    found = [
        Tool("copy (shutil)", [python, "-c", COPY]),
        Tool("pydicom read+write", [python, "-c", PYDICOM]),
        Tool(SINGLE, [*apply, "--jobs", "1", "--output"]),
        Tool(DOUBLE, [*apply, "--jobs", "2", "--output"]),
    ]
    notes: list[str] = []
    if not peers:
        return found, notes
    scripted = (("dcmanon", DCMANON), ("deid", DEID), ("dicom-anonymizer", DICOM_ANONYMIZER))
    for name, script in scripted:
        package = name
        peer = _peer_python(name, package)
        if peer is None:
            notes.append(f"{name}: pip install {package} failed; skipped")
            continue
        found.append(Tool(f"peer: {name}", [str(peer), "-c", script]))
    dicognito = _peer_python("dicognito", "dicognito")
    if dicognito is None:
        notes.append("dicognito: pip install dicognito failed; skipped")
    else:
        found.append(Tool("peer: dicognito",
                          [str(dicognito), "-m", "dicognito", "--quiet", "--output-directory"]))
    return found, notes


def _argv(tool: Tool, source: Path, target: Path) -> list[str]:
    if tool.command[-1] in ("--output", "--output-directory"):
        return [*tool.command, str(target), str(source)]
    return tool.argv(source, target)


def _count(folder: Path) -> tuple[int, int]:
    """Files and bytes under ``folder``, but for deidentify's records of the run."""
    files = [path for path in folder.rglob("*")
             if path.is_file() and not path.name.startswith(".deidentify-")]
    return len(files), sum(path.stat().st_size for path in files)


def measure(tool: Tool, corpus: str, source: Path, target: Path) -> Result:
    """Run one tool on one corpus in a measuring child process, into the new folder
    ``target``; the outputs of one file (the large corpus) are removed after, the others
    kept until the benchmark ends (see the module's docstring)."""
    files, size = _count(source)
    argv = [sys.executable, "-c", MEASURE, *_argv(tool, source, target)]
    report = json.loads(subprocess.run(argv, capture_output=True, text=True, check=True).stdout)
    outputs = _count(target)[0] if target.exists() else 0
    if files == 1:
        shutil.rmtree(target, ignore_errors=True)
    seconds = float(report["seconds"])
    megabytes = size / 1e6
    note = "" if report["rc"] == 0 else f"exit {report['rc']}"
    return Result(tool.name, corpus, files, round(megabytes, 1), outputs, round(seconds, 3),
                  round(report["peak_rss_kb"] / 1024, 1), round(files / seconds, 1),
                  round(megabytes / seconds, 1), int(report["rc"]), note)


def print_table(results: list[Result]) -> None:
    """Per corpus: the measures and the ratios to pydicom and to the fastest peer."""
    for corpus in dict.fromkeys(result.corpus for result in results):
        rows = [result for result in results if result.corpus == corpus]
        pydicom_time = next((r.seconds for r in rows if r.tool.startswith("pydicom")), None)
        peer_times = [r.seconds for r in rows
                      if r.tool.startswith("peer:") and r.exit_status == 0 and r.outputs]
        fastest_peer = min(peer_times) if peer_times else None
        first = rows[0]
        print(f"\n{corpus}: {first.files} files, {first.megabytes} MB")
        print(f"{'tool':26} {'outputs':>7} {'s':>8} {'files/s':>9} {'MB/s':>8} "
              f"{'peak RSS MB':>11} {'vs pydicom':>10} {'vs fastest peer':>15}")
        for r in rows:
            versus_peer = f"{fastest_peer / r.seconds:.2f}x" if fastest_peer else "-"
            versus_pydicom = f"{pydicom_time / r.seconds:.2f}x" if pydicom_time else "-"
            print(f"{r.tool:26} {r.outputs:>7} {r.seconds:>8.2f} {r.files_per_second:>9.1f} "
                  f"{r.megabytes_per_second:>8.1f} {r.peak_rss_mb:>11.1f} "
                  f"{versus_pydicom:>10} {versus_peer:>15} {r.note}")


def compile_modules() -> None:
    """Compile the project's modules to bytecode, as a pip install leaves them."""
    folders = [str(ROOT / name) for name in ("deidentify", "generated") if (ROOT / name).is_dir()]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *folders], check=True,
                   capture_output=True)


def print_scaling(results: list[Result]) -> None:
    """Per corpus measured with both: the wall time of --jobs 1 over that of --jobs 2."""
    for corpus in dict.fromkeys(result.corpus for result in results):
        times = {r.tool: r.seconds for r in results if r.corpus == corpus}
        one, two = times.get(SINGLE), times.get(DOUBLE)
        if one and two:
            files = next(r.files for r in results if r.corpus == corpus)
            print(f"scaling on {corpus} ({files} files): --jobs 2 is {one / two:.2f}x --jobs 1 "
                  f"({one:.2f} s / {two:.2f} s)")


def _loads(averages: tuple[float, float, float]) -> str:
    return " ".join(f"{load:.1f}" for load in averages)


def main() -> int:
    """Build the corpora, measure every tool on each, print (and write) the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=("ct", "mixed"), default="ct",
                        help="CT_small copies and one large file, or mixed studies (ct)")
    parser.add_argument("--files", type=int, default=2000, help="CT_small copies (2000)")
    parser.add_argument("--large-mb", type=int, default=1024, help="large file size (1024)")
    parser.add_argument("--studies", type=int, default=20, help="mixed studies (20)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="runs per tool, taking turns; the fastest counts (1)")
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    parser.add_argument("--no-peers", action="store_true", help="measure this tool only")
    parser.add_argument("--scaling", action="store_true",
                        help="--jobs 1 and --jobs 2 only, on the CT_small copies; their ratio")
    args = parser.parse_args()
    compile_modules()
    load_at_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="deidentify-bench-") as temporary:
        scratch = Path(temporary)
        secret = scratch / "secret"
        secret.write_text(os.urandom(32).hex(), encoding="ascii")
        if args.scaling:
            make_small_corpus(scratch / "small", args.files)
            corpora = {"ct": scratch / "small" / "ct"}
        elif args.corpus == "ct":
            corpora = {"small": scratch / "small", "large": scratch / "large"}
            make_small_corpus(corpora["small"], args.files)
            make_large_corpus(corpora["large"], args.large_mb)
        else:
            corpora = {"mixed": scratch / "mixed"}
            make_mixed_corpus(corpora["mixed"], args.studies)
        measured, notes = tools(secret, not (args.no_peers or args.scaling))
        if args.scaling:
            measured = [tool for tool in measured if tool.name in (SINGLE, DOUBLE)]
        results: list[Result] = []
        folders = itertools.count()
        for name, path in corpora.items():
            rounds = [[measure(tool, name, path, scratch / f"out-{next(folders)}")
                       for tool in measured]
                      for _ in range(max(1, args.rounds))]
            results.extend(min(runs, key=lambda result: result.seconds)
                           for runs in zip(*rounds, strict=True))
    machine = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
               "cpus": os.cpu_count(), "machine": platform.machine(), "rounds": args.rounds,
               "corpus": args.corpus, "load_average_at_start": load_at_start,
               "load_average_at_end": os.getloadavg(),
               "python": platform.python_version(), "pydicom": pydicom.__version__}
    print(f"{machine['date']}, {machine['cpus']} CPUs, {machine['machine']}, "
          f"Python {machine['python']}, pydicom {machine['pydicom']}, "
          f"fastest of {args.rounds} rounds, load average (1, 5, 15 min) at start "
          f"{_loads(load_at_start)}, at end {_loads(os.getloadavg())}")
    print("deidentify runs with --burned-in accept: objects at burned-in risk are written")
    print_table(results)
    print_scaling(results)
    for note in notes:
        print(f"note: {note}")
    if args.json is not None:
        document = {"machine": machine, "notes": notes,
                    "results": [asdict(result) for result in results]}
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
