"""Pseudonyms: keyed AE titles, and dcm4chee's Retain Patient ID Hash Option.

``patient_id_hash`` reproduces dcm4che exactly. Source: dcm4che/dcm4che,
``dcm4che-deident/src/main/java/org/dcm4che3/deident/DeIdentifier.java``. With
``RetainPatientIDHashOption``, ``DeIdentifier.deidentify`` reads ``IDWithIssuer.pidOf(attrs)``
before de-identifying and afterwards sets Patient ID (LO) to ``hash(pid)``, where
``hash(pid)`` is ``UUID.nameUUIDFromBytes(pid.toString().getBytes(UTF_8)).toString()``: the
lower-case 8-4-4-4-12 text of the MD5 name-based (version 3) UUID of the patient identifier.
``IDWithIssuer.toString()`` (``dcm4che-core/.../data/IDWithIssuer.java``) is the ID alone, or
``ID^^^ISSUER`` with ``^TYPECODE`` appended when an Identifier Type Code is present, and the
issuer (``Issuer.toString('&')``, ``dcm4che-core/.../data/Issuer.java``) is the Issuer of
Patient ID alone, or ``LOCAL&UNIVERSAL&TYPE`` when the Issuer of Patient ID Qualifiers
Sequence holds both a Universal Entity ID and its Type (``&`` inside a part escaped as
``\\T\\``). dcm4chee-arc-light applies it through ``DeIdentificationAttributesCoercion``.

The hash is **unkeyed**: anyone who can enumerate candidate Patient IDs (medical record
numbers are often short and sequential) can reverse it. Prefer a keyed pseudonym unless
the result must match an archive's.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid

from pydicom import Dataset
from pydicom.multival import MultiValue

_AE_CONTEXT = b"deidentify/ae-title/v1\x00"
_AE_PREFIX = "DEID"
_ESCAPED_DELIMITER = "\\T\\"


def ae_title_pseudonym(secret: bytes, ae_title: str) -> str:
    """A keyed pseudonym of an AE title: ``DEID`` and 12 upper-case hex digits (16 chars).

    Leading and trailing spaces of the AE title are not significant and are ignored; an
    empty AE title stays empty.
    """
    title = ae_title.strip(" \x00")
    if not title:
        return ""
    digest = hmac.new(secret, _AE_CONTEXT + title.encode("utf-8", "surrogatepass"), hashlib.sha256)
    return _AE_PREFIX + digest.hexdigest()[:12].upper()


def _trim(value: object, *, text_vr: bool = False) -> str | None:
    """A value as dcm4che's ``getString`` returns it, None when empty.

    The first of several values, trimmed; a text VR (UT) is one value, trimmed at its end.
    """
    if isinstance(value, MultiValue):
        value = value[0] if value else None
    if value is None:
        return None
    text = str(value)
    text = text.rstrip(" \x00") if text_vr else text.split("\\")[0].strip(" \x00")
    return text or None


def _escape(part: str) -> str:
    return part.replace("&", _ESCAPED_DELIMITER)


def _issuer_text(
    issuer: str | None, universal_entity_id: str | None, universal_entity_id_type: str | None
) -> str | None:
    """``Issuer.toString('&')`` of dcm4che, None when there is no issuer."""
    if universal_entity_id is not None and universal_entity_id_type is not None:
        local = _escape(issuer) if issuer is not None else ""
        return f"{local}&{_escape(universal_entity_id)}&{_escape(universal_entity_id_type)}"
    return _escape(issuer) if issuer is not None else None


def patient_id_hash(
    patient_id: str,
    *,
    issuer: str | None = None,
    universal_entity_id: str | None = None,
    universal_entity_id_type: str | None = None,
    identifier_type_code: str | None = None,
) -> str:
    """The Patient ID dcm4che's RetainPatientIDHashOption writes (see the module docstring).

    Without the keyword arguments this hashes the Patient ID alone, which is what dcm4che
    does for a dataset without Issuer of Patient ID and its qualifiers.
    """
    text = patient_id
    issuer_text = _issuer_text(issuer, universal_entity_id, universal_entity_id_type)
    if issuer_text is not None or identifier_type_code is not None:
        text += "^^^" + (issuer_text or "")
        if identifier_type_code is not None:
            text += "^" + identifier_type_code
    digest = hashlib.md5(text.encode("utf-8"), usedforsecurity=False).digest()
    return str(uuid.UUID(bytes=digest, version=3))


def patient_id_hash_of(ds: Dataset) -> str | None:
    """``patient_id_hash`` of a dataset's patient, as ``IDWithIssuer.pidOf`` reads it.

    None when the dataset has no (non-empty) Patient ID: dcm4che then leaves it as the
    Basic Profile treats it.
    """
    patient_id = _trim(ds.get("PatientID"))
    if patient_id is None:
        return None
    qualifiers = ds.get("IssuerOfPatientIDQualifiersSequence")
    item = qualifiers[0] if qualifiers else Dataset()
    return patient_id_hash(
        patient_id,
        issuer=_trim(ds.get("IssuerOfPatientID")),
        universal_entity_id=_trim(item.get("UniversalEntityID"), text_vr=True),
        universal_entity_id_type=_trim(item.get("UniversalEntityIDType")),
        identifier_type_code=_trim(item.get("IdentifierTypeCode")),
    )
