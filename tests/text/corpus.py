"""A labelled corpus of radiology free text for the cleaner's tests (seeded, reproducible).

``corpus(seed, count)`` writes series and study descriptions, protocol names, comments,
technologist notes, clinical histories and requested procedure descriptions, with and
without identity, in upper, lower and mixed case. Each planted identifying span is labelled
with its category (NAME, DATE, AGE, ID, CONTACT, ORG). The name pools, places and templates
here are written for the tests, apart from the cleaner's lexicon and rules: names of
English, Hispanic, French, German, Italian, Dutch, Portuguese, Polish, Chinese, Japanese,
Korean, Indian, Arabic, Nigerian, Turkish, Vietnamese and other cultures, some of them also
English words ("Will Grant", "Rose Hunter").
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

CULTURES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "english": (("Oliver", "Amelia", "Harry", "Isla", "George", "Poppy", "Will", "Rose",
                 "Grant", "Hunter", "Mark", "Faith", "Dawn", "Bill", "Hope"),
                ("Whitfield", "Ashworth", "Pemberton", "Blackwood", "Hargreaves", "Brown",
                 "White", "Young", "Long", "Bishop", "Mason", "Carter", "Smith", "Fletcher",
                 "Hale")),
    "hispanic": (("Alejandro", "Lucía", "Mateo", "Valentina", "Santiago", "Ximena", "Joaquín",
                  "Guadalupe", "Rodrigo", "Itzel"),
                 ("Villaseñor", "Echeverría", "Quintero", "Castañeda", "Barrientos", "Olvera",
                  "Zavala", "Mondragón", "Cisneros", "Arredondo")),
    "french": (("Étienne", "Margaux", "Thibault", "Clémence", "Gaspard", "Maëlle", "Baptiste",
                "Solène"),
               ("Lefebvre", "Delacroix", "Beaumont", "Giraud", "Rousseau", "Chevalier",
                "Marchand", "Duplessis")),
    "german": (("Jürgen", "Friederike", "Wolfgang", "Annegret", "Torsten", "Gudrun",
                "Matthias", "Henrike"),
               ("Schäfer", "Hofmeister", "Brandstätter", "Kühn", "Oberländer", "Wiesner",
                "Vogt", "Eichhorn")),
    "italian": (("Giacomo", "Chiara", "Lorenzo", "Beatrice", "Federico", "Ilaria", "Raffaele",
                 "Ginevra"),
                ("Bianchi", "Esposito", "Lombardi", "Mancini", "Ferraro", "Santoro",
                 "Galli", "Marchetti")),
    "dutch": (("Joost", "Femke", "Sander", "Marieke", "Bram", "Lieke", "Maarten", "Anouk"),
              ("van den Broek", "de Vries", "Bakker", "Visser", "Smits", "van Dijk", "Mulder",
               "de Graaf")),
    "portuguese": (("João", "Leonor", "Tiago", "Inês", "Gonçalo", "Beatriz", "Rui", "Marta"),
                   ("Figueiredo", "Carvalho", "Magalhães", "Azevedo", "Teixeira", "Gonçalves",
                    "Pinheiro", "Sousa")),
    "polish": (("Grzegorz", "Małgorzata", "Przemysław", "Agnieszka", "Wojciech", "Katarzyna",
                "Tomasz", "Joanna"),
               ("Wiśniewski", "Kowalczyk", "Zieliński", "Szymańska", "Wójcik", "Lewandowska",
                "Dąbrowski", "Kamińska")),
    "chinese": (("Wei", "Xiaoming", "Jing", "Haoran", "Yuting", "Zhiwei", "Mei", "Jun"),
                ("Zhang", "Wang", "Liu", "Chen", "Huang", "Zhao", "Zhou", "Xu")),
    "japanese": (("Haruto", "Yui", "Sota", "Aoi", "Takeshi", "Sakura", "Kenta", "Yuna"),
                 ("Takahashi", "Watanabe", "Yamaguchi", "Nakamura", "Kobayashi", "Inoue",
                  "Matsumoto", "Hayashi")),
    "korean": (("Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun", "Do-yun", "Soo-ah", "Jae-won",
                "Yeon-woo"),
               ("Kim", "Park", "Choi", "Jung", "Kang", "Yoon", "Jang", "Han")),
    "indian": (("Arjun", "Ananya", "Vikram", "Priyanka", "Rohan", "Kavya", "Siddharth",
                "Lakshmi"),
               ("Venkataraman", "Chatterjee", "Iyer", "Deshpande", "Banerjee", "Reddy",
                "Nair", "Kulkarni")),
    "arabic": (("Youssef", "Fatima", "Omar", "Layla", "Khalid", "Noor", "Hamza", "Mariam"),
               ("Al-Rashid", "Haddad", "Mansour", "El-Sayed", "Nasser", "Khoury", "Saleh",
                "Abdullah")),
    "nigerian": (("Chukwuemeka", "Ngozi", "Oluwaseun", "Adaeze", "Babatunde", "Funmilayo",
                  "Emeka", "Yetunde"),
                 ("Okonkwo", "Adeyemi", "Nwosu", "Okafor", "Balogun", "Eze", "Adebayo",
                  "Ogunleye")),
    "turkish": (("Mehmet", "Elif", "Emre", "Zeynep"), ("Yılmaz", "Demir", "Şahin", "Öztürk")),  # noqa: RUF001
    "vietnamese": (("Minh", "Thu", "Quang", "Lan"), ("Nguyen", "Tran", "Pham", "Le")),
}

TITLES = ("Dr.", "Dr", "DR", "Prof.", "Dr.", "dr", "Mr.", "Mrs.", "Ms.", "Herr", "Mme", "Sra.",
          "Dott.", "Dhr.")
CREDENTIALS = ("MD", "M.D.", "DO", "RN", "PhD", "RT(R)", "FRCR", "MBBS")
CITIES = ("Springfield", "Riverside", "Lakewood", "Fairview", "Kingsbridge", "Ashford",
          "Bellmont", "Marlowe", "Hollis", "Westbury")
SAINTS = ("Bartholomew", "Catherine", "Vincent", "Agnes", "Jude", "Clare", "Anselm")
STREETS = ("Maple", "Oakridge", "Chestnut", "Willow", "Harbour", "Mill", "Station")
MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"),
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"),
    "it": ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
           "settembre", "ottobre", "novembre", "dicembre"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
    "pt": ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto",
           "setembro", "outubro", "novembro", "dezembro"),
}

SERIES = ("AX T1 POST GAD", "COR STIR", "Sag T2 FSE", "DWI b1000 ADC", "Ax FLAIR", "3D MPRAGE",
          "CT Chest Abdomen Pelvis", "Lung 1.25mm", "Bone window 2mm", "COR MIP", "SAG REFORMAT",
          "Ax T2 FS", "Scout", "Dual echo in/out phase", "Delayed 3 min", "Arterial phase",
          "Portal venous 70s", "Brown adipose PET", "Mass protocol ax", "SWI minIP",
          "Ax T1 pre", "Cine 4ch", "LGE short axis", "TOF MRA circle of Willis")
STUDIES = ("MRI brain w/wo contrast", "CT head w/o contrast", "CT abdomen/pelvis with IV",
           "XR chest 2 views PA/LAT", "US abdomen complete", "MRI L-spine w/o", "CTA chest PE",
           "Mammo screening bilateral", "PET/CT FDG skull base to thigh", "MRI knee left",
           "CT chest abdomen pelvis", "NM bone scan whole body", "MRI prostate multiparametric",
           "US thyroid", "XR hand R 3 views", "MRCP", "CT sinus", "DEXA hip and spine")
HISTORY = ("hx breast ca s/p lumpectomy, restaging", "r/o PE, SOB and tachycardia",
           "chronic back pain radiating to L leg", "f/u pulmonary nodule", "s/p MVC, neck pain",
           "headache w/o focal deficit", "abd pain RLQ, r/o appendicitis",
           "known mass, assess growth", "will need biopsy if enlarging",
           "grant-funded research scan", "mark the lesion for surgery",
           "brown fat uptake noted on prior", "chest pain, trop neg", "fever, cough x 5 days",
           "h/o DVT on anticoagulation", "seizure, first episode", "palpable lump R breast",
           "weight loss, anemia", "Smith fracture follow-up", "R knee effusion after fall")
COMMENTS = ("Patient tolerated procedure well.", "Motion artifact on delayed series.",
            "Contrast given via R antecubital 20G.", "Pt claustrophobic, sedation given.",
            "Images sent to PACS.", "Repeat axial due to motion.", "No allergies reported.",
            "Creatinine 0.9, eGFR > 60.", "Hold metformin 48 h.",
            "Limited exam, pt unable to lie flat.")
REQUESTED = ("CT CHEST W CONTRAST", "MR BRAIN WWO", "US PELVIS TRANSVAGINAL", "XR ANKLE LT 3V",
             "CT ANGIO HEAD NECK", "MR ABDOMEN LIVER PROTOCOL", "NM MYOCARDIAL PERFUSION")


@dataclass(frozen=True)
class Sample:
    """One text with its planted identifying spans: (start, end, category)."""

    kind: str
    text: str
    spans: tuple[tuple[int, int, str], ...]


class _Builder:
    """Appends text pieces and records where each planted piece lands."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.spans: list[tuple[int, int, str]] = []
        self.length = 0

    def add(self, text: str, category: str | None = None) -> _Builder:
        if category:
            self.spans.append((self.length, self.length + len(text), category))
        self.parts.append(text)
        self.length += len(text)
        return self

    def sample(self, kind: str, case: str) -> Sample:
        text = "".join(self.parts)
        if case == "upper":
            text = text.upper()
        elif case == "lower":
            text = text.lower()
        return Sample(kind, text, tuple(self.spans))


