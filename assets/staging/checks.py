"""Great Expectations suites for every staging table, run as blocking asset checks.

Check names are statements about the table (`<table>__<what holds>`).
"""

from __future__ import annotations

import re
from collections.abc import Collection

from dagster import AssetKey

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
from assets.staging.assets import STAGING_TABLE_ASSETS
from assets.staging.source_shrink import no_file_of_a_release_lost_rows

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


# The file-fed staging tables (qualified), from the staging assets themselves, so that a new one is
# held to staging.source_files without editing a list here.
FILE_FED_TABLES = [".".join(a.key.path) for a in STAGING_TABLE_ASSETS]


def source_files_rows_suite(existing: Collection[str] | None = None) -> GxSuite:
    """staging.source_files against the rows of each file-fed staging table in `existing` (all of them
    when None). A run of a selection may stage only some files into a new database: the tables it never
    created cannot be named in the query, and count as absent (a source_files row for one fails)."""
    counted = [t for t in FILE_FED_TABLES if existing is None or t in existing]
    never_created = [t for t in FILE_FED_TABLES if t not in counted]
    tables = [f"select '{t}' as target_table, count(*) as table_rows from {t}" for t in counted]
    tables += [f"select '{t}' as target_table, null::bigint as table_rows" for t in never_created]
    union = "\n                union all ".join(tables)
    return GxSuite(
        "source_files__rows_loaded_are_the_staging_tables_rows",
        f"""
            with tables as (
                {union}
            )
            select coalesce(s.target_table, t.target_table) as target_table, s.status, s.rows_loaded,
                t.table_rows,
                t.target_table is not null as names_a_file_fed_staging_table,
                -- a table without a row (an optional input nobody configured) must be empty
                case
                    when s.target_table is null then coalesce(t.table_rows, 0) = 0
                    else s.rows_loaded = t.table_rows
                end as rows_loaded_equal_table_rows
            from staging.source_files as s
            full join tables as t on t.target_table = s.target_table
            """,
        [
            true("names_a_file_fed_staging_table"),
            true("rows_loaded_equal_table_rows"),
            row_count_between(1, None),
        ],
        row_id_columns=["target_table", "rows_loaded", "table_rows"],
        for_database=_source_files_rows_for,
        description="The rows staging.source_files says each file gave (rows_loaded, = rows_read) are the "
        "rows its staging table holds now, and a staging table with no row there is empty. A failure "
        "means a staging table was changed or replaced outside its asset (rows lost or added after the "
        "load), or the bookkeeping is stale: re-materialize the failing table and staging/source_files, "
        "and find what wrote to it.",
    )


def _source_files_rows_for(con) -> GxSuite:
    """`source_files_rows_suite` for the staging tables this database holds."""
    rows = con.execute("select schema_name, table_name from duckdb_tables() where schema_name = 'staging'")
    return source_files_rows_suite({f"{schema}.{table}" for schema, table in rows.fetchall()})


