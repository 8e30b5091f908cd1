"""An input's own Encrypted Attributes Sequence (0400,0500): only sealed items pass.

Table E.1-1 does not list the sequence. PS3.15 E.1.2 and PS3.3 C.12.1.1.4.1 define each item
as two attributes: Encrypted Content Transfer Syntax UID (0400,0510), the Transfer Syntax of
the encoded data set, and Encrypted Content (0400,0520), a CMS EnvelopedData (RFC 5652) of
it. Items that an earlier de-identification sealed so are kept (one per recipient: the chain
of passes that ``deidentify reidentify`` undoes one by one); anything else could carry the
originals in clear text.

In: the items of the sequence. Out: the items to keep, each reduced to its two attributes:
an item whose transfer syntax is not a standard Transfer Syntax UID, or whose Encrypted
Content is not a DER ContentInfo of content type id-envelopedData (1.2.840.113549.1.7.3)
holding a SEQUENCE, is dropped. The envelope cannot be opened without the recipient's key,
so its structure is what is checked: the outer SEQUENCE, the OID and the [0] content, each
length ending exactly where its parent ends (a DICOM pad byte after it allowed). An object
that keeps such items says so in De-identification Method (``method_text``).
"""

from __future__ import annotations

from collections.abc import Iterable

from pydicom import Dataset
from pydicom.uid import UID

ENCRYPTED_ATTRIBUTES_SEQUENCE = 0x04000500
ENCRYPTED_CONTENT_TRANSFER_SYNTAX_UID = 0x04000510
ENCRYPTED_CONTENT = 0x04000520

_ENVELOPED_DATA = bytes.fromhex("06092A864886F70D010703")
"""The DER of OBJECT IDENTIFIER 1.2.840.113549.1.7.3 (id-envelopedData)."""

_SEQUENCE, _CONTEXT_0 = 0x30, 0xA0


def _header(data: bytes, start: int, tag: int) -> tuple[int, int] | None:
    """(content start, content end) of a DER element of ``tag`` at ``start``; None where the
    bytes hold no such element of definite length within ``data``."""
    if start + 2 > len(data) or data[start] != tag:
        return None
    first = data[start + 1]
    if first < 0x80:
        return start + 2, start + 2 + first
    count = first & 0x7F
    if count == 0 or count > 4 or start + 2 + count > len(data):
        return None  # indefinite length (BER, not DER) or absurdly long
    length = int.from_bytes(data[start + 2:start + 2 + count], "big")
    content = start + 2 + count
    return (content, content + length) if content + length <= len(data) else None


def der_extent(data: bytes) -> bytes:
    """The DER SEQUENCE at the start of ``data``, without what follows it (the NUL that pads
    an Encrypted Content of odd length to an even one); ``data`` itself where no SEQUENCE of
    definite length within it starts it."""
    outer = _header(data, 0, _SEQUENCE)
    return data if outer is None else data[:outer[1]]


def is_enveloped_data(data: bytes) -> bool:
    """Whether ``data`` is a DER ContentInfo of content type id-envelopedData whose [0]
    content is a SEQUENCE, every length ending where its parent ends."""
    outer = _header(data, 0, _SEQUENCE)
    if outer is None:
        return False
    start, end = outer
    if end != len(data) and data[end:] != b"\x00":
        return False
    if data[start:start + len(_ENVELOPED_DATA)] != _ENVELOPED_DATA:
        return False
    content = _header(data, start + len(_ENVELOPED_DATA), _CONTEXT_0)
    if content is None or content[1] != end:
        return False
    enveloped = _header(data, content[0], _SEQUENCE)
    return enveloped is not None and enveloped[1] == end


def _transfer_syntax(item: Dataset) -> bool:
    element = item.get(ENCRYPTED_CONTENT_TRANSFER_SYNTAX_UID)
    value = element.value if element is not None else None
    if not isinstance(value, str):
        return False
    uid = UID(value.rstrip("\x00 "))
    return uid.is_valid and uid.is_transfer_syntax


def _content(item: Dataset) -> bytes | None:
    element = item.get(ENCRYPTED_CONTENT)
    value = element.value if element is not None else None
    return bytes(value) if isinstance(value, (bytes, bytearray)) and value else None


def is_sealed(item: Dataset) -> bool:
    """Whether an item holds a standard transfer syntax and a CMS EnvelopedData."""
    content = _content(item)
    return content is not None and _transfer_syntax(item) and is_enveloped_data(content)


def sealed_items(items: Iterable[Dataset]) -> list[Dataset]:
    """The sealed items, each reduced to its Encrypted Content Transfer Syntax UID and
    Encrypted Content (whatever else an item holds is dropped)."""
    kept: list[Dataset] = []
    for item in items:
        if not is_sealed(item):
            continue
        reduced = Dataset()
        for tag in (ENCRYPTED_CONTENT_TRANSFER_SYNTAX_UID, ENCRYPTED_CONTENT):
            reduced[tag] = item[tag]
        kept.append(reduced)
    return kept


def method_text(kept: int) -> tuple[str, ...]:
    """The De-identification Method value of an object keeping ``kept`` earlier items."""
    return (f"earlier Encrypted Attributes items kept: {kept}",) if kept else ()
