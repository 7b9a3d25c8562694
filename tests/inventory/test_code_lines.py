"""Code pasted without a fence is not matched as words, and no line of O*NET's own prose is taken for code."""

from __future__ import annotations

import textwrap
from pathlib import Path

import polars as pl
import pytest

from assets.inventory.matching.code_lines import drop_code_lines, is_code
from assets.inventory.matching.text import prose, query_texts

SNIPPETS = sorted((Path(__file__).parents[1] / "fixtures" / "code_snippets").glob("*.txt"))


def _words(text: str) -> str:
    return " ".join(text.split())


# what is left of each snippet: nothing, or prose that is not code (a traceback's sentence)
LEFT = {
    "traceback.py.txt": "During handling of the above exception, another exception occurred:",
    "stack_trace.java.txt": "... 12 more",
    "fix.diff.txt": "return invoice",  # an unchanged context line of two words, after the hunk's code
    # (R's last line, the bare call `library(dplyr)`, goes since 27 Nov: a snippet's last lines go
    # while they carry a code signal)
    "config.yaml.txt": "- run: pytest tests/",  # a list item whose value has a space
}


@pytest.mark.parametrize("path", SNIPPETS, ids=[p.name for p in SNIPPETS])
def test_a_snippet_pasted_without_a_fence_is_dropped(path):
    # Python, JavaScript, SQL, a Dockerfile, a shell session, Java, Go, Rust, C#, R, a Python traceback,
    # a Java stack trace, service logs, a diff, YAML/JSON/TOML, HTML/CSS and a Makefile: every line goes, including `else:`-like lines
    # inside a block (`return -1`), so `order`, `COPY`, `billing` or `invoice` match no duty
    assert _words(drop_code_lines(path.read_text())) == LEFT.get(path.name, "")


def test_a_prompt_made_only_of_code_has_nothing_to_match_on():
    # the weak point of the fenced-only rule: an untitled LRU snippet reached `medium` on Stockers
    lru = (SNIPPETS[0].parent / "lru_cache.py.txt").read_text()
    assert query_texts(None, lru) == []
    assert query_texts("LRU cache", lru) == ["LRU cache"]


def test_the_sentences_around_unfenced_code_stay():
    prompt = (
        "## Task: fix the cache\n"
        "The cache below evicts the wrong key when it is full.\n"
        "def put(self, key, value):\n"
        "    if key in self.cache:\n"
        "        self.order.remove(key)\n"
        "    self.cache[key] = value\n"
        "\n"
        "Make it evict the least recently used key, and keep the public API.\n"
        "Write `merge_intervals(a, b)` so that overlapping ranges are joined.\n"
        "Read the spec at https://example.com/specs/cache_policy_v2.html before you start.\n"
        "- keep the headline under 60 characters;\n"
        "- one call to action (sign up, or book a demo);\n"
        "Revenue grew 12% (from $1.2M to $1.34M) year over year.\n"
        "| quarter | revenue |\n"
        "|---|---|\n"
        "| Q1 | 1.2 |\n"
    )
    kept = [x for x in prose(prompt).split("\n") if x.strip()]
    assert kept == [
        "## Task: fix the cache",
        "The cache below evicts the wrong key when it is full.",
        "Make it evict the least recently used key, and keep the public API.",
        "Write `merge_intervals(a, b)` so that overlapping ranges are joined.",
        "Read the spec at https://example.com/specs/cache_policy_v2.html before you start.",
        "- keep the headline under 60 characters;",
        "- one call to action (sign up, or book a demo);",
        "Revenue grew 12% (from $1.2M to $1.34M) year over year.",
    ]  # the Markdown table went: data, not work (test_a_markdown_table_is_data_not_work)