# Published FT percentages carry 2 decimals: the 7 of a distribution are each within 0.005 of the exact
# share, so they sum to 100 within 0.035. Half a point also allows for percentages rounded to one
# decimal (7 x 0.05 = 0.35) and is far below a misplaced or mistyped value (a point or more).
FT_TOLERANCE_POINTS = 0.5

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
        GxSuite(
            "onet_task_ratings__ft_distributions_sum_to_100_pct",
            f"""
            select onet_soc_code, task_id, count(distinct category) as ft_categories,
                sum(data_value) as ft_total_pct,
                -- O*NET publishes all 7 categories; an incomplete distribution (the weights fall back on
                -- it) can still not hold more than 100%
                sum(data_value) <= 100 + {FT_TOLERANCE_POINTS}
                    and (count(distinct category) < 7 or sum(data_value) >= 100 - {FT_TOLERANCE_POINTS})
                    as sums_to_100_pct
            from staging.onet_task_ratings
            where scale_id = 'FT'
            group by all
            """,
            [true("sums_to_100_pct")],
            row_id_columns=["onet_soc_code", "task_id", "ft_categories", "ft_total_pct"],
            description="The FT (frequency) percentages of each (occupation, task) are a distribution over "
            f"categories 1-7: they sum to 100 within {FT_TOLERANCE_POINTS} point (published with 2 decimals, "
            "so rounding moves a sum by at most 0.035), and never exceed it when a category is missing. A "
            "failure means the Task Ratings file was misread (a shifted column, a mistyped or duplicated "
            "value) or is corrupt: the FT x RT weights built on it would be wrong. Check the failing rows "
            "against the published file and fix the parser or the file before publishing. (Empty when the "
            "release has no Task Ratings.)",
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
        ),
        GxSuite(
            "onet_dwa_reference__each_dwa_sits_under_its_iwa_and_that_iwas_gwa",
            """
            select d.source_row, d.dwa_id, d.iwa_id, d.gwa_id, i.gwa_id as iwa_gwa_id,
                d.gwa_id = i.gwa_id as gwa_is_its_iwas,
                starts_with(d.dwa_id, d.iwa_id || '.') as dwa_id_extends_iwa_id
            from staging.onet_dwa_reference as d
            left join staging.onet_iwa_reference as i using (iwa_id)
            """,
            [true("gwa_is_its_iwas"), true("dwa_id_extends_iwa_id")],
            row_id_columns=["source_row", "dwa_id", "iwa_id", "gwa_id"],
            description="Each DWA's GWA Element ID is the GWA of its IWA in the IWA reference, and its DWA "
            "ID extends its IWA ID (4.A.x.y.n.Iii.Ddd; true of every row of O*NET 29.0). A DWA whose GWA "
            "contradicts its IWA would put its value under one GWA by the DWA path and another by the IWA "
            "path of marts.task_family_value. A failure means the DWA or IWA Reference file was misread or "
            "is inconsistent: check the failing rows against the published files before publishing.",
        ),
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
        ),
        GxSuite(
            "onet_iwa_reference__each_iwa_id_extends_its_gwa_id",
            """
            select source_row, iwa_id, gwa_id, starts_with(iwa_id, gwa_id || '.') as iwa_id_extends_gwa_id
            from staging.onet_iwa_reference
            """,
            [true("iwa_id_extends_gwa_id")],
            row_id_columns=["source_row", "iwa_id", "gwa_id"],
            description="Each IWA ID extends its GWA Element ID (4.A.x.y.n.Iii; true of every row of O*NET "
            "29.0). A failure means the IWA Reference was misread (columns swapped or shifted) or names "
            "the wrong GWA: check the failing rows against the published file before publishing.",
        ),
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
    "onet_technology_skills": [
        GxSuite(
            "onet_technology_skills__one_row_per_known_occupation_and_example",
            """
            select t.*, o.onet_soc_code is not null as occupation_exists
            from staging.onet_technology_skills t left join staging.onet_occupations o using (onet_soc_code)
            """,
            [
                unique("onet_soc_code", "example"),
                not_null("example"),
                not_null("hot_technology"),
                not_null("in_demand"),
                true("occupation_exists"),
            ],
            row_id_columns=["source_row", "onet_soc_code", "example"],
            description="Each occupation lists an example once, under an O*NET occupation (true of every "
            "row of O*NET 29.0). Matching's technology prior counts which occupations list a piece of "
            "software: a repeat or an unknown code would skew the count.",
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
        ),
        source_files_rows_suite(),
    ],
}


def _other_staging_tables(table: str, suite: GxSuite) -> list[AssetKey]:
    """The other file-fed staging tables a suite's query joins (staging tables do not depend on each
    other, so the check must be told to wait for them; source_files depends on them all)."""
    found = set(re.findall(r"\bstaging\.(\w+)", suite.query)) - {table, "source_files"}
    return [AssetKey(["staging", t]) for t in sorted(found)]


STAGING_CHECKS = [
    *(
        gx_asset_check(["staging", table], suite, _other_staging_tables(table, suite))
        for table, suites in SUITES.items()
        for suite in suites
    ),
    no_file_of_a_release_lost_rows,
]
