"""Person names -> NAME spans.

Cues, strongest first:

- DICOM person names typed into text: ``FAMILY^GIVEN^MIDDLE`` (any case);
- a title before (``Dr``, ``Prof``, ``Mr``, ``Mrs``, ``Herr``, ``Mme``, ``Sra``, ``Dott``,
  ``Dhr``...): the words after it that can be a name, whatever the vocabulary says
  ("Dr Brown");
- a credential after (``MD``, ``DO``, ``RN``, ``PhD``, ``RT(R)``, ``FRCR``...): the
  name-like words before it;
- a phrase that introduces a person ("per", "ordered by", "signed by", "dictated by",
  "discussed with", "cc", "tech:", "referring physician", "par", "por", "door"...): the
  name-like words after it, unless clinical ("per protocol");
- a verb only a person does after it ("Walker reviewed", "Hunter aware");
- initials with a surname (``J. Smith``, ``J.R. Smith``, ``Smith J.``);
- the names lexicon: a capitalised word of ``vocabulary.names()`` (any word of an
  all-lower-case text) that is neither clinical nor an eponym in clinical use ("Smith
  fracture"). A name that is also a common English word ("Will", "Grant", "Brown") counts
  only next to another name ("Will Grant") or capitalised amid lower-case prose.

Every span then grows over the name-like words next to it (given and family names, initials,
particles such as "van der" before a capitalised word).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from deidentify.text.document import Document, Word
from deidentify.text.spans import Category, Span
from deidentify.text.vocabulary import (
    FUNCTION_WORDS,
    ORGANISATION_WORDS,
    clinical,
    english,
    eponyms,
    fold,
)
from deidentify.text.vocabulary import names as lexicon

TITLES = frozenset(
    """
    dr dr. doctor dra drs prof professor profs mr mrs ms miss mx mister sir dame madam mme mlle
    herr frau hr sr sra srta sres don doña dona dott dottore dottoressa ssa sig signor signora
    sigra dhr mevr mw pan pani
    """.split()
)
"""Titles before a name (casefolded, without the full stop)."""

DOTTED_TITLES = frozenset({"m", "fr"})
_MODALITY_TITLES = frozenset({"mr", "dr", "ms", "sr"})
"""Titles only with a full stop and a capitalised word after ("M. Dupont")."""

CREDENTIALS = re.compile(
    r"(?:,\s*|\s+|\s*\()(?:M\.?D\.?|D\.?O\.?|R\.?N\.?|Ph\.?D\.?|MBBS|MBChB|MB|BCh|FRCR|FRCP[CI]?"
    r"|FRCS|FRANZCR|FACR|MRCP|DMRD|DNB|D\.?M\.?D\.?|D\.?D\.?S\.?|PharmD|RPh|N\.?P\.?|P\.?A\.?(?:-C)?"
    r"|CRNA|APRN|DNP|BSN|MSN|LPN|RT(?:\s?\([A-Z]+\))*|RTR|RTT|ARRT|CNMT|RDMS|RDCS|RVT|RRA|CRA"
    r"|MSc|BSc|DPhil|MPH|MRT|Jr\.?|Sr\.?|III|II)(?![\w])",
)
_ANY_CASE_CREDENTIALS = re.compile(CREDENTIALS.pattern, re.IGNORECASE)
_DOTTED_CREDENTIAL = re.compile(
    r"(?<![^\W\d_])(?:M\.D|D\.O|R\.N|Ph\.D|N\.P|P\.A|D\.M\.D|D\.D\.S)\.?"
)
_CREDENTIAL_WORDS = frozenset(
    "md do rn phd mbbs mbchb mb bch frcr frcp frcpc frcs franzcr facr mrcp dmrd dnb dmd dds"
    " pharmd rph np pa crna aprn dnp bsn msn lpn rt rtr rtt arrt cnmt rdms rdcs rvt rra cra msc"
    " bsc dphil mph mrt jr sr".split()
)
_AMBIGUOUS_CREDENTIALS = re.compile(r"(?:D\.?O\.?|P\.?A\.?|N\.?P\.?|MB|RT|II|III|Sr\.?|Jr\.?)$")

CUES = re.compile(
    r"(?:\b(?:ordered|signed|dictated|read|reviewed|seen|performed|requested|referred|approved"
    r"|verified|transcribed|scanned|done|checked|entered|interpreted|examined|reported"
    r"|confirmed|authori[sz]ed|supervised|prescribed|assisted|acquired|processed|protocoll?ed"
    r"|injected|consented|attended|covered|countersigned|edited|amended|booked|scheduled"
    r"|called|paged|faxed|sent|accepted|triaged|cleared|released|witnessed|treated|managed"
    r"|followed|overread|co-?signed|vetted|justified)\s+(?:up\s+)?by"
    r"|\bper|\bd/w|\bw/"
    r"|\b(?:discussed|spoke|spoken|talked|consulted|conferred|communicated|agreed|reviewed"
    r"|conversation|discussion)\s+(?:this\s+|findings\s+|results\s+)?(?:with|to)"
    r"|\b(?:cc|attn|c/o|fao|copy\s+to|copies\s+to|results?\s+to|report\s+to|notify|notified"
    r"|informed|contact|contacted|called|phoned|told|tell|ask|asked|thanks|dear|hi|hello"
    r"|paged)"
    r"|\b(?:referring|ref|referrer|requesting|ordering|attending|consultant|consulting"
    r"|reading|performing|primary|treating|admitting|covering|interpreting|supervising)"
    r"(?:\s+(?:physician|doctor|dr|md|clinician|provider|radiologist|surgeon|consultant|rad"
    r"|doc|tech|technologist))?"
    r"|\b(?:physician|doctor|radiologist|rad|tech|techs|technologist|technician|radiographer"
    r"|sonographer|nurse|rn|resident|fellow|surgeon|operator|reader|author|provider|clinician"
    r"|registrar|anesthetist|anaesthetist|midwife|therapist|physicist|dosimetrist|student"
    r"|scribe|interpreter|mother|father|mom|mum|dad|husband|wife|son|daughter|brother|sister"
    r"|guardian|relative|partner|spouse|caregiver|carer|name|named|patient|pt|by|tech's|rt"
    r"|initials|initialled|initialed|signature|sig"
    r"|médecin|medecin|arzt|ärztin|médico|medico|medica|arts|prescripteur|demandeur"
    r"|manipulateur|manipulatrice|mtra|tecnico)"
    r"|\b(?:par|durch|por|door|dal|dalla))"
    r"\s*[:=\-]?\s*",
    re.IGNORECASE,
)
"""Phrases that introduce a person; a name may start where one ends."""
_ROLE_LABEL = re.compile(
    r"\b(?:tech|techs|technologist|technician|rt|radiographer|sonographer|operator|initials"
    r"|nurse|rn|reader|scribe)\s*:?\s*$",
    re.IGNORECASE,
)
"""A label after which a short word in capitals is a person's initials ("tech: MA")."""

