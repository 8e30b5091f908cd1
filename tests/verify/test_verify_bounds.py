"""`deidentify verify` reads deflated files within the inflation bound."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.batch.bombs import command, deflate_bomb, peak_rss_mib
from tests.verify.verify_helpers import copy_testdata, deidentify_tree

PEAK_RSS_LIMIT_MIB = 500
"""The bomb inflates to 1 GiB, which pydicom holds twice; refused, verify stays near its own
size (the interpreter and the secret's scrypt check)."""


def test_a_deflate_bomb_among_the_outputs_fails_in_bounded_memory(tmp_path: Path) -> None:
    copy_testdata(["CT_small.dcm"], tmp_path / "in")
    deidentify_tree(tmp_path / "in", tmp_path / "out", "deidentify:")
    deflate_bomb(tmp_path / "out" / "bomb.dcm")
    report = tmp_path / "result.json"
    done = subprocess.run(
        command("verify", tmp_path / "in", tmp_path / "out", "--profile", "deidentify:",
                "--json", report),
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    result = json.loads(report.read_text(encoding="utf-8"))
    assert "bomb.dcm" in {violation["file"] for violation in result["violations"]}
    assert peak_rss_mib(done.stderr) < PEAK_RSS_LIMIT_MIB, peak_rss_mib(done.stderr)
