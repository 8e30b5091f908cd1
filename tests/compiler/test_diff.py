"""Edition diffs on the real editions, in both output forms."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from compiler.diff import as_json, as_markdown, diff_editions
from tests.compiler.test_editions import compiled

PROJECT = Path(__file__).resolve().parents[2]


def test_2025e_to_2026c_adds_display_uri_only() -> None:
    diff = json.loads(as_json(diff_editions(compiled("2025e"), compiled("2026c"))))
    assert diff["added"] == [{"tag": "(0040,E012)", "name": "Display URI"}]
    assert diff["removed"] == [] and diff["changed"] == []


def test_2024c_to_2025e_adds_32_rows_and_a_clean_descriptors_code() -> None:
    diff = json.loads(as_json(diff_editions(compiled("2024c"), compiled("2025e"))))
    assert len(diff["added"]) == 32
    assert diff["changed"] == [{"tag": "(0032,1033)", "name": "Requesting Service",
                                "column": "CleanDescriptorsOption", "old": "", "new": "C"}]


def test_removed_rows_and_the_markdown_form() -> None:
    diff = diff_editions(compiled("2017c"), compiled("2017d"))
    assert diff.removed
    text = as_markdown(diff)
    assert text.startswith("# PS3.15 Table E.1-1: 2017c -> 2017d")
    assert "## Removed" in text
    assert all(f"| {row.tag} |" in text for row in diff.removed)


def test_diff_command_takes_edition_names_and_files() -> None:
    compiled("2026c")
    result = subprocess.run(
        [sys.executable, "-m", "compiler", "diff", "2025e", str(compiled_path("2026c")),
         "--format", "json"],
        capture_output=True, text=True, cwd=PROJECT, check=True,
    )
    assert json.loads(result.stdout)["added"][0]["tag"] == "(0040,E012)"


def compiled_path(edition: str) -> Path:
    from tests.conftest import standard_xml

    return standard_xml(edition)