def test_a_markdown_table_is_data_not_work():
    # a persona's AML alert (27 Nov): its transaction rows of "cash deposit" made the chunk that ranked
    # Tellers' "Arrange monies received in cash boxes" first at `medium`, a low_tier_only verdict
    prompt = (
        "Review the alert below and decide whether to escalate to a Suspicious Activity Report.\n"
        "Transactions (excerpt):\n"
        "| date | type | channel | amount |\n"
        "|---|:---|---:|---|\n"
        "| 2024-09-18 | cash deposit | BR-12 | 9,500.00 |\n"
        "| 2024-09-19 | cash deposit | BR-19 | 9,800.00 |\n"
        "\n"
        "date | type\n"  # without outer pipes
        "--- | ---\n"
        "2024-09-20 | wire out\n"
        "\n"
        "| Q1 | 1.2 |\n"  # no delimiter row: three rows between pipes are a table too
        "| Q2 | 1.3 |\n"
        "| Q3 | 1.4 |\n"
        "\n"
        "Pick one option | the other | or neither.\n"  # pipes in a sentence: not a table
        "| a lone row |\n"
        "\n"
        "You are a paralegal.\n"  # a reviewer's instructions in a table (27 Nov): they are the work
        "| Step | Instruction |\n"
        "| --- | --- |\n"
        "| 1 | Draft a motion to compel discovery of the withheld emails |\n"
        "| 2 | File the motion with the court clerk |\n"
        "Then write a memo explaining why column a | b differs.\n"  # one pipe after a table: prose
    )
    kept = [x for x in prose(prompt).split("\n") if x.strip()]
    assert kept == [
        "Review the alert below and decide whether to escalate to a Suspicious Activity Report.",
        "Transactions (excerpt):",
        "Pick one option | the other | or neither.",
        "| a lone row |",
        "You are a paralegal.",
        "| 1 | Draft a motion to compel discovery of the withheld emails |",
        "| 2 | File the motion with the court clerk |",
        "Then write a memo explaining why column a | b differs.",
    ]


def test_lines_of_prose_that_look_a_little_like_code_stay():
    # the reviewed false positives of the first version (each was dropped), then older cases
    for line in [
        "Fix the bug in src/checkout/service.py and add a regression test in tests/test_checkout.py.",
        "The function parse_date() fails on ISO dates with a timezone; fix it.",
        "Repro: call place_order() twice with the same idempotency_key within 5 seconds.",
        "Prüfen Sie die Eingangsrechnungen (rechnungen_q3.xlsx) auf Dubletten und fehlerhafte USt-Beträge.",
        "Join customers.csv to orders.csv on customer_id (left join).",
        "Identify invoices where invoice_date > due_date (overdue).",
        "- **customer_id**: the customer who placed the order",
        "Determine the pH of a 0.01 M HCl solution and report it in mmHg and kWh.",
        "Personalise it with {first_name}, {company} and {webinar_title}.",
        "(see brand_guide_v3.pdf, p. 4)",
        "Output (JSON):",
        "Headline (max 8 words):",
        "ADD TO CART",
        "SELECT ONE OPTION FROM THE LIST BELOW",
        "FROM 1 JANUARY 2025, THE NEW TERMS APPLY.",
        "for each customer in the list, do the following:",
        "return (or refund) the order within 14 days.",
        "return merchandise. Confer with",
        "raise capital. Develop or analyze",
        "package tracking",
        "## Senior C++ Engineer (m/f/d)",
        "Tone: friendly",
        "note: keep it short",
        # requests that start with a tool's name or an upper-case SQL word (review of the second version)
        "python script to rename all invoices in a folder by date",
        "docker compose up fails on my laptop, help",
        "git rebase vs merge: which should our team use?",
        "FROM now on, reply to customers in Spanish",
        "WHERE possible, use plain language in patient letters",
        "AND ensure the invoice total matches the purchase order",
        "from scratch, without templates:",
        "for example, the following:",
        "if needed:",
        "return the result (as a list)",
        "import the data into the spreadsheet",
        "public speaking (optional)",
        "function of (x)",
        "FROM THE DESK OF THE CEO",
        "COPY EDITING GUIDELINES FOR STAFF",
        "Save the summary to report.txt (one row per order).",
        "Use e.g. the 2023 figures; i.e. the audited ones.",
        "Rate each answer 1-5 -> write the score next to it.",
    ]:
        assert not is_code(line), line
    assert (
        drop_code_lines("if needed:\nreturn the result (as a list)")
        == "if needed:\nreturn the result (as a list)"
    )


def _onet_prose(shared_data: Path) -> dict[str, list[str]]:
    release = shared_data / "onet" / "29.0"

    def column(name: str, col: str) -> list[str]:
        frame = pl.read_csv(release / name, separator="\t", quote_char=None, infer_schema=False)
        return [x for x in frame[col].to_list() if x]

    return {
        "task statements": column("Task Statements.txt", "Task"),
        "emerging tasks": column("Emerging Tasks.txt", "Task"),
        "DWA titles": column("DWA Reference.txt", "DWA Title"),
        "IWA titles": column("IWA Reference.txt", "IWA Title"),
        "occupation descriptions": column("Occupation Data.txt", "Description"),
    }


