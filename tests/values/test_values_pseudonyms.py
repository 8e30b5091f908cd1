"""AE title pseudonyms and dcm4chee's Retain Patient ID Hash Option."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from hypothesis import given
from hypothesis import strategies as st
from pydicom import Dataset
from pydicom.sequence import Sequence

from deidentify.pseudonyms import ae_title_pseudonym, patient_id_hash, patient_id_hash_of


def java_name_uuid_text(name: str) -> str:
    """Java's UUID.nameUUIDFromBytes(name.getBytes(UTF_8)).toString(), spelled out."""
    md5 = bytearray(hashlib.md5(name.encode("utf-8")).digest())
    md5[6] = (md5[6] & 0x0F) | 0x30
    md5[8] = (md5[8] & 0x3F) | 0x80
    text = md5.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def test_known_java_vector() -> None:
    # Java: UUID.nameUUIDFromBytes(new byte[0]).toString()
    assert patient_id_hash("") == "d41d8cd9-8f00-3204-a980-0998ecf8427e"


@given(st.text(min_size=1, max_size=64))
def test_plain_patient_id_hash(patient_id: str) -> None:
    assert patient_id_hash(patient_id) == java_name_uuid_text(patient_id)


def test_patient_id_with_issuer_and_qualifiers() -> None:
    assert patient_id_hash("12345", issuer="HOSP") == java_name_uuid_text("12345^^^HOSP")
    assert patient_id_hash(
        "12345", issuer="HOSP", universal_entity_id="1.2.3", universal_entity_id_type="ISO"
    ) == java_name_uuid_text("12345^^^HOSP&1.2.3&ISO")
    assert patient_id_hash(
        "12345", universal_entity_id="1.2.3", universal_entity_id_type="ISO"
    ) == java_name_uuid_text("12345^^^&1.2.3&ISO")
    assert patient_id_hash("12345", identifier_type_code="MR") == java_name_uuid_text("12345^^^^MR")
    assert patient_id_hash("1", issuer="A&B") == java_name_uuid_text("1^^^A\\T\\B")
    # a Universal Entity ID without its type is ignored, as dcm4che's Issuer does
    assert patient_id_hash("12345", issuer="HOSP", universal_entity_id="1.2.3") == (
        patient_id_hash("12345", issuer="HOSP")
    )


def test_hash_of_real_dataset(read_testdata: Callable[[str], Dataset]) -> None:
    ds = read_testdata("CT_small.dcm")
    patient_id = str(ds.PatientID).strip()
    assert patient_id
    assert patient_id_hash_of(ds) == java_name_uuid_text(patient_id)
    ds.IssuerOfPatientID = "HOSPITAL A "
    qualifiers = Dataset()
    qualifiers.UniversalEntityID = "2.16.840.1.113883.3.1"
    qualifiers.UniversalEntityIDType = "ISO"
    qualifiers.IdentifierTypeCode = "MR"
    ds.IssuerOfPatientIDQualifiersSequence = Sequence([qualifiers])
    assert patient_id_hash_of(ds) == java_name_uuid_text(
        f"{patient_id}^^^HOSPITAL A&2.16.840.1.113883.3.1&ISO^MR"
    )


def test_no_patient_id_no_hash(read_testdata: Callable[[str], Dataset]) -> None:
    ds = read_testdata("CT_small.dcm")
    ds.PatientID = ""
    assert patient_id_hash_of(ds) is None
    del ds.PatientID
    assert patient_id_hash_of(ds) is None


ae_titles = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_characters="\\"),
    min_size=1,
    max_size=16,
).filter(str.strip)


@given(ae_titles)
def test_ae_pseudonym_is_a_valid_ae_title(title: str) -> None:
    pseudonym = ae_title_pseudonym(b"s" * 32, title)
    assert 0 < len(pseudonym) <= 16
    assert pseudonym == pseudonym.strip()
    assert all(0x20 < ord(char) < 0x7F and char != "\\" for char in pseudonym)
    assert pseudonym != title.strip()
    assert ae_title_pseudonym(b"s" * 32, f" {title} ") == pseudonym


def test_ae_pseudonym_is_keyed_and_distinct() -> None:
    secret = b"k" * 32
    names = [f"STATION{n}" for n in range(200)]
    pseudonyms = {ae_title_pseudonym(secret, name) for name in names}
    assert len(pseudonyms) == 200
    assert ae_title_pseudonym(secret, "CT01") != ae_title_pseudonym(b"j" * 32, "CT01")
    assert ae_title_pseudonym(secret, "CT01") == ae_title_pseudonym(secret, "CT01")
    assert ae_title_pseudonym(secret, "   ") == ""
