"""Build the word lists that ``deidentify/text/`` ships, from two well-kept sources.

- ``deidentify/text/data/names.txt``: every given and family name of Faker's person providers
  (MIT licence) for the locales of ``LOCALES``, in Latin script, split into words, casefolded,
  name particles (``de``, ``van``, ``bin``...) left out, sorted.
- ``deidentify/text/data/english.txt``: the lower-case words of SCOWL's size-35 list
  (Debian package ``wamerican-small``, ``/usr/share/dict/american-english-small``; SCOWL
  licence: use, copy, modify and distribute with its copyright notice), without possessives,
  sorted: the common English words that a name of the lexicon may also be ("will", "grant").

Run after installing the dev extra and ``apt-get install wamerican-small``:

    .venv/bin/python tools/build_text_lexicons.py [--check]

``--check`` exits 1 when the shipped files differ from what the installed sources give.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
import unicodedata
from pathlib import Path

import faker

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "deidentify" / "text" / "data"
SCOWL = Path("/usr/share/dict/american-english-small")

LOCALES = (
    "en en_GB en_IE en_IN en_KE en_NG en_NZ en_PK en_US es es_AR es_CO es_ES es_MX fr_FR fr_CA"
    " fr_CH de_DE de_AT de_CH it_IT nl_NL nl_BE pt_BR pt_PT pl_PL cs_CZ sk_SK ro_RO hu_HU hr_HR"
    " sl_SI sv_SE da_DK no_NO fi_FI et_EE lt_LT lv_LV tr_TR zh_CN zh_TW ja_JP vi_VN id_ID yo_NG"
    " ig_NG ha_NG tw_GH zu_ZA sw"
).split()
"""Faker locales whose names are in Latin script (romanised for Chinese and Japanese)."""

PARTICLES = frozenset(
    "de da do das dos di del della der den van von ten ter le la du des bin ibn al el zu y e"
    " mac st".split()
)
_LATIN_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")
_NAME_LISTS = re.compile(r"^(first|last)_(romanized_)?names(_(male|female|nonbinary|unisex))?$|"
                         r"^(male|female|unisex)_last_names$")


def _latin(word: str) -> bool:
    return all(
        not character.isalpha() or unicodedata.name(character, "").startswith("LATIN")
        for character in word
    )


def names() -> list[str]:
    found: set[str] = set()
    for locale in LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attribute in dir(provider):
            if not _NAME_LISTS.match(attribute):
                continue
            for name in getattr(provider, attribute):
                for word in _LATIN_WORD.findall(str(name)):
                    word = unicodedata.normalize("NFC", word).casefold()
                    if len(word) >= 2 and _latin(word) and word not in PARTICLES:
                        found.add(word)
    return sorted(found)


def english() -> list[str]:
    words = SCOWL.read_text(encoding="utf-8").split()
    return sorted({word for word in words if word.isalpha() and word.islower()})


def render(kind: str, words: list[str]) -> str:
    if kind == "names":
        header = (f"# Given and family names, casefolded: Faker {faker.VERSION} person providers"
                  f" ({len(LOCALES)} locales), MIT licence. Built by tools/build_text_lexicons.py.")
    else:
        header = ("# Common English words: SCOWL size 35 (Debian wamerican-small), lower-case"
                  " words. Copyright 2000-2011 by Kevin Atkinson; permission to use, copy,"
                  " modify, distribute and sell granted with this notice. Built by"
                  " tools/build_text_lexicons.py.")
    return header + "\n" + "\n".join(words) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args()
    if not SCOWL.exists():
        print(f"{SCOWL} is missing: apt-get install wamerican-small", file=sys.stderr)
        return 2
    stale = []
    for kind, words in (("names", names()), ("english", english())):
        path = DATA / f"{kind}.txt"
        text = render(kind, words)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"{path.relative_to(ROOT)}: {len(words)} words")
    if stale:
        print(f"out of date: {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
