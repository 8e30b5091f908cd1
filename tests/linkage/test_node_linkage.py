"""The node takes the linkage settings from its TOML: pseudonyms, linkage files of its storage."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest

pytest.importorskip("pynetdicom", reason="the extra 'net' (pynetdicom) is not installed")

from pydicom import Dataset

from deidentify.linkage import KeyedPatients, read_identity
from deidentify.net import AssociationInfo, CoercionRule, Dimse, Role
from deidentify.net.coercion import Coercer
from deidentify.net.config import load_config
from deidentify.net.engine import engines
from deidentify.net.issued import IssuedUIDs
from deidentify.net.node import Node
from deidentify.net.rules import RulesError
from deidentify.uids import keyed_uid
from deidentify.writer import write
from tests.linkage.helpers import read_pairs, uids_in
from tests.net.nodes import SECRET, TEST_FILES, node_toml, read_test_file, send_files

PEER = AssociationInfo(calling_ae="MODALITY", called_ae="DEIDNODE", peer_host="127.0.0.1")


def test_the_node_writes_exact_linkage_files_of_what_it_stored(tmp_path: Path) -> None:
    config = load_config(node_toml(tmp_path, node_extra='linkage = "link"'))
    linkage = config.linkage.build(SECRET)
    coercer = Coercer(config.rules, engines(SECRET, config.edition, linkage=linkage),
                      IssuedUIDs(config.issued_uids))
    node = Node(config, coercer, SECRET, write, linkage)
    node.start()
    originals = [read_test_file(name) for name in TEST_FILES]
    try:
        assert send_files(node.address[1], originals) == [0, 0, 0]
    finally:
        node.stop()
    stored = [pydicom.dcmread(path) for path in sorted((tmp_path / "storage").rglob("*.dcm"))]
    keyed = KeyedPatients(SECRET)
    expected_ids = {(str(ds.PatientID), keyed.values_for(read_identity(ds)).patient_id)
                    for ds in originals}
    assert {str(ds.PatientID) for ds in stored} == {new for _, new in expected_ids}
    assert set(read_pairs(tmp_path / "link" / "patients.csv")) == expected_ids
    original_uids = {uid for ds in originals for uid in uids_in(ds)}
    replaced = {uid for ds in stored for uid in uids_in(ds) if uid not in original_uids}
    pairs = read_pairs(tmp_path / "link" / "uids.csv")
    assert {new for _, new in pairs} == replaced
    assert all(keyed_uid(SECRET, old) == new for old, new in pairs)


def test_the_linkage_folder_cannot_lie_in_the_storage(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match=r"\[node\] linkage: .*inside the storage folder"):
        load_config(node_toml(tmp_path, node_extra='linkage = "storage/link"'))


def test_a_bad_patient_name_setting_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match=r"\[node\] patient_name: must be one of"):
        load_config(node_toml(tmp_path, node_extra='patient_name = "initials"'))


def test_a_query_by_patient_pseudonym_finds_that_patient() -> None:
    rule = CoercionRule(name="keys", dimse=Dimse.C_FIND_RQ, role=Role.SCU, uri="deidentify:")
    response_rule = CoercionRule(name="items", dimse=Dimse.C_FIND_RSP, role=Role.SCU,
                                 uri="deidentify:")
    coercer = Coercer([rule, response_rule], engines(SECRET))
    patients = []
    for patient_id in ("MRN-1001", "MRN-2002"):
        item = Dataset()
        item.PatientID, item.PatientName, item.Modality = patient_id, "Doe^Jo", "CT"
        patients.append(item)
    pseudonym = KeyedPatients(SECRET).values_for(read_identity(patients[0])).patient_id
    keys = Dataset()
    keys.PatientID, keys.Modality = pseudonym, "CT"
    query = coercer.coerce_query(keys, Role.SCU, PEER)
    assert not query.upstream.PatientID, "sent universal: the provider knows no pseudonym"
    coerced = [coercer.coerce(item, Dimse.C_FIND_RSP, Role.SCU, PEER) for item in patients]
    assert [query.accepts(item) for item in coerced] == [True, False]
