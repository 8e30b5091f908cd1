"""What a user meets first: --version, the option names per edition, one flag name per
concept, the summary off a terminal and as JSON."""

from __future__ import annotations

import io
import json
import shutil
from importlib import metadata
from pathlib import Path

import pytest

import generated
from deidentify.batch import Totals, print_summary
from deidentify.batch.results import FileResult, Status
from deidentify.cli import main
from deidentify.profile import TOOL_OPTIONS
from tests.batch.helpers import SECRET, shipped


def test_version_names_the_installed_distribution(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["--version"])
    assert raised.value.code == 0
    assert capsys.readouterr().out == f"deidentify {metadata.version('deidentify')}\n"


@pytest.mark.parametrize("edition", generated.EDITIONS)
def test_options_lists_each_editions_names_with_their_codes(
    edition: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["options", "--edition", edition]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    listed = {line.split()[0]: line.split()[1:3] for line in lines}
    expected = {option.value for option in generated.load(edition).options}
    assert set(listed) == expected | {option.value for option in TOOL_OPTIONS}
    assert {"RetainPatientIDHashOption", "CleanPixelDataOption"} <= set(listed)
    for option in generated.load(edition).options:
        assert listed[option.value] == ["DCM", option.code.value]
        assert option.code.value.startswith("1131")


def test_options_refuses_an_unknown_edition(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["options", "--edition", "1999z"]) == 2
    assert "1999z" in capsys.readouterr().err


def test_policy_is_one_flag_in_every_subcommand_and_compound_a_hidden_alias(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in ("apply", "sample", "report", "verify"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        helps = capsys.readouterr().out
        assert "--policy" in helps and "--compound" not in helps, command
    main(["report", "--profile", "deidentify:", "--format", "json", "--policy", "strict"])
    by_policy = capsys.readouterr().out
    main(["report", "--profile", "deidentify:", "--format", "json", "--compound", "strict"])
    assert capsys.readouterr().out == by_policy
    main(["report", "--profile", "deidentify:", "--format", "json"])
    assert capsys.readouterr().out != by_policy


def _totals() -> Totals:
    totals = Totals()
    long_reason = "a reason long enough to wrap in a narrow table " * 3
    for index in range(3):
        totals.add(FileResult("in", f"{index}.dcm", None, Status.FAILED, long_reason.strip()))
    totals.add(FileResult("in", "ok.dcm", "ok.dcm", Status.OK, None, 10, 12))
    return totals


def test_the_summary_off_a_terminal_is_plain_one_line_per_row() -> None:
    stream = io.StringIO()
    print_summary(_totals(), stream)
    lines = stream.getvalue().splitlines()
    assert not any(char in stream.getvalue() for char in "┌│└─")
    assert len(lines) == 8
    assert lines[-1].startswith("  a reason long enough") and lines[-1].endswith("  3")


def test_summary_json_matches_the_log(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copyfile(shipped("CT_small.dcm"), folder / "ct.dcm")
    (folder / "notes.txt").write_text("not DICOM")
    (folder / "cut.dcm").write_bytes(shipped("MR_small.dcm").read_bytes()[:3000])
    secret = tmp_path / "secret"
    secret.write_text(SECRET.hex())
    target = tmp_path / "summary.json"
    status = main(["apply", str(folder), "--output", str(tmp_path / "out"), "--secret-file",
                   str(secret), "--quiet", "--summary-json", str(target)])
    summary = json.loads(target.read_text())
    assert status == summary["exit_status"] == 1
    assert (summary["de_identified"], summary["skipped"], summary["failed"]) == (1, 1, 1)
    assert summary["reasons"] == {"not a DICOM file": 1,
                                  "truncated or corrupt DICOM file": 1}
    assert summary["read_bytes"] == (folder / "ct.dcm").stat().st_size
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".deidentify-")] == []


def test_a_summary_inside_an_input_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copyfile(shipped("CT_small.dcm"), folder / "ct.dcm")
    secret = tmp_path / "secret"
    secret.write_text(SECRET.hex())
    status = main(["apply", str(folder), "--output", str(tmp_path / "out"), "--secret-file",
                   str(secret), "--summary-json", str(folder / "summary.json")])
    assert status == 2
    assert "summary.json: would be written inside the input folder" in capsys.readouterr().err
    assert sorted(p.name for p in folder.iterdir()) == ["ct.dcm"]