def test_no_line_of_onet_prose_is_code_even_wrapped_at_any_width(shared_data):
    # O*NET 29.0's own text: each statement alone, and all of them run together and wrapped at every
    # 4th width from 20 to 100, so that lines start with any word ("for", "return", "from",
    # "package") and end anywhere
    texts = _onet_prose(shared_data)
    assert len(texts["task statements"]) == 18_796 and len(texts["DWA titles"]) == 2_087
    checked = 0
    for name, rows in texts.items():
        assert [r for r in rows if drop_code_lines(r) != r] == [], name
        for width in range(20, 101, 4):  # 21 widths: the first version failed at widths it was not tried on
            wrapped = "\n".join(textwrap.wrap(" ".join(rows), width))
            assert drop_code_lines(wrapped) == wrapped, (name, width)
            checked += wrapped.count("\n") + 1
    assert checked > 1_000_000


def test_commands_and_clauses_with_code_after_them_are_still_code():
    for line in [
        "pip install pandas",
        "git commit -m fix",
        "FROM orders o",
        "AND status = 1",
        '<div class="invoice">',
    ]:
        assert is_code(line), line


def test_windows_line_endings_close_a_fence_and_odd_text_does_not_crash():
    text = "Intro.\r\n```\r\ncode = 1\r\n```\r\nWrite the quarterly budget summary.\r\n"
    assert _words(prose(text)) == "Intro. Write the quarterly budget summary."  # was: "Intro." only
    assert drop_code_lines("x = 1 \ud83d") == ""  # a lone surrogate raised UnicodeEncodeError
    # pathological 19,200-character lines are judged (their time was quadratic, ~1 s; now a few ms,
    # measured by hand, not here: speed belongs to bench/)
    chain = "a." * 9600 + "("
    assert drop_code_lines(chain) == chain  # one-letter names: not an attribute access
    assert drop_code_lines("<a " + "b='x' " * 3200) == ""  # a tag with an attribute


def test_the_benchs_swe_prompts_keep_their_work_and_lose_their_snippets():
    # bench.matching --synthetic-code times 100k prompts like these; they must be what they claim:
    # two statements of work, then 4-8 snippets the code-line pass removes (all but LEFT's few words)
    import duckdb

    from bench.matching import synthetic_inventory

    con = duckdb.connect()
    con.execute("create schema staging")
    con.execute("create table staging.onet_dwa_reference as select 'Prepare budgets' as dwa_title")
    con.execute(
        "create table staging.onet_task_statements as select * from (values "
        "('Prepare the annual budget of the department.'), ('Review invoices for accuracy before payment.')) t(task)"
    )
    con.execute("create table staging.onet_occupations as select '13-2011.00' as onet_soc_code")
    tasks = synthetic_inventory(con, 40, code_share=0.5)
    swe = [t for t in tasks if "\n" in t.description]
    assert 10 <= len(swe) <= 30  # about half
    for t in swe:
        kept = _words(prose(t.description))
        assert kept.startswith("You are an agent. ") and kept.endswith(
            "Make the failing test pass. Grade: rubric."
        )
        assert "Prepare the annual budget" in kept or "Review invoices" in kept
        assert len(t.description) >= 1000 and len(kept) < 400
    assert all(len(t.description) < 3000 and "\n" not in t.description for t in tasks if t not in swe)


def test_many_prompts_are_cleaned_on_every_core_with_the_same_result_in_order(monkeypatch):
    # prose_all forks workers past PARALLEL_MIN_LINES; min_lines=0 forces it on a small input. Each
    # prompt is unique (its index in its text), so a slice returned out of order or twice would show
    import os
    import time

    from assets.inventory.matching import prose_pool

    monkeypatch.setattr(prose_pool, "usable_cores", lambda: 2)
    snippets = [p.read_text() for p in SNIPPETS]
    texts = [
        None
        if i % 17 == 0
        else f"Task {i}: reconcile invoice {i} with the ledger.\n{snippets[i % len(snippets)]}"
        for i in range(101)
    ] + [""]
    sequential = [prose(t) for t in texts]
    # each worker tags what it cleaned with its pid (the forked workers inherit the patched name); the
    # pause makes every slice outlast a fork, so one worker cannot take them all before the other starts
    monkeypatch.setattr(prose_pool, "prose", lambda t: (time.sleep(0.01), os.getpid(), prose(t))[1:])
    parallel = prose_pool.prose_all(texts, min_lines=0)
    assert [x for _, x in parallel] == sequential
    pids = {pid for pid, _ in parallel}
    assert len(pids) == 2 and os.getpid() not in pids  # both workers forked, none of it done here
    assert sequential[1].startswith("Task 1: reconcile invoice 1 with the ledger.")
    assert sequential[0] is None and sequential[-1] == ""
    # below the threshold nothing forks
    assert {pid for pid, _ in prose_pool.prose_all(texts)} == {os.getpid()}


