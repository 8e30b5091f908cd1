"""Tag cells -> patterns, and which tags a pattern selects."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compiler.model import PatternKind
from compiler.reader import parse_tag

tags = st.integers(min_value=0, max_value=0xFFFFFFFF)


@given(tags)
def test_exact_pattern_matches_its_tag_only(tag: int) -> None:
    pattern = parse_tag(f"({tag >> 16:04X},{tag & 0xFFFF:04x})")
    assert pattern.kind is PatternKind.EXACT
    assert pattern.value == tag
    assert pattern.matches(tag)
    assert not pattern.matches(tag ^ 1)


def test_stray_spaces_are_removed() -> None:
    pattern = parse_tag("(0040, 4028)")
    assert (pattern.text, pattern.value) == ("(0040,4028)", 0x00404028)


@given(st.integers(min_value=0, max_value=0xFF), st.integers(min_value=0, max_value=0xFFFF))
def test_overlay_mask_selects_even_repeating_groups_only(low: int, element: int) -> None:
    overlay_data = parse_tag("(60xx,3000)")
    tag = (0x6000 | low) << 16 | 0x3000
    assert overlay_data.matches(tag) == (low % 2 == 0 and low <= 0x1E)
    assert not overlay_data.matches((0x6000 | low) << 16 | (element if element != 0x3000 else 0))


def test_curve_mask_covers_every_element_of_the_group() -> None:
    curves = parse_tag("(50xx,xxxx)")
    assert curves.matches(0x50020005) and curves.matches(0x501E3000)
    assert not curves.matches(0x50200000) and not curves.matches(0x51000000)


@given(tags)
def test_private_rule_selects_odd_groups_after_0008(tag: int) -> None:
    private = parse_tag("(gggg,eeee) where gggg is odd")
    group = tag >> 16
    assert private.matches(tag) == (group % 2 == 1 and group > 8)


@pytest.mark.parametrize("text", ["(0008,005)", "0008,0050", "(gggg,eeee)", "(00G8,0050)", ""])
def test_malformed_cells_are_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="not a tag, mask or the private rule"):
        parse_tag(text)
