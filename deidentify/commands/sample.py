"""``deidentify sample --output DIR``: a sample folder of pydicom's files, de-identified.

Copies a dozen of pydicom's shipped test files (CT, MR, RT plan, structure set and dose, SR,
waveform, JPEG, JPEG-LS, JPEG 2000, RLE, deflated, big endian) and one non-DICOM note into
``DIR/input``, then runs ``apply`` into ``DIR/output`` with a log at ``DIR/log.jsonl``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

from deidentify.commands import usage_error
from deidentify.commands.apply import add_pixel_options, add_run_options, run_apply

SAMPLE_FILES: tuple[tuple[str, str], ...] = (
    ("CT_small.dcm", "ct/CT_small.dcm"),
    ("MR_small.dcm", "mr/MR_small.dcm"),
    ("MR_small_bigendian.dcm", "mr/MR_small_bigendian.dcm"),
    ("MR_small_RLE.dcm", "mr/MR_small_RLE.dcm"),
    ("MR_small_jpeg_ls_lossless.dcm", "mr/MR_small_jpeg_ls_lossless.dcm"),
    ("rtplan.dcm", "rt/rtplan.dcm"),
    ("rtstruct.dcm", "rt/rtstruct.dcm"),
    ("rtdose.dcm", "rt/rtdose.dcm"),
    ("test-SR.dcm", "sr/report.dcm"),
    ("waveform_ecg.dcm", "ecg/waveform_ecg.dcm"),
    ("JPEG-lossy.dcm", "jpeg/JPEG-lossy.dcm"),
    ("JPEG2000.dcm", "jpeg/JPEG2000.dcm"),
    ("image_dfl.dcm", "deflated/image_dfl.dcm"),
)
"""Files shipped inside the pydicom package itself (not pydicom-data): no download needed;
each with its path below the sample's input folder (test-SR.dcm's patient is ``Test^S R``:
the mirror layout refuses a path that holds the name)."""
SAMPLE_BURNED_IN = "accept"
"""``BurnedIn.ACCEPT``. Three of the sample's files (JPEG-lossy, JPEG2000, image_dfl) are
secondary captures without Burned In Annotation: at risk by the gate, though they carry no
text. The sample accepts them, and its summary counts them; ``--burned-in refuse`` shows the
refusal."""
NOTE = "This file is not DICOM: apply reports it as skipped and goes on.\n"


def register(subparsers: Any) -> None:
    """Add the ``sample`` parser."""
    parser = subparsers.add_parser(
        "sample",
        help="build a sample folder from pydicom's test files and de-identify it",
        description="Copy a dozen of pydicom's test files into OUTPUT/input, de-identify them "
        "into OUTPUT/output (log: OUTPUT/log.jsonl) and show the summary.",
    )
    parser.add_argument("--output", type=Path, required=True, help="sample folder")
    add_run_options(parser)
    add_pixel_options(parser, SAMPLE_BURNED_IN)
    parser.set_defaults(handler=run)


def build_sample(folder: Path) -> int:
    """Copy the sample inputs into ``folder``; the number of files."""
    from pydicom.data import get_testdata_file

    count = 0
    for name, place in SAMPLE_FILES:
        source = get_testdata_file(name, download=False)
        if source is None:
            continue
        target = folder / place
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(str(source), target)
        count += 1
    (folder / "NOTES.txt").write_text(NOTE, encoding="utf-8")
    return count + 1


def run(args: argparse.Namespace) -> int:
    """Build the sample and de-identify it."""
    folder: Path = args.output
    inputs = folder / "input"
    try:
        count = build_sample(inputs)
    except OSError as error:
        return usage_error("sample", f"{error.filename or folder}: {error.strerror}")
    if args.log is None:
        args.log = folder / "log.jsonl"
    if not args.quiet:
        print(f"deidentify sample: {count} files in {inputs}", file=sys.stderr)
    status, _ = run_apply("sample", args, (inputs,), folder / "output")
    if not args.quiet and status != 2:
        print(f"de-identified files in {folder / 'output'}, log in {args.log}")
    return status
