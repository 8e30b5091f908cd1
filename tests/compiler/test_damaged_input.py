"""Damaged input gives one clear error line, a non-zero exit, and writes nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from compiler.model import ActionCode, Option, PatternKind
from compiler.reader import EditionReader

FIXTURE = Path(__file__).parent / "fixtures" / "mini_part15.xml"
PROJECT = Path(__file__).resolve().parents[2]


def run_build(xml: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "compiler", "build", "--xml", str(xml), "--out", str(out)],
        capture_output=True, text=True, cwd=PROJECT, check=False,
    )


def test_fixture_compiles_with_every_kind_of_tag_cell() -> None:
    model = EditionReader(FIXTURE, "url", "sha").read()
    assert model.edition == "2099a"
    kinds = {r.tag.text: r.tag.kind for r in model.attributes}
    assert kinds["(0040,4028)"] is PatternKind.EXACT
    assert kinds["(50xx,xxxx)"] is PatternKind.MASKED
    assert kinds["(gggg,eeee) where gggg is odd"] is PatternKind.PRIVATE
    assert model.source_rows == 10 and len(model.attributes) == 9
    (merged,) = model.merged_duplicates
    assert merged.tag == "(0040,0001)"
    station = next(r for r in model.attributes if r.tag.text == "(0040,0001)")
    assert station.code_for(Option.RETAIN_DEVICE_IDENTITY) is ActionCode.C
    assert [s.text for s in model.safe_private] == ["(7053,xx00)", "(0019,xx23)", "(0199,xx0a)"]
    assert len(model.content_items) == 2


def mutate(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = FIXTURE.read_text(encoding="utf-8")
    assert old in text
    damaged = tmp_path / "damaged.xml"
    damaged.write_text(text.replace(old, new, count), encoding="utf-8")
    return damaged


def swap_columns(tmp_path: Path) -> Path:
    text = FIXTURE.read_text(encoding="utf-8")
    first, second = "Rtn. UIDs Opt.", "Rtn. Dev. Id. Opt."
    text = text.replace(first, "\0").replace(second, first).replace("\0", second)
    damaged = tmp_path / "damaged.xml"
    damaged.write_text(text, encoding="utf-8")
    return damaged


E11_CELL = '<para>X/Z/D</para></td><td align="center" colspan="1" rowspan="1"/>'
LEGEND_ROW = (
    '<tr><td align="center" colspan="1" rowspan="1"><para>X/Z/D</para></td>'
    '<td align="center" colspan="1" rowspan="1"><para>meaning of X/Z/D</para></td></tr>'
)

DAMAGES = {
    "reordered column": (
        swap_columns, "column 7 is 'Rtn. Dev. Id. Opt.', expected 'Rtn. UIDs Opt.'"
    ),
    "renamed column": (lambda p: mutate(p, "Clean Graph. Opt.", "Clean Graphics"),
                       "column 15 is 'Clean Graphics'"),
    "unknown code": (lambda p: mutate(p, E11_CELL, E11_CELL.replace("X/Z/D", "Q")),
                     "table table_E.1-1, row 10, column 'Basic Prof.': unknown action code 'Q'"),
    "code missing from E.1-1a": (
        lambda p: mutate(p, LEGEND_ROW, ""),
        "row 10, column 'Basic Prof.': action code 'X/Z/D' is not defined",
    ),
    "unknown code in E.1-1a": (lambda p: mutate(p, LEGEND_ROW, LEGEND_ROW.replace("X/Z/D", "W")),
                               "table table_E.1-1a, row 10: unknown action code 'W'"),
    "no Table E.1-1": (lambda p: mutate(p, 'xml:id="table_E.1-1"', 'xml:id="table_E.9-9"'),
                       "table table_E.1-1: not found"),
    "not PS3.15": (lambda p: mutate(p, "DICOM PS3.15 2099a", "DICOM PS3.3 2099a"), "not PS3.15"),
    "not XML": (lambda p: mutate(p, "</book>", "</boo"), "not XML"),
    "bad tag": (
        lambda p: mutate(p, "(0008,0050)", "(0008,00G0)"), "not a tag, mask or the private"
    ),
    "bad flag": (lambda p: mutate(p, "<para>N</para>", "<para>maybe</para>"),
                 "expected Y, N or empty, not 'maybe'"),
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_damage_is_one_error_line_and_nothing_written(tmp_path: Path, damage: str) -> None:
    make, expected = DAMAGES[damage]
    damaged = make(tmp_path)
    out = tmp_path / "out"
    (out / "edition_2099a").mkdir(parents=True)
    sentinel = out / "edition_2099a" / "attributes.py"
    sentinel.write_text("# untouched\n")
    result = run_build(damaged, out)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("compiler: error: ")
    assert str(damaged) in lines[0] and expected in lines[0]
    assert "Traceback" not in result.stderr
    assert sentinel.read_text() == "# untouched\n"
    assert sorted(p.name for p in out.rglob("*")) == ["attributes.py", "edition_2099a"]


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = run_build(tmp_path / "absent.xml", tmp_path / "out")
    assert result.returncode == 1
    assert "absent.xml: cannot be read" in result.stderr
    assert not (tmp_path / "out").exists()
