"""Registry of this layer's assets and checks, collected by orchestration/definitions.py."""

from assets.value.assets import VALUE_ASSETS
from assets.value.checks import VALUE_CHECKS

ASSETS: list = [*VALUE_ASSETS]
CHECKS: list = [*VALUE_CHECKS]
