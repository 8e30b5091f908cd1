"""Organisations -> ORG spans: hospitals, clinics, centres, universities, institutes,
practices, in English, French, German, Spanish, Italian, Dutch, Portuguese and Polish.

An organisation word ("Hospital", "Clinique", "Klinikum", "Ziekenhuis", "Ospedale",
"Universidad"..., or a word ending in one, "Universitätsklinikum", "Kantonsspital") or a
leading acronym ("CHU", "UZ", "UMC", "NHS") grows over the capitalised words before it
("St. Mary's", "Massachusetts General") and after it, through the connecting words "of",
"de", "di", "der", "für", "am"... ("Hôpital de la Pitié-Salpêtrière", "Klinikum rechts der
Isar"). The result is an organisation's name when it holds at least one capitalised word
that is neither generic ("General", "Regional", "Medical") nor clinical: "the hospital",
"outside hospital" and "Breast Imaging Center" are kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from deidentify.text.document import Document
from deidentify.text.spans import Category, Span
from deidentify.text.vocabulary import FUNCTION_WORDS, ORGANISATION_WORDS, clinical, english

KEYWORDS = ORGANISATION_WORDS

GENERIC = frozenset(
    """
    general regional community district county city national state memorial central main
    university medical health healthcare clinical diagnostic care outside local private public
    teaching academic children's childrens children women's womens veterans cancer heart
    research specialist specialty surgical rehabilitation mental psychiatric day services
    service radiology imaging group practice trust foundation new old royal saint st med
    systems system solutions technologies technology inc ltd llc gmbh ag sa spa bv nv corp
    corporation company co
    """.split()
)
"""Capitalised words that do not name an organisation by themselves."""

ACRONYMS = frozenset("chu chru chr uz umc amc aphp ap-hp nhs hca ukm".split())
SUFFIXES = ("klinik", "klinikum", "krankenhaus", "spital", "ziekenhuis", "kliniek", "zentrum")
CONNECTORS = frozenset(
    "of de di da do der des du la le las los del della delle degli dei für fur am an im zum zur"
    " van voor and & y e et und rechts links".split()
)
_JOIN = re.compile(r"\s{1,2}|[-\u2013]|\s?&\s?|'\s?|\u2019\s?|\.\s?|,?\s")


def _is_keyword(key: str) -> bool:
    return key in KEYWORDS or key in ACRONYMS or (len(key) > 8 and key.endswith(SUFFIXES))


def _proper(document: Document, index: int) -> bool:
    word = document.words[index]
    return (word.is_capitalised or document.is_lower) and word.key not in FUNCTION_WORDS and (
        word.key not in clinical() or _is_keyword(word.key) or word.key in GENERIC
    )


def _distinctive(document: Document, index: int) -> bool:
    word = document.words[index]
    key = word.key
    return (
        _proper(document, index)
        and key not in GENERIC
        and not _is_keyword(key)
        and key not in clinical()
        and not (document.is_lower and key in english())
    ) or (len(key) > 8 and key.endswith(SUFFIXES))


def _joined(document: Document, index: int) -> bool:
    return bool(_JOIN.fullmatch(document.gap(index))) and "," not in document.gap(index)


def organisations(document: Document) -> Iterator[Span]:
    words = document.words
    for index, word in enumerate(words):
        if not _is_keyword(word.key) or not (word.is_capitalised or document.is_lower):
            continue
        first = index
        while first > 0 and _joined(document, first - 1) and _proper(document, first - 1):
            first -= 1
        last = index
        probe = index
        while probe + 1 < len(words) and _joined(document, probe):
            following = probe + 1
            if words[following].key in CONNECTORS and (
                document.is_upper or not words[following].is_upper
            ):
                probe = following
                continue
            if not _proper(document, following):
                break
            last = probe = following
        if any(_distinctive(document, position) for position in range(first, last + 1)):
            yield Span(words[first].start, words[last].end, Category.ORG, 0.8)
