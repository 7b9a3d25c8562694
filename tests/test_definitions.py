"""Smoke test: the Definitions load, and the asset graph has the shape the warehouse promises."""

from dagster import AssetKey


def test_definitions_load_with_every_layer():
    from orchestration.definitions import defs

    keys = defs.resolve_all_asset_keys()
    assert AssetKey(["staging", "onet_task_statements"]) in keys
    assert AssetKey(["staging", "oes_national"]) in keys
    assert AssetKey(["warehouse", "published"]) in keys
    assert defs.resolve_job_def("refresh_job") is not None


def test_every_table_asset_key_is_schema_and_table():
    from orchestration.definitions import ALL_ASSETS

    for a in ALL_ASSETS:
        for key in a.keys:
            assert len(key.path) == 2, key


def test_every_staging_and_mart_table_has_a_blocking_gx_check():
    from orchestration.definitions import ALL_ASSETS, ALL_CHECKS

    checked = {spec.asset_key for c in ALL_CHECKS for spec in c.check_specs if spec.blocking}
    tables = {k for a in ALL_ASSETS for k in a.keys if k.path[0] in ("staging", "marts")}
    assert len(tables) > 30
    assert tables <= checked, tables - checked
