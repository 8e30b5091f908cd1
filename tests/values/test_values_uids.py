"""Replacement UIDs: the keyed scheme and dcm4che's name-based scheme."""

from __future__ import annotations

import hashlib
import hmac
import re
import subprocess
import sys
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydicom import Dataset

from deidentify.uids import UIDMapper, UIDScheme, dcm4che_uid, keyed_uid

UID_SYNTAX = re.compile(r"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$")
uid_strings = st.from_regex(r"[12]\.[1-9][0-9]{0,5}(\.[1-9][0-9]{0,8}){1,8}", fullmatch=True)


def java_name_uuid(name: bytes) -> int:
    """Java's UUID.nameUUIDFromBytes, step by step as java.util.UUID does it."""
    md5 = bytearray(hashlib.md5(name).digest())
    md5[6] = (md5[6] & 0x0F) | 0x30
    md5[8] = (md5[8] & 0x3F) | 0x80
    return int.from_bytes(md5, "big")


def test_dcm4che_matches_java_name_uuid_of_empty_name() -> None:
    # Java: UUID.nameUUIDFromBytes(new byte[0]) == d41d8cd9-8f00-3204-a980-0998ecf8427e
    assert dcm4che_uid("") == "2.25." + str(int("d41d8cd98f003204a9800998ecf8427e", 16))


@given(uid_strings)
def test_dcm4che_is_name_based_md5_uuid_under_2_25(uid: str) -> None:
    assert dcm4che_uid(uid) == f"2.25.{java_name_uuid(uid.encode('ascii'))}"


def test_dcm4che_ignores_padding() -> None:
    assert dcm4che_uid("1.2.3.4\x00") == dcm4che_uid("1.2.3.4") == dcm4che_uid("1.2.3.4 ")


@given(uid_strings)
def test_keyed_uid_is_hmac_sha256_as_uuid_v8(uid: str) -> None:
    secret = b"k" * 32
    digest = hmac.new(secret, b"deidentify/uid/v1\x00" + uid.encode(), hashlib.sha256).digest()
    value = int.from_bytes(digest[:16], "big")
    result = int(keyed_uid(secret, uid).removeprefix("2.25."))
    assert result >> 76 & 0xF == 8
    assert result >> 62 & 0x3 == 0b10
    mask = ~(0xF << 76 | 0x3 << 62) & (1 << 128) - 1
    assert result & mask == value & mask


@given(uid_strings)
def test_replacement_uids_are_valid(uid: str) -> None:
    for replacement in (keyed_uid(b"s" * 16, uid), dcm4che_uid(uid)):
        assert len(replacement) <= 64
        assert UID_SYNTAX.match(replacement), replacement
        assert replacement.startswith("2.25.")
        assert replacement != uid


def test_keyed_uid_depends_on_secret_and_uid(secret: bytes, other_secret: bytes) -> None:
    uid = "1.2.840.113619.2.55.3.604688119.971.1097651289.590"
    assert keyed_uid(secret, uid) != keyed_uid(other_secret, uid)
    assert keyed_uid(secret, uid) != keyed_uid(secret, uid + "1")
    assert keyed_uid(secret, uid) != dcm4che_uid(uid)
    assert keyed_uid(secret, uid + "\x00") == keyed_uid(secret, uid)


def test_mapper_is_consistent_across_instances_and_processes(secret: bytes) -> None:
    uid = "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322"
    first = UIDMapper(secret).map(uid)
    assert UIDMapper(secret).map(uid) == first
    code = (
        "import sys; from deidentify.uids import UIDMapper;"
        f"print(UIDMapper(bytes(range(32))).map({uid!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == first


def test_mapper_schemes(secret: bytes) -> None:
    uid = "1.2.3.4.5"
    assert UIDMapper(secret, UIDScheme.DCM4CHE).map(uid) == dcm4che_uid(uid)
    assert UIDMapper(b"", UIDScheme.DCM4CHE).map(uid) == dcm4che_uid(uid)
    assert UIDMapper(secret).map(uid) == keyed_uid(secret, uid)


def test_mapper_multi_valued(secret: bytes) -> None:
    mapper = UIDMapper(secret)
    a, b = "1.2.3", "1.2.4"
    assert mapper.map_values([a, b]) == [mapper.map(a), mapper.map(b)]
    assert mapper.map_values(f"{a}\\{b}") == f"{mapper.map(a)}\\{mapper.map(b)}"
    assert mapper.map_values(a) == mapper.map(a)
    assert mapper.map_values(None) is None
    assert mapper.map("") == ""


def test_keyed_mapper_refuses_empty_secret() -> None:
    with pytest.raises(ValueError):
        UIDMapper(b"")


def test_mapper_memo_is_bounded_and_stays_consistent(secret: bytes) -> None:
    mapper = UIDMapper(secret)
    first = mapper.map("1.2.3.1")
    for n in range(UIDMapper.MEMO_LIMIT + 10):
        mapper.map(f"1.2.3.{n + 2}")
    assert len(mapper._memo) <= UIDMapper.MEMO_LIMIT
    assert mapper.map("1.2.3.1") == first


def test_mapper_on_a_real_dataset(secret: bytes, read_testdata: Callable[[str], Dataset]) -> None:
    ds = read_testdata("CT_small.dcm")
    mapper = UIDMapper(secret)
    study = mapper.map(ds.StudyInstanceUID)
    assert study != ds.StudyInstanceUID
    assert study == UIDMapper(secret).map(ds.StudyInstanceUID + "\x00")
    assert study != mapper.map(ds.SeriesInstanceUID)
    assert mapper.map(ds.SOPInstanceUID) == mapper.map(ds.file_meta.MediaStorageSOPInstanceUID)
