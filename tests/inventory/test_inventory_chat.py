"""Chat-format prompts (TRL, OpenAI messages and evals, ShareGPT, Gemini) and eval-dataset column
names: the task text is the text of the turns that pose the task, the messages are kept as given."""

from __future__ import annotations

import csv
import json
import re

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from assets.inventory.chat import chat_text
from assets.inventory.ingest import OnetLookup, ingest_directory
from assets.inventory.schema import ALIASES, map_header
from tests.conftest import REPO

SYSTEM = {"role": "system", "content": "You are a careful payroll specialist."}
ASK = "Compute the federal tax withholding for each employee on this week's payroll."


def by_id(result) -> dict[str, dict]:
    return {r["task_id"]: r for r in result.tasks.iter_rows(named=True)}


def test_chat_formats_read_as_the_text_of_the_posing_turns(tmp_path):
    records = [
        # TRL conversational prompt: system + user
        {"id": "trl", "prompt": [SYSTEM, {"role": "user", "content": ASK}]},
        # OpenAI fine-tuning `messages` with the answer: the assistant turn is left out
        {
            "id": "oai",
            "messages": [{"role": "user", "content": ASK}, {"role": "assistant", "content": "$412"}],
        },
        # OpenAI evals `input` (the `ideal` answer is an unknown column, kept)
        {"task_id": "evals", "input": [{"role": "user", "content": ASK}], "ideal": "412"},
        # ShareGPT: from/value, human/gpt
        {
            "id": "sharegpt",
            "conversations": [{"from": "human", "value": ASK}, {"from": "gpt", "value": "ok"}],
        },
        # typed content parts with an image, and Gemini's role/parts
        {
            "id": "parts",
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": ASK},
                        {"type": "image_url", "image_url": {"url": "x"}},
                    ],
                }
            ],
        },
        {
            "id": "gemini",
            "contents": [{"role": "user", "parts": [{"text": ASK}]}, {"role": "model", "parts": []}],
        },
    ]
    (tmp_path / "chat.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    result = ingest_directory(tmp_path, OnetLookup())
    assert result.quarantine.is_empty()
    tasks = by_id(result)
    assert tasks["trl"]["description"] == f"You are a careful payroll specialist.\n\n{ASK}"
    assert all(tasks[i]["description"] == ASK for i in ("oai", "evals", "sharegpt", "parts", "gemini"))
    # nothing lost: the messages as given, under their own key
    assert json.loads(tasks["oai"]["extra_fields"]) == {"messages": records[1]["messages"]}
    assert json.loads(tasks["evals"]["extra_fields"]) == {"input": records[2]["input"], "ideal": "412"}
    assert tasks["trl"]["flags"] == (
        "description: read from 2 chat messages: the text of the system and user turns; "
        "the messages as given are in extra_fields['prompt']"
    )
    assert "1 assistant turn left out (answers, not the task)" in tasks["oai"]["flags"]
    assert "1 gpt turn left out" in tasks["sharegpt"]["flags"]
    assert "1 non-text part not read (image_url)" in tasks["parts"]["flags"]


def test_a_conversation_with_no_posing_text_is_quarantined_saying_so(tmp_path):
    record = {"id": "answers-only", "messages": [{"role": "assistant", "content": "Here is the report."}]}
    (tmp_path / "chat.jsonl").write_text(json.dumps(record) + "\n")
    result = ingest_directory(tmp_path, OnetLookup())
    q = result.quarantine.row(0, named=True)
    assert q["task_id"] == "answers-only" and q["reason"] == "no_text"
    assert "1 chat message with no text in a turn that poses the task" in q["detail"]
    assert "1 assistant turn left out" in q["detail"]
    assert json.loads(q["raw_record"]) == record


def test_lists_that_are_not_messages_stay_json(tmp_path):
    # a list of objects without a role is not a conversation: its JSON is the text, as before
    record = {"id": "steps", "prompt": [{"step": 1, "content": "Open the ledger."}]}
    (tmp_path / "t.jsonl").write_text(json.dumps(record) + "\n")
    task = by_id(ingest_directory(tmp_path, OnetLookup()))["steps"]
    assert task["description"] == '[{"step": 1, "content": "Open the ledger."}]'
    assert task["flags"] is None and task["extra_fields"] is None
    assert chat_text("[not json, role", "prompt") is None
    assert chat_text([], "prompt") is None
    assert chat_text([{"role": "user"}], "prompt") is None  # no content anywhere


def test_serialized_messages_in_a_csv_cell(tmp_path):
    as_json = json.dumps([{"role": "user", "content": ASK}])
    as_repr = repr([{"role": "user", "content": ASK}])  # pandas writes a list cell this way
    with (tmp_path / "t.csv").open("w", newline="") as f:
        csv.writer(f).writerows([("id", "messages"), ("j", as_json), ("r", as_repr)])
    tasks = by_id(ingest_directory(tmp_path, OnetLookup()))
    assert tasks["j"]["description"] == ASK and tasks["r"]["description"] == ASK
    # the cell as written (text) is kept
    assert json.loads(tasks["r"]["extra_fields"]) == {"messages": as_repr}


def test_parquet_list_of_structs(tmp_path):
    messages = pa.array(
        [[{"role": "system", "content": "Be brief."}, {"role": "user", "content": ASK}]],
        type=pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())])),
    )
    pq.write_table(pa.table({"instance_id": ["p-1"], "messages": messages}), tmp_path / "t.parquet")
    task = by_id(ingest_directory(tmp_path, OnetLookup()))["p-1"]
    assert task["description"] == f"Be brief.\n\n{ASK}"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        # an earlier alias wins wherever the columns stand; the other column is kept in extra_fields
        (["query", "prompt"], {"prompt": "description"}),
        (["prompt", "query"], {"prompt": "description"}),
        (["instance_id", "id"], {"id": "task_id"}),
        # the canonical name beats every alias; between equal names the first wins
        (["Prompt", "description"], {"description": "description"}),
        (["Prompt", "prompt"], {"Prompt": "description"}),
        (["question", "answer"], {"question": "description"}),
    ],
)
def test_alias_priority(header, expected):
    assert map_header(header) == expected


