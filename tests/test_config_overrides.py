"""Environment variables stay the defaults when a run overrides part of a resource's config.

Dagster builds a fresh resource from a run's config (the launchpad's `resources.<key>.config`); every
field the run leaves out must keep its environment value, not fall back to the class default.
"""

import re

import pytest
from dagster import Definitions, asset, build_init_resource_context, define_asset_job
from dagster_duckdb import DuckDBResource

from assets.coverage.config import ENV_OVERRIDES as COVERAGE_ENV
from assets.coverage.config import CoverageSettings, coverage_settings_from_env
from assets.inventory.config import ENV_OVERRIDES as INVENTORY_ENV
from assets.inventory.config import InventorySettings, inventory_settings_from_env
from assets.publish.assets import _work_db
from assets.publish.swap import PublishError
from assets.value.config import ENV_OVERRIDES as VALUE_ENV
from assets.value.config import ValueSettings, value_settings_from_env
from orchestration.resources import ENV_OVERRIDES as SETTINGS_ENV
from orchestration.resources import PROJECT_DIR, TaskvalueSettings, settings_from_env

# One non-default value per environment variable, and the value the resource should hold.
ENV = {
    "TASKVALUE_MIRROR": ("/data/mirror", "/data/mirror"),
    "TASKVALUE_ONET_RELEASE": ("28.3", "28.3"),
    "TASKVALUE_OES_VINTAGE": ("2025", 2025),
    "TASKVALUE_REVALIDATE_DOWNLOADS": ("on", True),
    "TASKVALUE_WEIGHTING_METHOD": ("importance", "importance"),
    "TASKVALUE_FT_RATES": ("1,2,3,4,5,6,7", [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]),
    "TASKVALUE_LOADED_COST_MULTIPLIER": ("1.42", 1.42),
    "TASKVALUE_PRIORITY_DIGITAL_ONLY": ("false", False),
    "TASKVALUE_MATCH_TOP_K": ("9", 9),
    "TASKVALUE_DOMAIN_BONUS": ("0.25", 0.25),
    "TASKVALUE_TECHNOLOGY_BONUS": ("0", 0.0),
    "TASKVALUE_BOILERPLATE_SHARE": ("0.15", 0.15),
    "TASKVALUE_MATCHER": ("hybrid", "hybrid"),
    "TASKVALUE_COVERAGE_MIN_CONFIDENCE": ("High", "high"),
    "TASKVALUE_COVERAGE_MAX_RANK": ("3", 3),
    "TASKVALUE_COVERAGE_EXCLUDED_STATUSES": ("retired,draft", "retired,draft"),
    "TASKVALUE_HTTP_RETRIES": ("2", 2),
    "TASKVALUE_TOP_TASKS_PER_OCCUPATION": ("5", 5),
    "TASKVALUE_MATCH_MEDIUM_THRESHOLD": ("0.3", 0.3),
}
# resource key -> (its env table, a field the run overrides, the override)
RESOURCES = {
    "settings": (SETTINGS_ENV, "contact_email", "someone@example.com"),
    "value_settings": (VALUE_ENV, "hours_per_year", 2000),
    "inventory_settings": (INVENTORY_ENV, "high_threshold", 0.9),
    "coverage_settings": (COVERAGE_ENV, "top_gaps_per_domain", 7),
}
CLASSES = {
    "settings": TaskvalueSettings,
    "value_settings": ValueSettings,
    "inventory_settings": InventorySettings,
    "coverage_settings": CoverageSettings,
}
FROM_ENV = {
    "settings": settings_from_env,
    "value_settings": value_settings_from_env,
    "inventory_settings": inventory_settings_from_env,
    "coverage_settings": coverage_settings_from_env,
}
# Variables whose empty value is documented as a value ("none"), not as unset.
EMPTY_IS_A_VALUE = {
    "TASKVALUE_COVERAGE_EXCLUDED_STATUSES",
    "TASKVALUE_TASK_ATTRIBUTES",
    "TASKVALUE_DUCKDB_MEMORY_LIMIT",  # DuckDB's own default
}


