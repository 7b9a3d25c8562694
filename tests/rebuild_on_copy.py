"""Rebuild some value-model SQL files over copies of a published warehouse's tables, with other settings."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from assets.common.sql_models import load_model
from assets.common.warehouse import build_sql_model
from assets.value.config import value_settings_from_env
from assets.value.sql_assets import bound_params, model_deps, value_params


def rebuild_on_copy(published, tables: Iterable[str], edits: Iterable[str] = (), **value_overrides):
    """An in-memory connection holding `tables` ("schema.table", in build order) rebuilt from their SQL.

    Every table they read and do not rebuild is copied from `published.warehouse` (a refresh's
    settings); `edits` run on those copies first; `value_overrides` replace the default value settings
    (never the environment's)."""
    models = [load_model(*name.split(".")) for name in tables]
    rebuilt = {(m.schema, m.table) for m in models}
    con = duckdb.connect()
    con.execute(f"attach '{published.warehouse}' as real (read_only)")
    copied: set[tuple[str, str]] = set()
    for model in models:
        for key in model_deps(model):
            schema, table = key.path
            if (schema, table) in rebuilt or (schema, table) in copied:
                continue
            con.execute(f"create schema if not exists {schema}")
            con.execute(f"create table {schema}.{table} as select * from real.{schema}.{table}")
            copied.add((schema, table))
    for sql in edits:
        con.execute(sql)
    params = value_params(published, value_settings_from_env(environ={}, **value_overrides))
    for model in models:
        build_sql_model(con, model, bound_params(model, params))
    return con
