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


def test_a_table_built_from_sql_is_described_in_the_ui_as_in_its_table_comment():
    # one text per table: the SQL file's header is both the DuckDB comment and the UI description
    from assets.common.sql_models import SQL_DIR, load_model
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    compared = 0
    for key in graph.get_all_asset_keys():
        if len(key.path) != 2 or not (SQL_DIR / key.path[0] / f"{key.path[1]}.sql").is_file():
            continue
        node = graph.get(key)
        if "sql" not in (node.kinds or set()):
            continue
        assert node.description == load_model(*key.path).description, key
        compared += 1
    assert compared >= 30
