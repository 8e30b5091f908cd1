"""Runs with the real engine: transfer syntaxes, consistency, damaged files, DICOMDIR."""

from __future__ import annotations

import json
import re
import shutil
import warnings
from pathlib import Path

import numpy
import pydicom
from pydicom.data import get_testdata_file

from deidentify.batch import BatchOptions, Layout, Status, run_batch
from deidentify.batch.layout import NAMES_IN_PATH
from deidentify.batch.results import DICOMDIR_DROPPED, NOT_DICOM, TRUNCATED
from deidentify.pixels import BURNED_IN_RISK, BurnedIn, PixelSettings, assess
from deidentify.profile import CompoundPolicy
from deidentify.uids import UIDScheme
from deidentify.writer import NOT_WRITABLE
from tests.batch.helpers import copy_corpus, engine_factory, output_files, shipped, shipped_files

UID_KEYWORDS = ("SOPInstanceUID", "StudyInstanceUID", "SeriesInstanceUID", "FrameOfReferenceUID")
PIXEL_DATA = 0x7FE00010


def _header(path: Path) -> pydicom.Dataset | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return pydicom.dcmread(path, stop_before_pixels=True)
        except Exception:
            return None


def one_file_per_transfer_syntax() -> dict[str, Path]:
    """The first shipped file (sorted by name) of each transfer syntax with Pixel Data."""
    chosen: dict[str, Path] = {}
    for path in sorted(shipped_files(), key=lambda p: p.name):
        ds = _header(path)
        if ds is None or "TransferSyntaxUID" not in ds.file_meta or "Rows" not in ds:
            continue
        if path.name.upper().startswith("DICOMDIR") or "truncated" in path.name:
            continue
        chosen.setdefault(str(ds.file_meta.TransferSyntaxUID), path)
    return chosen


