"""The word lists the recognisers share, loaded lazily, once per process, from ``data/``.

- ``names()``: the names lexicon (``data/names.txt``, derived from Faker's person providers
  by ``tools/build_text_lexicons.py``);
- ``english()``: common English words (``data/english.txt``, SCOWL size 35), which a name
  may also be ("will", "grant", "brown");
- ``clinical()``: the clinical vocabulary (``data/clinical.txt``, curated: anatomy,
  modalities, sequences, findings, procedures, makers, eponyms), never a name on its own;
- ``eponyms()``: surnames that name a finding, a view or a device when a clinical noun
  follows (``data/eponyms.txt``: "Smith fracture", "Waters view");
- ``FUNCTION_WORDS``: short words of the main European languages that never start or
  continue a name;
- ``ORGANISATION_WORDS``: words that name the kind of an organisation ("Hospital",
  "Klinikum"), never part of a person's name.

Words are casefolded; ``fold`` also strips accents, so "Müller" and "MULLER" meet.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib.resources import files

FUNCTION_WORDS: frozenset[str] = frozenset(
    """
    a an the and or of to in on at by for from with without as is are was were be been it its
    this that these those he she his her him they them their we our you your i me my not no
    nor but if so than then there here who whom which what when where how per via into onto
    over under after before since until about also very all any each both some such only
    le la les un une des du de et ou au aux en par pour sur sous avec sans dans est
    der die das den dem des ein eine einer und oder mit ohne von vom zum zur im am auf aus bei
    el los las una unos y o con sin del al por para en es
    il lo gli i una e o di da dei delle della con senza per su nel nella
    het een en of met zonder van voor op aan bij door naar
    os as um uma e ou com sem do da dos das no na em por para
    """.split()
)

ORGANISATION_WORDS = frozenset(
    """
    hospital hospitals hôpital hopital hôpitaux hospitalier hospitalière hospitalario
    hospitalar ospedale ospedaliera ospedaliero ziekenhuis krankenhaus spital szpital
    infirmary clinic clinics clinique cliniques clínica clinica klinik klinikum kliniek
    policlinico poliklinik polyclinic policlínica centre center centres centers centro
    centrum zentrum university universität universitat université universite universidad
    università universita universiteit universidade uniwersytet institute institut instituto
    istituto practice praxis cabinet trust foundation fondation stiftung fundación fundacion
    fondazione fundação fundacao associates partners radiologie radiology imaging
    healthcare health group groupe gruppo sanatorium hospice memorial ospedali cliniche
    hôpitaux klinieken kliniken ctr cntr hosp hsp univ inst
    """.split()
)
"""Words that name the kind of an organisation (casefolded)."""


def fold(word: str) -> str:
    """Casefolded, without accents: the form every list is looked up in."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def _load(name: str) -> frozenset[str]:
    text = files("deidentify.text").joinpath("data", name).read_text(encoding="utf-8")
    return frozenset(
        fold(word)
        for line in text.splitlines()
        if not line.startswith("#")
        for word in line.split()
    )


@cache
def names() -> frozenset[str]:
    return _load("names.txt")


@cache
def english() -> frozenset[str]:
    return _load("english.txt")


@cache
def clinical() -> frozenset[str]:
    return _load("clinical.txt")


@cache
def eponyms() -> frozenset[str]:
    return _load("eponyms.txt")
