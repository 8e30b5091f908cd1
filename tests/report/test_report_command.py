"""`deidentify report`: every row of Table E.1-1 with the right effective code, in four formats.

Expected codes are computed here from the generated action maps (BASIC, BY_OPTION, MASKED,
PRIVATE), not from the runtime's plan.
"""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pydicom.datadict import dictionary_VR

from deidentify.cli import main
from generated import PROTECTION_ORDER, ActionCode, Option, load
from generated.edition_2026c import actions

BASIC_ONLY = "deidentify:"
THREE_OPTIONS = "deidentify:RetainUIDsOption,RetainDeviceIdentityOption,CleanDescriptorsOption"
EXACT = re.compile(r"^\(([0-9A-F]{4}),([0-9A-F]{4})\)$")


def _most_protective(codes: list[ActionCode]) -> ActionCode:
    return min(codes, key=PROTECTION_ORDER.index)


def expected_2026c(uri: str) -> dict[str, str]:
    """Tag as written -> effective code, from the generated maps of 2026c."""
    names = [name for name in uri.removeprefix("deidentify:").split(",") if name]
    active = [Option(name) for name in names]
    expected = {}
    for tag, basic in actions.BASIC.items():
        codes = [actions.BY_OPTION[o][tag] for o in active if tag in actions.BY_OPTION[o]]
        expected[f"({tag >> 16:04X},{tag & 0xFFFF:04X})"] = (
            _most_protective(codes) if codes else basic).value
    for rule in (*actions.MASKED, actions.PRIVATE):
        codes = [code for option, code in rule.options if option in active]
        expected[rule.tag.text] = (_most_protective(codes) if codes else rule.basic).value
    return expected