def _log(path: Path) -> list[dict[str, str | None]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _raw_pixel_value(path: Path) -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bytes(pydicom.dcmread(path)[PIXEL_DATA].value)


def test_every_transfer_syntax_pydicom_ships(tmp_path: Path) -> None:
    chosen = one_file_per_transfer_syntax()
    assert len(chosen) >= 12
    folder = tmp_path / "in"
    for syntax, path in chosen.items():
        (folder / syntax).mkdir(parents=True)
        shutil.copyfile(path, folder / syntax / path.name)
    log = tmp_path / "log.jsonl"
    out = tmp_path / "out"
    accept = engine_factory(pixels=PixelSettings(BurnedIn.ACCEPT))  # Pixel Data passes through
    totals = run_batch(BatchOptions(inputs=(folder,), output=out, log=log), accept)
    records = _log(log)
    assert [r for r in records if r["status"] != "ok"] == []
    assert totals.done == len(chosen)
    for syntax, path in chosen.items():
        written = out / syntax / path.name
        original, result = _header(path), _header(written)
        assert original is not None and result is not None
        assert result.file_meta.TransferSyntaxUID == syntax
        assert result.PatientIdentityRemoved == "YES"
        assert result.SOPInstanceUID != original.SOPInstanceUID
        before, after = _raw_pixel_value(path), _raw_pixel_value(written)
        if after != before:  # a codestream's comments blanked in place
            assert len(after) == len(before), syntax
            assert numpy.array_equal(pydicom.dcmread(written).pixel_array,
                                     pydicom.dcmread(path).pixel_array), syntax


def _uids(folder: Path) -> dict[str, tuple[str, ...]]:
    found = {}
    for path in output_files(folder):
        ds = _header(path)
        assert ds is not None
        found[path.name] = tuple(str(ds.get(k, "")) for k in UID_KEYWORDS)
    return found


NAMES = ["CT_small.dcm", "MR_small.dcm", "MR_small_bigendian.dcm", "rtplan.dcm", "rtdose.dcm",
         "rtstruct.dcm", "JPEG-lossy.dcm", "image_dfl.dcm", "MR_small_RLE.dcm",
         "emri_small_jpeg_2k_lossless.dcm", "SC_rgb_small_odd.dcm", "liver_expb_1frame.dcm"]


def test_uids_are_consistent_across_runs_and_processes(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    copy_corpus(NAMES, folder)
    runs = {}
    for name, jobs in (("one", 1), ("two", 2), ("again", 1)):
        out = tmp_path / name
        totals = run_batch(BatchOptions(inputs=(folder,), output=out, jobs=jobs),
                           engine_factory(pixels=PixelSettings(BurnedIn.ACCEPT)))
        assert totals.failed == 0 and totals.done == len(NAMES)
        runs[name] = _uids(out)
    assert runs["one"] == runs["two"] == runs["again"]
    mr = {runs["one"][name][1] for name in ("MR_small.dcm", "MR_small_bigendian.dcm")}
    assert len(mr) == 1
    other = tmp_path / "other-secret"
    run_batch(BatchOptions(inputs=(folder,), output=other),
              engine_factory(secret=b"another secret of enough length"))
    assert all(uids[0] != runs["one"][name][0] for name, uids in _uids(other).items())


def test_damaged_and_foreign_files_are_reported_and_the_batch_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    copy_corpus(["CT_small.dcm", "MR_small.dcm"], folder)
    whole = shipped("CT_small.dcm").read_bytes()
    (folder / "truncated.dcm").write_bytes(whole[: len(whole) // 2])
    (folder / "header-cut.dcm").write_bytes(whole[:700])
    (folder / "corrupt.dcm").write_bytes(whole[:132] + bytes(range(256)) * 8)
    (folder / "notes.txt").write_text("Patient list, not DICOM\n", encoding="utf-8")
    (folder / "empty.dcm").write_bytes(b"")
    log = tmp_path / "log.jsonl"
    totals = run_batch(BatchOptions(inputs=(folder,), output=tmp_path / "out", log=log),
                       engine_factory())
    records = {str(r["input"]): r for r in _log(log)}
    assert records["CT_small.dcm"]["status"] == records["sub/MR_small.dcm"]["status"] == "ok"
    for name in ("truncated.dcm", "header-cut.dcm", "corrupt.dcm"):
        assert (records[name]["status"], records[name]["reason"]) == ("failed", TRUNCATED)
    for name in ("notes.txt", "empty.dcm"):
        assert (records[name]["status"], records[name]["reason"]) == ("skipped", NOT_DICOM)
    assert (totals.done, totals.failed, totals.skipped) == (2, 3, 2)
    assert sorted(p.name for p in output_files(tmp_path / "out")) == ["CT_small.dcm",
                                                                      "MR_small.dcm"]


def test_dicomdir_is_never_copied(tmp_path: Path) -> None:
    dicomdir = get_testdata_file("DICOMDIR")
    assert dicomdir is not None
    folder = tmp_path / "media"
    shutil.copytree(Path(str(dicomdir)).parent, folder)
    log, out = tmp_path / "log.jsonl", tmp_path / "out"
    totals = run_batch(BatchOptions(inputs=(folder,), output=out, log=log), engine_factory())
    records = {str(r["input"]): r for r in _log(log)}
    directories = [name for name in records if name.startswith("DICOMDIR")]
    assert len(directories) == 7
    for name in directories:
        assert (records[name]["status"], records[name]["reason"]) == ("skipped",
                                                                      DICOMDIR_DROPPED)
    written = output_files(out)
    assert totals.done == len(written) > 10
    for path in written:
        ds = _header(path)
        assert ds is not None
        assert ds.file_meta.MediaStorageSOPClassUID != "1.2.840.10008.1.3.10"
        assert not any(element.tag >> 16 == 0x0004 for element in ds)


def _named_in_their_names(files: list[Path]) -> list[Path]:
    """The files whose own name holds a name component of their Patient's Name (of four
    characters or more), told by pydicom's reading of the name."""
    named = []
    for path in files:
        try:
            name = pydicom.dcmread(path, force=True, specific_tags=["PatientName"]).get(
                "PatientName")
        except Exception:
            continue
        parts = re.split(r"[\^=\s]+", str(name or "")) if name else []
        if any(len(part) >= 4 and part.casefold() in path.name.casefold() for part in parts):
            named.append(path)
    return named


def test_every_shipped_file_goes_through_one_run(tmp_path: Path) -> None:
    files = shipped_files()
    assert len(files) > 200
    folder = tmp_path / "all"
    for index, path in enumerate(files):
        target = folder / f"{index:03d}" / path.name
        target.parent.mkdir(parents=True)
        shutil.copyfile(path, target)
    log, out = tmp_path / "log.jsonl", tmp_path / "out"
    totals = run_batch(BatchOptions(inputs=(folder,), output=out, log=log, jobs=2),
                       engine_factory())
    records = _log(log)
    assert len(records) == totals.files == len(files)
    clear = {TRUNCATED, NOT_DICOM, DICOMDIR_DROPPED, NOT_WRITABLE, BURNED_IN_RISK,
             NAMES_IN_PATH}
    for record in records:
        status = Status(record["status"])
        if status is Status.OK:
            assert record["reason"] is None
            assert (out / str(record["output"])).is_file()
        else:
            reason = str(record["reason"])
            assert reason in clear or re.fullmatch(r"cannot be de-identified \(\w+\)", reason)
            assert record["output"] is None
    assert sum(1 for r in records if r["reason"] == DICOMDIR_DROPPED) == 8
    refused = [r for r in records if r["reason"] == BURNED_IN_RISK]
    assert len(refused) == totals.reasons[BURNED_IN_RISK] > 50
    assert all(assess(pydicom.dcmread(folder / str(r["input"]), force=True)) for r in refused)
    named = [r for r in records if r["reason"] == NAMES_IN_PATH]
    assert len(named) == len(_named_in_their_names(files)) >= 1  # test-SR.dcm: "Test^S R"
    assert all("*" in str(r["input"]) for r in named), "the name is masked in the log"
    assert totals.done + len(refused) > len(files) * 0.8
    assert totals.done == len(output_files(out))


def test_hierarchy_paths_hold_only_new_identifiers(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    copy_corpus(["CT_small.dcm", "rtplan.dcm", "rtdose.dcm", "JPEG-lossy.dcm"], folder)
    out = tmp_path / "out"
    totals = run_batch(BatchOptions(inputs=(folder,), output=out, layout=Layout.HIERARCHY),
                       engine_factory(pixels=PixelSettings(BurnedIn.ACCEPT)))
    assert totals.done == 4
    originals = [_header(path) for path in folder.rglob("*.dcm")]
    identifiers = {str(ds.get(keyword, "")) for ds in originals if ds is not None
                   for keyword in (*UID_KEYWORDS, "PatientID")} - {""}
    for path in output_files(out):
        relative = str(path.relative_to(out))
        assert not any(value in relative for value in identifiers)
        ds = _header(path)
        assert ds is not None
        assert relative.endswith(f"{ds.StudyInstanceUID}/{ds.SeriesInstanceUID}/"
                                 f"{ds.SOPInstanceUID}.dcm")


def test_uid_scheme_and_policy_reach_the_workers(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    copy_corpus(["CT_small.dcm", "MR_small.dcm"], folder)
    found = {}
    for name, factory in (
        ("keyed", engine_factory()),
        ("dcm4che", engine_factory(uid_scheme=UIDScheme.DCM4CHE)),
        ("strict", engine_factory(policy=CompoundPolicy.STRICT)),
    ):
        run_batch(BatchOptions(inputs=(folder,), output=tmp_path / name, jobs=2), factory)
        found[name] = _uids(tmp_path / name)["CT_small.dcm"]
        deid = factory.deidentifier()
        original = _header(folder / "CT_small.dcm")
        assert original is not None
        assert found[name][0] == deid.map_uid(original.SOPInstanceUID)
    assert found["keyed"] != found["dcm4che"]
    conformant = _header(tmp_path / "keyed" / "CT_small.dcm")
    strict = _header(tmp_path / "strict" / "CT_small.dcm")
    assert conformant is not None and strict is not None
    assert "InstitutionName" in conformant and "InstitutionName" not in strict


def test_datasets_without_file_meta_are_written_as_part_10_files(tmp_path: Path) -> None:
    names = ["ExplVR_BigEndNoMeta.dcm", "ExplVR_LitEndNoMeta.dcm"]
    folder = tmp_path / "in"
    copy_corpus(names, folder)
    out = tmp_path / "out"
    totals = run_batch(BatchOptions(inputs=(folder,), output=out), engine_factory())
    assert totals.done == 2
    for path in output_files(out):
        assert path.read_bytes()[128:132] == b"DICM"
        ds = _header(path)
        assert ds is not None and ds.PatientIdentityRemoved == "YES"
        assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
