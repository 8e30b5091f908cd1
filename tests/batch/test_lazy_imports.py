"""Start-up: the command line imports a subcommand's implementation and the optional
capabilities (network, cluster, pixels, linkage, rich output) only when they are used.

Each check runs in a fresh interpreter and reads its ``sys.modules``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pydicom
import pytest

from deidentify import inflation
from deidentify.batch import Layout, identity
from deidentify.commands import names
from deidentify.commands.report import FORMAT_NAMES
from deidentify.linkage import NameMode
from deidentify.pixels import BurnedIn, PixelMode
from deidentify.profile import CompoundPolicy
from deidentify.report import FORMATS
from tests.batch.helpers import SECRET, shipped

OPTIONAL = ("pynetdicom", "distributed", "dask", "numpy", "onnxruntime",
            "rapidocr_onnxruntime", "cryptography", "rich", "lxml")
"""Packages of the extras (and numpy, which pydicom imports when it is installed)."""

ROOT = Path(__file__).resolve().parents[2]


def imported_after(code: str) -> set[str]:
    """The top-level packages a fresh interpreter holds after running ``code``."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


def apply_argv(tmp_path: Path, *names: str, jobs: int = 1) -> tuple[list[str], Path]:
    """The command line of an apply of shipped files copied into a new input folder, and
    its output folder."""
    source = tmp_path / "in"
    source.mkdir()
    for name in names:
        (source / name).write_bytes(shipped(name).read_bytes())
    secret = tmp_path / "secret"
    secret.write_bytes(SECRET)
    output = tmp_path / "out"
    return ["apply", "--quiet", "--jobs", str(jobs), "--secret-file", str(secret), str(source),
            "--output", str(output)], output


def test_importing_the_command_line_imports_no_optional_capability() -> None:
    modules = imported_after("import deidentify.cli")
    assert "deidentify.cli" in modules
    assert not {name for name in modules if name.split(".")[0] in OPTIONAL}
    assert "pydicom" not in modules


@pytest.mark.parametrize("argv", [["--help"], ["apply", "--help"], ["report", "--help"],
                                  ["verify", "--help"], ["sample", "--help"]])
def test_building_the_parser_and_its_help_import_neither_pydicom_nor_the_engine(
    argv: list[str],
) -> None:
    modules = imported_after(
        "from deidentify.cli import build_parser\nbuild_parser()\n"
        f"try:\n    build_parser().parse_args({argv!r})\nexcept SystemExit:\n    pass")
    assert {"deidentify.commands.apply", "deidentify.commands.report"} <= modules
    heavy = {name for name in modules if name.split(".")[0] in ("pydicom", *OPTIONAL)}
    assert not heavy, heavy
    assert not {"deidentify.plan", "deidentify.engine", "deidentify.batch",
                "deidentify.beyond.identifying", "generated.model"} & modules


def test_the_parsers_names_are_their_homes_values() -> None:
    homes = {"POLICIES": CompoundPolicy, "LAYOUTS": Layout, "BURNED_IN": BurnedIn,
             "PIXEL_MODES": PixelMode, "NAME_MODES": NameMode}
    for name, enum in homes.items():
        assert getattr(names, name) == tuple(member.value for member in enum), name
    assert (names.MB, names.INFLATION_FLOOR, names.MAX_INFLATED_BYTES,
            names.MAX_INFLATE_RATIO) == (inflation.MB, inflation.FLOOR,
                                         inflation.DEFAULT_MAX_BYTES,
                                         inflation.DEFAULT_MAX_RATIO)
    assert (names.RUN_RECORD, names.CHECK_KEY) == (identity.RECORD, identity.CHECK_KEY)


def test_importing_the_package_defers_the_engine_until_a_name_is_used() -> None:
    assert "deidentify.engine" not in imported_after("import deidentify")
    modules = imported_after("from deidentify import Deidentifier, parse_profile")
    assert {"deidentify.engine", "deidentify.profile"} <= modules


def test_apply_of_one_file_imports_no_other_subcommand_nor_optional_capability(
    tmp_path: Path,
) -> None:
    argv, output = apply_argv(tmp_path, "CT_small.dcm")
    modules = imported_after(
        f"from deidentify.cli import main\nassert main({argv!r}) == 0")
    assert (output / "CT_small.dcm").is_file()
    optional = {name.split(".")[0] for name in modules} & set(OPTIONAL)
    assert optional <= {"numpy"}, optional
    other_commands = ("deidentify.verify", "deidentify.report", "deidentify.net",
                      "deidentify.linkage.encrypted", "deidentify.pixels.decode",
                      "deidentify.cluster")
    assert not {name for name in modules if name.startswith(other_commands)}


def test_apply_with_workers_leaves_pydicom_and_the_engine_to_them(tmp_path: Path) -> None:
    argv, output = apply_argv(tmp_path, "CT_small.dcm", "MR_small.dcm", jobs=2)
    modules = imported_after(
        "if __name__ == '__main__':\n"
        f"    from deidentify.cli import main\n    assert main({argv!r}) == 0")
    assert sorted(path.name for path in output.iterdir() if path.suffix == ".dcm") == [
        "CT_small.dcm", "MR_small.dcm"]
    assert pydicom.dcmread(output / "CT_small.dcm").PatientIdentityRemoved == "YES"
    engine = {"deidentify.engine", "deidentify.fastpath", "deidentify.plan",
              "deidentify.batch.one_file", "generated.edition_2026c.actions"}
    assert not {name for name in modules if name.split(".")[0] in ("pydicom", *OPTIONAL)}
    assert not engine & modules, engine & modules


def test_the_report_parser_offers_every_renderer() -> None:
    assert set(FORMAT_NAMES) == set(FORMATS)


def test_a_run_in_this_process_imports_the_engine_before_it_waits_for_the_secret_check(
    tmp_path: Path,
) -> None:
    argv, output = apply_argv(tmp_path, "CT_small.dcm")
    script = (
        "import sys\nfrom deidentify import secrets\nfrom deidentify.cli import main\n"
        "seen = []\nwait = secrets._HashAhead.result\n"
        "def result(self):\n"
        "    seen.append('deidentify.batch.one_file' in sys.modules)\n"
        "    return wait(self)\n"
        "secrets._HashAhead.result = result\n"
        f"assert main({argv!r}) == 0\nprint(seen)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, check=True)
    assert done.stdout.split() == ["[True]"]
    assert (output / "CT_small.dcm").is_file()
