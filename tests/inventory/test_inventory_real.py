"""End to end over ../shared/data: the shipped example inventory lands where a human would put it."""

from __future__ import annotations

import duckdb
import pytest

from tests.conftest import REPO
from tests.inventory.inventory_helpers import refresh

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def real_con(tmp_path_factory, shared_data):
    """The shipped example inventory mapped over the real O*NET files (inventory + O*NET assets only,
    so this test depends on no other layer)."""
    settings = refresh(tmp_path_factory.mktemp("example"), shared_data, REPO / "inventory")
    con = duckdb.connect(str(settings.work_db), read_only=True)
    yield con
    con.close()


def rank1(con, task_id: str) -> dict:
    cur = con.execute(
        "select * from marts.inventory_task_matches where inventory_task_id = ? and rank = 1", [task_id]
    )
    cols = [d[0] for d in cur.description]
    return dict(zip(cols, cur.fetchall()[0], strict=True))


def top_codes(con, task_id: str) -> list[str]:
    rows = con.execute(
        "select onet_soc_code from marts.inventory_task_matches where inventory_task_id = ? order by rank",
        [task_id],
    ).fetchall()
    return [r[0] for r in rows]


def test_example_inventory_loads_without_quarantine(real_con):
    assert real_con.execute("select count(*) from staging.inventory_quarantine").fetchall() == [(0,)]
    assert real_con.execute("select count(*) from staging.inventory_tasks").fetchall() == [(176,)]
    read = real_con.execute(
        "select sum(rows_read), sum(rows_accepted) from staging.inventory_files"
    ).fetchall()
    assert read == [(176, 176)]
    assert real_con.execute(
        "select count(distinct inventory_task_id) from marts.inventory_task_matches"
    ).fetchall() == [(176,)]


def test_sql_ledger_reconciliation_lands_on_accountants(real_con):
    m = rank1(real_con, "DA-001")  # "Write a SQL query to reconcile ledgers", hinted 13-2011.00
    assert m["onet_soc_code"] == "13-2011.00" and m["method"] == "hinted"
    assert m["occupation_title"] == "Accountants and Auditors"


def test_launch_blog_post_lands_on_writers(real_con):
    m = rank1(real_con, "CPY-001")  # occupation given by title: "Writers and Authors"
    assert m["onet_soc_code"] == "27-3043.00" and m["method"] == "hinted"


def test_explicit_links_win(real_con):
    m = rank1(real_con, "LINK-001")
    assert (m["onet_task_id"], m["method"], m["confidence"]) == (21505, "explicit", "high")


def test_text_only_tasks_land_on_plausible_occupations(real_con):
    # no hints on these: plain text matching (default TF-IDF matcher)
    assert rank1(real_con, "FIN-006")["onet_soc_code"] in {"43-4131.00", "13-2072.00"}  # loan clerks/officers
    assert rank1(real_con, "SUP-008")["onet_soc_code"].startswith("43-")  # office/admin support: routing
    assert rank1(real_con, "SWE-002")["onet_soc_code"].startswith("15-12")  # web developers


def test_ungrounded_puzzles_get_no_confident_match(real_con):
    bands = real_con.execute(
        "select inventory_task_id, confidence from marts.inventory_task_matches "
        "where inventory_task_id like 'PZL-%' and rank = 1"
    ).fetchall()
    assert len(bands) == 6  # the example's six puzzles: the set below must not pass by being empty
    assert {b[1] for b in bands} <= {"low", "none"}


def test_a_tasks_domain_steers_text_matching_towards_its_occupations(real_con):
    # "Implement binary search tree deletion", domain "software engineering" (-> SOC 15-): without
    # the domain prior TF-IDF put Tree Trimmers and Pruners (37-3013.00) first
    m = rank1(real_con, "SWE-023")
    assert m["onet_soc_code"].startswith("15-") and m["in_inventory_domain"] is True
    # the tfidf default bonuses: 0.05 in the domain, 0.1 x the share of the named software (Python, ...)
    assert m["technology_share"] == pytest.approx(0.462216)
    assert m["ranking_score"] == pytest.approx(m["score"] + 0.05 + 0.1 * m["technology_share"], abs=2e-6)
    # "Write email subject line variants", digital copywriting: Writers and Authors, not Helpers' supervisors
    assert rank1(real_con, "CPY-002")["onet_soc_code"] == "27-3043.00"
    # a domain the config does not know ("reasoning puzzles") gives no prior
    flags = real_con.execute(
        "select distinct in_inventory_domain from marts.inventory_task_matches where inventory_task_id like 'PZL-%'"
    ).fetchall()
    assert flags == [(None,)]
    # hinted and explicit tasks keep their precedence: no prior applies to them
    assert rank1(real_con, "DA-001")["in_inventory_domain"] is None
    assert rank1(real_con, "LINK-001")["in_inventory_domain"] is None


def test_software_a_task_names_ranks_the_occupations_using_it_first(real_con):
    # "Implement CSV export endpoint" (names Python, Docker, JSON, TypeScript, ...): without the
    # technology prior Document Management Specialists (15-1299.03) ranked first and Database
    # Administrators second; with it the occupations listing more of that software fill the top 5
    m = rank1(real_con, "SWE-018")
    assert (m["onet_soc_code"], m["technology_share"]) == ("15-1242.00", pytest.approx(0.336882))
    assert m["ranking_score"] == pytest.approx(m["score"] + 0.05 + 0.1 * 0.336882, abs=2e-6)
    # the 17 words the share is of: software names (docker, typescript) and the English words of
    # vendor names (minute, option) alike
    assert len(m["technology_words"]) == 17
    assert {"docker", "python", "typescript", "json", "minute"} <= set(m["technology_words"])
    assert top_codes(real_con, "SWE-018") == [
        "15-1242.00",
        "15-1254.00",
        "15-1243.00",
        "15-1253.00",
        "15-1244.00",
    ]
    # every candidate of a task naming no listed software has no share; hinted tasks never get one
    assert real_con.execute(
        "select count(*) from marts.inventory_task_matches where method <> 'text' and technology_share is not null"
    ).fetchall() == [(0,)]
    named = real_con.execute(
        "select count(distinct inventory_task_id) from marts.inventory_task_matches where technology_share is not null"
    ).fetchall()
    assert named == [(36,)]