PARTICLES = frozenset(
    "van von der den de del della di da do dos das du des la le ten ter bin ibn al el ben mac"
    " st saint san santa".split()
)
EPONYM_NOUNS = frozenset(
    """
    fracture fractures fx cyst cysts view views angle sign criteria classification score grade
    disease syndrome sarcoma tumor tumour lymphoma procedure operation repair filter catheter
    catheters line lines tube pouch canal space foramen lesion lesions deformity injury test
    maneuver manoeuvre method technique projection position ring node nodes hernia triad
    ligament duct tubercle body bodies type stage staging scale index point shunt neuroma palsy
    phenomenon sequence anomaly malformation valve lobe fat pad disc diverticulum ulcer gland
    glands nodule nodules esophagus oesophagus sulcus fissure area artery vein nerve bursa
    tear effusion gallbladder needle wire stent drain hump protocol criterion
    """.split()
)
_CARET = re.compile(
    r"(?<![\w^])(?i:(?:van|von|de|der|den|da|di|del|della|la|le|du|des|ter|ten|al|el|bin)"
    r"\s+){0,3}"
    r"[^\W\d_](?:[^\W\d_]|['\u2019\-])*(?:\^(?:[^\W\d_]|['\u2019.\-])*)+"
)
PERSON_VERBS = frozenset(
    """
    reviewed aware notified informed called paged consented dictated signed agreed confirmed
    verified says said states stated reports reported requested ordered recommends
    recommended approved declined refused wants wishes prefers accompanied
    """.split()
)
"""Verbs after a name: the word before them is a person ("Walker reviewed")."""
_NAME_GAP = re.compile(r"(?:\.?\s{1,2}|-|\.)")


