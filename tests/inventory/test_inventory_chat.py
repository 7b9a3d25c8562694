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
from assets.inventory.schema import ALIASES, CHAT_COLUMNS, WEAK_ALIASES, map_header
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
        # OpenAI's Batch API: the request body holds the messages
        {
            "custom_id": "batch",
            "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": ASK}]},
        },
    ]
    (tmp_path / "chat.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    result = ingest_directory(tmp_path, OnetLookup())
    assert result.quarantine.is_empty()
    tasks = by_id(result)
    assert tasks["trl"]["description"] == f"You are a careful payroll specialist.\n\n{ASK}"
    assert all(
        tasks[i]["description"] == ASK for i in ("oai", "evals", "sharegpt", "parts", "gemini", "batch")
    )
    # nothing lost: the messages as given, under their own key
    assert json.loads(tasks["oai"]["extra_fields"]) == {"messages": records[1]["messages"]}
    assert json.loads(tasks["evals"]["extra_fields"]) == {"input": records[2]["input"], "ideal": "412"}
    assert tasks["trl"]["flags"] == (
        "description: read from 2 chat messages: the text of 2 system and user turns; "
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
    # the record has its chat column: not "no key named title or description" (28 Nov persona)
    assert q["detail"].startswith(
        "no_text: neither title nor description has text (the description is read from 'messages')"
    )
    assert "1 chat message, none of them a turn that poses the task" in q["detail"]
    assert "1 assistant turn left out" in q["detail"]
    assert json.loads(q["raw_record"]) == record
    # a posing turn without text is told apart from no posing turn at all
    blank = {"id": "blank-ask", "messages": [{"role": "user", "content": "  "}]}
    (tmp_path / "chat.jsonl").write_text(json.dumps(blank) + "\n")
    q = ingest_directory(tmp_path, OnetLookup()).quarantine.row(0, named=True)
    assert (
        q["reason"] == "no_text"
        and "1 chat message with no text in a turn that poses the task" in q["detail"]
    )


@pytest.mark.parametrize(
    "value",
    [
        [{"step": 1, "content": "Open the ledger."}],  # no role
        # an RBAC table: other roles, and `value` is not OpenAI's content key
        [
            {"role": "Assistant", "value": "Prepare the weekly payroll"},
            {"role": "admin", "value": "approve runs"},
        ],
        [{"from": "Chicago warehouse", "to": "Dallas", "value": 1200}],  # a route, not ShareGPT
        [{"role": "user", "content": "x"}, {"from": "gpt", "value": "y"}],  # two formats mixed
        [{"role": "user"}],  # no content anywhere
        [{"role": ["user"], "content": "x"}],
        [],
        "[not json, role",
    ],
)
def test_lists_that_are_not_messages_stay_as_read(tmp_path, value):
    assert chat_text(value, "prompt") is None
    (tmp_path / "t.jsonl").write_text(json.dumps({"id": "t", "title": "Payroll", "prompt": value}) + "\n")
    task = by_id(ingest_directory(tmp_path, OnetLookup()))["t"]
    assert task["description"] == (value if isinstance(value, str) else json.dumps(value))
    assert task["flags"] is None and task["extra_fields"] is None


def test_a_messages_column_is_read_only_when_it_holds_a_chat_and_no_description_is_given(tmp_path):
    chat = [{"role": "user", "content": ASK}]
    records = [
        {"id": "both", "prompt": "Audit the payroll.", "messages": chat},  # the prompt, as always
        {"id": "plain", "title": "Helpdesk", "messages": "3 unread"},  # not a chat: kept aside
        {"id": "chat", "messages": chat},
    ]
    (tmp_path / "t.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    tasks = by_id(ingest_directory(tmp_path, OnetLookup()))
    assert tasks["both"]["description"] == "Audit the payroll." and tasks["both"]["flags"] is None
    assert json.loads(tasks["both"]["extra_fields"]) == {"messages": chat}
    assert tasks["plain"]["description"] is None
    assert json.loads(tasks["plain"]["extra_fields"]) == {"messages": "3 unread"}
    assert tasks["chat"]["description"] == ASK


def test_serialized_messages_in_a_csv_cell(tmp_path):
    as_json = json.dumps([{"role": "user", "content": ASK}])
    as_repr = repr([{"role": "user", "content": ASK}])  # pandas writes a list cell this way
    # ... and a list column read from Parquet (a numpy array of dicts) this way: no commas between items
    as_numpy = "[{'role': 'system', 'content': 'Be brief.'}\n {'role': 'user', 'content': 'Audit it.'}]"
    with (tmp_path / "t.csv").open("w", newline="") as f:
        csv.writer(f).writerows([("id", "messages"), ("j", as_json), ("r", as_repr), ("n", as_numpy)])
    tasks = by_id(ingest_directory(tmp_path, OnetLookup()))
    assert tasks["j"]["description"] == ASK and tasks["r"]["description"] == ASK
    assert tasks["n"]["description"] == "Be brief.\n\nAudit it."
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
        # an alias beats a weak alias wherever the columns stand; the other column is kept in extra_fields
        (["question", "prompt"], {"prompt": "description"}),
        (["instance_id", "id"], {"id": "task_id"}),
        (["question", "answer"], {"question": "description"}),
        (["input", "question"], {"input": "description"}),
        # between aliases of one rank the leftmost wins, as it always did: `key, id` keeps key's IDs
        (["key", "id", "title"], {"key": "task_id", "title": "title"}),
        (["details", "prompt"], {"details": "description"}),
        # the canonical name beats every alias; between equal names the first wins
        (["Prompt", "description"], {"description": "description"}),
        (["Prompt", "prompt"], {"Prompt": "description"}),
        # chat-only columns are no alias
        (["id", "messages"], {"id": "task_id"}),
    ],
)
def test_alias_priority(header, expected):
    assert map_header(header) == expected


def test_readme_lists_every_alias_in_order():
    readme = (REPO / "README.md").read_text()
    table = readme[readme.index("### The inventory format") : readme.index("#### Chat-format prompts")]
    for field, names in ALIASES.items():
        line = next(row for row in table.splitlines() if row.startswith(f"| `{field}` |"))
        parts = line.split("|")[3].split(";")
        assert re.findall(r"`([a-z_]+)`", parts[0]) == list(names), field
        weak = [p for p in parts if p.strip().startswith("weak:")]
        assert [re.findall(r"`([a-z_]+)`", p) for p in weak] == (
            [list(WEAK_ALIASES[field])] if field in WEAK_ALIASES else []
        ), field
        chat = [p for p in parts if p.strip().startswith("chat only:")]
        assert [set(re.findall(r"`([a-z_]+)`", p)) for p in chat] == (
            [CHAT_COLUMNS] if field == "description" else []
        )


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Anthropic's legacy format, two rounds: the answers and the markers go
        (
            "\n\nHuman: Draft a refund reply.\n\nAssistant: Dear customer, ...\n\nHuman: Shorter.\n\nAssistant:",
            "Draft a refund reply.\nShorter.",
        ),
        # Vicuna's template on one line: its system sentence speaks of the chat, and goes
        ("USER: Draft a refund reply. ASSISTANT:", "Draft a refund reply."),
        (
            "A chat between a curious user and an artificial intelligence assistant. The assistant gives "
            "helpful, detailed, and polite answers to the user's questions. USER: Draft a refund reply. "
            "ASSISTANT: Dear customer, ...</s>USER: Shorter. ASSISTANT:",
            "Draft a refund reply.\nShorter.",
        ),
        ("Translate to French. USER: Good morning ASSISTANT:", "Translate to French.\nGood morning"),
        # prose that names the markers is no template (it does not await a reply, or does not
        # follow a sentence)
        (
            "Explain how USER: and ASSISTANT: markers work in our logs.",
            "Explain how USER: and ASSISTANT: markers work in our logs.",
        ),
        ("Explain the USER: and ASSISTANT:", "Explain the USER: and ASSISTANT:"),
        ("USER: one ASSISTANT: two ASSISTANT:", "USER: one ASSISTANT: two ASSISTANT:"),  # not alternating
        ("SYSTEM: Be brief.\nUSER: Draft a refund reply.\nASSISTANT:", "Be brief.\nDraft a refund reply."),
        (
            "### Instruction:\nSummarize the lease.\n\n### Input:\nThe lessee shall ...\n\n### Response:\n",
            "Summarize the lease.\nThe lessee shall ...",
        ),
        # a prompt that quotes a conversation is about it: left as written
        (
            "Context first.\nHuman: Ask.\nAssistant: Answer.",
            "Context first.\nHuman: Ask.\nAssistant: Answer.",
        ),
        # a judge prompt: the instruction after the transcript is the task, the judged answer is not
        (
            "User: My package never arrived.\nAssistant: Sorry to hear that!\n\nRate the assistant's reply 1-5.",
            "My package never arrived.\nRate the assistant's reply 1-5.",
        ),
        # the judge's line after a single line break; a long answer's second paragraph is no task
        (
            "User: My package is late.\nAssistant: Sorry to hear that.\nRate the assistant's reply 1-5.",
            "My package is late.\nRate the assistant's reply 1-5.",
        ),
        (
            "Human: How do I reconcile a bank statement?\n\nAssistant: First match deposits.\n\nThen post entries.",
            "How do I reconcile a bank statement?",
        ),
        # an answer's later paragraph that speaks of "the answer" asks nothing of it: not a judge's line
        (
            "Human: How do I reconcile a bank statement?\n\nAssistant: Match deposits.\n\nThe answer is usually "
            "in the bank's export.",
            "How do I reconcile a bank statement?",
        ),
        (
            "User: Q?\nAssistant: A.\n\nWhich response is more helpful, this one or the last?",
            "Q?\nWhich response is more helpful, this one or the last?",
        ),
        # Alpaca's preamble paragraph before the first marker stays, with the asking turns
        (
            "Below is an instruction that describes a task.\n\n### Instruction:\nSummarize the lease.\n\n"
            "### Response:\n",
            "Below is an instruction that describes a task.\nSummarize the lease.",
        ),
        # a spec that mentions roles mid-text is no transcript
        (
            "Design the prompt format for our bot.\nUser: the customer\nAssistant: the bot\nThen write the SQL schema.",
            "Design the prompt format for our bot.\nUser: the customer\nAssistant: the bot\nThen write the SQL schema.",
        ),
        # no answering marker, or no asking one: prose that mentions a role, left as written
        ("Human: factors matter here.", "Human: factors matter here."),
        (
            "The Assistant: a role in the clinic.\nAssistant: schedules visits.",
            "The Assistant: a role in the clinic.\nAssistant: schedules visits.",
        ),
    ],
)
def test_a_transcript_prompt_keeps_its_asking_turns(text, expected):
    from assets.inventory.matching.transcript import asking_turns

    assert asking_turns(text) == expected


