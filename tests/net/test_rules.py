"""Coercion rules: loading, selection by priority and sufficiency, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from deidentify.cli import main
from deidentify.net.config import load_config
from deidentify.net.rules import (
    AssociationInfo,
    Dimse,
    Role,
    RulesError,
    load_rules,
    select_rules,
)
from tests.net.nodes import node_toml

CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
MR_IMAGE = "1.2.840.10008.5.1.4.1.1.4"
FROM_CT = AssociationInfo(calling_ae="CT01", called_ae="DEIDNODE", peer_host="127.0.0.1")

RULES = """
[[rule]]
name = "ct stores"
dimse = "C_STORE_RQ"
role = "SCU"
calling_ae_titles = ["CT01"]
sop_classes = ["1.2.840.10008.5.1.4.1.1.2"]
priority = 10
uri = "deidentify:RetainUIDsOption"

[[rule]]
name = "all stores"
dimse = "c_store_rq"
role = "scu"
priority = 5
uri = "deidentify:"

[[rule]]
name = "local stores"
dimse = "C_STORE_RQ"
role = "SCU"
hostnames = ["localhost"]
priority = 1
uri = "deidentify:RetainDeviceIdentityOption"

[[rule]]
name = "forwarded"
dimse = "C_STORE_RQ"
role = "SCP"
uri = "deidentify:"
"""


def _rules(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text)
    return path


def test_rules_apply_in_priority_order(tmp_path: Path) -> None:
    rules = load_rules(_rules(tmp_path, RULES))
    selected = select_rules(rules, Dimse.C_STORE_RQ, Role.SCU, FROM_CT, CT_IMAGE)
    assert [rule.name for rule in selected] == ["ct stores", "all stores", "local stores"]


def test_selectors_narrow_the_rules(tmp_path: Path) -> None:
    rules = load_rules(_rules(tmp_path, RULES))
    mr = select_rules(rules, Dimse.C_STORE_RQ, Role.SCU, FROM_CT, MR_IMAGE)
    assert [rule.name for rule in mr] == ["all stores", "local stores"]
    remote = AssociationInfo("MR01", "DEIDNODE", "192.0.2.7")
    assert [r.name for r in select_rules(rules, Dimse.C_STORE_RQ, Role.SCU, remote, CT_IMAGE)] == [
        "all stores"
    ]
    outgoing = select_rules(rules, Dimse.C_STORE_RQ, Role.SCP, FROM_CT, CT_IMAGE)
    assert [rule.name for rule in outgoing] == ["forwarded"]
    assert select_rules(rules, Dimse.C_FIND_RQ, Role.SCU, FROM_CT, None) == ()


def test_a_sufficient_rule_stops_the_later_ones(tmp_path: Path) -> None:
    text = RULES.replace("priority = 5\n", "priority = 5\nsufficient = true\n")
    rules = load_rules(_rules(tmp_path, text))
    selected = select_rules(rules, Dimse.C_STORE_RQ, Role.SCU, FROM_CT, CT_IMAGE)
    assert [rule.name for rule in selected] == ["ct stores", "all stores"]


SECOND = "[[rule]]\nname = 'first'\ndimse = 'C_STORE_RQ'\nrole = 'SCU'\nuri = 'deidentify:'\n"


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("name = 'second'\ndimse = 'C_STORE_RQ'\nrole = 'SCU'\nuri = 'deidentify:'\ncolor = 1",
         "rule 1 ('second'): color: unknown key"),
        ("name = 'second'\ndimse = 'C_MOVE_RQ'\nrole = 'SCU'\nuri = 'deidentify:'",
         "rule 1 ('second'): dimse: 'C_MOVE_RQ' is not one of"),
        ("name = 'second'\ndimse = 'C_STORE_RQ'\nrole = 'PEER'\nuri = 'deidentify:'",
         "rule 1 ('second'): role: 'PEER' is not one of SCU, SCP"),
        ("name = 'second'\ndimse = 'C_STORE_RQ'\nrole = 'SCU'",
         "rule 1 ('second'): uri: missing"),
        ("dimse = 'C_STORE_RQ'\nrole = 'SCU'\nuri = 'http://example'",
         "rule 1: uri: must start with 'deidentify:'"),
        ("name = 'second'\ndimse = 'C_STORE_RQ'\nrole = 'SCU'\nuri = 'deidentify:'\n"
         "priority = 'high'", "rule 1 ('second'): priority: must be an integer"),
        ("name = 'second'\ndimse = 'C_STORE_RQ'\nrole = 'SCU'\nuri = 'deidentify:'\n"
         "calling_ae_titles = [1]", "rule 1 ('second'): calling_ae_titles: must be"),
        ("name = 'first'\ndimse = 'C_STORE_RQ'\nrole = 'SCU'\nuri = 'deidentify:'",
         "rule 1 ('first'): name: used twice"),
        ("name = 'second'\ndimse = 'C_STORE_RQ'\nrole = 'SCU'\nuri = 'deidentify:'\n"
         "keys_as_written = ['Modality']", "keys_as_written: only for dimse = C_FIND_RQ"),
        ("name = 'second'\ndimse = 'C_FIND_RQ'\nrole = 'SCU'\nuri = 'deidentify:'\n"
         "keys_as_written = ['StationAE']",
         "rule 1 ('second'): keys_as_written: 'StationAE' is not a DICOM attribute keyword"),
    ],
)
def test_a_bad_rule_is_a_one_line_error_naming_rule_and_field(
    tmp_path: Path, rule: str, expected: str
) -> None:
    path = _rules(tmp_path, SECOND + "[[rule]]\n" + rule + "\n")
    with pytest.raises(RulesError) as raised:
        load_rules(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ")
    assert expected in message
    assert "\n" not in message


def test_a_file_that_is_not_toml_is_one_line(tmp_path: Path) -> None:
    path = _rules(tmp_path, "[[rule]\nname = ")
    with pytest.raises(RulesError, match="not valid TOML") as raised:
        load_rules(path)
    assert "\n" not in str(raised.value)


def _serve(config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(["serve", "--config", str(config)])
    return status, capsys.readouterr().err


def test_cli_exits_2_on_a_malformed_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = node_toml(tmp_path, rules="[[rule]]\nname = 'broken'\ndimse = 'C_STORE_RQ'\n"
                                       "role = 'SCU'\nuri = 'deidentify:'\nprority = 3\n")
    status, error = _serve(config, capsys)
    assert status == 2
    assert error.count("\n") == 1
    assert "rule 0 ('broken'): prority: unknown key" in error
    assert "Traceback" not in error


def test_cli_exits_2_on_an_unknown_profile_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = node_toml(tmp_path, rules="[[rule]]\nname = 'typo'\ndimse = 'C_STORE_RQ'\n"
                                       "role = 'SCU'\nuri = 'deidentify:RetainUIDOption'\n")
    status, error = _serve(config, capsys)
    assert status == 2
    assert error.count("\n") == 1
    assert str(config) in error and "rule 0 ('typo'): uri:" in error
    assert "RetainUIDsOption" in error


def test_cli_exits_2_on_an_unknown_node_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = node_toml(tmp_path, node_extra="colour = 'blue'")
    status, error = _serve(config, capsys)
    assert status == 2
    assert "[node] colour: unknown key" in error
    assert error.count("\n") == 1


@pytest.mark.parametrize(
    ("tls", "expected"),
    [
        ('certificate = "missing.crt"\nprivate_key = "missing.key"',
         "[tls] certificate: no such file"),
        ('certificate = "junk.pem"\nprivate_key = "junk.pem"',
         "[tls]: cannot load the certificate and key"),
    ],
)
def test_cli_exits_2_on_unusable_tls_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tls: str, expected: str
) -> None:
    (tmp_path / "junk.pem").write_text("not a certificate\n")
    config = node_toml(tmp_path, extra=f"[tls]\n{tls}\n")
    status, error = _serve(config, capsys)
    assert status == 2
    assert expected in error
    assert error.count("\n") == 1


def test_rules_from_a_rules_file_join_the_inline_ones(tmp_path: Path) -> None:
    shared = _rules(tmp_path, RULES)
    config = node_toml(tmp_path, node_extra=f'rules_file = "{shared.name}"')
    rules = load_config(config).rules
    assert [rule.name for rule in rules][:1] == ["stores from the modality"]
    assert [rule.name for rule in rules][1:] == [rule.name for rule in load_rules(shared)]


def test_a_rule_name_in_both_files_is_an_error(tmp_path: Path) -> None:
    shared = _rules(tmp_path, RULES.replace('"ct stores"', '"stores from the modality"'))
    config = node_toml(tmp_path, node_extra=f'rules_file = "{shared.name}"')
    with pytest.raises(RulesError, match=r"rule 0 \('stores from the modality'\): name: also"):
        load_config(config)
