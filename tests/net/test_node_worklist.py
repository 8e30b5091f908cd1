"""The worklist relay: requests translated back to original space, responses de-identified."""

from __future__ import annotations

import copy
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pydicom
import pytest
from pydicom.dataset import Dataset
from pynetdicom import AE

from deidentify import Deidentifier, Plan, parse_profile
from deidentify.net.node import MODALITY_WORKLIST_FIND, Node
from tests.net.nodes import (
    MODIFIED_DATES,
    SECRET,
    STORE_RULE,
    WORKLIST_PATIENTS,
    WORKLIST_RULES,
    WORKLIST_STUDY_UIDS,
    Peer,
    node_toml,
    read_test_file,
    running_node,
    send_files,
    worklist_item,
    worklist_provider,
)


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[tuple[Node, Peer]]:
    with worklist_provider() as ris:
        section = f'[worklist]\nae_title = "RIS"\nhost = "127.0.0.1"\nport = {ris.port}\n'
        with running_node(node_toml(tmp_path, rules=WORKLIST_RULES, extra=section)) as node:
            yield node, ris


def _query(**step_keys: str) -> Dataset:
    query = Dataset()
    query.PatientName = ""
    query.PatientID = ""
    query.PatientBirthDate = ""
    query.StudyInstanceUID = ""
    query.AccessionNumber = ""
    step = Dataset()
    step.Modality = "CT"
    step.ScheduledProcedureStepStartDate = ""
    step.ScheduledProcedureStepID = ""
    for keyword, value in step_keys.items():
        setattr(step, keyword, value)
    query.ScheduledProcedureStepSequence = [step]
    return query


def _find(node: Node, query: Dataset) -> list[Dataset]:
    ae = AE(ae_title="MODALITY")
    ae.add_requested_context(MODALITY_WORKLIST_FIND)
    association = ae.associate("127.0.0.1", node.address[1], ae_title="DEIDNODE")
    assert association.is_established
    try:
        found = []
        for status, identifier in association.send_c_find(query, MODALITY_WORKLIST_FIND):
            assert int(status.Status) in (0x0000, 0xFF00, 0xFF01)
            if identifier is not None:
                found.append(identifier)
        return found
    finally:
        association.release()


def _expected_items() -> list[Dataset]:
    """The provider's items as the engine de-identifies them under the same profile."""
    deidentifier = Deidentifier(Plan.build(parse_profile(MODIFIED_DATES)), SECRET)
    items = []
    for (name, pid, date), uid in zip(WORKLIST_PATIENTS, WORKLIST_STUDY_UIDS, strict=True):
        item = worklist_item(name, pid, date, uid)
        deidentifier.apply(item)
        items.append(item)
    return items


def _date(item: Dataset) -> str:
    return str(item.ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate)


def test_responses_are_deidentified(relay: tuple[Node, Peer]) -> None:
    node, _ = relay
    found = _find(node, _query())
    expected = _expected_items()
    assert sorted(str(item.StudyInstanceUID) for item in found) == sorted(
        str(item.StudyInstanceUID) for item in expected
    )
    names = {str(item.PatientName) for item in found}
    assert not names & {name for name, _, _ in WORKLIST_PATIENTS}
    by_uid = {str(item.StudyInstanceUID): item for item in expected}
    for item in found:
        want = by_uid[str(item.StudyInstanceUID)]
        assert str(item.get("PatientID") or "") == str(want.get("PatientID") or "")
        assert _date(item) == _date(want)
        assert str(item.StudyInstanceUID) not in WORKLIST_STUDY_UIDS
    original_dates = {date for _, _, date in WORKLIST_PATIENTS}
    assert not {_date(item) for item in found} & original_dates


def test_query_by_pseudonymous_uid_finds_the_original(relay: tuple[Node, Peer]) -> None:
    node, ris = relay
    first = _find(node, _query())
    target = first[1]
    ris.requests.clear()
    query = _query()
    query.StudyInstanceUID = str(target.StudyInstanceUID)
    found = _find(node, query)
    assert [str(item.StudyInstanceUID) for item in found] == [str(target.StudyInstanceUID)]
    relayed = [str(request.StudyInstanceUID) for request in ris.requests]
    assert relayed == [_original_uid(str(target.StudyInstanceUID))]


def _original_uid(pseudonym: str) -> str:
    deidentifier = Deidentifier(Plan.build(parse_profile(MODIFIED_DATES)), SECRET)
    return next(uid for uid in WORKLIST_STUDY_UIDS if deidentifier.map_uid(uid) == pseudonym)


def test_query_by_shifted_date_finds_the_item_of_that_shifted_date(
    relay: tuple[Node, Peer],
) -> None:
    node, ris = relay
    expected = _expected_items()
    shifted = _date(expected[0])
    ris.requests.clear()
    found = _find(node, _query(ScheduledProcedureStepStartDate=shifted))
    assert {_date(item) for item in found} == {shifted}
    assert str(expected[0].StudyInstanceUID) in {str(item.StudyInstanceUID) for item in found}
    relayed = str(ris.requests[0].ScheduledProcedureStepSequence[0]
                  .ScheduledProcedureStepStartDate)
    low, _, high = relayed.partition("-")
    assert low <= WORKLIST_PATIENTS[0][2] <= high