def run_report(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["report", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _exact_key(tag: str) -> str:
    match = EXACT.match(tag)
    return f"({match.group(1)},{match.group(2)})" if match else tag


@pytest.mark.parametrize("uri", [BASIC_ONLY, THREE_OPTIONS])
def test_json_has_every_row_with_its_effective_code(
    capsys: pytest.CaptureFixture[str], uri: str
) -> None:
    status, out, _ = run_report(capsys, "--profile", uri, "--format", "json")
    assert status == 0
    document = json.loads(out)
    rows = document["rows"]
    assert len(rows) == 656
    expected = expected_2026c(uri)
    assert len(expected) == 656
    assert {_exact_key(row["tag"]): row["effective"] for row in rows} == expected
    edition = load("2026c")
    assert document["edition"] == {"name": "2026c", "source_url": edition.source_url,
                                   "sha256": edition.sha256}
    assert [row["name"] for row in rows] == [rule.name for rule in edition.attributes]
    assert all(row["behaviour"] for row in rows)


def test_json_states_the_options_with_their_cid_7050_codes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run_report(capsys, "--profile", THREE_OPTIONS, "--format", "json")
    document = json.loads(out)
    assert document["profile"]["code"]["value"] == "113100"
    codes = {option["name"]: option["code"]["value"] for option in document["options"]}
    assert codes == {"RetainUIDsOption": "113110", "RetainDeviceIdentityOption": "113109",
                     "CleanDescriptorsOption": "113105"}


def test_behaviour_names_the_dummy_value_and_the_uid_scheme(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run_report(capsys, "--profile", BASIC_ONLY, "--format", "json")
    rows = json.loads(out)["rows"]
    dummies = {"DA": "19000101", "LO": "ANONYMOUS", "TM": "000000"}
    seen = set()
    for row in rows:
        if row["effective"] == "D" and EXACT.match(row["tag"]):
            vr = dictionary_VR(int(row["tag"][1:5] + row["tag"][6:10], 16))
            if vr in dummies:
                assert dummies[vr] in row["behaviour"], row["tag"]
                seen.add(vr)
        if row["effective"] == "U" and row["tag"] == "(0008,0018)":
            assert "2.25" in row["behaviour"] and "HMAC" in row["behaviour"]
            seen.add("UI")
    assert seen == {"DA", "LO", "TM", "UI"}


def test_conflicts_are_listed_with_their_resolution(capsys: pytest.CaptureFixture[str]) -> None:
    uri = ("deidentify:RetainDeviceIdentityOption,"
           "RetainLongitudinalTemporalInformationModifiedDatesOption")
    _, out, _ = run_report(capsys, "--profile", uri, "--format", "json")
    document = json.loads(out)
    device, dates = Option.RETAIN_DEVICE_IDENTITY, Option.RETAIN_LONGITUDINAL_MODIFIED_DATES
    expected = sorted(
        rule.tag.text for rule in load("2026c").attributes
        if rule.code_for(device) and rule.code_for(dates)
        and rule.code_for(device) != rule.code_for(dates)
    )
    assert sorted(row["tag"] for row in document["conflicts"]) == expected
    assert expected
    assert {row["effective"] for row in document["conflicts"]} == {"C"}


class _Page(HTMLParser):
    """Collects the rows of the main table, the filter controls and any external reference."""

    def __init__(self) -> None:
        super().__init__()
        self.in_rows = False
        self.rows: list[dict[str, str]] = []
        self.controls: set[str] = set()
        self.external: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "table":
            self.in_rows = attributes.get("id") == "rows"
        if tag == "tr" and self.in_rows and "data-effective" in attributes:
            self.rows.append(attributes)
        if tag in ("select", "input") and "id" in attributes:
            self.controls.add(attributes["id"])
        if tag == "script":
            self.scripts += 1
        for name in ("src", "href"):
            if name in attributes:
                self.external.append(attributes[name])

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.in_rows = False


def test_html_is_one_self_contained_filterable_page(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run_report(capsys, "--profile", THREE_OPTIONS, "--format", "html")
    assert status == 0
    page = _Page()
    page.feed(out)
    assert len(page.rows) == 656
    expected = expected_2026c(THREE_OPTIONS)
    assert sorted(row["data-effective"] for row in page.rows) == sorted(expected.values())
    assert {"action", "option", "text"} <= page.controls
    assert page.scripts == 1
    assert page.external == []
    assert "<link" not in out and "@import" not in out


def test_csv_has_a_line_per_row(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run_report(capsys, "--profile", BASIC_ONLY, "--format", "csv")
    every = list(csv.DictReader(io.StringIO(out)))
    lines = [line for line in every if line["source"] != "beyond the table"]
    assert len(lines) == 656
    beyond = [line for line in every if line["source"] == "beyond the table"]
    assert beyond and all(line["effective"] == "X" and not line["basic"] for line in beyond)
    assert {_exact_key(line["tag"]): line["effective"] for line in lines} == expected_2026c(
        BASIC_ONLY)


def test_markdown_names_edition_digest_and_what_is_not_implemented(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run_report(capsys, "--profile", BASIC_ONLY, "--format", "md")
    assert load("2026c").sha256 in out
    assert "Clean Recognizable Visual Features" in out and "not implemented" in out
    assert "burned-in annotation risk" in out
    assert out.count("\n| (") >= 656


def test_the_report_of_clean_pixel_data_says_what_it_does_and_what_remains(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run_report(capsys, "--profile", "deidentify:CleanPixelDataOption",
                                "--format", "md")
    assert status == 0
    assert "Clean Pixel Data (113101) blanks" in out and "remains" in out
    assert "Clean Recognizable Visual Features Option (113102) is not implemented" in out


def test_diff_against_an_older_edition_lists_added_rows(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run_report(capsys, "--profile", BASIC_ONLY, "--format", "json",
                           "--diff", "2025e")
    diff = json.loads(out)["diff"]
    old = {rule.tag.text for rule in load("2025e").attributes}
    new = {rule.tag.text for rule in load("2026c").attributes}
    assert sorted(row["tag"] for row in diff["added"]) == sorted(new - old)
    assert "(0040,E012)" in {row["tag"] for row in diff["added"]}
    assert sorted(row["tag"] for row in diff["removed"]) == sorted(old - new)
    assert diff["against"] == "2025e"


def test_output_file_is_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "report.json"
    status, out, _ = run_report(capsys, "--profile", BASIC_ONLY, "--format", "json",
                                "--output", str(target))
    assert status == 0 and out == ""
    assert len(json.loads(target.read_text(encoding="utf-8"))["rows"]) == 656
    assert [path.name for path in tmp_path.iterdir()] == ["report.json"]


@pytest.mark.parametrize("args", [
    ["--profile", "deidentify:RetainUIDOption"],
    ["--profile", "deidentify:", "--edition", "1999"],
    ["--profile", "deidentify:CleanRecognizableVisualFeaturesOption"],
])
def test_usage_errors_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    status, out, err = run_report(capsys, *args)
    assert status == 2
    assert out == ""
    assert err.startswith("deidentify report: ") and err.count("\n") == 1


def test_html_diff_lists_the_added_rows(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_report(capsys, "--profile", BASIC_ONLY, "--format", "html",
                                "--diff", "2025e")
    assert status == 0
    page = _Page()
    page.feed(out)
    assert len(page.rows) == 656
    assert "Changes from edition 2025e to 2026c" in out
    assert "1 row added" in out and "(0040,E012)" in out
