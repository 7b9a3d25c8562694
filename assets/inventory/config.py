"""Typed configuration of the inventory layer (a Dagster resource named `inventory_settings`).

Fields may be overridden by environment variables (TASKVALUE_...), read in `inventory_settings_from_env`.
"""

from dagster import ConfigurableResource


class InventorySettings(ConfigurableResource):
    """Settings of the inventory layer."""


def inventory_settings_from_env() -> InventorySettings:
    return InventorySettings()
