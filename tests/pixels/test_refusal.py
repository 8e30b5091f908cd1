"""Without the option, every at-risk object is refused and counted; with ``accept`` it is
written and says so; objects not at risk pass through untouched, on the fast path."""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.uid import MPEG4HP41

from deidentify import DeidentifyError
from deidentify.batch import BatchOptions, EngineFactory, InputError, run_batch
from deidentify.cli import main
from deidentify.fastpath import fast_deidentify_file
from deidentify.pixels import (
    BURNED_IN_RISK,
    BurnedIn,
    PixelRefusal,
    PixelSettings,
    PixelsUnavailable,
    assess,
    load_cleaner,
)
from deidentify.pixels.outcome import ACCEPTED_METHOD
from deidentify.pixels.risk import UNCLEANABLE
from deidentify.profile import CompoundPolicy
from deidentify.uids import UIDScheme
from tests.pixels import images
from tests.pixels.conftest import CLEAN, SECRET, cleaned, deidentifier, round_trip

MADE = (images.us_rgb, images.us_multiframe, images.sc_gray, images.xa_16bit,
        images.jpeg_baseline)


def _write_made(folder: Path) -> list[Path]:
    folder.mkdir(parents=True)
    paths = []
    for make in MADE:
        path = folder / f"{make.__name__}.dcm"
        make()[0].save_as(path, enforce_file_format=True)
        paths.append(path)
    return paths


def _ct_not_at_risk(folder: Path) -> Path:
    ds = pydicom.dcmread(str(get_testdata_file("CT_small.dcm")))
    ds.BurnedInAnnotation = "NO"
    path = folder / "ct.dcm"
    ds.save_as(path, enforce_file_format=True)
    return path


def _factory(**changes: object) -> EngineFactory:
    settings: dict[str, object] = {"profile_uri": "deidentify:", "edition": None,
                                   "policy": CompoundPolicy.CONFORMANT,
                                   "uid_scheme": UIDScheme.KEYED, "secret": SECRET}
    settings.update(changes)
    return EngineFactory(**settings)  # type: ignore[arg-type]


def test_every_at_risk_object_is_refused_and_counted(tmp_path: Path) -> None:
    made = _write_made(tmp_path / "in")
    _ct_not_at_risk(tmp_path / "in")
    log = tmp_path / "log.jsonl"
    totals = run_batch(BatchOptions(inputs=(tmp_path / "in",), output=tmp_path / "out", log=log),
                       _factory())
    records = {Path(str(r["input"])).name: r for r in map(json.loads, log.read_text().split("\n")
                                                          [:-1])}
    assert totals.reasons == {BURNED_IN_RISK: len(made)} and totals.failed == len(made)
    assert all(records[path.name]["status"] == "failed" for path in made)
    assert records["ct.dcm"]["status"] == "ok"
    assert sorted(p.name for p in (tmp_path / "out").glob("*.dcm")) == ["ct.dcm"]


def test_accept_writes_them_and_says_so(tmp_path: Path) -> None:
    _write_made(tmp_path / "in")
    log = tmp_path / "log.jsonl"
    accept = _factory(pixels=PixelSettings(BurnedIn.ACCEPT))
    totals = run_batch(BatchOptions(inputs=(tmp_path / "in",), output=tmp_path / "out", log=log),
                       accept)
    assert totals.failed == 0 and totals.pixels == {"accepted": len(MADE)}
    for line in log.read_text().splitlines():
        assert json.loads(line)["pixels"] == {"action": "accepted"}
    for path in (tmp_path / "out").glob("*.dcm"):
        ds = pydicom.dcmread(path)
        assert ACCEPTED_METHOD in list(ds.DeidentificationMethod)
        assert "113101" not in [item.CodeValue for item in ds.DeidentificationMethodCodeSequence]


def test_the_run_records_the_setting(tmp_path: Path) -> None:
    output = tmp_path / "out"
    (tmp_path / "in").mkdir()
    shutil.copy(str(get_testdata_file("CT_small.dcm")), tmp_path / "in")
    refuse = _factory()
    run_batch(BatchOptions(inputs=(tmp_path / "in",), output=output, identity=refuse.identity),
              refuse)
    assert "burned-in=refuse" in (output / ".deidentify-run").read_text()
    accept = _factory(pixels=PixelSettings(BurnedIn.ACCEPT))
    with pytest.raises(InputError, match="another burned-in"):
        run_batch(BatchOptions(inputs=(tmp_path / "in",), output=output,
                               identity=accept.identity), accept)


