"""Seeded mutants of real files that first carry planted identifying values.

Six of pydicom's files (CT and MR in explicit VR, MR and an RT plan in implicit VR, an SR,
a JPEG-compressed image) get a planted identity (Patient's Name, ID, dates, UIDs, accession
number, institution, also inside a sequence item); each mutant then takes one damage:
a truncation, a flipped bit in an element header, a length changed by +-1, +-2 or a large
amount, two neighbouring tags swapped, or another VR written in place of the element's.
"""

from __future__ import annotations

import io
import random
import struct
from dataclasses import dataclass
from pathlib import Path

import pydicom
from pydicom import Dataset
from pydicom.data import get_testdata_file
from pydicom.sequence import Sequence
from pydicom.uid import UID

SOURCES = ("CT_small.dcm", "MR_small.dcm", "MR_small_implicit.dcm", "rtplan.dcm",
           "test-SR.dcm", "JPEG-lossy.dcm")
MUTANTS_PER_SOURCE = 50
SEED = 20261201
KINDS = ("truncation", "header flip", "length change", "swapped tags", "wrong VR")
VRS = (b"PN", b"LO", b"US", b"UL", b"OB", b"UN", b"SQ", b"DA", b"CS", b"UT", b"ST")


@dataclass(frozen=True)
class Planted:
    """The identity planted in one source, and its values as searched in outputs."""

    name: str
    patient_id: str
    birth_date: str
    study_date: str
    accession: str
    institution: str
    study_uid: str
    instance_uid: str

    def needles(self) -> list[bytes]:
        """Each value as the bytes an output must not hold: ASCII and UTF-16 (LE and BE)."""
        values = [self.name, self.name.split("^")[0], self.patient_id, self.birth_date,
                  self.study_date, self.accession, self.institution, self.study_uid,
                  self.instance_uid]
        return [encoded for value in values
                for encoded in (value.encode("ascii"), value.encode("utf-16-le"),
                                value.encode("utf-16-be"))]


def planted_identity(number: int) -> Planted:
    root = f"1.2.826.0.1.3680043.10.777.{number + 1}"
    return Planted(name=f"Fuzzmarker{number}^Philippa", patient_id=f"FZID-{number}4471",
                   birth_date="19470523", study_date="20030917",
                   accession=f"FZACC-{number}881", institution="Fuzzwell Marker Infirmary",
                   study_uid=root + ".1", instance_uid=root + ".2")


def planted_file(name: str, number: int) -> tuple[bytes, Planted]:
    """A shipped file with a planted identity, in its own transfer syntax."""
    ds = pydicom.dcmread(str(get_testdata_file(name)))
    planted = planted_identity(number)
    ds.PatientName = planted.name
    ds.PatientID = planted.patient_id
    ds.PatientBirthDate = planted.birth_date
    ds.StudyDate = planted.study_date
    ds.AccessionNumber = planted.accession
    ds.InstitutionName = planted.institution
    ds.StudyInstanceUID = planted.study_uid
    ds.SOPInstanceUID = planted.instance_uid
    ds.file_meta.MediaStorageSOPInstanceUID = UID(planted.instance_uid)
    request = Dataset()
    request.RequestedProcedureID = planted.patient_id
    request.ScheduledProcedureStepDescription = f"for {planted.name}"
    ds.RequestAttributesSequence = Sequence([request])
    if "Rows" in ds:
        ds.BurnedInAnnotation = "NO"  # declared free of burned-in text: the gate lets it by
    stream = io.BytesIO()
    ds.save_as(stream, enforce_file_format=True)
    return stream.getvalue(), planted


def header_offsets(data: bytes) -> list[tuple[int, bool]]:
    """Where element headers start, at every depth, and whether each is explicit VR."""
    ds = pydicom.dcmread(io.BytesIO(data))
    explicit = not ds.file_meta.TransferSyntaxUID.is_implicit_VR
    found = []
    for element in [*ds.file_meta, *ds.iterall()]:
        value_at = getattr(element, "file_tell", None)
        tag = struct.pack("<HH", element.tag.group, element.tag.elem)
        if not isinstance(value_at, int):
            continue
        for at in (value_at - 8, value_at - 12, value_at):
            if at >= 0 and data[at:at + 4] == tag:
                found.append((at, explicit or element.tag.group == 2))
                break
    return sorted(set(found))


def _length_field(data: bytearray, at: int, explicit: bool) -> tuple[int, int]:
    """Offset and size of the length field of the header at ``at``."""
    if explicit and bytes(data[at + 4:at + 6]) in (b"OB", b"OW", b"OF", b"SQ", b"UT", b"UN",
                                                  b"UC", b"UR", b"OD", b"OL", b"OV", b"SV",
                                                  b"UV"):
        return at + 8, 4
    if explicit:
        return at + 6, 2
    return at + 4, 4


def mutate(data: bytes, headers: list[tuple[int, bool]],
           rng: random.Random) -> tuple[str, bytes]:
    """One damaged copy of ``data`` (whose element headers are at ``headers``) and the kind
    of damage."""
    kind = KINDS[rng.randrange(len(KINDS))]
    buffer = bytearray(data)
    at, explicit = headers[rng.randrange(len(headers))]
    if kind == "truncation":
        return kind, data[:rng.randrange(132, len(data))]
    if kind == "header flip":
        position = at + rng.randrange(6 if explicit else 8)
        buffer[position] ^= 1 << rng.randrange(8)
    elif kind == "length change":
        offset, size = _length_field(buffer, at, explicit)
        form = "<H" if size == 2 else "<L"
        (length,) = struct.unpack_from(form, buffer, offset)
        change = rng.choice((1, -1, 2, -2, 1000, 0x10000, 0x7FFFFFFF))
        struct.pack_into(form, buffer, offset, (length + change) % (1 << (8 * size)))
    elif kind == "swapped tags":
        index = headers.index((at, explicit))
        other, _ = headers[min(index + 1, len(headers) - 1)]
        first, second = bytes(buffer[at:at + 4]), bytes(buffer[other:other + 4])
        buffer[at:at + 4], buffer[other:other + 4] = second, first
    else:
        if explicit:
            buffer[at + 4:at + 6] = rng.choice(VRS)
        else:
            buffer[at + 4:at + 8] = struct.pack("<L", rng.choice((0, 2, 0xFFFFFFFF)))
    return kind, bytes(buffer)


def write_mutants(folder: Path) -> dict[str, tuple[str, Planted]]:
    """Every mutant written into ``folder``, and each planted source intact: file name ->
    (kind of damage or ``intact``, planted identity)."""
    rng = random.Random(SEED)
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, tuple[str, Planted]] = {}
    for number, source in enumerate(SOURCES):
        data, planted = planted_file(source, number)
        headers = header_offsets(data)
        (folder / f"{Path(source).stem}-intact.dcm").write_bytes(data)
        written[f"{Path(source).stem}-intact.dcm"] = ("intact", planted)
        for index in range(MUTANTS_PER_SOURCE):
            kind, mutant = mutate(data, headers, rng)
            name = f"{Path(source).stem}-{index:03d}.dcm"
            (folder / name).write_bytes(mutant)
            written[name] = (kind, planted)
    return written
