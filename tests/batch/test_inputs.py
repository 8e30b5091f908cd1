"""Inputs and output folder refused before anything is written; temporary files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from deidentify.batch import InputError
from deidentify.batch.atomic import TEMP_FOLDER, TempArea, host_label, publish
from deidentify.batch.discovery import (
    TEMPORARY_FOLDER,
    InputFile,
    InputProblem,
    discover,
    resolve_inputs,
    several_files,
)


def test_output_inside_input_is_refused(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    with pytest.raises(InputError, match="inside the input folder"):
        resolve_inputs([tmp_path / "in"], tmp_path / "in" / "out")
    with pytest.raises(InputError, match="inside the input folder"):
        resolve_inputs([tmp_path / "in"], tmp_path / "in")


def test_input_inside_output_is_refused(tmp_path: Path) -> None:
    (tmp_path / "out" / "in").mkdir(parents=True)
    with pytest.raises(InputError, match="inside the output folder"):
        resolve_inputs([tmp_path / "out" / "in"], tmp_path / "out")


def test_missing_input_and_log_inside_input_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        resolve_inputs([tmp_path / "absent"], tmp_path / "out")
    (tmp_path / "in").mkdir()
    with pytest.raises(InputError, match="inside the input folder"):
        resolve_inputs([tmp_path / "in"], tmp_path / "out", [tmp_path / "in" / "log.jsonl"])


def test_output_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "out").write_text("x", encoding="ascii")
    with pytest.raises(InputError, match="not a folder"):
        resolve_inputs([tmp_path / "in"], tmp_path / "out")


def test_discovery_is_sorted_and_skips_temporary_folders(tmp_path: Path) -> None:
    for name in ["b/2", "b/1", "a", f"{TEMP_FOLDER}/9-0.part", "c/d/e"]:
        (tmp_path / "in" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "in" / name).write_bytes(b"")
    roots = resolve_inputs([tmp_path / "in"], tmp_path / "out")
    found = list(discover(roots))
    assert [str(f.relative) for f in found if isinstance(f, InputFile)] == [
        "a", "b/1", "b/2", "c/d/e"]
    assert [(str(p.relative), p.failed, p.reason) for p in found
            if isinstance(p, InputProblem)] == [(TEMP_FOLDER, False, TEMPORARY_FOLDER)]


def test_stale_temporaries_removed_live_ones_kept(tmp_path: Path) -> None:
    area = TempArea(tmp_path)
    area.folder.mkdir()
    live = area.folder / f"{os.getpid()}-0.part"
    dead = area.folder / f"{2**22 + 999}-0.part"
    live.write_bytes(b"1")
    dead.write_bytes(b"2")
    assert area.prepare() == 1
    assert live.exists() and not dead.exists()


def test_each_process_writes_in_its_own_subfolder_and_dead_ones_are_removed(
    tmp_path: Path,
) -> None:
    area = TempArea(tmp_path)
    area.prepare()
    first, second = area.new_name(), area.new_name()
    assert first.parent == second.parent == area.folder / str(os.getpid())
    assert first != second
    first.write_bytes(b"in progress")
    dead = area.folder / f"{2**22 + 999}" / "0.part"
    dead.parent.mkdir()
    dead.write_bytes(b"half a file")
    assert TempArea(tmp_path).prepare() == 1
    assert first.exists() and not dead.parent.exists()
    area.remove_if_empty()
    assert first.exists()
    first.unlink()
    area.remove_if_empty()
    assert not area.folder.exists()
    assert area.new_name().parent.is_dir()


def test_publish_without_replace_keeps_the_existing_file(tmp_path: Path) -> None:
    first, second, target = tmp_path / "1", tmp_path / "2", tmp_path / "t" / "x.dcm"
    first.write_bytes(b"first")
    second.write_bytes(b"second")
    assert publish(first, target, replace=False)
    assert not publish(second, target, replace=False)
    assert target.read_bytes() == b"first" and not first.exists()


@pytest.mark.parametrize("replace", [True, False])
def test_publish_creates_missing_folders_and_moves_the_file(tmp_path: Path, replace: bool) -> None:
    first, second = tmp_path / "1", tmp_path / "2"
    first.write_bytes(b"first")
    second.write_bytes(b"second")
    deep, beside = tmp_path / "a" / "b" / "x.dcm", tmp_path / "a" / "b" / "y.dcm"
    assert publish(first, deep, replace=replace)
    assert publish(second, beside, replace=replace)
    assert deep.read_bytes() == b"first" and beside.read_bytes() == b"second"
    assert not first.exists() and not second.exists()


def test_a_cluster_workers_subfolder_of_another_machine_is_removed_whatever_its_pid(
    tmp_path: Path,
) -> None:
    area = TempArea(tmp_path)
    area.folder.mkdir()
    alive_here = str(os.getpid())
    elsewhere = area.folder / f"{alive_here}-{host_label()}x" / "0.part"
    here = area.folder / f"{alive_here}-{host_label()}" / "0.part"
    for path in (elsewhere, here):
        path.parent.mkdir()
        path.write_bytes(b"half a file")
    assert area.prepare() == 1
    assert here.exists() and not elsewhere.parent.exists()


def test_several_files_stops_at_the_second_and_counts_nested_ones(tmp_path: Path) -> None:
    one = tmp_path / "one"
    (one / "a" / "b").mkdir(parents=True)
    (one / "a" / "b" / "only.dcm").write_bytes(b"1")
    assert not several_files([one])
    assert not several_files([one / "a" / "b" / "only.dcm"])
    assert not several_files([tmp_path / "missing"])
    assert several_files([one, one / "a" / "b" / "only.dcm"])
    listing = tmp_path / "list.txt"
    listing.write_text("a/b/only.dcm\n", encoding="utf-8")
    assert not several_files([one], listing)
    (one / "a" / "second.dcm").write_bytes(b"2")
    assert several_files([one])
    listing.write_text("a/b/only.dcm\na/second.dcm\n", encoding="utf-8")
    assert several_files([one], listing)
