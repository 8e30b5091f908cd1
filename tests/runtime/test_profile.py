"""Profile URIs: parsing, normalisation and every ProfileError case."""

from __future__ import annotations

import pytest

import generated
from deidentify import ProfileError, parse_profile
from generated.model import Option


def test_bare_scheme_is_the_basic_profile_of_the_newest_edition() -> None:
    profile = parse_profile("deidentify:")
    assert profile.options == frozenset()
    assert profile.edition == generated.DEFAULT_EDITION == generated.EDITIONS[-1]
    assert profile.uri == "deidentify:"


def test_every_option_of_every_edition_parses_alone() -> None:
    for edition in generated.EDITIONS:
        for option in generated.load(edition).options:
            profile = parse_profile(f"deidentify:{option.value}", edition)
            assert profile.options == {option}
            assert profile.edition == edition


def test_retain_patient_id_hash_is_valid_in_every_edition() -> None:
    for edition in generated.EDITIONS:
        profile = parse_profile("deidentify:RetainPatientIDHashOption", edition)
        assert profile.options == {Option.RETAIN_PATIENT_ID_HASH}


def test_uri_is_normalised_order_spaces_and_duplicates() -> None:
    a = parse_profile("deidentify: RetainUIDsOption ,RetainDeviceIdentityOption,RetainUIDsOption")
    b = parse_profile("deidentify:RetainDeviceIdentityOption,RetainUIDsOption")
    assert a == b
    assert a.uri == b.uri
    assert parse_profile(a.uri) == a
    assert a.options == {Option.RETAIN_UIDS, Option.RETAIN_DEVICE_IDENTITY}


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("RetainUIDOption", "RetainUIDsOption"),
        ("retainuidsoption", "RetainUIDsOption"),
        ("CleanDescriptorOption", "CleanDescriptorsOption"),
        ("RetainSafePrivate", "RetainSafePrivateOption"),
    ],
)
def test_unknown_option_suggests_the_nearest(name: str, suggestion: str) -> None:
    with pytest.raises(ProfileError, match=f"did you mean {suggestion}\\?"):
        parse_profile(f"deidentify:{name}")


def test_both_longitudinal_options_are_an_error() -> None:
    with pytest.raises(ProfileError, match="mutually exclusive"):
        parse_profile(
            "deidentify:RetainLongitudinalTemporalInformationFullDatesOption,"
            "RetainLongitudinalTemporalInformationModifiedDatesOption"
        )


def test_option_absent_from_the_edition_is_an_error() -> None:
    for edition in ("2013", "2017c"):
        assert Option.RETAIN_INSTITUTION_IDENTITY not in generated.load(edition).options
        with pytest.raises(ProfileError, match=f"edition {edition}"):
            parse_profile("deidentify:RetainInstitutionIdentityOption", edition)
    assert parse_profile("deidentify:RetainInstitutionIdentityOption", "2017d").options


def test_unknown_edition_is_an_error() -> None:
    with pytest.raises(ProfileError, match="unknown edition"):
        parse_profile("deidentify:", "1999z")


@pytest.mark.parametrize("uri", ["", "RetainUIDsOption", "deid:RetainUIDsOption", "http://x"])
def test_other_schemes_are_an_error(uri: str) -> None:
    with pytest.raises(ProfileError, match="does not start with"):
        parse_profile(uri)


def test_profile_error_is_a_value_error() -> None:
    assert issubclass(ProfileError, ValueError)


def test_defacing_is_recognised_and_refused() -> None:
    name = "CleanRecognizableVisualFeaturesOption"
    with pytest.raises(ProfileError, match=f"{name} is not supported: .*pixel data"):
        parse_profile(f"deidentify:{name}")


@pytest.mark.parametrize("edition", ["2013", "2026c"])
def test_clean_pixel_data_is_an_option_of_every_edition(edition: str) -> None:
    profile = parse_profile("deidentify:CleanPixelDataOption", edition)
    assert profile.option_names == ("CleanPixelDataOption",)