@pytest.mark.slow
def test_a_transcript_prompt_matches_as_its_text_does(real_con):
    """On the real O*NET corpus: `Human:` ranked Human Resources Managers first for 3 of 4 prompts
    (measured 27 Nov), a SQL question among them; the asking turns alone rank as the plain prompt."""
    from assets.inventory.matching.corpus import load_corpus
    from assets.inventory.matching.match import QueryTask, match_tasks
    from assets.inventory.matching.matchers import make_matcher

    corpus = load_corpus(real_con)
    matcher = make_matcher("tfidf").fit_corpus(corpus)
    occupation = dict(real_con.execute("select task_id, onet_soc_code from marts.task_value").fetchall())
    ask = "Write a SQL query to find the top customers by revenue."
    forms = {
        "plain": ask,
        "anthropic": f"\n\nHuman: {ask}\n\nAssistant: Sure, here it is.",
        "alpaca": f"### Instruction:\n{ask}\n\n### Response:\n",
        "vicuna": "A chat between a curious user and an artificial intelligence assistant. The assistant "
        f"gives helpful, detailed, and polite answers to the user's questions. USER: {ask} ASSISTANT:",
    }
    tops = {}
    for name, text in forms.items():  # one at a time: no sentence is shared boilerplate
        found = match_tasks(matcher, corpus, [QueryTask(name, None, text)], 5)
        tops[name] = [occupation[t] for t in found.sort("ranking_score", descending=True)["onet_task_id"]]
    assert tops["anthropic"] == tops["plain"] == tops["alpaca"] == tops["vicuna"]
    assert not any(code.startswith("11-3121") or code.startswith("13-1071") for code in tops["anthropic"])
