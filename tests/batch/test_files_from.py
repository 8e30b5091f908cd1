"""``--files-from LIST``: the files of a run read from a list instead of walking the folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deidentify.batch import BatchOptions, InputError, Status, run_batch
from deidentify.batch.discovery import InputFile, discover, resolve_inputs
from deidentify.cli import main
from tests.batch.helpers import SECRET, copy_corpus, engine_factory, output_files

NAMES = ["CT_small.dcm", "MR_small.dcm", "rtplan.dcm", "rtdose.dcm"]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy_corpus(NAMES, tmp_path / "in")
    return tmp_path / "in"


def test_only_listed_files_in_the_lists_order_relative_or_absolute(
    folder: Path, tmp_path: Path
) -> None:
    listing = tmp_path / "list.txt"
    listing.write_text(f"sub/MR_small.dcm\r\n\n{folder / 'rtplan.dcm'}\n./sub/../CT_small.dcm",
                       encoding="utf-8")
    roots = resolve_inputs([folder], tmp_path / "out")
    found = [(str(item.relative), item.path) for item in discover(roots, listing)
             if isinstance(item, InputFile)]
    assert found == [("sub/MR_small.dcm", folder / "sub" / "MR_small.dcm"),
                     ("rtplan.dcm", folder / "rtplan.dcm"),
                     ("CT_small.dcm", folder / "CT_small.dcm")]


def test_a_run_from_a_list_writes_what_a_full_run_writes_for_those_files(
    folder: Path, tmp_path: Path
) -> None:
    listing = tmp_path / "list.txt"
    listing.write_text("sub/MR_small.dcm\nCT_small.dcm\nmissing.dcm\n", encoding="utf-8")
    factory = engine_factory()
    full = run_batch(BatchOptions(inputs=(folder,), output=tmp_path / "full"), factory)
    log = tmp_path / "log.jsonl"
    listed = run_batch(BatchOptions(inputs=(folder,), output=tmp_path / "listed", log=log,
                                    files_from=listing), factory)
    assert full.done == 4 and listed.done == 2 and listed.failed == 1
    written = output_files(tmp_path / "listed")
    assert [str(path.relative_to(tmp_path / "listed")) for path in written] == [
        "CT_small.dcm", "sub/MR_small.dcm"]
    for path in written:
        twin = tmp_path / "full" / path.relative_to(tmp_path / "listed")
        assert path.read_bytes() == twin.read_bytes()
    records = {json.loads(line)["input"]: json.loads(line) for line in log.read_text().splitlines()}
    assert records["missing.dcm"]["status"] == Status.FAILED.value
    assert "No such file" in records["missing.dcm"]["reason"]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("CT_small.dcm\n../elsewhere.dcm\n", "list.txt: line 2: not a file inside the input"),
        ("/etc/passwd\n", "line 1: not a file inside the input folder"),
        (".\n", "line 1: not a file inside the input folder"),
    ],
)
def test_a_path_outside_the_folder_is_refused_before_anything_is_written(
    folder: Path, tmp_path: Path, lines: str, message: str
) -> None:
    listing = tmp_path / "list.txt"
    listing.write_text(lines, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        run_batch(BatchOptions(inputs=(folder,), output=tmp_path / "out", files_from=listing),
                  engine_factory())
    assert output_files(tmp_path / "out") == []


def test_command_line_errors(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret"
    secret.write_text(SECRET.hex(), encoding="ascii")
    base = ["apply", "--output", str(tmp_path / "out"), "--secret-file", str(secret), "--quiet"]
    assert main([*base, str(folder), "--files-from", str(tmp_path / "absent.txt")]) == 2
    assert "absent.txt: No such file or directory" in capsys.readouterr().err
    (tmp_path / "list.txt").write_text("CT_small.dcm\n", encoding="utf-8")
    assert main([*base, str(folder), str(folder / "sub"), "--files-from",
                 str(tmp_path / "list.txt")]) == 2
    assert "--files-from takes exactly one input folder" in capsys.readouterr().err
    assert main([*base, str(folder / "CT_small.dcm"), "--files-from",
                 str(tmp_path / "list.txt")]) == 2
    assert "--files-from needs an input folder" in capsys.readouterr().err
    assert main([*base, str(folder), "--files-from", str(tmp_path / "list.txt")]) == 0
    assert [path.name for path in output_files(tmp_path / "out")] == ["CT_small.dcm"]
