"""GDCM's gdcmanon opens what this tool seals, and this tool opens what gdcmanon seals."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pydicom
import pytest

pytest.importorskip("cryptography", reason="the extra 'linkage' (cryptography) is not installed")

from tests.linkage.helpers import (
    make_patients,
    make_recipient,
    read_all,
    run,
    write_secret,
)

GDCMANON = shutil.which("gdcmanon")
if GDCMANON is None:
    if os.environ.get("CI"):
        raise RuntimeError("gdcmanon (libgdcm-tools) is missing: .ci/run installs it")
    pytest.skip("gdcmanon (Debian package libgdcm-tools) is not installed; CI installs it",
                allow_module_level=True)

MODIFIED_DATES = "deidentify:RetainLongitudinalTemporalInformationModifiedDatesOption"
COMPARED = ("PatientID", "PatientName", "StudyDate", "SOPInstanceUID", "StudyInstanceUID",
            "SeriesInstanceUID")


def _gdcmanon(*args: str | Path) -> None:
    assert GDCMANON is not None
    result = subprocess.run([GDCMANON, *map(str, args)], capture_output=True, timeout=60,
                            check=False)
    assert result.returncode == 0, result.stderr.decode(errors="replace")


def test_gdcmanon_decrypts_what_this_tool_encrypts(tmp_path: Path) -> None:
    make_patients(tmp_path / "in")
    key, certificate = make_recipient(tmp_path)
    assert run("apply", tmp_path / "in", "--output", tmp_path / "out", "--secret-file",
               write_secret(tmp_path), "--profile", MODIFIED_DATES, "--encrypt-to", certificate,
               "--quiet")[0] == 0
    for relative, sealed in read_all(tmp_path / "out").items():
        original = pydicom.dcmread(tmp_path / "in" / relative)
        assert all(sealed.get(name) != original.get(name) for name in COMPARED)
        target = tmp_path / "gdcm" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        _gdcmanon("--re-identify", "-i", tmp_path / "out" / relative, "-o", target, "-k", key,
                  "-c", certificate)
        restored = pydicom.dcmread(target)
        assert [restored.get(name) for name in COMPARED] == \
            [original.get(name) for name in COMPARED]
        assert 0x04000500 not in restored


def test_this_tool_decrypts_what_gdcmanon_encrypts(tmp_path: Path) -> None:
    make_patients(tmp_path / "in")
    key, certificate = make_recipient(tmp_path)
    for relative in read_all(tmp_path / "in"):
        target = tmp_path / "gdcm" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        _gdcmanon("--de-identify", "-i", tmp_path / "in" / relative, "-o", target,
                  "-c", certificate)
        sealed = pydicom.dcmread(target)
        assert sealed.PatientName != pydicom.dcmread(tmp_path / "in" / relative).PatientName
    status, out, err = run("reidentify", tmp_path / "gdcm", "--key", key, "--certificate",
                           certificate, "--output", tmp_path / "back")
    assert status == 0, err
    assert "re-identified 6" in out
    for relative, restored in read_all(tmp_path / "back").items():
        original = pydicom.dcmread(tmp_path / "in" / relative)
        assert [restored.get(name) for name in COMPARED] == \
            [original.get(name) for name in COMPARED]
        differing = [element.tag for element in original
                     if element.tag not in restored or restored[element.tag] != element]
        assert differing == []