def test_a_worker_killed_mid_pass_fails_the_match_instead_of_hanging(monkeypatch):
    # the out-of-memory killer takes a worker: the refresh must stop with an error, not wait forever
    import os
    import signal
    from concurrent.futures.process import BrokenProcessPool

    from assets.inventory.matching import prose_pool

    monkeypatch.setattr(prose_pool, "usable_cores", lambda: 2)
    monkeypatch.setattr(prose_pool, "prose", lambda t: os.kill(os.getpid(), signal.SIGKILL))
    with pytest.raises(BrokenProcessPool):
        prose_pool.prose_all(["a line"] * 40, min_lines=0)


def test_the_workers_die_with_a_killed_parent(tmp_path):
    # a refresh killed by the OOM killer or kill -9 mid-pass: its workers must not linger, holding the
    # memory they inherited and the pipe of `taskvalue refresh | tee log` open forever
    import os
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "parent.py"
    script.write_text(
        "import os, sys, time\n"
        f"sys.path.insert(0, {str(Path(__file__).parents[2])!r})\n"
        "from assets.inventory.matching import prose_pool\n"
        "prose_pool.usable_cores = lambda: 2\n"
        "def slow(t):\n"
        "    os.write(1, f'{os.getpid()}\\n'.encode())  # one write: two workers' prints may interleave\n"
        "    time.sleep(60)\n"
        "prose_pool.prose = slow\n"
        "prose_pool.prose_all(['a'] * 16, min_lines=0)\n"
    )
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    workers = {int(parent.stdout.readline()), int(parent.stdout.readline())}
    assert len(workers) == 2 and parent.pid not in workers
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while workers and time.monotonic() < deadline:
        for pid in list(workers):
            try:
                with open(f"/proc/{pid}/stat") as f:
                    if f.read().split(") ")[1].startswith("Z"):
                        workers.discard(pid)  # dead, waiting for init to reap it
            except FileNotFoundError:
                workers.discard(pid)
        time.sleep(0.1)
    assert not workers, f"workers {workers} outlived their parent"
    assert parent.stdout.read() == ""  # the pipe closed: nothing holds it open


@pytest.mark.parametrize(
    "prompt, left",
    [
        (
            "def f(x):\n    return x*2\n\nprint(f(3))",
            "",
        ),  # the tail kept 'return' and 'print': medium on Print Binding
        # a short line with no code signal ends the snippet's tail: it may be the instruction
        ("Fix this:\ndef f(x):\n    return x*2\n\nMake it faster.", "Fix this: return x*2 Make it faster."),
        ("x = compute(a)\n  Check overtime.\n  Flag anomalies.", "Check overtime. Flag anomalies."),
        (
            "Fix the query:\nSELECT a FROM t WHERE b = 1;\n - add index\n - explain plan",
            "Fix the query: - add index - explain plan",
        ),
        ("Use f(x) here", "Use f(x) here"),
        ("Note (important)", "Note (important)"),
        ("Call report(x) after the run.", "Call report(x) after the run."),
    ],
)
def test_the_end_of_a_snippet_that_ends_the_prompt_goes_and_the_instruction_after_it_stays(prompt, left):
    assert _words(prose(prompt)) == left


def _kept(text: str) -> list[str]:
    return [x for x in prose(text).split("\n") if x.strip()]


def test_a_table_or_config_block_that_ends_the_prompt_is_dropped_too():
    assert _kept("Summarise the quarter.\n| Q1 | 1.2 |\n| Q2 | 1.3 |\n| Q3 | 1.4 |") == [
        "Summarise the quarter."
    ]
    assert _kept("Deploy the service with this config.\nname: web\nimage: nginx\nport: 80") == [
        "Deploy the service with this config."
    ]


def test_the_edges_of_a_table_row_that_stays():
    # a cell of four words is an instruction and stays; three short words are data
    prompt = "You are a paralegal.\n| Step | Instruction |\n|---|---|\n| 3 | Call the new client |\n| 4 | cash deposit BR |"
    assert _kept(prompt) == ["You are a paralegal.", "| 3 | Call the new client |"]
    # a sentence with a pipe after a table stays; a header without pipes around it goes with its table
    assert _kept("| a | b |\n|---|---|\n| 1 | 2 |\nCompare x | y.") == ["Compare x | y."]
    assert _kept("Please review the accounts.\nclient name | account type\n---|---\nAcme | savings") == [
        "Please review the accounts."
    ]
    assert _kept("Review the rows below.\n|---|---|\n| a | b |") == ["Review the rows below."]