Piece = Callable[[random.Random, _Builder], None]


def _person(rng: random.Random) -> tuple[str, str]:
    given, family = rng.choice(list(CULTURES.values()))
    return rng.choice(given), rng.choice(family)


def name(rng: random.Random, out: _Builder) -> None:
    given, family = _person(rng)
    form = rng.randrange(12)
    if form == 0:
        out.add(rng.choice(TITLES) + " ").add(family, "NAME")
    elif form == 1:
        out.add(rng.choice(TITLES[:6]) + " ").add(f"{given} {family}", "NAME")
    elif form == 2:
        out.add(f"{given[0]}. {family}", "NAME")
    elif form == 3:
        out.add(f"{family}, {given}", "NAME").add(f", {rng.choice(CREDENTIALS)}")
    elif form == 4:
        caret = f"{family.upper()}^{given.upper()}".replace(" ", "_").replace("_", " ")
        out.add(caret, "NAME")
    elif form == 5:
        out.add(f"{given} {family}", "NAME").add(f" {rng.choice(CREDENTIALS)}")
    elif form == 6:
        out.add(f"{given} {family}", "NAME")
    elif form == 7:
        out.add(f"{family} {given[0]}.", "NAME")
    elif form == 8:
        out.add(rng.choice(("Dr ", "Dr. ", "Prof "))).add(f"{given[0]}. {family}", "NAME")
    elif form == 9:
        out.add(f"{family}^{given}^^{rng.choice(('Dr', 'Prof', ''))}", "NAME")
    elif form == 10:
        out.add(rng.choice(("tech: ", "RT: ", "initials ", "operator: ")))
        out.add(f"{given[0]}{family[0]}".upper(), "NAME")
    else:
        out.add(family, "NAME")


