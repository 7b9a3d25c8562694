"""Great Expectations suites for every staging table, run as blocking asset checks.

Check names are statements about the table (`<table>__<what holds>`).
"""

from __future__ import annotations

from assets.common.gx_checks import (
    Expectation,
    GxSuite,
    between,
    gx_asset_check,
    in_set,
    not_null,
    row_count_between,
    true,
    unique,
)

O_GROUPS = ["total", "major", "minor", "broad", "detailed"]
SOC_CODE = r"^\d{2}-\d{4}\.\d{2}$"


def regex(column: str, pattern: str) -> Expectation:
    return Expectation("ExpectColumnValuesToMatchRegex", column=column, regex=pattern)


def _oes_suites(table: str, key: tuple[str, ...]) -> list[GxSuite]:
    suites = [
        GxSuite(
            f"{table}__keys_types_and_ranges_hold",
            f"select * from staging.{table}",
            [
                unique(*key),
                not_null("occ_code"),
                not_null("occ_title"),
                in_set("o_group", O_GROUPS),
                regex("occ_code", r"^\d{2}-\d{4}$"),
                between("tot_emp", 0, None),
                between("h_mean_usd", 0, None, strict_min=True),
                between("a_mean_usd", 0, None, strict_min=True),
                between("h_median_usd", 0, None, strict_min=True),
                between("a_median_usd", 0, None, strict_min=True),
                row_count_between(1, None),
            ],
            row_id_columns=["source_row", *key],
            description=f"staging.{table}: unique keys, required columns, O_GROUP values, wages > 0.",
        ),
    ]
    if table.startswith("oes_national"):
        suites.append(
            GxSuite(
                f"{table}__detailed_employment_reconciles_to_total",
                f"""
                select
                    sum(tot_emp) filter (where o_group = 'detailed') as detailed_employment,
                    max(tot_emp) filter (where o_group = 'total') as total_employment,
                    count(*) filter (where o_group = 'total') as total_rows,
                    abs(detailed_employment / total_employment - 1) <= 0.001 as within_0_1_pct
                from staging.{table}
                """,
                [true("within_0_1_pct"), in_set("total_rows", [1])],
                # a one-row check: the figures themselves name the failing row
                row_id_columns=["detailed_employment", "total_employment"],
                description="Sum of detailed-row employment matches the total row within 0.1%.",
            )
        )
    return suites


def _task_exists(table: str) -> GxSuite:
    return GxSuite(
        f"onet_{table}__task_ids_exist_in_statements",
        f"""
        select r.onet_soc_code, r.task_id, r.source_row, s.task_id is not null as task_exists
        from staging.onet_{table} r
        left join staging.onet_task_statements s using (task_id)
        """,
        [true("task_exists")],
        row_id_columns=["source_row", "onet_soc_code", "task_id"],
        description=f"Referential integrity: every Task ID in {table} exists in Task Statements.",
    )


