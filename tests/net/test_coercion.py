"""The library hooks: ``Coercer.coerce`` and ``coerce_query`` with the real engine."""

from __future__ import annotations

import copy
import stat
from pathlib import Path

import pytest
from pydicom.dataset import Dataset

from deidentify import Deidentifier, Plan, parse_profile
from deidentify.net import AssociationInfo, Coercer, CoercionRule, Dimse, IssuedUIDs, Role
from deidentify.net.engine import engines
from deidentify.net.matching import matches
from deidentify.net.rules import RulesError
from tests.net.nodes import MODIFIED_DATES, SECRET, read_test_file

PEER = AssociationInfo(calling_ae="MODALITY", called_ae="DEIDNODE", peer_host="127.0.0.1")


def _rule(dimse: Dimse, uri: str = MODIFIED_DATES, **fields: object) -> CoercionRule:
    return CoercionRule(name=f"{dimse.value} {uri} {fields}", dimse=dimse, role=Role.SCU,
                        uri=uri, **fields)  # type: ignore[arg-type]


def _coercer(*rules: CoercionRule, issued: IssuedUIDs | None = None) -> Coercer:
    return Coercer(rules, engines(SECRET), issued)


def _engine(uri: str = MODIFIED_DATES) -> Deidentifier:
    return Deidentifier(Plan.build(parse_profile(uri)), SECRET)


def test_coerce_returns_a_deidentified_copy_and_records_the_uids() -> None:
    coercer = _coercer(_rule(Dimse.C_STORE_RQ))
    original = read_test_file("CT_small.dcm")
    untouched = copy.deepcopy(original)
    coerced = coercer.coerce(original, Dimse.C_STORE_RQ, Role.SCU, PEER)
    assert original == untouched
    assert coerced.SOPInstanceUID == _engine().map_uid(original.SOPInstanceUID)
    assert coercer.issued.original(str(coerced.SOPInstanceUID)) == original.SOPInstanceUID
    assert coercer.issued.original(str(coerced.StudyInstanceUID)) == original.StudyInstanceUID


def test_a_dataset_carrying_issued_uids_keeps_them() -> None:
    coercer = _coercer(_rule(Dimse.C_STORE_RQ))
    first = coercer.coerce(read_test_file("CT_small.dcm"), Dimse.C_STORE_RQ, Role.SCU, PEER)
    again = read_test_file("CT_small.dcm")
    again.StudyInstanceUID = first.StudyInstanceUID
    second = coercer.coerce(again, Dimse.C_STORE_RQ, Role.SCU, PEER)
    assert second.StudyInstanceUID == first.StudyInstanceUID


def test_a_profile_retaining_uids_never_restores_an_original() -> None:
    issued = IssuedUIDs()
    store = _coercer(_rule(Dimse.C_STORE_RQ), issued=issued)
    first = store.coerce(read_test_file("CT_small.dcm"), Dimse.C_STORE_RQ, Role.SCU, PEER)
    retain = _coercer(_rule(Dimse.C_STORE_RQ, "deidentify:RetainUIDsOption"), issued=issued)
    forwarded = retain.coerce(first, Dimse.C_STORE_RQ, Role.SCU, PEER)
    assert forwarded.SOPInstanceUID == first.SOPInstanceUID
    assert forwarded.StudyInstanceUID == first.StudyInstanceUID


def test_all_matching_rules_apply_unless_one_is_sufficient() -> None:
    retain = _rule(Dimse.C_STORE_RQ, "deidentify:RetainUIDsOption", priority=10)
    basic = _rule(Dimse.C_STORE_RQ, "deidentify:")
    original = read_test_file("CT_small.dcm")
    both = _coercer(retain, basic).coerce(original, Dimse.C_STORE_RQ, Role.SCU, PEER)
    assert both.SOPInstanceUID == _engine().map_uid(original.SOPInstanceUID)
    sufficient = CoercionRule(**{**retain.__dict__, "sufficient": True})
    only = _coercer(sufficient, basic).coerce(original, Dimse.C_STORE_RQ, Role.SCU, PEER)
    assert only.SOPInstanceUID == original.SOPInstanceUID


def test_query_by_an_issued_uid_is_sent_as_the_original() -> None:
    coercer = _coercer(_rule(Dimse.C_STORE_RQ), _rule(Dimse.C_FIND_RQ))
    original = read_test_file("CT_small.dcm")
    coerced = coercer.coerce(original, Dimse.C_STORE_RQ, Role.SCU, PEER)
    keys = Dataset()
    keys.StudyInstanceUID = coerced.StudyInstanceUID
    query = coercer.coerce_query(keys, Role.SCU, PEER)
    assert query.upstream.StudyInstanceUID == original.StudyInstanceUID
    assert query.filters == []