def date(rng: random.Random, out: _Builder) -> None:
    year, month, day = rng.randint(1998, 2025), rng.randint(1, 12), rng.randint(1, 28)
    language = rng.choice(list(MONTHS))
    month_name = MONTHS[language][month - 1]
    form = rng.randrange(14)
    text = (
        f"{year}-{month:02d}-{day:02d}",
        f"{day:02d}/{month:02d}/{year}",
        f"{month}/{day}/{year % 100:02d}",
        f"{day}.{month}.{year}",
        f"{year}{month:02d}{day:02d}",
        f"{year}{month:02d}{day:02d}{rng.randint(0, 23):02d}{rng.randint(0, 59):02d}00",
        f"{day} {month_name} {year}",
        f"{MONTHS['en'][month - 1]} {day}, {year}",
        f"{day:02d}-{MONTHS['en'][month - 1][:3].upper()}-{year}",
        f"{MONTHS['en'][month - 1][:3]} {year}",
        f"{day}. {MONTHS['de'][month - 1]} {year}",
        f"{day} de {MONTHS['es'][month - 1]} de {year}",
        f"{year}/{month:02d}/{day:02d} {rng.randint(7, 19)}:{rng.randint(0, 59):02d}",
        f"{day:02d}.{month:02d}.{year % 100:02d}",
    )[form]
    out.add(text, "DATE")


def age(rng: random.Random, out: _Builder) -> None:
    years = rng.randint(18, 95)
    sex = rng.choice("MF")
    forms = (
        f"{years}{sex}", f"{years} y/o {rng.choice(('male', 'female'))}", f"{years}yo",
        f"{rng.randint(2, 11)} months old", f"{years}-year-old {rng.choice(('man', 'woman'))}",
        f"{years} yo {sex}", f"aged {years}", f"{years} ans", f"{years} Jahre",
        f"0{years}Y" if years < 100 else f"{years}Y", f"{years} years old",
        f"{rng.randint(2, 20)} days old", f"{years}yo{sex}",
    )
    out.add(rng.choice(forms), "AGE")


def identifier(rng: random.Random, out: _Builder) -> None:
    digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(6, 10)))
    letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(rng.randint(1, 3)))
    form = rng.randrange(7)
    if form == 0:
        out.add(rng.choice(("MRN ", "MRN: ", "MR# "))).add(digits, "ID")
    elif form == 1:
        out.add(rng.choice(("Acc ", "Accession ", "ACC# "))).add(f"{letters}{digits}", "ID")
    elif form == 2:
        out.add("record no. ").add(digits[:5], "ID")
    elif form == 3:
        out.add("insurance ").add(f"{digits[:4]}-{digits[4:]}-{rng.randint(10, 99)}", "ID")
    elif form == 4:
        out.add("ID ").add(f"{letters}{digits[:4]}", "ID")
    elif form == 5:
        out.add(digits, "ID")
    else:
        out.add(f"{letters}-{rng.randint(2000, 2025)}-{digits[:5]}", "ID")