SUITES: dict[str, list[GxSuite]] = {
    "oes_national": _oes_suites("oes_national", ("occ_code", "o_group")),
    "oes_national_previous": _oes_suites("oes_national_previous", ("occ_code", "o_group")),
    "oes_sector": _oes_suites("oes_sector", ("naics", "occ_code", "o_group")),
    "onet_occupations": [
        GxSuite(
            "onet_occupations__codes_unique_and_titled",
            "select * from staging.onet_occupations",
            [
                unique("onet_soc_code"),
                regex("onet_soc_code", SOC_CODE),
                not_null("title"),
                row_count_between(1, None),
            ],
            row_id_columns=["source_row", "onet_soc_code"],
        )
    ],
    "onet_task_statements": [
        GxSuite(
            "onet_task_statements__task_ids_unique_and_typed",
            """
            select t.*, o.onet_soc_code is not null as occupation_exists
            from staging.onet_task_statements t left join staging.onet_occupations o using (onet_soc_code)
            """,
            [
                unique("task_id"),
                not_null("task"),
                not_null("onet_soc_code"),
                in_set("task_type", ["Core", "Supplemental"]),
                true("occupation_exists"),
                row_count_between(1, None),
            ],
            row_id_columns=["source_row", "task_id"],
        )
    ],
    "onet_task_statements_previous": [
        GxSuite(
            "onet_task_statements_previous__task_ids_unique_and_typed",
            "select * from staging.onet_task_statements_previous",
            [
                unique("task_id"),
                not_null("task"),
                not_null("onet_soc_code"),
                regex("onet_soc_code", SOC_CODE),
                in_set("task_type", ["Core", "Supplemental"]),
            ],
            row_id_columns=["source_row", "task_id"],
            description="Previous O*NET release's task statements (empty when none is configured).",
        )
    ],
    "onet_task_ratings": [
        GxSuite(
            "onet_task_ratings__scales_in_range",
            """
            select *,
                case scale_id
                    when 'IM' then data_value between 1 and 5
                    when 'RT' then data_value between 0 and 100
                    when 'FT' then category between 1 and 7 and data_value between 0 and 100
                    else false
                end as value_in_scale_range
            from staging.onet_task_ratings
            """,
            [
                unique("onet_soc_code", "task_id", "scale_id", "category"),
                in_set("scale_id", ["FT", "IM", "RT"]),
                true("value_in_scale_range"),
            ],
            row_id_columns=["source_row", "onet_soc_code", "task_id", "scale_id"],
            description="IM 1-5, RT 0-100, FT category 1-7; one row per (occupation, task, scale, category).",
        ),
        _task_exists("task_ratings"),
    ],
    "onet_tasks_to_dwas": [
        GxSuite(
            "onet_tasks_to_dwas__links_unique_and_dwas_exist",
            """
            select l.*, d.dwa_id is not null as dwa_exists
            from staging.onet_tasks_to_dwas l left join staging.onet_dwa_reference d using (dwa_id)
            """,
            [unique("onet_soc_code", "task_id", "dwa_id"), true("dwa_exists")],
            row_id_columns=["source_row", "task_id", "dwa_id"],
        ),
        _task_exists("tasks_to_dwas"),
    ],
    "onet_dwa_reference": [
        GxSuite(
            "onet_dwa_reference__dwas_unique_and_iwas_exist",
            """
            select d.*, i.iwa_id is not null as iwa_exists
            from staging.onet_dwa_reference d left join staging.onet_iwa_reference i using (iwa_id)
            """,
            [unique("dwa_id"), not_null("dwa_title"), true("iwa_exists")],
            row_id_columns=["source_row", "dwa_id"],
        )
    ],
    "onet_iwa_reference": [
        GxSuite(
            "onet_iwa_reference__iwas_unique_and_gwas_exist",
            """
            select i.*, c.element_id is not null as gwa_exists
            from staging.onet_iwa_reference i
            left join staging.onet_content_model_reference c on c.element_id = i.gwa_id
            """,
            [unique("iwa_id"), not_null("iwa_title"), true("gwa_exists")],
            row_id_columns=["source_row", "iwa_id"],
        )
    ],
    "onet_content_model_reference": [
        GxSuite(
            "onet_content_model_reference__elements_unique",
            "select * from staging.onet_content_model_reference",
            [unique("element_id"), not_null("element_name")],
            row_id_columns=["source_row", "element_id"],
        )
    ],
    "onet_job_zones": [
        GxSuite(
            "onet_job_zones__one_zone_1_to_5_per_occupation",
            "select * from staging.onet_job_zones",
            [unique("onet_soc_code"), between("job_zone", 1, 5)],
            row_id_columns=["source_row", "onet_soc_code"],
        )
    ],
    "onet_emerging_tasks": [
        GxSuite(
            "onet_emerging_tasks__categorised_with_known_occupations",
            """
            select e.*, o.onet_soc_code is not null as occupation_exists
            from staging.onet_emerging_tasks e left join staging.onet_occupations o using (onet_soc_code)
            """,
            [not_null("task"), in_set("category", ["New", "Revision"]), true("occupation_exists")],
            row_id_columns=["source_row", "onet_soc_code"],
        )
    ],
    "onet_task_categories": [
        GxSuite(
            "onet_task_categories__ft_categories_1_to_7",
            "select * from staging.onet_task_categories",
            [unique("scale_id", "category"), between("category", 1, 7)],
            row_id_columns=["source_row", "scale_id", "category"],
        )
    ],
    "soc_structure": [
        GxSuite(
            "soc_structure__codes_unique_with_levels",
            """
            select *,
                -- every code sits under its groups: a broad or detailed code has a broad code
                soc_group in ('Major', 'Minor') or broad_code is not null as has_enclosing_groups
            from staging.soc_structure
            """,
            [
                unique("soc_code"),
                in_set("soc_group", ["Major", "Minor", "Broad", "Detailed"]),
                not_null("major_code"),
                true("has_enclosing_groups"),
                row_count_between(1, None),
            ],
            row_id_columns=["source_row", "soc_code"],
        )
    ],
    "source_files": [
        GxSuite(
            "source_files__every_row_read_is_loaded",
            "select *, rows_loaded = rows_read as all_rows_loaded from staging.source_files",
            [
                unique("target_table"),
                not_null("file_name"),
                true("all_rows_loaded"),
                in_set("status", ["loaded", "absent"]),
            ],
            row_id_columns=["target_table"],
        )
    ],
}

STAGING_CHECKS = [
    gx_asset_check(["staging", table], suite) for table, suites in SUITES.items() for suite in suites
]