@pytest.fixture
def environment(monkeypatch, tmp_path):
    """The process environment of `dagster dev`: every variable of ENV set, warehouse under tmp_path."""
    for var in SETTINGS_ENV | VALUE_ENV | INVENTORY_ENV | COVERAGE_ENV:
        monkeypatch.delenv(var, raising=False)
    for var, (raw, _) in ENV.items():
        monkeypatch.setenv(var, raw)
    monkeypatch.setenv("TASKVALUE_WAREHOUSE", str(tmp_path / "taskvalue.duckdb"))
    monkeypatch.setenv("TASKVALUE_WORK_DB", str(tmp_path / "work" / "taskvalue.duckdb"))
    return tmp_path


def _expect_env(resource, table: dict[str, str]) -> None:
    for var, field in table.items():
        if var in ENV:
            assert getattr(resource, field) == ENV[var][1], f"{field} lost {var}"


def test_a_run_overriding_one_field_keeps_every_environment_value(environment):
    # The project's own resources (as the code server loads them), and a run config that overrides
    # one field of each, as the launchpad does.
    from orchestration.definitions import build_definitions

    seen = {}

    @asset
    def probe(
        settings: TaskvalueSettings,
        value_settings: ValueSettings,
        inventory_settings: InventorySettings,
        coverage_settings: CoverageSettings,
    ) -> None:
        seen.update(
            settings=settings,
            value_settings=value_settings,
            inventory_settings=inventory_settings,
            coverage_settings=coverage_settings,
        )

    resources = build_definitions().resources
    defs = Definitions(
        assets=[probe],
        resources={k: resources[k] for k in RESOURCES},
        jobs=[define_asset_job("probe_job")],
    )
    run_config = {"resources": {k: {"config": {f: v}} for k, (_, f, v) in RESOURCES.items()}}
    assert defs.resolve_job_def("probe_job").execute_in_process(run_config=run_config).success

    for key, (table, field, value) in RESOURCES.items():
        assert getattr(seen[key], field) == value
        _expect_env(seen[key], table)
    assert seen["settings"].warehouse == environment / "taskvalue.duckdb"
    assert seen["settings"].work_db == environment / "work" / "taskvalue.duckdb"


@pytest.mark.parametrize("key", list(RESOURCES))
def test_a_resource_built_from_partial_config_alone_reads_the_environment(environment, key):
    # A process that has only the run config (no resource built at load time) still sees the variables.
    table, field, value = RESOURCES[key]
    resource = CLASSES[key].from_resource_context(build_init_resource_context(config={field: value}))
    assert getattr(resource, field) == value
    _expect_env(resource, table)


@pytest.mark.parametrize("key", list(RESOURCES))
def test_an_explicit_environ_is_not_mixed_with_the_process_environment(environment, key):
    # tests and bench pass environ={} to get the documented defaults whatever the shell exports
    explicit = FROM_ENV[key](environ={})
    plain = CLASSES[key].model_fields
    for var, field in RESOURCES[key][0].items():
        assert getattr(explicit, field) == plain[field].default_factory.default, var


@pytest.mark.parametrize(
    "var, key",
    [(v, k) for k, (table, _, _) in RESOURCES.items() for v in table],
)
def test_an_empty_variable_is_unset_unless_documented_as_none(monkeypatch, var, key):
    field = RESOURCES[key][0][var]
    documented_default = CLASSES[key].model_fields[field].default_factory.default
    expected = "" if var in EMPTY_IS_A_VALUE else documented_default
    assert getattr(FROM_ENV[key](environ={var: ""}), field) == expected
    assert getattr(FROM_ENV[key](environ={var: "  "}), field) == expected
    monkeypatch.setenv(var, "")  # the same when the resource is built from the process environment
    assert getattr(CLASSES[key](), field) == expected


