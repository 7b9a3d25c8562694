"""Registry of this layer's assets and checks, collected by orchestration/definitions.py."""

from assets.inventory.assets import INVENTORY_ASSETS
from assets.inventory.checks import INVENTORY_CHECKS

ASSETS: list = [*INVENTORY_ASSETS]
CHECKS: list = [*INVENTORY_CHECKS]
