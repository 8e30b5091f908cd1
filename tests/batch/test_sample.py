"""The sample folder is built from files inside the pydicom package: nothing is downloaded."""

from __future__ import annotations

from pathlib import Path

import pydicom

from deidentify.commands.sample import SAMPLE_FILES, build_sample


def test_every_sample_file_ships_inside_pydicom(tmp_path: Path) -> None:
    package = Path(pydicom.__file__).parent
    assert build_sample(tmp_path) == len(SAMPLE_FILES) + 1
    for name, place in SAMPLE_FILES:
        copied = tmp_path / place
        assert copied.read_bytes() == next(package.rglob(name)).read_bytes()