def contact(rng: random.Random, out: _Builder) -> None:
    n = [rng.randint(0, 9) for _ in range(10)]
    form = rng.randrange(9)
    given, family = _person(rng)
    user = (given[0] + family).lower().replace(" ", "").replace("'", "")
    user = user.encode("ascii", "ignore").decode()
    text = (
        f"({n[0] % 8 + 2}{n[1]}{n[2]}) {n[3]}{n[4]}{n[5]}-{n[6]}{n[7]}{n[8]}{n[9]}",
        f"+44 20 {n[0]}{n[1]}{n[2]}{n[3]} {n[4]}{n[5]}{n[6]}{n[7]}",
        f"0{n[0] + 1} {n[1]}{n[2]} {n[3]}{n[4]} {n[5]}{n[6]} {n[7]}{n[8]}",
        f"{user}@{rng.choice(CITIES).lower()}health.org",
        f"https://portal.{rng.choice(CITIES).lower()}.org/results/{n[0]}{n[1]}{n[2]}",
        f"{rng.randint(1, 999)} {rng.choice(STREETS)} Street",
        f"{rng.randint(1, 99)} rue des {rng.choice(SAINTS)}",
        f"{rng.choice(STREETS)}straße {rng.randint(1, 99)}",
        f"{n[0] % 8 + 2}{n[1]}{n[2]}-{n[3]}{n[4]}{n[5]}-{n[6]}{n[7]}{n[8]}{n[9]}",
    )[form]
    if form in (0, 1, 2, 8):
        out.add(rng.choice(("call ", "tel ", "ph: ", "contact ")))
    out.add(text, "CONTACT")


def organisation(rng: random.Random, out: _Builder) -> None:
    city, saint = rng.choice(CITIES), rng.choice(SAINTS)
    text = rng.choice((
        f"{city} General Hospital", f"St. {saint}'s Hospital", f"Hôpital {saint}",
        f"Klinikum {city}", f"Clínica {saint}", f"Ospedale San {saint}",
        f"{city} Medical Center", f"University of {city}", f"{city} Imaging Centre",
        f"{city} Radiology Practice", f"{city} Memorial Hospital", f"Centre Hospitalier de {city}",
        f"{city} Ziekenhuis", f"Hospital Universitario {saint}",
    ))
    out.add(text, "ORG")


IDENTITY: tuple[Piece, ...] = (name, date, age, identifier, contact, organisation)


def _clinical(rng: random.Random, kind: str) -> str:
    pool = {"series": SERIES, "study": STUDIES, "history": HISTORY, "comment": COMMENTS,
            "requested": REQUESTED, "protocol": SERIES}[kind]
    return rng.choice(pool)


def _templates(rng: random.Random, kind: str, out: _Builder) -> None:
    """One text of a kind, with zero to three identity pieces woven in."""
    pieces = [rng.choice(IDENTITY) for _ in range(rng.choice((0, 1, 1, 2, 2, 3)))]
    out.add(_clinical(rng, kind))
    joiners = (" - ", "; ", ", ", " ", " / ", ". ")
    lead: dict[Piece, tuple[str, ...]] = {
            name: (" per ", " ordered by ", ", signed by ", " - read by ", ". Discussed with ",
                   " - tech: ", " d/w ", " dictated by ", " referring: ", ", "),
            date: (" on ", " prior ", " dated ", " - ", ", scan ", " compare "),
            age: (" - ", ", ", " in ", " "),
            identifier: (" ", " - ", ", "),
            contact: (". ", ", ", " - "),
            organisation: (" at ", " from ", ", outside films from ", " - ")}
    for piece in pieces:
        out.add(rng.choice(lead.get(piece, joiners)))
        piece(rng, out)
    if rng.random() < 0.3:
        out.add(rng.choice(joiners) + _clinical(rng, rng.choice(("history", "comment"))))


KINDS = ("series", "study", "protocol", "comment", "history", "requested")


def corpus(seed: int = 20261201, count: int = 600) -> list[Sample]:
    """``count`` samples, the same for the same seed."""
    rng = random.Random(seed)
    samples = []
    for _ in range(count):
        kind = rng.choice(KINDS)
        out = _Builder()
        _templates(rng, kind, out)
        case = rng.choices(("mixed", "upper", "lower"), (0.7, 0.2, 0.1))[0]
        samples.append(out.sample(kind, case))
    return samples