def test_the_three_empty_values_that_failed_to_load_are_now_the_defaults():
    s = value_settings_from_env(
        environ={
            "TASKVALUE_WEIGHTING_METHOD": "",
            "TASKVALUE_FT_RATES": "",
            "TASKVALUE_LOADED_COST_MULTIPLIER": "",
        }
    )
    assert (s.weighting_method, s.loaded_cost_multiplier) == ("ft_rt", 1.0)
    assert s.ft_rates_per_year == [1.0, 4.0, 24.0, 104.0, 250.0, 750.0, 2000.0]
    assert value_settings_from_env(environ={"TASKVALUE_TASK_ATTRIBUTES": ""}).task_attributes_path == ""
    assert coverage_settings_from_env({"TASKVALUE_COVERAGE_EXCLUDED_STATUSES": ""}).excluded_statuses == ""


@pytest.mark.parametrize(
    "var, raw, build",
    [
        ("TASKVALUE_MATCH_TOP_K", "x", inventory_settings_from_env),
        ("TASKVALUE_DOMAIN_BONUS", "high", inventory_settings_from_env),
        ("TASKVALUE_OES_VINTAGE", "May 2024", settings_from_env),
        ("TASKVALUE_FT_RATES", "1,2,x", value_settings_from_env),
        ("TASKVALUE_WEIGHTING_METHOD", "wages", value_settings_from_env),
        ("TASKVALUE_COVERAGE_MIN_CONFIDENCE", "sometimes", coverage_settings_from_env),
        ("TASKVALUE_COVERAGE_TOP_TIERS", "2.5", coverage_settings_from_env),
        ("TASKVALUE_DUCKDB_MEMORY_LIMIT", "2 gigs", settings_from_env),
        ("TASKVALUE_DUCKDB_MEMORY_LIMIT", "0GB", settings_from_env),
        ("TASKVALUE_DUCKDB_MEMORY_LIMIT", "100B", settings_from_env),
    ],
)
def test_a_bad_value_names_the_variable_and_the_value(monkeypatch, var, raw, build):
    with pytest.raises(ValueError, match=f"{var}={raw!r}"):
        build(environ={var: raw})
    monkeypatch.setenv(var, raw)  # also when Dagster builds the resource from the environment
    with pytest.raises(ValueError, match=f"{var}={raw!r}"):
        build()


def test_value_rules_hold_for_run_config_too(environment):
    # ft rates and tier thresholds are checked on the resource, not only when read from a variable
    for config, message in [
        ({"ft_rates_per_year": [1.0, 2.0]}, "7 rates"),
        ({"tier_thresholds_usd": [50.0, 20.0]}, "ascending"),
    ]:
        with pytest.raises(ValueError, match=message):
            ValueSettings.from_resource_context(build_init_resource_context(config=config))


def test_a_relative_domains_file_is_taken_from_the_project_dir(tmp_path):
    s = coverage_settings_from_env(environ={"TASKVALUE_DOMAINS_FILE": "conf/d.toml"})
    assert s.domains_path_in(tmp_path) == tmp_path / "conf" / "d.toml"
    assert s.domains_path == PROJECT_DIR / "conf" / "d.toml"  # settings.project_dir's default
    absolute = coverage_settings_from_env(environ={"TASKVALUE_DOMAINS_FILE": str(tmp_path / "d.toml")})
    assert absolute.domains_path_in("/elsewhere") == tmp_path / "d.toml"


def test_publish_copies_the_file_the_duckdb_resource_wrote_and_refuses_another(tmp_path):
    settings = settings_from_env(environ={}, work_db_path=str(tmp_path / "work.duckdb"))
    same = DuckDBResource(database=str(tmp_path / "work.duckdb"))
    assert _work_db(settings, same) == tmp_path / "work.duckdb"
    # a run config that moved settings.work_db_path only (the duckdb resource stays where it was)
    moved = settings_from_env(environ={}, work_db_path=str(tmp_path / "launchpad.duckdb"))
    with pytest.raises(PublishError, match="launchpad.duckdb"):
        _work_db(moved, same)