def test_readme_lists_every_alias_in_order():
    readme = (REPO / "README.md").read_text()
    table = readme[readme.index("### The inventory format") : readme.index("#### File types")]
    for field, names in ALIASES.items():
        line = next(row for row in table.splitlines() if row.startswith(f"| `{field}` |"))
        assert re.findall(r"`([a-z_]+)`", line.split("|")[3]) == list(names), field


@pytest.mark.slow
def test_a_chat_prompt_matches_as_its_text_does(tmp_path, real_con):
    """On the real O*NET corpus: the chat form of a prompt ranks what its plain text ranks; written out
    as JSON, the role/content keys moved the match (Computer User Support Specialists)."""
    from assets.inventory.matching.corpus import load_corpus
    from assets.inventory.matching.match import QueryTask, match_tasks
    from assets.inventory.matching.matchers import make_matcher

    ask = "Write a SQL query to find the top customers by revenue."
    chat = [{"role": "user", "content": ask}, {"role": "assistant", "content": "SELECT 1"}]
    (tmp_path / "t.jsonl").write_text(json.dumps({"id": "chat", "messages": chat}) + "\n")
    task = by_id(ingest_directory(tmp_path, OnetLookup()))["chat"]
    corpus = load_corpus(real_con)
    matcher = make_matcher("tfidf").fit_corpus(corpus)
    tasks = [QueryTask("chat", None, task["description"]), QueryTask("plain", None, ask)]
    tasks.append(QueryTask("json", None, json.dumps(chat[:1])))
    found = match_tasks(matcher, corpus, tasks, 5)
    occupation = dict(real_con.execute("select task_id, onet_soc_code from marts.task_value").fetchall())

    def top(task_id: str) -> list[str]:
        rows = found.filter(found["inventory_task_id"] == task_id).sort("ranking_score", descending=True)
        return [occupation[t] for t in rows["onet_task_id"]]

    assert top("chat") == top("plain")
    assert "15-1232.00" in top("json") and "15-1232.00" not in top("chat")  # Computer User Support
