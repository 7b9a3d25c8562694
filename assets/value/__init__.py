"""Registry of this layer's assets and checks, collected by orchestration/definitions.py."""

from assets.value.assets import VALUE_ASSETS
from assets.value.checks import VALUE_CHECKS
from assets.value.join_warning import tasks_reach_oes_employment

ASSETS: list = [*VALUE_ASSETS]
CHECKS: list = [*VALUE_CHECKS, tasks_reach_oes_employment]