def test_query_by_an_unknown_uid_is_sent_universal_and_matched_after() -> None:
    coercer = _coercer(_rule(Dimse.C_FIND_RQ))
    keys = Dataset()
    pseudonym = _engine().map_uid("1.2.3.4")
    keys.StudyInstanceUID = pseudonym
    query = coercer.coerce_query(keys, Role.SCU, PEER)
    assert not query.upstream.StudyInstanceUID
    hit, miss = Dataset(), Dataset()
    hit.StudyInstanceUID, miss.StudyInstanceUID = pseudonym, _engine().map_uid("1.2.3.5")
    assert query.accepts(hit) and not query.accepts(miss)


def test_a_shifted_date_key_covers_every_offset_and_filters_exactly() -> None:
    coercer = _coercer(_rule(Dimse.C_FIND_RQ))
    keys = Dataset()
    keys.StudyDate = "20200110-20200120"
    query = coercer.coerce_query(keys, Role.SCU, PEER)
    low, high = str(query.upstream.StudyDate).split("-")
    assert low == "20200110" and high > "20300101"
    inside, outside = Dataset(), Dataset()
    inside.StudyDate, outside.StudyDate = "20200115", "20200121"
    assert query.accepts(inside) and not query.accepts(outside)


def test_identity_keys_are_sent_universal() -> None:
    coercer = _coercer(_rule(Dimse.C_FIND_RQ))
    keys = Dataset()
    keys.PatientName = "DOE^JANE"
    keys.Modality = "CT"
    query = coercer.coerce_query(keys, Role.SCU, PEER)
    assert not query.upstream.PatientName
    assert query.upstream.Modality == "CT"


def test_a_bad_profile_uri_names_the_rule() -> None:
    with pytest.raises(RulesError, match=r"rule 0 \('.*'\): uri: unknown de-identification"):
        _coercer(_rule(Dimse.C_STORE_RQ, "deidentify:NoSuchOption"))


def test_the_issued_table_persists_in_sqlite_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "issued.sqlite"
    table = IssuedUIDs(path)
    table.record([("2.25.1", "1.2.3")])
    table.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    reopened = IssuedUIDs(path)
    assert reopened.original("2.25.1") == "1.2.3"
    assert reopened.original("2.25.2") is None
    reopened.close()


@pytest.mark.parametrize(
    ("keyword", "key", "value", "expected"),
    [
        ("PatientName", "DOE*", "DOE^JANE", True),
        ("PatientName", "doe^jane", "DOE^JANE", True),
        ("PatientName", "R?E*", "DOE^JANE", False),
        ("Modality", "CT", "MR", False),
        ("StudyDate", "20200101-", "20191231", False),
        ("StudyDate", "-20200101", "20191231", True),
        ("StudyInstanceUID", "1.2.3\\1.2.4", "1.2.4", True),
        ("StudyTime", "0800-1200", "093000", True),
        ("StudyTime", "0800-1200", "130000", False),
    ],
)
def test_matching(keyword: str, key: str, value: str, expected: bool) -> None:
    keys, candidate = Dataset(), Dataset()
    setattr(keys, keyword, key)
    setattr(candidate, keyword, value)
    assert matches(keys, candidate) is expected


def test_sequence_matching_needs_one_item_matching_every_key() -> None:
    keys, candidate = Dataset(), Dataset()
    wanted, first, second = Dataset(), Dataset(), Dataset()
    wanted.Modality, wanted.ScheduledStationAETitle = "CT", "CT01"
    first.Modality, first.ScheduledStationAETitle = "CT", "CT02"
    second.Modality, second.ScheduledStationAETitle = "MR", "CT01"
    keys.ScheduledProcedureStepSequence = [wanted]
    candidate.ScheduledProcedureStepSequence = [first, second]
    assert not matches(keys, candidate)
    second.Modality = "CT"
    assert matches(keys, candidate)


def test_uids_inside_a_kept_sequence_key_are_translated() -> None:
    coercer = _coercer(_rule(Dimse.C_STORE_RQ), _rule(Dimse.C_FIND_RQ))
    original = read_test_file("CT_small.dcm")
    coerced = coercer.coerce(original, Dimse.C_STORE_RQ, Role.SCU, PEER)
    reference = Dataset()
    reference.ReferencedSOPInstanceUID = coerced.SOPInstanceUID
    keys = Dataset()
    keys.ReferencedImageSequence = [reference]
    query = coercer.coerce_query(keys, Role.SCU, PEER)
    translated = query.upstream.ReferencedImageSequence[0].ReferencedSOPInstanceUID
    assert translated == original.SOPInstanceUID
    assert query.filters == []