def test_a_top_k_below_one_is_refused_naming_the_variable():
    import pydantic

    from assets.inventory.config import inventory_settings_from_env

    for value in ("0", "-1"):
        with pytest.raises(
            pydantic.ValidationError, match=r"top_k \(TASKVALUE_MATCH_TOP_K\) must be at least 1"
        ):
            inventory_settings_from_env(environ={"TASKVALUE_MATCH_TOP_K": value})


@pytest.mark.parametrize(
    "environ, message",
    [
        ({"TASKVALUE_TIER_THRESHOLDS_USD": ","}, "needs at least one bound"),
        ({"TASKVALUE_TIER_THRESHOLDS_USD": "15,15,25"}, "strictly ascending, without repeats"),
        ({"TASKVALUE_TIER_THRESHOLDS_USD": "-5,15"}, "above 0 and below 100,000"),
        ({"TASKVALUE_TIER_THRESHOLDS_USD": "15,inf"}, "above 0 and below 100,000"),
        ({"TASKVALUE_TIER_THRESHOLDS_USD": "15.005"}, "whole cents"),
        ({"TASKVALUE_LOADED_COST_MULTIPLIER": "0"}, "LOADED_COST_MULTIPLIER"),
        ({"TASKVALUE_LOADED_COST_MULTIPLIER": "nan"}, "LOADED_COST_MULTIPLIER"),
        ({"TASKVALUE_LOADED_COST_MULTIPLIER": "1.42857"}, "at most 4 decimals"),
        ({"TASKVALUE_FT_RATES": "1,2,3,4,5,6,-7"}, "must be between 0 and 1,000,000 times a year"),
    ],
)
def test_value_settings_that_would_fail_a_run_late_or_publish_nonsense_are_refused(environ, message):
    # each was accepted: some failed half way through a run naming no setting (a repeated bound, a
    # multiplier of 0), one published a single tier "$0+/hr" (an empty list)
    import pydantic

    with pytest.raises(pydantic.ValidationError, match=re.escape(message)):
        value_settings_from_env(environ=environ)


def test_launchpad_only_value_settings_are_checked_too():
    import pydantic

    for field, value in (("hours_per_year", 0), ("core_points", 0), ("top_tasks_per_occupation", 0)):
        with pytest.raises(pydantic.ValidationError, match=field):
            value_settings_from_env(environ={}, **{field: value})


def test_a_previous_oes_vintage_not_before_the_current_one_is_refused():
    import pydantic

    with pytest.raises(pydantic.ValidationError, match="must be earlier than oes_vintage"):
        settings_from_env(environ={"TASKVALUE_OES_VINTAGE": "2023", "TASKVALUE_OES_PREVIOUS_VINTAGE": "2024"})
    # the same year twice compared it with itself: every release change 0, silently
    with pytest.raises(pydantic.ValidationError, match="must be earlier than oes_vintage"):
        settings_from_env(environ={"TASKVALUE_OES_VINTAGE": "2024", "TASKVALUE_OES_PREVIOUS_VINTAGE": "2024"})
    # the README's release changes compare May 2023 with May 2024 by default
    defaults = settings_from_env(environ={})
    assert (defaults.oes_previous_vintage, defaults.oes_vintage) == (2023, 2024)