def test_a_ct_not_at_risk_stays_on_the_fast_path_byte_identical(tmp_path: Path) -> None:
    source = _ct_not_at_risk(tmp_path)
    outputs = {}
    for uri in ("deidentify:", CLEAN):
        deid = deidentifier(uri)
        assert not deid.needs_pixels(pydicom.dcmread(source))
        fast = io.BytesIO()
        assert fast_deidentify_file(deid, source, fast)
        deid.deidentify_file(source, tmp_path / "reference.dcm")
        assert fast.getvalue() == (tmp_path / "reference.dcm").read_bytes()
        outputs[uri] = pydicom.dcmread(io.BytesIO(fast.getvalue()))
    original = pydicom.dcmread(source)
    for ds in outputs.values():
        assert ds.PixelData == original.PixelData
    assert outputs[CLEAN].PatientIdentityRemoved == "YES"


def test_the_reference_path_refuses_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "us.dcm"
    images.us_rgb()[0].save_as(path, enforce_file_format=True)
    with pytest.raises(DeidentifyError, match=f"us.dcm: {BURNED_IN_RISK}$"):
        deidentifier("deidentify:").deidentify_file(path, tmp_path / "out.dcm")
    assert not (tmp_path / "out.dcm").exists()


def test_video_is_refused_under_the_option() -> None:
    ds, _ = images.us_rgb()
    ds.file_meta.TransferSyntaxUID = MPEG4HP41
    assert assess(ds) is not None
    with pytest.raises(PixelRefusal, match=UNCLEANABLE):
        deidentifier().apply(ds)


def test_an_embedded_overlay_is_cleared_and_its_group_removed() -> None:
    ds, _ = images.xa_16bit()
    ds.BurnedInAnnotation = "NO"
    pixels = ds.pixel_array.copy()
    pixels[0:8, 0:8] |= 1 << 15  # an overlay bit above High Bit
    ds.PixelData = pixels.tobytes()
    for tag, vr, value in ((0x60000010, "US", 8), (0x60000011, "US", 8),
                           (0x60000100, "US", 16), (0x60000102, "US", 15)):
        ds.add_new(tag, vr, value)
    output, outcome = cleaned(ds)
    assert outcome is not None and outcome.action == "cleaned"
    raw = pydicom.dcmread(io.BytesIO(_bytes(output))).pixel_array
    assert int(raw.max()) < 1 << 12
    assert 0x60000010 not in output


def _bytes(ds: pydicom.Dataset) -> bytes:
    stream = io.BytesIO()
    ds.save_as(stream, enforce_file_format=True)
    return stream.getvalue()


def test_without_the_extra_the_option_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "deidentify.pixels.cleaner", None)
    with pytest.raises(PixelsUnavailable, match=r"pip install 'deidentify\[pixels\]'"):
        load_cleaner(PixelSettings())
    assert assess(round_trip(images.us_rgb()[0])) is not None  # the gate needs no extra


def _apply_arguments(tmp_path: Path) -> list[str]:
    """``apply`` of the made objects (in ``tmp_path/in``) with a secret file, no output yet."""
    _write_made(tmp_path / "in")
    secret = tmp_path / "secret"
    secret.write_text("a secret for the command line test\n")
    return ["apply", str(tmp_path / "in"), "--secret-file", str(secret)]


def test_the_command_exits_1_and_names_the_way_forward(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = [*_apply_arguments(tmp_path), "--quiet"]
    assert main([*arguments, "--output", str(tmp_path / "refused")]) == 1
    assert f"{BURNED_IN_RISK}" in capsys.readouterr().err
    assert main([*arguments, "--output", str(tmp_path / "accepted"),
                 "--burned-in", "accept"]) == 0
    bad_rules = tmp_path / "rules.toml"
    bad_rules.write_text("[[rule]]\nname = 'x'\n")
    assert main([*arguments, "--output", str(tmp_path / "clean"), "--profile", CLEAN,
                 "--pixel-rules", str(bad_rules)]) == 2
    assert "rules.toml: rule 1: match must be a table" in capsys.readouterr().err


def test_region_rules_without_the_option_are_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = _apply_arguments(tmp_path)
    rules = tmp_path / "rules.toml"
    rules.write_text("")
    for given in (rules, tmp_path / "missing.toml"):
        output = tmp_path / f"out-{given.stem}"
        assert main([*arguments, "--output", str(output), "--pixel-rules", str(given)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "--pixel-rules is for CleanPixelDataOption" in err
        assert not output.exists()


def test_the_summary_names_the_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main([*_apply_arguments(tmp_path), "--output", str(tmp_path / "out")])
    assert f"{len(MADE)} refused for {BURNED_IN_RISK}: add CleanPixelDataOption" in (
        capsys.readouterr().out
    )
