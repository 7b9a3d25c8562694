"""Typed configuration of the coverage layer (a Dagster resource named `coverage_settings`).

Fields may be overridden by environment variables (TASKVALUE_...), read in `coverage_settings_from_env`.
"""

from dagster import ConfigurableResource


class CoverageSettings(ConfigurableResource):
    """Settings of the coverage layer."""


def coverage_settings_from_env() -> CoverageSettings:
    return CoverageSettings()
