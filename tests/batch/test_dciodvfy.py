"""Third-party validation: outputs are no less valid than their inputs per dciodvfy.

dciodvfy (Debian package dicom3tools, installed by .ci/run) checks each object against its
IOD. Its error messages, with values normalised away (UIDs, numbers, quoted and bracketed
values change under de-identification), must be for every output a sub-multiset of its
input's: de-identification under the Basic Profile, or with the cleaning options and
modified dates, adds no error.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from pydicom.data import get_testdata_file

from deidentify.batch import BatchOptions, run_batch
from deidentify.pixels import BurnedIn, PixelSettings
from tests.batch.helpers import engine_factory

DCIODVFY = shutil.which("dciodvfy")
FILES = (
    "CT_small.dcm", "MR_small.dcm", "MR_small_bigendian.dcm", "MR_small_RLE.dcm",
    "MR_small_jpeg_ls_lossless.dcm", "rtplan.dcm", "rtstruct.dcm", "rtdose.dcm",
    "test-SR.dcm", "waveform_ecg.dcm", "JPEG-lossy.dcm", "JPEG2000.dcm", "image_dfl.dcm",
    "emri_small.dcm", "SC_rgb.dcm", "SC_rgb_rle.dcm", "US1_J2KR.dcm", "MR2_J2KI.dcm",
    "OBXXXX1A.dcm", "ExplVR_BigEnd.dcm", "reportsi.dcm", "JPGExtended.dcm", "693_J2KR.dcm",
)
"""Shipped inside the pydicom package: many modalities, every kind of encoding."""
_VALUES = (
    (re.compile(r"= <[^>]*>"), "= <>"),
    (re.compile(r'"[^"]*"'), '""'),
    (re.compile(r"'[^']*'"), "''"),
    (re.compile(r"\d[\d.]*"), "#"),
)


def errors(path: Path) -> Counter[str]:
    """dciodvfy's error messages for one file, values normalised away."""
    assert DCIODVFY is not None
    run = subprocess.run([DCIODVFY, str(path)], capture_output=True, text=True,
                         errors="replace", timeout=60, check=False)
    found: Counter[str] = Counter()
    for line in (run.stdout + run.stderr).splitlines():
        if line.startswith("Error"):
            for pattern, replacement in _VALUES:
                line = pattern.sub(replacement, line)
            found[line] += 1
    return found


@pytest.mark.skipif(DCIODVFY is None, reason="dciodvfy (Debian dicom3tools) not installed; "
                    ".ci/run installs it")
@pytest.mark.parametrize("profile", [
    "deidentify:",
    "deidentify:CleanDescriptorsOption,CleanGraphicsOption,CleanStructuredContentOption,"
    "RetainLongitudinalTemporalInformationModifiedDatesOption",
])
def test_outputs_have_no_error_their_inputs_lack(profile: str, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    inputs = {name: f"input-{index:02d}.dcm" for index, name in enumerate(FILES)}
    """Named apart from the files' own names (test-SR.dcm holds its patient's name)."""
    for name in FILES:
        source = get_testdata_file(name, download=False)
        assert source is not None, name
        shutil.copyfile(str(source), folder / inputs[name])
    out = tmp_path / "out"
    totals = run_batch(BatchOptions(inputs=(folder,), output=out),
                       engine_factory(profile_uri=profile,  # validity, whatever the pixels hold
                                      pixels=PixelSettings(BurnedIn.ACCEPT)))
    assert totals.done == len(FILES)
    added = {}
    for name in FILES:
        new = errors(out / inputs[name]) - errors(folder / inputs[name])
        if new:
            added[name] = sorted(new)
    assert added == {}