@pytest.mark.parametrize(
    "build, environ, message",
    [
        # each was accepted and published nonsense, or failed half way through the run
        (
            coverage_settings_from_env,
            {"TASKVALUE_COVERAGE_MAX_RANK": "0"},
            "TASKVALUE_COVERAGE_MAX_RANK) must be at least 1",
        ),
        (
            coverage_settings_from_env,
            {"TASKVALUE_COVERAGE_TOP_GAPS": "-1"},
            "TASKVALUE_COVERAGE_TOP_GAPS) must be at least 1",
        ),
        (
            coverage_settings_from_env,
            {"TASKVALUE_COVERAGE_TOP_TIERS": "-2"},
            "TASKVALUE_COVERAGE_TOP_TIERS) must be 0",
        ),
        (
            coverage_settings_from_env,
            {"TASKVALUE_COVERAGE_BOTTOM_TIERS": "-1"},
            "TASKVALUE_COVERAGE_BOTTOM_TIERS) must be 0",
        ),
        (
            inventory_settings_from_env,
            {"TASKVALUE_MATCHER": "tfid"},
            "TASKVALUE_MATCHER='tfid': expected one of tfidf, embeddings, hybrid",
        ),
        (
            inventory_settings_from_env,
            {"TASKVALUE_DOMAIN_BONUS": "nan"},
            "domain_bonus (TASKVALUE_DOMAIN_BONUS) must be a finite number",
        ),
        (
            inventory_settings_from_env,
            {"TASKVALUE_DOMAIN_BONUS": "inf"},
            "domain_bonus (TASKVALUE_DOMAIN_BONUS) must be a finite number",
        ),
        (
            inventory_settings_from_env,
            {"TASKVALUE_TECHNOLOGY_BONUS": "nan"},
            "technology_bonus (TASKVALUE_TECHNOLOGY_BONUS) must be a finite number",
        ),
        (
            inventory_settings_from_env,
            {"TASKVALUE_BOILERPLATE_SHARE": "0"},
            "boilerplate_share (TASKVALUE_BOILERPLATE_SHARE) must be a share of the tasks, above 0 and at most 1",
        ),
        (
            inventory_settings_from_env,
            {"TASKVALUE_BOILERPLATE_SHARE": "30"},
            "boilerplate_share (TASKVALUE_BOILERPLATE_SHARE) must be a share of the tasks, above 0 and at most 1",
        ),
        (
            settings_from_env,
            {"TASKVALUE_ONET_PREVIOUS_RELEASE": "29.0"},
            "earlier than onet_release (TASKVALUE_ONET_RELEASE, '29.0')",
        ),
        (
            settings_from_env,
            {"TASKVALUE_ONET_PREVIOUS_RELEASE": "29.1"},
            "TASKVALUE_ONET_PREVIOUS_RELEASE, '29.1'",
        ),
        (settings_from_env, {"TASKVALUE_ONET_PREVIOUS_RELEASE": "last"}, "like 29.0 (got 'last')"),
        (
            settings_from_env,
            {"TASKVALUE_ONET_PREVIOUS_RELEASE": "28"},
            "(TASKVALUE_ONET_PREVIOUS_RELEASE) must be an O*NET release",
        ),
        (
            settings_from_env,
            {"TASKVALUE_ONET_PREVIOUS_RELEASE": "28.3.1"},
            "(TASKVALUE_ONET_PREVIOUS_RELEASE) must be an O*NET release",
        ),
        (
            settings_from_env,
            {"TASKVALUE_ONET_RELEASE": "29"},
            "onet_release (TASKVALUE_ONET_RELEASE) must be an O*NET release like 29.0",
        ),
        (
            settings_from_env,
            {"TASKVALUE_CONTACT_EMAIL": "ops@example.org\nX-Injected: 1"},
            "contact_email (TASKVALUE_CONTACT_EMAIL) must be an e-mail address on one line (got "
            "'ops@example.org\\nX-Injected: 1')",
        ),
        (
            settings_from_env,
            {"TASKVALUE_CONTACT_EMAIL": "not an email"},
            "(TASKVALUE_CONTACT_EMAIL) must be an e-mail address on one line (got 'not an email')",
        ),
        (
            settings_from_env,
            {"TASKVALUE_WAREHOUSE": "x.duckdb", "TASKVALUE_WORK_DB": "./x.duckdb"},
            "are the same file",
        ),
    ],
)
def test_settings_that_would_publish_nonsense_are_refused_at_load(build, environ, message):
    import pydantic

    with pytest.raises((pydantic.ValidationError, ValueError), match=re.escape(message)):
        build(environ=environ)