def _is_clinical(document: Document, index: int) -> bool:
    """A word of the clinical vocabulary, or an eponym used as one ("Smith fracture")."""
    word = document.words[index]
    key = word.key
    parts = key.split("-")
    if key in clinical() or (
        all(part in clinical() for part in parts)
        and not all(part in lexicon() for part in parts)
    ):
        return True
    if key in eponyms():
        words = document.words
        following = words[index + 1].key if index + 1 < len(words) else ""
        if following in EPONYM_NOUNS or following in eponyms():
            return True
        if index >= 1 and words[index - 1].key in ("of", "de", "du", "di", "von"):
            return True
        if index >= 1 and words[index - 1].key in eponyms() and "-" in document.gap(index - 1):
            return True
    return False


def _in_lexicon(word: Word) -> bool:
    """In the names lexicon, or hyphenated of its names and particles ("Al-Rashid")."""
    key = word.key
    if key in lexicon():
        return True
    parts = key.split("-")
    return len(parts) > 1 and any(part in lexicon() for part in parts) and all(
        part in lexicon() or part in PARTICLES for part in parts
    )


def _is_common(word: Word) -> bool:
    return all(part in english() or part in FUNCTION_WORDS for part in word.key.split("-"))


def _is_initial(document: Document, index: int) -> bool:
    word = document.words[index]
    if len(word.text) != 1 or not (word.is_capitalised or document.is_lower):
        return False
    gap = document.gap(index)
    window = document.text[max(0, word.start - 5):word.end + 5]
    if any(m.start() <= word.start - max(0, word.start - 5) < m.end()
           for m in _DOTTED_CREDENTIAL.finditer(window)):
        return False
    if word.text.islower():
        return gap.startswith(".")
    return gap.startswith(".") or (word.text not in "AI" and gap in (" ", ""))


def _case_fits(document: Document, word: Word) -> bool:
    """Written as a name would be in this text: capitalised, or any case in lower-case text."""
    if word.is_capitalised:
        return not (word.is_upper and len(word.text) <= 3 and not document.is_upper)
    return not any(other.is_capitalised for other in document.words)


def _name_like(document: Document, index: int, strong: bool) -> bool:
    """Whether word ``index`` can be part of a name once a cue says a name is there."""
    word = document.words[index]
    if _is_initial(document, index):
        return True
    if word.key in FUNCTION_WORDS or word.key in TITLES:
        return False
    if strong and word.is_capitalised and not word.is_upper:
        return True  # "Dr Ma", "Dr Brown": written as a name after a title
    if _is_clinical(document, index):
        return False
    if strong:
        return True
    if not word.is_capitalised:
        return (_in_lexicon(word) or document.is_lower) and not _is_common(word)
    return _in_lexicon(word) or not _is_common(word) or not (document.is_title or document.is_upper)


def _joined(document: Document, index: int) -> bool:
    """Whether word ``index`` and the next are close enough to be one name."""
    return bool(_NAME_GAP.fullmatch(document.gap(index)))


def _run_after(document: Document, index: int, strong: bool) -> int:
    """The last word of the name starting at ``index`` (``index - 1``: no name there)."""
    words = document.words
    start = index
    while start < len(words) - 1 and words[start].key in PARTICLES and _joined(document, start):
        start += 1
    if start >= len(words) or not _name_like(document, start, strong):
        return index if _final_particle(document, index) else index - 1
    index = start
    last = index
    while last + 1 < len(words) and _joined(document, last) and len(document.gap(last)) <= 2:
        following = last + 1
        if words[following].key in PARTICLES and following + 1 < len(words) and (
            words[following + 1].is_capitalised
        ):
            last = following
            continue
        if not _extends(document, following):
            if _final_particle(document, following):
                last = following
            break
        last = following
    return last


