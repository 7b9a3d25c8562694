"""Typed configuration of the value layer (a Dagster resource named `value_settings`).

Fields may be overridden by environment variables (TASKVALUE_...), read in `value_settings_from_env`.
"""

from dagster import ConfigurableResource


class ValueSettings(ConfigurableResource):
    """Settings of the value layer."""


def value_settings_from_env() -> ValueSettings:
    return ValueSettings()