def test_a_matcher_named_in_capitals_or_by_run_config_is_accepted_or_refused_alike():
    import pydantic

    assert inventory_settings_from_env(environ={"TASKVALUE_MATCHER": "TFIDF"}).matcher == "tfidf"
    assert inventory_settings_from_env(environ={}, matcher=" Hybrid ").matcher == "hybrid"
    with pytest.raises(
        pydantic.ValidationError, match=re.escape("matcher (TASKVALUE_MATCHER) must be one of")
    ):
        inventory_settings_from_env(environ={}, matcher="bm25")
    # an earlier previous release is fine, compared as numbers (9.1 < 28.3, 28.9 < 28.10), and kept stripped
    assert settings_from_env(
        environ={"TASKVALUE_ONET_PREVIOUS_RELEASE": "9.1", "TASKVALUE_ONET_RELEASE": "28.3"}
    )
    assert settings_from_env(
        environ={"TASKVALUE_ONET_PREVIOUS_RELEASE": "28.9", "TASKVALUE_ONET_RELEASE": "28.10"}
    )
    assert (
        settings_from_env(environ={"TASKVALUE_ONET_PREVIOUS_RELEASE": " 28.3 "}).onet_previous_release
        == "28.3"
    )


def test_tier_counts_that_do_not_fit_the_tier_bands_stop_the_build_naming_both_settings():
    import duckdb

    from tests.coverage.conftest import build_fixture_db

    # the fixture has 3 tier bands: 50 bottom bands flagged every task low tier, $200+/hr work included;
    # an explicit count is checked against the default third of the other too (top 2 + bottom 1 = 3 fits)
    for bottom, top, made in (
        (3, 0, "3 bottom and 1 top"),
        (0, 3, "1 bottom and 3 top"),
        (2, 2, "2 bottom and 2 top"),
        (50, 0, "50 bottom and 1 top"),
        (0, 2, None),
        (2, 0, None),
    ):
        if made is None:
            build_fixture_db(bottom_tier_count=bottom, top_tier_count=top).close()
            continue
        with pytest.raises(
            duckdb.InvalidInputException,
            match=f"BOTTOM_TIERS={bottom} and TASKVALUE_COVERAGE_TOP_TIERS={top} make {made} bands of the 3 tier bands",
        ):
            build_fixture_db(bottom_tier_count=bottom, top_tier_count=top)
    con = build_fixture_db(bottom_tier_count=2, top_tier_count=1)
    assert con.execute(
        "select tier, is_bottom_tier, is_top_tier from int.domain_tier_order order by tier_position"
    ).fetchall() == [("low", True, False), ("mid", True, False), ("high", False, True)]


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        # the unset bands are tfidf's (0.28, 0.15, 0.075): a high band below them failed the matches
        # asset half way through a run
        ({"TASKVALUE_MATCH_HIGH_THRESHOLD": "0.1"}, "high >= medium >= low, got (0.1, 0.15, 0.075)"),
        ({"TASKVALUE_MATCH_LOW_THRESHOLD": "0.9"}, "TASKVALUE_MATCH_LOW_THRESHOLD"),
        ({"TASKVALUE_DOMAIN_BONUS": "1e-9"}, "domain_bonus (TASKVALUE_DOMAIN_BONUS)"),
        ({"TASKVALUE_TECHNOLOGY_BONUS": "1e-9"}, "technology_bonus (TASKVALUE_TECHNOLOGY_BONUS)"),
        # a resemblance floor above low would call a low-band text "no work"
        (
            {"TASKVALUE_MATCH_UNRELATED_THRESHOLD": "0.08"},
            "must not exceed the low threshold (0.075), got 0.08 (matcher tfidf; "
            "unrelated_threshold (TASKVALUE_MATCH_UNRELATED_THRESHOLD)",
        ),
        ({"TASKVALUE_MATCH_UNRELATED_THRESHOLD": "nan"}, "TASKVALUE_MATCH_UNRELATED_THRESHOLD"),
    ],
)
def test_match_bands_out_of_order_once_defaults_fill_in_are_refused_at_once(environ, message):
    import pydantic

    with pytest.raises(pydantic.ValidationError, match=re.escape(message)):
        inventory_settings_from_env(environ=environ)
    # in order with the defaults: accepted
    assert (
        inventory_settings_from_env(environ={"TASKVALUE_MATCH_HIGH_THRESHOLD": "0.3"}).high_threshold == 0.3
    )