def _final_particle(document: Document, index: int) -> bool:
    """A short family name that is also a particle, ending a name ("Minh Le,")."""
    word = document.words[index]
    gap = document.gap(index)
    return (
        word.key in PARTICLES and _in_lexicon(word) and word.is_capitalised
        and (not gap.strip() or not gap.strip()[0].isalpha())
    )


def _extends(document: Document, index: int) -> bool:
    """Whether a word next to a name is more of the name."""
    word = document.words[index]
    if _is_initial(document, index):
        return True
    if word.key in FUNCTION_WORDS or word.key in TITLES or word.key in _CREDENTIAL_WORDS:
        return False
    if word.key in ORGANISATION_WORDS:
        return False
    if _is_clinical(document, index) or not _case_fits(document, word):
        return False
    return _in_lexicon(word) or not _is_common(word)


def _grow_left(document: Document, first: int) -> int:
    words = document.words
    while first > 0 and _joined(document, first - 1):
        previous = first - 1
        if words[previous].key in PARTICLES:
            before = previous
            while before > 0 and words[before - 1].key in PARTICLES:
                before -= 1
            if before == 0 or not _joined(document, before - 1) or words[
                before - 1
            ].key in TITLES or _extends(document, before - 1):
                first = before
                continue
            break
        if not _extends(document, previous):
            break
        first = previous
    return first


def _span(document: Document, first: int, last: int, score: float) -> Span:
    words = document.words
    return Span(words[first].start, words[last].end, Category.NAME, score)


def _caret_names(document: Document) -> Iterator[Span]:
    for match in _CARET.finditer(document.text):
        parts = [fold(part) for part in re.split(r"[\^\s]+", match.group()) if part]
        if all(part in clinical() for part in parts):
            continue  # "abdomen^liver": a description's separator, not a name
        if "^" in match.group().strip("^"):
            yield Span(match.start(), match.end(), Category.NAME, 1.0)


def _titled(document: Document) -> Iterator[Span]:
    words = document.words
    for index, word in enumerate(words[:-1]):
        key = word.key
        dotted = document.gap(index).startswith(".")
        if word.start and document.text[word.start - 1].isdigit():
            continue  # "92M. Creatinine": an age, no title
        dotted_title = key in DOTTED_TITLES and dotted and word.is_capitalised and len(
            words[index + 1].text) > 1
        if key in TITLES or dotted_title:
            if word.is_upper and not dotted and key in _MODALITY_TITLES and (
                not document.is_upper or _is_clinical(document, index + 1)
            ):
                continue  # MR, DR (digital radiography), MS (multiple sclerosis), SR
            last = _run_after(document, index + 1, strong=True)
            if last > index:
                yield _span(document, index + 1, last, 0.95)


def _credentialed(document: Document) -> Iterator[Span]:
    words = document.words
    credentials = _ANY_CASE_CREDENTIALS if document.is_lower else CREDENTIALS
    for match in credentials.finditer(document.text):
        before = [index for index, word in enumerate(words) if word.end <= match.start()]
        if not before:
            continue
        last = before[-1]
        if document.text[words[last].end:match.start()].strip(" ,") or not _name_like(
            document, last, strong=False
        ):
            continue
        if _AMBIGUOUS_CREDENTIALS.search(match.group()) and not (
            "," in match.group() or _in_lexicon(words[last])
        ):
            continue
        yield _span(document, _grow_left(document, last), last, 0.9)


def _cued(document: Document) -> Iterator[Span]:
    words = document.words
    cues = {match.end(): match.group() for match in CUES.finditer(document.text)}
    for index, word in enumerate(words):
        window = cues.get(word.start)
        if window is None:
            continue
        last = _run_after(document, index, strong=False)
        if last >= index and not (last == index and _is_initial(document, index) and not (
            word.is_upper
        )):
            yield _span(document, index, last, 0.85)
        elif 2 <= len(word.text) <= 3 and (word.is_upper or document.is_lower) and (
            _ROLE_LABEL.search(window) or (not _is_clinical(document, index) and (
                (not document.is_upper and word.key not in FUNCTION_WORDS)
                or window.rstrip().endswith(":")
            ))
        ):
            yield _span(document, index, index, 0.8)  # initials: "tech: JS", "referring: ah"


