"""Names are read as a reader sees them: no invisible characters reach generated/ or reports."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

import generated
from compiler.docbook import visible_text
from deidentify.plan import Plan
from deidentify.profile import CompoundPolicy, parse_profile
from deidentify.report import FORMATS, build_report
from deidentify.uids import UIDScheme


def invisible(text: str) -> list[str]:
    """The characters of ``text`` a reader does not see as written: Cf, odd spaces, runs."""
    found = [f"U+{ord(c):04X}" for c in text if unicodedata.category(c) == "Cf"]
    found += [f"U+{ord(c):04X}" for c in text if c.isspace() and c != " "]
    if re.search(r"  |^ | $", text):
        found.append("space run or edge")
    return found


def test_visible_text_drops_format_characters_and_odd_spaces() -> None:
    assert visible_text("GPS\u200b Date\u00a0\u00a0Stamp\u2060\ufeff ") == "GPS Date Stamp"
    assert visible_text("Soft\u00adhyphen\u200dand\u202fjoiner") == "Softhyphenand joiner"


def test_no_name_in_any_edition_carries_an_invisible_character() -> None:
    bad = {}
    for name in generated.EDITIONS:
        edition = generated.load(name)
        texts = [rule.name for rule in edition.attributes]
        texts += [rule.meaning for rule in edition.safe_private]
        texts += [rule.meaning for rule in edition.content_items]
        for text in texts:
            if invisible(text):
                bad[f"{name}: {text!r}"] = invisible(text)
    assert bad == {}


class _Rows(HTMLParser):
    """The text of each table row, as the page's filter (textContent) sees it."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self._inside = True
            self.rows.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.rows[-1] += data


def test_the_html_filter_finds_gps_date_stamp() -> None:
    plan = Plan.build(parse_profile("deidentify:"), CompoundPolicy.CONFORMANT)
    page = FORMATS["html"](build_report(plan, UIDScheme.KEYED), None)
    parser = _Rows()
    parser.feed(page)
    found = [row for row in parser.rows if "gps date stamp" in row.lower()]
    assert len(found) == 1 and "(0016,008D)" in found[0]
