"""An input's own Encrypted Attributes Sequence: only items sealed as CMS EnvelopedData under
a standard transfer syntax pass, reduced to their two attributes, under every profile and on
both paths; whatever else an item holds (clear text, a wrong syntax, another CMS type, a
truncated envelope, extra attributes) is dropped."""

from __future__ import annotations

import io
from pathlib import Path

import pydicom
import pytest
from pydicom import Dataset
from pydicom.dataelem import DataElement
from pydicom.sequence import Sequence
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian

pytest.importorskip("cryptography", reason="the extra 'linkage' (cryptography) is not installed")

from deidentify.beyond.sealed import (
    ENCRYPTED_ATTRIBUTES_SEQUENCE,
    ENCRYPTED_CONTENT,
    ENCRYPTED_CONTENT_TRANSFER_SYNTAX_UID,
    is_enveloped_data,
)
from deidentify.linkage.encrypted import encrypted_item, load_certificate, load_private_key
from deidentify.linkage.reidentify import restore
from tests.fastpath.paths import PROFILES, deidentifier, fast_output, reference_output
from tests.linkage.helpers import make_recipient, shipped

CLEAR = b"PatientName=PLAINTEXT^LEAK MRN-4417 "
SEALED_NAME = "SEALED^ORIGINAL"
SIGNED_DATA = bytes.fromhex("3011" "06092A864886F70D010702" "A004" "30020500")
"""A well-formed DER ContentInfo of id-signedData: CMS, but no envelope."""


def _item(syntax: str, content: bytes, **extra: str) -> Dataset:
    item = Dataset()
    item[ENCRYPTED_CONTENT_TRANSFER_SYNTAX_UID] = DataElement(
        ENCRYPTED_CONTENT_TRANSFER_SYNTAX_UID, "UI", syntax)
    item[ENCRYPTED_CONTENT] = DataElement(ENCRYPTED_CONTENT, "OB", content)
    for keyword, value in extra.items():
        setattr(item, keyword, value)
    return item


@pytest.fixture(scope="module")
def recipient(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_recipient(tmp_path_factory.mktemp("recipient"))


@pytest.fixture(scope="module")
def envelope(recipient: tuple[Path, Path]) -> bytes:
    original = Dataset()
    original.PatientName = SEALED_NAME
    sealed = encrypted_item(original, load_certificate(recipient[1]))
    return bytes(sealed[ENCRYPTED_CONTENT].value)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory, envelope: bytes) -> Path:
    ds = pydicom.dcmread(shipped("CT_small.dcm"))
    ds[ENCRYPTED_ATTRIBUTES_SEQUENCE] = DataElement(ENCRYPTED_ATTRIBUTES_SEQUENCE, "SQ", Sequence([
        _item(ExplicitVRLittleEndian, CLEAR),  # clear text where the envelope belongs
        _item("1.2.3.4", envelope),  # not a transfer syntax
        _item(CTImageStorage, envelope),  # a standard UID, but no transfer syntax
        _item(ExplicitVRLittleEndian, SIGNED_DATA),
        _item(ExplicitVRLittleEndian, envelope[:-9]),  # truncated
        _item(ExplicitVRLittleEndian, envelope, PatientID="MRN-4417-IN-ITEM"),
    ]))
    path = tmp_path_factory.mktemp("sealed") / "sealed.dcm"
    ds.save_as(path, enforce_file_format=True)
    return path


def test_the_envelope_check_reads_the_der_structure(envelope: bytes) -> None:
    assert is_enveloped_data(envelope) and is_enveloped_data(envelope + b"\x00")
    assert not is_enveloped_data(envelope[:-1]) and not is_enveloped_data(envelope + b"\x01")
    assert not is_enveloped_data(SIGNED_DATA) and not is_enveloped_data(CLEAR)
    assert not is_enveloped_data(b"")


@pytest.mark.parametrize("uri", PROFILES)
def test_only_the_sealed_item_passes_on_both_paths(
    uri: str, source: Path, envelope: bytes, tmp_path: Path
) -> None:
    deid = deidentifier(uri)
    reference = reference_output(deid, source, tmp_path)
    fast = fast_output(deid, source)
    assert reference is not None and fast == reference
    assert b"PLAINTEXT" not in reference and b"MRN-4417" not in reference
    items = pydicom.dcmread(io.BytesIO(reference))[ENCRYPTED_ATTRIBUTES_SEQUENCE].value
    assert len(items) == 1
    [item] = items
    assert set(item.keys()) == {ENCRYPTED_CONTENT_TRANSFER_SYNTAX_UID, ENCRYPTED_CONTENT}
    assert bytes(item[ENCRYPTED_CONTENT].value).rstrip(b"\x00") == envelope.rstrip(b"\x00")


def test_the_kept_item_still_reidentifies(
    source: Path, recipient: tuple[Path, Path], tmp_path: Path
) -> None:
    reference = reference_output(deidentifier("deidentify:"), source, tmp_path)
    assert reference is not None
    ds = pydicom.dcmread(io.BytesIO(reference))
    assert ds.PatientName != SEALED_NAME
    key, certificate = recipient
    restore(ds, load_certificate(certificate), load_private_key(key, None))
    assert ds.PatientName == SEALED_NAME and ENCRYPTED_ATTRIBUTES_SEQUENCE not in ds


def test_a_sequence_of_nothing_sealed_is_removed(tmp_path: Path) -> None:
    ds = pydicom.dcmread(shipped("CT_small.dcm"))
    ds[ENCRYPTED_ATTRIBUTES_SEQUENCE] = DataElement(ENCRYPTED_ATTRIBUTES_SEQUENCE, "SQ", Sequence(
        [_item(ExplicitVRLittleEndian, CLEAR)]))
    path = tmp_path / "clear.dcm"
    ds.save_as(path, enforce_file_format=True)
    deid = deidentifier("deidentify:")
    reference = reference_output(deid, path, tmp_path)
    assert reference is not None and fast_output(deid, path) == reference
    assert ENCRYPTED_ATTRIBUTES_SEQUENCE not in pydicom.dcmread(io.BytesIO(reference))


def test_de_identification_method_names_the_earlier_items_kept(
    source: Path, tmp_path: Path
) -> None:
    reference = reference_output(deidentifier("deidentify:"), source, tmp_path)
    assert reference is not None
    method = pydicom.dcmread(io.BytesIO(reference)).DeidentificationMethod
    assert "earlier Encrypted Attributes items kept: 1" in list(method)
