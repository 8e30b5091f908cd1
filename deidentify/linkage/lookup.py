"""Lookup tables: the Patient ID (and Patient's Name) each listed patient gets, from a CSV file.

In: a CSV file (UTF-8, an optional byte-order mark) whose header names ``PatientID`` and
``NewPatientID``, and optionally ``NewPatientName`` and ``IssuerOfPatientID``, in any order.
Out: a ``PatientMap``. With an ``IssuerOfPatientID`` column a row matches a patient by Patient
ID and issuer (an empty issuer cell: no issuer); without it, by Patient ID alone.

A bad table raises ``LookupTableError``, one line naming the file, the line and the problem
and never quoting a cell (cells hold identifiers): no header, an unknown column, a row with
too few or too many cells, an empty cell (other than an issuer), a patient listed twice, one
new Patient ID given to two patients, a new value too long or holding a backslash or a
control character, or text that is not UTF-8.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from deidentify.linkage.errors import LookupTableError
from deidentify.linkage.identity import PatientIdentity

PATIENT_ID = "PatientID"
NEW_PATIENT_ID = "NewPatientID"
NEW_PATIENT_NAME = "NewPatientName"
ISSUER = "IssuerOfPatientID"
_COLUMNS = (PATIENT_ID, NEW_PATIENT_ID, NEW_PATIENT_NAME, ISSUER)
_MAX_LENGTH = {NEW_PATIENT_ID: 64, NEW_PATIENT_NAME: 64}
"""LO, and one PN component group (PS3.5 Table 6.2-1)."""


@dataclass(frozen=True)
class MappedPatient:
    """The values a listed patient gets; ``patient_name`` None: the table gives no name."""

    patient_id: str
    patient_name: str | None


@dataclass
class PatientMap:
    """A lookup table read from a file."""

    path: Path
    by_issuer: bool
    """Whether rows match by Patient ID and Issuer of Patient ID (else by Patient ID)."""
    entries: dict[tuple[str, str], MappedPatient] = field(default_factory=dict)

    def find(self, identity: PatientIdentity) -> MappedPatient | None:
        """The listed values of a patient, None when the table does not list it."""
        if not identity.patient_id:
            return None
        issuer = identity.issuer if self.by_issuer else ""
        return self.entries.get((identity.patient_id, issuer))

    def __len__(self) -> int:
        return len(self.entries)


def _problem(path: Path, line: int, message: str) -> LookupTableError:
    return LookupTableError(f"{path}: line {line}: {message}")


def _decoded(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise _problem(path, line, "not UTF-8 text") from None


def _header(path: Path, cells: list[str]) -> list[str]:
    names = [cell.strip() for cell in cells]
    for index, name in enumerate(names, 1):
        if name not in _COLUMNS:
            raise _problem(path, 1, f"column {index} of the header is not one of "
                           f"{', '.join(_COLUMNS)} (no header line?)")
    if len(set(names)) != len(names):
        raise _problem(path, 1, "the header names a column twice")
    for required in (PATIENT_ID, NEW_PATIENT_ID):
        if required not in names:
            raise _problem(path, 1, f"the header does not name {required}")
    return names


def _check_new_value(path: Path, line: int, column: str, value: str) -> None:
    if len(value) > _MAX_LENGTH[column]:
        raise _problem(path, line, f"{column} longer than {_MAX_LENGTH[column]} characters")
    if "\\" in value or any(ord(char) < 0x20 and char != "\x1b" for char in value):
        raise _problem(path, line, f"{column} holds a backslash or a control character")


def read_patient_map(path: Path) -> PatientMap:
    """Read and check a lookup table; LookupTableError for a bad one."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise LookupTableError(f"{path}: cannot read the lookup table "
                               f"({error.strerror or 'I/O error'})") from None
    rows = csv.reader(io.StringIO(_decoded(path, data), newline=""))
    try:
        first = next(rows, None)
        if first is None:
            raise _problem(path, 1, f"empty: no header naming {PATIENT_ID} and {NEW_PATIENT_ID}")
        names = _header(path, first)
        table = PatientMap(path, ISSUER in names)
        first_lines: dict[tuple[str, str], int] = {}
        new_ids: dict[str, int] = {}
        for cells in rows:
            line = rows.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(names):
                raise _problem(path, line, f"{len(cells)} cells where the header has "
                               f"{len(names)}")
            row = dict(zip(names, (cell.strip() for cell in cells), strict=True))
            for column in names:
                if column != ISSUER and not row[column]:
                    raise _problem(path, line, f"empty {column}")
            for column in (NEW_PATIENT_ID, NEW_PATIENT_NAME):
                if column in row:
                    _check_new_value(path, line, column, row[column])
            key = (row[PATIENT_ID], row.get(ISSUER, ""))
            if key in first_lines:
                raise _problem(path, line, f"the patient is listed again (first on line "
                               f"{first_lines[key]})")
            new_id = row[NEW_PATIENT_ID]
            if new_id in new_ids:
                raise _problem(path, line, f"the {NEW_PATIENT_ID} is given to another patient "
                               f"on line {new_ids[new_id]}")
            first_lines[key] = line
            new_ids[new_id] = line
            table.entries[key] = MappedPatient(new_id, row.get(NEW_PATIENT_NAME))
    except csv.Error:
        raise _problem(path, rows.line_num, "not valid CSV") from None
    return table
