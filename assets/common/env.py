"""Reading yes/no settings from environment variables, one way everywhere."""

from __future__ import annotations

# pydantic's words, so that no variable that parsed before is refused now
TRUE = {"1", "true", "t", "yes", "y", "on"}
FALSE = {"0", "false", "f", "no", "n", "off"}


def env_flag(var: str, raw: str) -> bool:
    """`raw` (the value of `var`) as a boolean; anything unrecognised is an error, never a silent False."""
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ValueError(f"{var}={raw!r}: expected one of {sorted(TRUE)} or {sorted(FALSE)}")
