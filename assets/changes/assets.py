"""Release changes: the value model re-run on the previous OES vintage, compared with the current one."""

from assets.value.sql_assets import sql_model_asset

crosswalk_previous = sql_model_asset(
    "int",
    "onet_oes_crosswalk_previous",
    group="int",
    source=("int", "onet_oes_crosswalk"),
    overrides={"which": "previous"},
    order_by="onet_soc_code",
    description="int.onet_oes_crosswalk built on the previous OES vintage (staging.oes_national_previous), "
    "same rules; input of marts.release_changes.",
)
release_changes = sql_model_asset("marts", "release_changes", group="marts")

CHANGES_ASSETS = [crosswalk_previous, release_changes]
