"""Typed configuration for every run, overridable by environment variables.

Paths are relative to the project directory unless given absolute, so a clone works wherever it lives.

A field with an environment variable takes the variable's value as its default whenever the resource
is constructed (`from_env`, assets/common/env.py), not only at load time: Dagster builds a fresh resource when a run
gives part of its config (launchpad, `resources.settings.config.<field>`), and every field left out
must keep the environment's value rather than fall back to the class default.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from pathlib import Path

from dagster import ConfigurableResource
from dagster_duckdb import DuckDBResource
from pydantic import Field, field_validator, model_validator

from assets.common.env import (
    env_field,
    env_flag,
    env_overrides,
    integer,
    memory_size,
    number,
    setting_name,
    settings_from,
)

PROJECT_DIR = Path(__file__).resolve().parent.parent


class TaskvalueSettings(ConfigurableResource):
    """Where the data comes from and which releases to load."""

    project_dir: str = Field(default=str(PROJECT_DIR), description="Base for every relative path below.")
    mirror_dir: str = env_field(
        "TASKVALUE_MIRROR",
        "",
        description="A directory laid out like ../shared/data. When set, nothing is downloaded.",
    )
    cache_dir: str = env_field(
        "TASKVALUE_CACHE_DIR",
        "warehouse/cache",
        description="Downloaded archives and their sha256, and the embedding matchers' corpus vectors (embeddings/).",
    )
    warehouse_path: str = env_field(
        "TASKVALUE_WAREHOUSE",
        "warehouse/taskvalue.duckdb",
        description="The published warehouse that analysts and BI tools open (swapped in atomically).",
    )
    work_db_path: str = env_field(
        "TASKVALUE_WORK_DB",
        "warehouse/work/taskvalue.duckdb",
        description="The refresh's private working database; never opened by readers.",
    )
    oes_vintage: int = env_field(
        "TASKVALUE_OES_VINTAGE",
        2024,
        integer,
        description="OES May vintage (year) for national and sector data.",
    )
    oes_previous_vintage: int = env_field(
        "TASKVALUE_OES_PREVIOUS_VINTAGE",
        2023,
        integer,
        description="OES vintage compared against in release changes.",
    )
    onet_release: str = env_field(
        "TASKVALUE_ONET_RELEASE", "29.0", description="O*NET database release, e.g. 29.0."
    )
    onet_previous_release: str = env_field(
        "TASKVALUE_ONET_PREVIOUS_RELEASE",
        "",
        description="O*NET release to compare the configured one against (e.g. 28.3); empty: no comparison.",
    )
    contact_email: str = env_field(
        "TASKVALUE_CONTACT_EMAIL",
        "taskvalue-user@example.org",
        description="Sent in the User-Agent; bls.gov refuses scripted requests without a contact.",
    )
    duckdb_memory_limit: str = env_field(
        "TASKVALUE_DUCKDB_MEMORY_LIMIT",
        "4GB",
        memory_size,
        description="DuckDB's memory limit for the working database ('4GB', '512MB'; empty: DuckDB's own "
        "default, 80% of RAM). Above it sorts, joins and aggregations spill to disk beside the working "
        "database. Bounds a refresh over a million inventory tasks (the rest of its memory is Python's).",
        empty_is_value=True,
    )
    inventory_dir: str = env_field(
        "TASKVALUE_INVENTORY_DIR", "inventory", description="Directory of task-inventory files."
    )
    inventory_allow_empty: bool = env_field(
        "TASKVALUE_INVENTORY_ALLOW_EMPTY",
        False,
        env_flag,
        description="Publish when the inventory directory holds no inventory file (0 tasks, 0% coverage) "
        "although the published warehouse has inventory tasks. Off: such a refresh stops, since an "
        "unmounted share looks the same.",
    )
    accept_changed_checksums: bool = env_field(
        "TASKVALUE_ACCEPT_CHANGED_CHECKSUMS",
        False,
        env_flag,
        description="Accept a re-downloaded file whose sha256 differs from the one recorded earlier.",
    )
    revalidate_downloads: bool = env_field(
        "TASKVALUE_REVALIDATE_DOWNLOADS",
        False,
        env_flag,
        description="Ask the publisher again each run; on failure the cached copy stays in use.",
    )
    http_timeout_s: float = env_field(
        "TASKVALUE_HTTP_TIMEOUT_S", 60.0, number, description="Connect/read timeout per request."
    )
    http_retries: int = env_field(
        "TASKVALUE_HTTP_RETRIES", 4, integer, description="Retries after the first attempt, with backoff."
    )
    http_backoff_s: float = env_field(
        "TASKVALUE_HTTP_BACKOFF_S", 2.0, number, description="First backoff; doubles on each retry."
    )
    http_deadline_s: float = env_field(
        "TASKVALUE_HTTP_DEADLINE_S",
        1800.0,
        number,
        description="Deadline of each download, retries and waits included (a trickling server never "
        "trips the read timeout); raise it on a slow line.",
    )

    @field_validator("http_timeout_s", "http_deadline_s")
    @classmethod
    def _positive_seconds(cls, v: float, info) -> float:
        if not (math.isfinite(v) and v > 0):
            raise ValueError(
                f"{setting_name(cls, info.field_name)} must be a positive number of seconds (got {v})"
            )
        return v

    @field_validator("http_retries", "http_backoff_s")
    @classmethod
    def _not_negative(cls, v: float, info) -> float:
        if not (math.isfinite(v) and v >= 0):
            raise ValueError(f"{setting_name(cls, info.field_name)} must be 0 or more (got {v})")
        return v

    @model_validator(mode="after")
    def _previous_vintage_is_earlier(self):
        # release_changes compares previous -> current: swapped years publish changes backwards
        if self.oes_previous_vintage >= self.oes_vintage:
            raise ValueError(
                f"oes_previous_vintage (TASKVALUE_OES_PREVIOUS_VINTAGE, {self.oes_previous_vintage}) must be "
                f"earlier than oes_vintage (TASKVALUE_OES_VINTAGE, {self.oes_vintage})"
            )
        return self

    @field_validator("contact_email")
    @classmethod
    def _contact_form(cls, v: str, info) -> str:
        # sent in a header: a line break failed every download, late, with an InvalidHeader error.
        # "Jane Doe <jane@corp.com>" is a contact too
        v = v.strip()
        if "@" not in v or any(ord(c) < 32 or ord(c) == 127 for c in v):
            raise ValueError(
                f"{setting_name(cls, info.field_name)} must be an e-mail address on one line (got {v!r})"
            )
        return v

    @field_validator("onet_release", "onet_previous_release")
    @classmethod
    def _release_form(cls, v: str, info) -> str:
        # stored stripped: ' 28.3' passed the comparison, then looked for the folder 'onet/ 28.3/'
        v = v.strip()
        if (v or info.field_name == "onet_release") and _release(v) is None:
            raise ValueError(
                f"{setting_name(cls, info.field_name)} must be an O*NET release like 29.0 (got {v!r})"
            )
        return v

    @model_validator(mode="after")
    def _previous_release_is_earlier(self):
        # onet_release_changes compares previous -> current: the same release compares nothing, a
        # later one publishes every change backwards
        if self.onet_previous_release and _release(self.onet_previous_release) >= _release(self.onet_release):
            raise ValueError(
                f"onet_previous_release (TASKVALUE_ONET_PREVIOUS_RELEASE, {self.onet_previous_release!r}) must "
                f"be earlier than onet_release (TASKVALUE_ONET_RELEASE, {self.onet_release!r}); leave it empty "
                "for no comparison"
            )
        return self

    @model_validator(mode="after")
    def _warehouse_is_not_the_work_db(self):
        # readers open the warehouse while refreshes write the work database: one file for both
        # would put readers on a file being written, and the atomic swap would copy it onto itself
        if self.warehouse.expanduser().resolve() == self.work_db.expanduser().resolve():
            raise ValueError(
                f"warehouse_path (TASKVALUE_WAREHOUSE) and work_db_path (TASKVALUE_WORK_DB) are the same file "
                f"({self.warehouse}): the refresh writes the work database and publishes a copy as the "
                "warehouse, so they must differ"
            )
        return self

    def path(self, value: str) -> Path:
        # normalised (no `..`): paths are recorded in the warehouse (staging.source_files.path)
        p = Path(value).expanduser()
        return Path(os.path.normpath(p if p.is_absolute() else Path(self.project_dir) / p))

    @property
    def mirror(self) -> Path | None:
        return self.path(self.mirror_dir) if self.mirror_dir else None

    @property
    def cache(self) -> Path:
        return self.path(self.cache_dir)

    @property
    def warehouse(self) -> Path:
        return self.path(self.warehouse_path)

    @property
    def work_db(self) -> Path:
        return self.path(self.work_db_path)

    @property
    def inventory(self) -> Path:
        return self.path(self.inventory_dir)


def _release(text: str) -> tuple[int, int] | None:
    """An O*NET release as numbers ('28.3' -> (28, 3), '28.10' after '28.9'); None unless major.minor,
    the form the archive names and the mirror's folders use (db_28_3_text.zip, onet/28.3/)."""
    match = re.fullmatch(r"(\d+)\.(\d+)", text)
    return (int(match[1]), int(match[2])) if match else None


# Environment variable -> settings field. Documented in the README ("Configuration").
ENV_OVERRIDES = env_overrides(TaskvalueSettings)


def settings_from_env(environ: Mapping[str, str] | None = None, **overrides) -> TaskvalueSettings:
    """Settings with defaults, then environment variables, then explicit overrides (tests)."""
    return settings_from(TaskvalueSettings, environ, overrides)


def duckdb_for(settings: TaskvalueSettings) -> DuckDBResource:
    settings.work_db.parent.mkdir(parents=True, exist_ok=True)
    limit = settings.duckdb_memory_limit
    return DuckDBResource(
        database=str(settings.work_db), connection_config={"memory_limit": limit} if limit else {}
    )
