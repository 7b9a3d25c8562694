"""Environment variables that look like settings but name none: `TASKVALUE_TIER_THRESHOLDS` (for
TASKVALUE_TIER_THRESHOLDS_USD) was ignored without a word, and the refresh published the defaults."""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping

from assets.common.env import env_defaults

PREFIX = "TASKVALUE_"
# read directly, not through a settings class
OTHER_VARIABLES = frozenset({"TASKVALUE_INVENTORY_SENSOR", "TASKVALUE_UI_SCREENSHOTS"})  # the UI tests' own


def known_variables() -> frozenset[str]:
    from assets.coverage.config import CoverageSettings
    from assets.inventory.config import InventorySettings
    from assets.value.config import ValueSettings
    from orchestration.resources import TaskvalueSettings

    names = {
        d.var
        for cls in (TaskvalueSettings, ValueSettings, InventorySettings, CoverageSettings)
        for d in env_defaults(cls).values()
    }
    return frozenset(names | OTHER_VARIABLES)


def unknown_variables(environ: Mapping[str, str] | None = None) -> list[str]:
    """One line per TASKVALUE_ variable no setting reads, with the closest known name."""
    environ = os.environ if environ is None else environ
    known = known_variables()
    lines = []
    for name in sorted(n for n in environ if n.startswith(PREFIX) and n not in known):
        # compared without the prefix every name shares, or any name would look close
        tails = {k[len(PREFIX) :]: k for k in known}
        close = difflib.get_close_matches(name[len(PREFIX) :], sorted(tails), n=1, cutoff=0.6)
        hint = f" (did you mean {tails[close[0]]}?)" if close else ""
        lines.append(f"{name} is no taskvalue setting and is ignored{hint}")
    return lines
