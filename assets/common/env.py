"""Reading settings from environment variables, one way everywhere: parsers whose errors name the
variable, and `from_env`, the default factory every environment-backed config field uses."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import Field

from assets.common.errors import SettingError

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
    raise SettingError(f"{var}={raw!r}: expected one of {sorted(TRUE)} or {sorted(FALSE)}")


Parser = Callable[[str, str], Any]  # (variable, raw value) -> typed value; errors name the variable


def text(var: str, raw: str) -> str:
    return raw


def integer(var: str, raw: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise SettingError(f"{var}={raw!r}: expected a whole number") from None


def number(var: str, raw: str) -> float:
    try:
        return float(raw.strip())
    except ValueError:
        raise SettingError(f"{var}={raw!r}: expected a number") from None


def numbers(var: str, raw: str) -> list[float]:
    """A comma-separated list of numbers."""
    try:
        return [float(x) for x in raw.split(",") if x.strip()]
    except ValueError:
        raise SettingError(f"{var}={raw!r}: expected comma-separated numbers") from None


_MEMORY = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*", re.I)


_BYTES = {
    "B": 1,
    "KB": 1e3,
    "MB": 1e6,
    "GB": 1e9,
    "TB": 1e12,
    "KiB": 2**10,
    "MiB": 2**20,
    "GiB": 2**30,
    "TiB": 2**40,
}


def memory_size(var: str, raw: str) -> str:
    """A memory size as DuckDB reads it ('2GB', '512 MiB'); '' for DuckDB's default."""
    if not raw.strip():
        return ""
    match = _MEMORY.fullmatch(raw)
    if not match:
        raise SettingError(
            f"{var}={raw!r}: expected a memory size such as 2GB or 512MB (or empty: DuckDB's default)"
        )
    unit = match[2].upper().replace("I", "i")
    if float(match[1]) * _BYTES[unit] < 64 * 2**20:
        raise SettingError(f"{var}={raw!r}: below 64MiB, too little for the refresh's queries")
    return f"{match[1]}{unit}"


def one_of(*choices: str) -> Parser:
    def parse(var: str, raw: str) -> str:
        value = raw.strip().lower()
        if value not in choices:
            raise SettingError(f"{var}={raw!r}: expected one of {', '.join(choices)}")
        return value

    return parse


class from_env:  # noqa: N801 - reads as a default: Field(default_factory=from_env("TASKVALUE_X", 5))
    """A pydantic default factory: the variable's value (parsed), else `default`.

    An empty (or blank) value counts as unset, like an unset variable, unless `empty_is_value`: for
    settings whose documented meaning of an empty value is "none" (e.g. no excluded status).
    """

    def __init__(self, var: str, default: Any, parse: Parser = text, *, empty_is_value: bool = False):
        self.var, self.default, self.parse, self.empty_is_value = var, default, parse, empty_is_value

    def __call__(self) -> Any:
        return self.read(os.environ)

    def read(self, environ: Mapping[str, str]) -> Any:
        raw = environ.get(self.var)
        if raw is None or (not raw.strip() and not self.empty_is_value):
            return list(self.default) if isinstance(self.default, list) else self.default
        return self.parse(self.var, raw if raw.strip() else "")


def env_field(
    var: str, default: Any, parse: Parser = text, *, description: str, empty_is_value: bool = False
) -> Any:
    """A settings field whose default is `var` from the environment (parsed), else `default`."""
    return Field(
        default_factory=from_env(var, default, parse, empty_is_value=empty_is_value), description=description
    )


def env_defaults(cls: type) -> dict[str, from_env]:
    """field -> its environment default, for every field of `cls` that has one."""
    return {
        name: info.default_factory
        for name, info in cls.model_fields.items()
        if isinstance(info.default_factory, from_env)
    }


def setting_name(cls: type, field: str) -> str:
    """How an error names a setting: 'field (TASKVALUE_VAR)' for an environment-backed field."""
    default = env_defaults(cls).get(field)
    return f"{field} ({default.var})" if default else field


def values_from_env(cls: type, environ: Mapping[str, str] | None) -> dict[str, Any]:
    """The value of every environment-backed field of `cls`, read from `environ` (default os.environ).

    Passed explicitly to the constructor, so an explicit `environ` (tests) is never mixed with the
    process environment."""
    environ = os.environ if environ is None else environ
    return {name: default.read(environ) for name, default in env_defaults(cls).items()}


def env_overrides(cls: type) -> dict[str, str]:
    """Environment variable -> field, for every environment-backed field of `cls` (README tables)."""
    return {d.var: name for name, d in env_defaults(cls).items()}


def settings_from(cls: type, environ: Mapping[str, str] | None, overrides: Mapping[str, Any]):
    """`cls` with its defaults, then its environment variables from `environ`, then `overrides`."""
    return cls(**{**values_from_env(cls, environ), **overrides})
