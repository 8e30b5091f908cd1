"""Every pinned edition compiles from the real XML, with the counts and rows the standard has."""

from __future__ import annotations

from functools import cache

import pytest

from compiler.build import compile_file
from compiler.model import ActionCode, AttributeRule, Edition, Option, PatternKind
from compiler.sources import find_pinned, load_manifest
from tests.conftest import standard_xml

ROWS = {
    "2013": 249, "2017c": 278, "2017d": 277, "2019a": 361, "2020c": 442,
    "2023b": 611, "2024c": 623, "2025e": 655, "2026c": 656,
}


@cache
def compiled(edition: str) -> Edition:
    return compile_file(standard_xml(edition), find_pinned(edition, load_manifest()))


def rule(edition: str, tag: str) -> AttributeRule:
    return next(r for r in compiled(edition).attributes if r.tag.text == tag)


def test_manifest_pins_the_nine_editions_oldest_first() -> None:
    assert [p.name for p in load_manifest()] == list(ROWS)


@pytest.mark.parametrize("edition", ROWS)
def test_every_source_row_is_accounted_for(edition: str) -> None:
    model = compiled(edition)
    assert model.edition == edition
    assert model.source_rows == ROWS[edition]
    folded = sum(len(m.names) - 1 for m in model.merged_duplicates)
    assert len(model.attributes) + folded == ROWS[edition]
    assert len({r.tag.text for r in model.attributes}) == len(model.attributes)
    assert model.sha256 == find_pinned(edition, load_manifest()).sha256


@pytest.mark.parametrize(("edition", "columns"), [("2013", 9), ("2017c", 9), ("2017d", 10),
                                                  ("2026c", 10)])
def test_long_and_short_column_layouts(edition: str, columns: int) -> None:
    options = compiled(edition).options
    assert len(options) == columns
    assert (Option.RETAIN_INSTITUTION_IDENTITY in options) == (columns == 10)


@pytest.mark.parametrize("edition", ROWS)
def test_known_rows_hold_across_editions(edition: str) -> None:
    assert rule(edition, "(0010,0010)").basic is ActionCode.Z
    patient_id = ActionCode.Z_D if edition >= "2024c" else ActionCode.Z
    assert rule(edition, "(0010,0020)").basic is patient_id
    study_uid = rule(edition, "(0020,000D)")
    assert study_uid.basic is ActionCode.U
    assert study_uid.code_for(Option.RETAIN_UIDS) is ActionCode.K
    assert rule(edition, "(0008,0050)").basic is ActionCode.Z
    private = rule(edition, "(gggg,eeee) where gggg is odd")
    assert private.tag.kind is PatternKind.PRIVATE
    assert private.code_for(Option.RETAIN_SAFE_PRIVATE) is ActionCode.C
    assert rule(edition, "(50xx,xxxx)").tag.kind is PatternKind.MASKED
    assert rule(edition, "(60xx,3000)").basic is ActionCode.X


def test_stray_space_in_a_tag_cell_of_older_editions() -> None:
    performed = rule("2013", "(0040,4028)")
    assert performed.name == "Performed Station Name Code Sequence"
    assert performed.tag.value == 0x00404028


def test_2019a_duplicates_resolve_to_the_more_protective_code() -> None:
    merged = {m.tag: m for m in compiled("2019a").merged_duplicates}
    assert set(merged) == {"(3008,0105)", "(0040,0551)"}
    assert rule("2019a", "(3008,0105)").basic is ActionCode.X
    specimen = rule("2019a", "(0040,0551)")
    assert specimen.basic is ActionCode.X
    assert specimen.name == "Specimen Identifier"
    assert merged["(0040,0551)"].conflicts == ("Basic: X vs D -> X",)


def test_2023b_device_identity_conflicts_resolve_to_clean() -> None:
    merged = compiled("2023b").merged_duplicates
    assert sorted(m.tag for m in merged) == ["(0032,1021)", "(0040,0001)", "(0040,0241)"]
    for item in merged:
        assert item.conflicts == ("RetainDeviceIdentityOption: C vs K -> C",)
        assert rule("2023b", item.tag).code_for(Option.RETAIN_DEVICE_IDENTITY) is ActionCode.C


def test_every_code_of_the_table_is_seen_in_2026c() -> None:
    seen = {r.basic for r in compiled("2026c").attributes}
    seen |= {code for r in compiled("2026c").attributes for _, code in r.options}
    assert seen == set(ActionCode)


def test_safe_private_and_structured_content_tables() -> None:
    model = compiled("2026c")
    suv = model.safe_private[0]
    assert (suv.text, suv.group, suv.element, suv.private_creator, suv.vr) == (
        "(7053,xx00)", 0x7053, 0x00, "Philips PET Private Group", "DS")
    assert len(model.content_items) == 214
    acquisition_date = next(i for i in model.content_items if i.code_value == "126201")
    assert acquisition_date.scheme == "DCM"
    assert acquisition_date.basic is ActionCode.X
    assert acquisition_date.code_for(Option.RETAIN_LONGITUDINAL_MODIFIED_DATES) is ActionCode.C
    assert compiled("2019a").content_items == ()
