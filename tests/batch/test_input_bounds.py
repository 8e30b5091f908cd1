"""Inputs built to exhaust the readers are refused with their reason: a deflate bomb in
bounded memory, sequences nested thousands deep."""

from __future__ import annotations

import io
import json
import os
import subprocess
import zlib
from pathlib import Path

import pytest
from pydicom.data import get_testdata_file

from deidentify.engine import DeidentifyError, read
from deidentify.inflation import FLOOR, MB, InflationLimit, InflationRefused, check_stream
from tests.batch.bombs import command, deeply_nested, deflate_bomb, peak_rss_mib

SECRET = "00112233445566778899aabbccddeeff"
PEAK_RSS_LIMIT_MIB = 500
"""The bomb inflates to 512 MiB or 1 GiB, which pydicom holds twice (4.1 GB peak before the
bound); refused, the child stays near its own size (the interpreter and the secret's scrypt
check, some 150 MB)."""


def _records(log: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


@pytest.mark.parametrize("inflated_mib", [512, 1100], ids=["read-whole", "streaming"])
def test_a_deflate_bomb_is_refused_in_bounded_memory(tmp_path: Path, inflated_mib: int) -> None:
    """Under 1 MiB a file is read whole; over it, the streaming path reads its header."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    bomb = deflate_bomb(inputs / "bomb.dcm", inflated_mib)
    assert bomb.stat().st_size < 2_000_000
    log = tmp_path / "log.jsonl"
    done = subprocess.run(
        command("apply", inputs, "--output", tmp_path / "out", "--log", log, "--quiet"),
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "DEIDENTIFY_SECRET": SECRET},
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    [record] = _records(log)
    assert record["status"] == "failed"
    assert record["reason"] == "deflated dataset inflates more than 100 times its size (the bound)"
    [line] = [line for line in done.stderr.splitlines() if "bomb.dcm" in line]
    assert line.endswith("bomb.dcm: deflated dataset inflates more than 100 times its size "
                         "(the bound)")
    assert peak_rss_mib(done.stderr) < PEAK_RSS_LIMIT_MIB


def test_the_bound_is_configurable_and_legitimate_files_pass(tmp_path: Path) -> None:
    deflated = Path(str(get_testdata_file("image_dfl.dcm")))
    log = tmp_path / "log.jsonl"
    done = subprocess.run(
        command("apply", deflated, "--output", tmp_path / "strict", "--log", log, "--quiet",
                "--max-inflated-mb", "0.1"),
        capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "DEIDENTIFY_SECRET": SECRET},
    )
    assert done.returncode == 1, done.stderr
    assert [r["reason"] for r in _records(log)] == [
        "deflated dataset inflates past 0.1 MB (the bound)"
    ]
    assert read(deflated).SOPInstanceUID


def test_the_reference_reader_refuses_a_bomb_naming_the_file(tmp_path: Path) -> None:
    bomb = deflate_bomb(tmp_path / "bomb.dcm", inflated_mib=128)
    with pytest.raises(DeidentifyError, match=r"bomb\.dcm: deflated dataset inflates more"):
        read(bomb)


def test_truncated_and_corrupt_deflate_data_are_named() -> None:
    data = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    stream = data.compress(os.urandom(4096) * 8) + data.flush()
    limit = InflationLimit()
    check_stream(io.BytesIO(stream), len(stream), limit)
    with pytest.raises(InflationRefused, match="truncated"):
        check_stream(io.BytesIO(stream[:-40]), len(stream) - 40, limit)
    with pytest.raises(InflationRefused, match="corrupt"):
        check_stream(io.BytesIO(b"\xff" * 64), 64, limit)


def _deflated_zeros(size: int) -> bytes:
    deflater = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return deflater.compress(bytes(size)) + deflater.flush()


def test_any_dataset_may_inflate_to_the_floor_and_no_further_past_the_ratio() -> None:
    limit = InflationLimit()
    at_floor = _deflated_zeros(FLOOR)
    check_stream(io.BytesIO(at_floor), len(at_floor), limit)
    past_floor = _deflated_zeros(FLOOR + 1)
    with pytest.raises(InflationRefused, match="more than 100 times its size"):
        check_stream(io.BytesIO(past_floor), len(past_floor), limit)
    with pytest.raises(InflationRefused, match="past 1 MB"):
        check_stream(io.BytesIO(at_floor), len(at_floor), InflationLimit(max_bytes=1 * MB))


def test_sequences_nested_thousands_deep_are_refused_with_that_reason(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    deeply_nested(inputs / "deep.dcm")
    log = tmp_path / "log.jsonl"
    done = subprocess.run(
        command("apply", inputs, "--output", tmp_path / "out", "--log", log, "--quiet"),
        capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "DEIDENTIFY_SECRET": SECRET},
    )
    assert done.returncode == 1, done.stderr
    assert [r["reason"] for r in _records(log)] == ["sequences nested too deeply to follow"]
    with pytest.raises(DeidentifyError, match=r"deep\.dcm: sequences nested too deeply"):
        read(inputs / "deep.dcm")
