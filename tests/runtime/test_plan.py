"""The plan: one row per row of Table E.1-1, options over Basic, conflicts, compound policy."""

from __future__ import annotations

import pytest

import generated
from deidentify import CompoundPolicy, Plan, Treatment, parse_profile
from generated.model import ActionCode, Option, PatternKind

EDITION = "2026c"
DEVICE_AND_MODIFIED = (
    "deidentify:RetainDeviceIdentityOption,"
    "RetainLongitudinalTemporalInformationModifiedDatesOption"
)


def _plan(uri: str, policy: CompoundPolicy = CompoundPolicy.CONFORMANT) -> Plan:
    return Plan.build(parse_profile(uri, EDITION), policy)


def test_rows_follow_the_table_in_order() -> None:
    plan = _plan("deidentify:")
    rules = generated.load(EDITION).attributes
    assert tuple(row.rule for row in plan.rows()) == rules
    assert all(row.effective is row.rule.basic and row.source == "Basic" for row in plan.rows())


def test_an_active_option_overrides_basic() -> None:
    edition = generated.load(EDITION)
    for option in edition.options:
        plan = _plan(f"deidentify:{option.value}")
        for row in plan.rows():
            code = row.rule.code_for(option)
            assert row.effective is (code or row.rule.basic)
            assert row.source == (option.value if code else "Basic")


def test_device_identity_with_modified_dates_conflicts_counted_from_the_table() -> None:
    edition = generated.load(EDITION)
    expected = [
        rule
        for rule in edition.attributes
        if rule.code_for(Option.RETAIN_DEVICE_IDENTITY)
        and rule.code_for(Option.RETAIN_LONGITUDINAL_MODIFIED_DATES)
        and rule.code_for(Option.RETAIN_DEVICE_IDENTITY)
        != rule.code_for(Option.RETAIN_LONGITUDINAL_MODIFIED_DATES)
    ]
    conflicts = _plan(DEVICE_AND_MODIFIED).conflicts()
    assert [row.rule for row in conflicts] == expected
    assert len(conflicts) == 11
    for row in conflicts:
        codes = dict(row.conflict)
        assert codes[Option.RETAIN_DEVICE_IDENTITY] is ActionCode.K
        assert codes[Option.RETAIN_LONGITUDINAL_MODIFIED_DATES] is ActionCode.C
        assert row.effective is ActionCode.C
        assert row.source == Option.RETAIN_LONGITUDINAL_MODIFIED_DATES.value
        assert row.treatment is Treatment.SHIFT_DATE


def test_single_options_have_no_conflicts() -> None:
    for option in generated.load(EDITION).options:
        assert _plan(f"deidentify:{option.value}").conflicts() == ()


@pytest.mark.parametrize(
    ("code", "conformant"),
    [
        (ActionCode.X_Z, Treatment.EMPTY),
        (ActionCode.X_D, Treatment.DUMMY),
        (ActionCode.Z_D, Treatment.DUMMY),
        (ActionCode.X_Z_D, Treatment.DUMMY),
    ],
)
def test_compound_codes_under_each_policy(code: ActionCode, conformant: Treatment) -> None:
    conforming = _plan("deidentify:")
    strict = _plan("deidentify:", CompoundPolicy.STRICT)
    rows = [row for row in conforming.rows() if row.effective is code and row.vr not in (
        "SQ", "UI", None)]
    assert rows, code
    for row in rows:
        assert row.treatment is conformant
        strict_row = strict.action_for(row.rule.tag.value)
        expected = Treatment.EMPTY if code is ActionCode.Z_D else Treatment.REMOVE
        assert strict_row is not None and strict_row.treatment is expected


def test_x_z_u_sequences_are_kept_with_uids_replaced_inside() -> None:
    rows = [row for row in _plan("deidentify:").rows() if row.effective is ActionCode.X_Z_U]
    assert rows
    for row in rows:
        assert row.vr == "SQ"
        assert row.treatment is Treatment.KEEP_AND_CLEAN_ITEMS
    referenced_uid = _plan("deidentify:").action_for(0x00081155)
    assert referenced_uid is not None and referenced_uid.treatment is Treatment.REPLACE_UID


def test_retain_uids_keeps_uids() -> None:
    basic, retain = _plan("deidentify:"), _plan("deidentify:RetainUIDsOption")
    for tag in (0x00080018, 0x0020000D, 0x0020000E, 0x00081155):
        before, after = basic.action_for(tag), retain.action_for(tag)
        assert before is not None and before.treatment is Treatment.REPLACE_UID
        assert after is not None and after.treatment is Treatment.KEEP


def test_every_c_cell_of_the_newest_edition_has_a_concrete_treatment() -> None:
    edition = generated.load(EDITION)
    c_cells = [
        (rule, option)
        for rule in edition.attributes
        for option, code in rule.options
        if code is ActionCode.C
    ]
    assert c_cells
    for rule, option in c_cells:
        plan = _plan(f"deidentify:{option.value}")
        row = plan.action_for(rule.tag.value) if rule.tag.kind is not PatternKind.PRIVATE else (
            plan.private)
        if rule.tag.kind is PatternKind.MASKED:
            row = next(r for r in plan.rows() if r.rule is rule)
        assert row is not None and row.rule is rule
        assert row.effective is ActionCode.C
        assert row.treatment not in (Treatment.KEEP, Treatment.DUMMY, Treatment.EMPTY), (
            rule.tag.text, option)


def test_action_for_masked_and_private_tags() -> None:
    plan = _plan("deidentify:")
    for tag, text in (
        (0x50000010, "(50xx,xxxx)"),
        (0x501E3000, "(50xx,xxxx)"),
        (0x60003000, "(60xx,3000)"),
        (0x601E4000, "(60xx,4000)"),
        (0x00191023, "(gggg,eeee) where gggg is odd"),
        (0x7FE10010, "(gggg,eeee) where gggg is odd"),
    ):
        row = plan.action_for(tag)
        assert row is not None and row.rule.tag.text == text
    assert plan.action_for(0x60013000) is not None  # odd group: private
    assert plan.action_for(0x60203000) is None  # not an overlay group
    assert plan.action_for(0x00280010) is None  # Rows: not listed
    patient_name = plan.action_for(0x00100010)
    assert patient_name is not None and patient_name.rule.name == "Patient's Name"


def test_treatment_descriptions_exist() -> None:
    for treatment in Treatment:
        assert treatment.description
