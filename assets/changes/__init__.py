"""Registry of this layer's assets and checks, collected by orchestration/definitions.py."""

from assets.changes.assets import CHANGES_ASSETS
from assets.changes.checks import CHANGES_CHECKS

ASSETS: list = [*CHANGES_ASSETS]
CHECKS: list = [*CHANGES_CHECKS]
