"""Blocking checks of the release-change tables."""

from assets.common.gx_checks import GxSuite, gx_asset_check, in_set, not_null, true, unique

CHANGES_CHECKS = [
    gx_asset_check(
        ["int", "onet_oes_crosswalk_previous"],
        GxSuite(
            "onet_oes_crosswalk_previous__allocated_employment_sums_to_oes_employment",
            """
            -- employment the OES file suppresses (May 2020: 13-1074) is null on both sides: that agrees
            select oes_code, oes_o_group, sum(allocated_employment) is not distinct from min(oes_employment)
                and min(oes_employment) is not distinct from max(oes_employment) as sums_exactly,
                count(*) = count(distinct onet_soc_code) as codes_unique
            from int.onet_oes_crosswalk_previous where oes_code is not null group by all
            """,
            [true("sums_exactly"), true("codes_unique")],
            row_id_columns=["oes_code", "oes_o_group"],
        ),
    ),
    gx_asset_check(
        ["marts", "release_changes"],
        GxSuite(
            "release_changes__one_row_per_occupation_and_task",
            """
            select *,
                change_level = 'occupation' or value_change_usd is null
                    or value_change_usd = current_value_usd - previous_value_usd as change_consistent
            from marts.release_changes
            """,
            [
                unique("change_level", "oes_code", "onet_soc_code", "task_id"),
                in_set("change_level", ["occupation", "task"]),
                in_set(
                    "status",
                    [
                        "new",
                        "removed",
                        "continuing",
                        "matched_only_current",
                        "matched_only_previous",
                        "unmatched",
                    ],
                ),
                not_null("current_vintage"),
                true("change_consistent"),
            ],
            row_id_columns=["change_level", "oes_code", "onet_soc_code", "task_id"],
        ),
    ),
    gx_asset_check(
        ["marts", "release_changes"],
        GxSuite(
            "release_changes__task_values_add_up_to_allocated_bills_in_both_vintages",
            # like marts.task_value's own check, for the previous vintage too: a value change per
            # occupation is then the change of its allocated bill, with no rounding left in it
            """
            select r.onet_soc_code,
                sum(r.previous_value_usd) is not distinct from min(cp.allocated_wage_bill_usd) as previous_adds_up,
                sum(r.current_value_usd) is not distinct from min(c.allocated_wage_bill_usd) as current_adds_up
            from marts.release_changes as r
            join int.onet_oes_crosswalk_previous as cp using (onet_soc_code)
            join int.onet_oes_crosswalk as c using (onet_soc_code)
            where r.change_level = 'task'
            group by all
            """,
            [unique("onet_soc_code"), true("previous_adds_up"), true("current_adds_up")],
            row_id_columns=["onet_soc_code"],
        ),
    ),
    gx_asset_check(
        ["marts", "onet_release_changes"],
        GxSuite(
            "onet_release_changes__one_row_per_task_and_known_change",
            """
            select *,
                case change
                    when 'added' then previous_task is null and task is not null
                    when 'removed' then task is null and previous_task is not null
                    else task is not null and previous_task is not null
                end as sides_match_change
            from marts.onet_release_changes
            """,
            [
                unique("change", "task_id"),
                in_set("change", ["added", "removed", "reworded", "moved"]),
                not_null("task_id"),
                not_null("previous_release"),
                not_null("current_release"),
                true("sides_match_change"),
            ],
            row_id_columns=["change", "task_id"],
        ),
    ),
]
