"""The Encrypted Attributes Sequence (0400,0500): original values sealed for one recipient.

In: the Modified Attributes item (``originals``) and the recipient's X.509 certificate (an
RSA public key). Out: one item of the Encrypted Attributes Sequence, as PS3.15 E.1.2 and
PS3.3 C.12.1.1.4.1 describe it: Encrypted Content Transfer Syntax UID (0400,0510) Explicit VR
Little Endian, and Encrypted Content (0400,0520), a CMS EnvelopedData (RFC 5652; RSA key
transport, RFC 3370; AES-256-CBC content encryption, RFC 3565, as GDCM's gdcmanon uses) whose
content is a data set holding the Modified Attributes Sequence (0400,0550) with that one
item. And back: the Modified Attributes items a private key can open.

The envelope takes a fresh random content key each time, so two encryptions of one data set
differ in their bytes (and so do two runs' outputs, in this one element).
"""

from __future__ import annotations

import io
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.serialization import pkcs7
from pydicom import Dataset
from pydicom.dataelem import DataElement
from pydicom.filebase import DicomBytesIO
from pydicom.filereader import read_dataset
from pydicom.filewriter import write_dataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian

from deidentify.beyond.sealed import (
    ENCRYPTED_ATTRIBUTES_SEQUENCE,
    ENCRYPTED_CONTENT,
    ENCRYPTED_CONTENT_TRANSFER_SYNTAX_UID,
    der_extent,
)
from deidentify.linkage.errors import CredentialError

MODIFIED_ATTRIBUTES_SEQUENCE = 0x04000550

PrivateKey = rsa.RSAPrivateKey


def load_certificate(path: Path) -> x509.Certificate:
    """The recipient's certificate (PEM or DER) holding an RSA public key."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CredentialError(f"{path}: cannot read the certificate ({error.strerror})") from None
    try:
        certificate = (x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data
                       else x509.load_der_x509_certificate(data))
    except ValueError:
        raise CredentialError(f"{path}: not an X.509 certificate (PEM or DER)") from None
    if not isinstance(certificate.public_key(), rsa.RSAPublicKey):
        raise CredentialError(f"{path}: the certificate's key is not RSA (PS3.15 E.1.2 needs RSA)")
    return certificate


def load_private_key(path: Path, passphrase: bytes | None) -> PrivateKey:
    """The recipient's RSA private key (PEM or DER), decrypted with ``passphrase``."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CredentialError(f"{path}: cannot read the private key ({error.strerror})") from None
    loader = (serialization.load_pem_private_key if b"-----BEGIN" in data
              else serialization.load_der_private_key)
    try:
        key = loader(data, password=passphrase)
    except TypeError:
        state = "needs a passphrase" if passphrase is None else "is not encrypted"
        raise CredentialError(f"{path}: the private key {state}") from None
    except (ValueError, UnsupportedAlgorithm):
        raise CredentialError(f"{path}: not a private key, or a wrong passphrase") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CredentialError(f"{path}: the private key is not RSA")
    return key


def _encoded(item: Dataset) -> bytes:
    """A data set holding only the Modified Attributes Sequence, in Explicit VR Little Endian."""
    content = Dataset()
    content[MODIFIED_ATTRIBUTES_SEQUENCE] = DataElement(MODIFIED_ATTRIBUTES_SEQUENCE, "SQ",
                                                        Sequence([item]))
    stream = DicomBytesIO()
    stream.is_little_endian, stream.is_implicit_VR = True, False
    write_dataset(stream, content)
    return stream.getvalue()


def encrypted_item(item: Dataset, certificate: x509.Certificate) -> Dataset:
    """One item of the Encrypted Attributes Sequence sealing ``item`` for ``certificate``."""
    envelope = (
        pkcs7.PKCS7EnvelopeBuilder()
        .set_data(_encoded(item))
        .add_recipient(certificate)
        .set_content_encryption_algorithm(algorithms.AES256)
        .encrypt(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
    )
    sealed = Dataset()
    sealed[ENCRYPTED_CONTENT_TRANSFER_SYNTAX_UID] = DataElement(
        ENCRYPTED_CONTENT_TRANSFER_SYNTAX_UID, "UI", ExplicitVRLittleEndian)
    sealed[ENCRYPTED_CONTENT] = DataElement(ENCRYPTED_CONTENT, "OB", envelope)
    return sealed


def add_encrypted_item(ds: Dataset, sealed: Dataset) -> None:
    """Append ``sealed`` to the dataset's Encrypted Attributes Sequence (one item per
    recipient: items of earlier encryptions are kept, those the engine let pass as sealed
    CMS EnvelopedData, ``beyond.sealed``)."""
    if ENCRYPTED_ATTRIBUTES_SEQUENCE in ds and ds[ENCRYPTED_ATTRIBUTES_SEQUENCE].VR == "SQ":
        ds[ENCRYPTED_ATTRIBUTES_SEQUENCE].value.append(sealed)
        return
    ds[ENCRYPTED_ATTRIBUTES_SEQUENCE] = DataElement(ENCRYPTED_ATTRIBUTES_SEQUENCE, "SQ",
                                                    Sequence([sealed]))


def opened_items(ds: Dataset, certificate: x509.Certificate,
                 key: PrivateKey) -> list[tuple[Dataset, Dataset]]:
    """(Encrypted Attributes item, its Modified Attributes item) of every item this key
    opens, in sequence order."""
    found: list[tuple[Dataset, Dataset]] = []
    sequence = ds.get(ENCRYPTED_ATTRIBUTES_SEQUENCE)
    for sealed in (sequence.value if sequence is not None and sequence.VR == "SQ" else ()):
        syntax_element = sealed.get(ENCRYPTED_CONTENT_TRANSFER_SYNTAX_UID)
        syntax = str(syntax_element.value or "").rstrip("\x00 ") if syntax_element else ""
        envelope = sealed.get(ENCRYPTED_CONTENT)
        if syntax != ExplicitVRLittleEndian or envelope is None or not envelope.value:
            continue
        try:
            content = pkcs7.pkcs7_decrypt_der(der_extent(bytes(envelope.value)), certificate,
                                              key, [])
        except (ValueError, UnsupportedAlgorithm):
            continue
        decoded = read_dataset(io.BytesIO(content), is_implicit_VR=False, is_little_endian=True)
        modified = decoded.get(MODIFIED_ATTRIBUTES_SEQUENCE)
        if modified is not None and modified.VR == "SQ" and len(modified.value) == 1:
            found.append((sealed, modified.value[0]))
    return found
