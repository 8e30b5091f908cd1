"""The MPPS relay: N-CREATE and N-SET reach the upstream manager coerced, one instance UID."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid
from pynetdicom import AE

from deidentify import Deidentifier, Plan, parse_profile
from deidentify.net.node import MPPS
from tests.net.nodes import (
    MODIFIED_DATES,
    MPPS_RULES,
    SECRET,
    mpps_provider,
    node_toml,
    running_node,
)

STUDY_UID = "1.2.826.0.1.3680043.8.498.2001"


def _in_progress(issuer: str = "") -> Dataset:
    attributes = Dataset()
    attributes.PatientName = "DOE^JANE"
    attributes.PatientID = "PID-0001"
    if issuer:
        attributes.IssuerOfPatientID = issuer
    attributes.PatientBirthDate = "19700101"
    attributes.Modality = "CT"
    attributes.PerformedStationAETitle = "MODALITY"
    attributes.PerformedProcedureStepID = "PPS0001"
    attributes.PerformedProcedureStepStartDate = "20240305"
    attributes.PerformedProcedureStepStartTime = "093500"
    attributes.PerformedProcedureStepStatus = "IN PROGRESS"
    step = Dataset()
    step.StudyInstanceUID = STUDY_UID
    step.AccessionNumber = "ACC0001"
    attributes.ScheduledStepAttributesSequence = [step]
    return attributes


def _completed() -> Dataset:
    modification = Dataset()
    modification.PerformedProcedureStepStatus = "COMPLETED"
    modification.PerformedProcedureStepEndDate = "20240305"
    modification.PerformedProcedureStepEndTime = "100000"
    return modification


@pytest.mark.parametrize("issuer", ["", "HOSPITAL-A"])
def test_create_and_set_are_relayed_coerced(tmp_path: Path, issuer: str) -> None:
    instance = generate_uid()
    with mpps_provider() as manager:
        section = f'[mpps]\nae_title = "MPPSMGR"\nhost = "127.0.0.1"\nport = {manager.port}\n'
        with running_node(node_toml(tmp_path, rules=MPPS_RULES, extra=section)) as node:
            ae = AE(ae_title="MODALITY")
            ae.add_requested_context(MPPS)
            association = ae.associate("127.0.0.1", node.address[1], ae_title="DEIDNODE")
            assert association.is_established
            created, _ = association.send_n_create(_in_progress(issuer), MPPS, instance)
            done, _ = association.send_n_set(_completed(), MPPS, instance)
            association.release()
    assert (int(created.Status), int(done.Status)) == (0, 0)
    deidentifier = Deidentifier(Plan.build(parse_profile(MODIFIED_DATES)), SECRET)
    pseudonym = deidentifier.map_uid(instance)
    assert manager.requests == [("N-CREATE", pseudonym), ("N-SET", pseudonym)]
    relayed_create, relayed_set = manager.received
    assert str(relayed_create.get("PatientName") or "") != "DOE^JANE"
    assert str(relayed_create.get("PatientID") or "") != "PID-0001"
    step = relayed_create.ScheduledStepAttributesSequence[0]
    assert step.StudyInstanceUID == deidentifier.map_uid(STUDY_UID)
    expected = _in_progress(issuer)
    deidentifier.apply(expected)
    assert relayed_create.get("PerformedProcedureStepStartDate") == expected.get(
        "PerformedProcedureStepStartDate"
    )
    assert relayed_create.get("PerformedProcedureStepStartDate") != "20240305"
    assert relayed_set.PerformedProcedureStepStatus == "COMPLETED"
    assert set(relayed_set.keys()) <= set(_completed().keys())
    completed = _completed()
    completed.PatientID = "PID-0001"
    if issuer:
        completed.IssuerOfPatientID = issuer
    deidentifier.apply(completed)
    assert relayed_set.PerformedProcedureStepEndDate == completed.PerformedProcedureStepEndDate
    assert relayed_set.PerformedProcedureStepEndDate != "20240305"


def test_mpps_without_rules_is_refused(tmp_path: Path) -> None:
    with mpps_provider() as manager:
        section = f'[mpps]\nae_title = "MPPSMGR"\nhost = "127.0.0.1"\nport = {manager.port}\n'
        with running_node(node_toml(tmp_path, extra=section)) as node:
            ae = AE(ae_title="MODALITY")
            ae.add_requested_context(MPPS)
            association = ae.associate("127.0.0.1", node.address[1], ae_title="DEIDNODE")
            status, _ = association.send_n_create(_in_progress(), MPPS, generate_uid())
            association.release()
    assert int(status.Status) == 0x0124
    assert manager.received == []