def _before_verbs(document: Document) -> Iterator[Span]:
    """A capitalised word just before a verb only a person does ("Walker reviewed")."""
    words = document.words
    for index in range(len(words) - 1):
        word = words[index]
        if not word.is_capitalised or word.key in FUNCTION_WORDS or word.key in TITLES:
            continue
        if words[index + 1].key not in PERSON_VERBS or not _joined(document, index):
            continue
        if _is_clinical(document, index) or (word.is_upper and not document.is_upper):
            continue
        if index == 0 and _is_common(word) and not _in_lexicon(word):
            continue  # "Images reviewed", "Patient informed"
        yield _span(document, index, index, 0.75)


def _initialled(document: Document) -> Iterator[Span]:
    words = document.words
    for index in range(len(words) - 1):
        if not _is_initial(document, index) or not document.gap(index).startswith("."):
            continue
        following = index + 1
        while following < len(words) and _is_initial(document, following) and (
            document.gap(following).startswith(".")
        ):
            following += 1
        if following < len(words) and _joined(document, following - 1) and words[
            following
        ].is_capitalised and _extends(document, following):
            yield _span(document, index, following, 0.85)
    for index in range(1, len(words)):
        if _is_initial(document, index) and document.gap(index).startswith(".") and (
            _in_lexicon(words[index - 1]) or not _is_common(words[index - 1])
        ) and _extends(document, index - 1) and document.gap(index - 1) in (" ", ", "):
            yield _span(document, index - 1, index, 0.8)


def _lexicon(document: Document) -> Iterator[Span]:
    words = document.words
    candidates: dict[int, bool] = {}  # index -> strong (not a common word)
    for index, word in enumerate(words):
        if len(word.text) < 2 or not _in_lexicon(word) or not _case_fits(document, word):
            continue
        if word.key in FUNCTION_WORDS or word.key in TITLES or _is_clinical(document, index):
            continue
        candidates[index] = not _is_common(word)
    for index, strong in candidates.items():
        word = words[index]
        if not strong:
            paired = any(
                other in candidates and _joined(document, min(index, other))
                and words[other].is_capitalised
                for other in (index - 1, index + 1)
            )
            proper = word.is_capitalised and not word.is_upper and not (
                document.is_title or document.is_upper
            ) and index > 0 and not document.gap_before(index).rstrip().endswith((".", ":", "-"))
            if not (paired and word.is_capitalised) and not proper:
                continue
        yield _span(document, index, index, 0.7 if strong else 0.6)


def names(document: Document) -> Iterator[Span]:
    if not document.words and "^" not in document.text:
        return
    yield from _caret_names(document)
    found = [*_titled(document), *_credentialed(document), *_cued(document),
             *_before_verbs(document), *_initialled(document), *_lexicon(document)]
    starts = {word.start: index for index, word in enumerate(document.words)}
    ends = {word.end: index for index, word in enumerate(document.words)}
    for span in found:
        first = _grow_left(document, starts[span.start])
        last = ends[span.end]
        while last + 1 < len(document.words) and _joined(document, last) and _extends(
            document, last + 1
        ):
            last += 1
        if _given_after_comma(document, last):
            last += 1
        yield _span(document, first, last, span.score)


def _given_after_comma(document: Document, index: int) -> bool:
    """"ALVAREZ, MARIA": a given name of the lexicon after a family name and a comma."""
    words = document.words
    if index + 1 >= len(words) or document.gap(index) not in (", ", ","):
        return False
    word = words[index + 1]
    after = document.gap(index + 1)
    return (
        word.is_capitalised and _in_lexicon(word)
        and not _is_clinical(document, index + 1) and word.key not in _CREDENTIAL_WORDS
        and (not after.strip() or not (after.strip()[0].isalnum() or after.strip()[0] == "^"))
    )