def test_query_by_an_original_name_finds_nothing(relay: tuple[Node, Peer]) -> None:
    node, ris = relay
    query = _query()
    query.PatientName = WORKLIST_PATIENTS[0][0]
    ris.requests.clear()
    assert _find(node, query) == []
    assert not str(ris.requests[0].PatientName or "")


def test_dcmtk_findscu_gets_coerced_items(relay: tuple[Node, Peer], tmp_path: Path) -> None:
    findscu = shutil.which("findscu")
    if findscu is None:
        pytest.skip("DCMTK findscu is not installed (Debian package dcmtk)")
    node, _ = relay
    out = tmp_path / "responses"
    out.mkdir()
    result = subprocess.run(
        [findscu, "-W", "-aet", "FINDSCU", "-aec", "DEIDNODE", "-X", "-od", str(out),
         "-k", "PatientName", "-k", "PatientID", "-k", "StudyInstanceUID",
         "-k", "ScheduledProcedureStepSequence[0].Modality=CT",
         "-k", "ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate",
         "127.0.0.1", str(node.address[1])],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    found = [pydicom.dcmread(path) for path in sorted(out.glob("rsp*.dcm"))]
    expected = {str(item.StudyInstanceUID) for item in _expected_items()}
    assert {str(item.StudyInstanceUID) for item in found} == expected
    for item in found:
        assert str(item.PatientName) not in {name for name, _, _ in WORKLIST_PATIENTS}
    output = result.stdout + result.stderr
    for name, pid, _ in WORKLIST_PATIENTS:
        assert name not in output and pid not in output


def test_no_response_rule_refuses_the_query(tmp_path: Path) -> None:
    request_only = WORKLIST_RULES.split("[[rule]]")[1]
    with worklist_provider() as ris:
        section = f'[worklist]\nae_title = "RIS"\nhost = "127.0.0.1"\nport = {ris.port}\n'
        config = node_toml(tmp_path, rules="[[rule]]" + request_only, extra=section)
        with running_node(config) as node:
            ae = AE(ae_title="MODALITY")
            ae.add_requested_context(MODALITY_WORKLIST_FIND)
            association = ae.associate("127.0.0.1", node.address[1], ae_title="DEIDNODE")
            statuses = [int(status.Status) for status, _ in
                        association.send_c_find(copy.deepcopy(_query()), MODALITY_WORKLIST_FIND)]
            association.release()
        assert statuses == [0xC000]
        assert ris.requests == []


def test_an_unreachable_provider_fails_the_query(tmp_path: Path) -> None:
    with worklist_provider() as ris:
        port = ris.port
    section = f'[worklist]\nae_title = "RIS"\nhost = "127.0.0.1"\nport = {port}\n'
    with running_node(node_toml(tmp_path, rules=WORKLIST_RULES, extra=section)) as node:
        ae = AE(ae_title="MODALITY")
        ae.add_requested_context(MODALITY_WORKLIST_FIND)
        association = ae.associate("127.0.0.1", node.address[1], ae_title="DEIDNODE")
        statuses = [int(status.Status) for status, _ in
                    association.send_c_find(_query(), MODALITY_WORKLIST_FIND)]
        association.release()
    assert statuses == [0xC000]


def test_a_station_key_matches_only_when_the_rule_relays_it_as_written(tmp_path: Path) -> None:
    as_written = WORKLIST_RULES.replace(
        'name = "worklist keys back to original space"',
        'name = "worklist keys back to original space"\n'
        'keys_as_written = ["ScheduledStationAETitle"]',
    )
    found = {}
    for label, rules in (("default", WORKLIST_RULES), ("as written", as_written)):
        folder = tmp_path / label.replace(" ", "-")
        folder.mkdir()
        with worklist_provider() as ris:
            section = f'[worklist]\nae_title = "RIS"\nhost = "127.0.0.1"\nport = {ris.port}\n'
            with running_node(node_toml(folder, rules=rules, extra=section)) as node:
                found[label] = _find(node, _query(ScheduledStationAETitle="MODALITY"))
            relayed = ris.requests[0].ScheduledProcedureStepSequence[0]
            if label == "as written":
                assert relayed.ScheduledStationAETitle == "MODALITY"
    assert found["default"] == []
    assert len(found["as written"]) == len(WORKLIST_PATIENTS)
    for item in found["as written"]:
        step = item.ScheduledProcedureStepSequence[0]
        assert str(step.get("ScheduledStationAETitle") or "") != "MODALITY"


def test_images_made_from_a_worklist_item_keep_its_study_pseudonym(tmp_path: Path) -> None:
    with worklist_provider() as ris:
        section = f'[worklist]\nae_title = "RIS"\nhost = "127.0.0.1"\nport = {ris.port}\n'
        config = node_toml(tmp_path, rules=WORKLIST_RULES + STORE_RULE, extra=section)
        with running_node(config) as node:
            item = _find(node, _query())[0]
            image = read_test_file("CT_small.dcm")
            image.StudyInstanceUID = item.StudyInstanceUID
            assert send_files(node.address[1], [image]) == [0]
    stored = [pydicom.dcmread(path) for path in (tmp_path / "storage").rglob("*.dcm")]
    assert [str(ds.StudyInstanceUID) for ds in stored] == [str(item.StudyInstanceUID)]