def test_the_resemblance_floor_is_the_setting_or_the_matchers_never_above_low():
    from assets.inventory.thresholds import unrelated_threshold_for

    assert unrelated_threshold_for(inventory_settings_from_env(environ={})) == 0.045  # tfidf's
    assert (
        unrelated_threshold_for(inventory_settings_from_env(environ={"TASKVALUE_MATCHER": "hybrid"})) == 0.132
    )
    given = {"TASKVALUE_MATCH_UNRELATED_THRESHOLD": "0.01"}
    assert unrelated_threshold_for(inventory_settings_from_env(environ=given)) == 0.01
    # a low band set below the calibrated floor takes the floor down with it
    low = {"TASKVALUE_MATCH_LOW_THRESHOLD": "0.03", "TASKVALUE_MATCH_MEDIUM_THRESHOLD": "0.1"}
    assert unrelated_threshold_for(inventory_settings_from_env(environ=low)) == 0.03


def test_a_misspelt_setting_is_named_with_the_closest_real_one():
    # TASKVALUE_TIER_THRESHOLDS=20,40 (no _USD) published the default tiers without a word
    from orchestration.unknown_settings import unknown_variables

    environ = {
        "TASKVALUE_TIER_THRESHOLDS": "20,40",
        "TASKVALUE_TIER_THRESHOLDS_USD": "15,25",  # a real one: not named
        "TASKVALUE_ZZZ": "1",
        "HOME": "/root",
    }
    assert unknown_variables(environ) == [
        "TASKVALUE_TIER_THRESHOLDS is no taskvalue setting and is ignored (did you mean "
        "TASKVALUE_TIER_THRESHOLDS_USD?)",
        "TASKVALUE_ZZZ is no taskvalue setting and is ignored",
    ]


def test_every_setting_the_code_reads_is_a_known_one():
    # a variable read outside the settings classes must be listed, or its users would be warned
    import re
    from pathlib import Path

    from orchestration.unknown_settings import known_variables

    root = Path(__file__).resolve().parents[1]
    used = {
        name
        for folder in ("assets", "orchestration", "taskvalue_cli")
        for path in (root / folder).rglob("*.py")
        if path.name != "unknown_settings.py"  # its docstring quotes a misspelt name
        for name in re.findall(r"\bTASKVALUE_[A-Z0-9_]*[A-Z0-9]\b", path.read_text())
    } - {"TASKVALUE_X", "TASKVALUE_VAR"}  # names in comments and docstrings of assets/common/env.py
    assert len(used) > 40 and used <= known_variables(), sorted(used - known_variables())


def test_the_working_database_runs_under_the_configured_memory_limit(tmp_path):
    # at a million inventory tasks DuckDB took 4.2 GB over its baseline to build the matches (28 Nov);
    # under a limit it spills and the refresh's peak falls. Empty: DuckDB's own default, most of the RAM
    from orchestration.resources import duckdb_for

    def limit(environ: dict) -> str:
        # a database per call: DuckDB keeps one configuration per open file
        work_db = tmp_path / f"w{len(list(tmp_path.iterdir()))}.duckdb"
        settings = settings_from_env(environ=environ, work_db_path=str(work_db))
        with duckdb_for(settings).get_connection() as con:
            return con.execute("select current_setting('memory_limit')").fetchone()[0]

    assert limit({}) == "3.7 GiB"  # 4GB, as DuckDB prints it
    assert limit({"TASKVALUE_DUCKDB_MEMORY_LIMIT": "512 mib"}) == "512.0 MiB"
    assert (
        settings_from_env(environ={"TASKVALUE_DUCKDB_MEMORY_LIMIT": "1.5gb"}).duckdb_memory_limit == "1.5GB"
    )
    assert limit({"TASKVALUE_DUCKDB_MEMORY_LIMIT": ""}) != "3.7 GiB"
