"""Release changes: the value model re-run on the previous OES vintage, compared with the current one;
and the task statements of two O*NET releases compared (marts.onet_release_changes)."""

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
onet_release_changes = sql_model_asset(
    "marts",
    "onet_release_changes",
    group="marts",
    params=lambda s, _value: {
        "previous_release": s.onet_previous_release or None,
        "current_release": s.onet_release,
    },
    order_by="change, task_id",
)

CHANGES_ASSETS = [crosswalk_previous, release_changes, onet_release_changes]
