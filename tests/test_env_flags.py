"""Yes/no environment variables mean the same everywhere, and an unknown value is an error."""

import pytest

from assets.coverage.config import coverage_settings_from_env
from assets.value.config import value_settings_from_env
from orchestration.resources import settings_from_env


@pytest.mark.parametrize(
    "raw, expected", [("on", True), ("YES", True), ("1", True), ("off", False), ("0", False)]
)
def test_every_boolean_setting_reads_the_same_words(raw, expected):
    assert settings_from_env({"TASKVALUE_ACCEPT_CHANGED_CHECKSUMS": raw}).accept_changed_checksums is expected
    assert settings_from_env({"TASKVALUE_REVALIDATE_DOWNLOADS": raw}).revalidate_downloads is expected
    assert (
        coverage_settings_from_env({"TASKVALUE_COVERAGE_EXPLICIT_COVERS": raw}).explicit_ids_cover is expected
    )
    assert value_settings_from_env({"TASKVALUE_PRIORITY_DIGITAL_ONLY": raw}).priority_digital_only is expected


def test_an_unknown_boolean_word_names_the_variable():
    with pytest.raises(ValueError, match="TASKVALUE_ACCEPT_CHANGED_CHECKSUMS='maybe'"):
        settings_from_env({"TASKVALUE_ACCEPT_CHANGED_CHECKSUMS": "maybe"})


def test_an_empty_excluded_statuses_variable_excludes_nothing():
    assert coverage_settings_from_env({}).excluded_statuses == "retired"
    assert coverage_settings_from_env({"TASKVALUE_COVERAGE_EXCLUDED_STATUSES": ""}).excluded_statuses == ""


def test_an_empty_yes_no_variable_is_unset():
    assert value_settings_from_env({"TASKVALUE_PRIORITY_DIGITAL_ONLY": ""}).priority_digital_only is True
    assert settings_from_env({"TASKVALUE_REVALIDATE_DOWNLOADS": ""}).revalidate_downloads is False


@pytest.mark.parametrize("raw, expected", [("y", True), ("T", True), ("n", False), ("f", False)])
def test_pydantic_short_words_still_parse(raw, expected):
    assert settings_from_env({"TASKVALUE_REVALIDATE_DOWNLOADS": raw}).revalidate_downloads is expected
