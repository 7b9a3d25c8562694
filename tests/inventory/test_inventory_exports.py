"""Inventories as the tools teams keep them export them: Jira, Google Sheets, Airtable, Notion,
Linear, Asana, Hugging Face datasets. Each of these lost every row before (an export date format)."""

from __future__ import annotations

import csv
import datetime as dt
import json

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from assets.inventory.ingest import OnetLookup, Unparseable, ingest_directory, parse_datetime


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("05/Oct/24 2:16 AM", dt.datetime(2024, 10, 5, 2, 16)),  # Jira
        ("11/1/2024 6:54 AM", dt.datetime(2024, 11, 1, 6, 54)),  # Google Sheets, US locale
        ("1/3/2024 1:00pm", dt.datetime(2024, 1, 3, 13, 0)),  # Airtable
        ("November 12, 2024 3:04 PM", dt.datetime(2024, 11, 12, 15, 4)),  # Notion
        ("Nov 12, 2024", dt.datetime(2024, 11, 12)),
        ("12 Nov 2024", dt.datetime(2024, 11, 12)),
        ("12-Nov-24", dt.datetime(2024, 11, 12)),  # Excel's d-mmm-yy
        # JavaScript's Date.toString() (Linear), with the offset applied
        (
            "Tue Nov 12 2024 15:04:05 GMT+0100 (Central European Standard Time)",
            dt.datetime(2024, 11, 12, 14, 4, 5),
        ),
        ("Tue, 12 Nov 2024 15:04:05 GMT", dt.datetime(2024, 11, 12, 15, 4, 5)),  # e-mail, HTTP
        ("Tue, 12 Nov 2024 15:04:05 +0100", dt.datetime(2024, 11, 12, 14, 4, 5)),
        ("Tue, 12 Nov 2024 15:04:05", dt.datetime(2024, 11, 12, 15, 4, 5)),  # no zone: as written
        ("2024-11-12 15:04:05 UTC", dt.datetime(2024, 11, 12, 15, 4, 5)),
        ("2024-11-12T15:04:05-05:00", dt.datetime(2024, 11, 12, 20, 4, 5)),
        ("03/01/2025", dt.datetime(2025, 3, 1)),  # US order, as before
        ("01.03.2025 09:30", dt.datetime(2025, 3, 1, 9, 30)),
        (1730473440000, dt.datetime(2024, 11, 1, 15, 4)),  # pandas to_json: epoch milliseconds
        (1730473440, dt.datetime(2024, 11, 1, 15, 4)),  # epoch seconds
        ("2024-11-12 15:04:05 utc", dt.datetime(2024, 11, 12, 15, 4, 5)),
        # mixed shapes in one file: each is read by its own format, whatever came before
        ("11/1/2024", dt.datetime(2024, 11, 1)),
        ("11/1/2024 6:54 PM", dt.datetime(2024, 11, 1, 18, 54)),
    ],
)
def test_export_tool_dates(written, expected):
    assert parse_datetime(written, []) == expected


@pytest.mark.parametrize(
    "written",
    [
        "yesterday",
        "13/13/2024",
        "31/12/2024",  # day first with slashes: the US order reads no month 31
        45000,  # a spreadsheet serial as a bare number: not guessed
        9999999999999,  # past 2100: not a plausible epoch
        "1730473440",  # digits in text (a ticket or phone number in a date column): not an epoch
        "2125551234",
        "Tue, 12 Nov 2024 15:04:05 CET",  # a zone Python does not know: not read as UTC
        "Tue, 12 Nov 2024 15:04:05 GMT+0100",
        "Tue, 12 Nov 2024 15:04:05 +01:00",
        "Nov 31, 2024",
        True,
    ],
)
def test_what_is_still_no_date(written):
    with pytest.raises(Unparseable):
        parse_datetime(written, [])


def test_epoch_dates_are_flagged_with_the_date_read():
    flags: list[str] = []
    parse_datetime(1730473440000, flags)
    assert flags == ["created_at 1730473440000 read as epoch milliseconds: 2024-11-01 15:04:00 UTC"]


def test_jira_csv_export(tmp_path):
    # Jira writes one Labels column per label, as many as the issue with the most labels has
    header = [
        "Summary",
        "Issue key",
        "Issue id",
        "Issue Type",
        "Status",
        "Created",
        "Labels",
        "Labels",
        "Description",
        "Component/s",
        "Assignee",
        "Reporter",
    ]
    rows = [
        ["Reconcile Q3 accruals", "RL-12", "10012", "Task", "To Do", "05/Oct/24 2:16 AM", "finance", "eval",
         "h2. Goal\r\nReconcile the *Q3* accruals against the ledger.", "Finance", "Ana Ruiz", "Bo Li"],
        ["Draft NDA", "RL-13", "10013", "Task", "Done", "17/Oct/24 11:40 PM", "legal", "", "Draft a mutual NDA.",
         "", "", "Bo Li"],
    ]  # fmt: skip
    with (tmp_path / "jira.csv").open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *rows])
    result = ingest_directory(tmp_path, OnetLookup())
    assert result.quarantine.is_empty()
    tasks = {r["task_id"]: r for r in result.tasks.iter_rows(named=True)}
    assert tasks["RL-12"]["created_at"] == dt.datetime(2024, 10, 5, 2, 16)
    assert tasks["RL-13"]["created_at"] == dt.datetime(2024, 10, 17, 23, 40)
    assert tasks["RL-12"]["title"] == "Reconcile Q3 accruals"
    assert tasks["RL-12"]["tags"] == ["finance", "eval"] and tasks["RL-13"]["tags"] == ["legal"]
    extra = json.loads(tasks["RL-12"]["extra_fields"])
    assert extra["Issue id"] == "10012" and extra["Labels (column 8)"] == "eval"  # kept as given
    # the assignee is the owner (the reporter stays in extra_fields); Jira's Component/s is a module
    # in most projects: kept, and the file's notes say how to read it as the domain
    assert (tasks["RL-12"]["domain"], tasks["RL-12"]["owner"]) == (None, "Ana Ruiz")
    assert (tasks["RL-13"]["domain"], tasks["RL-13"]["owner"]) == (None, None)
    assert extra["Reporter"] == "Bo Li" and extra["Component/s"] == "Finance"
    assert (
        "column 'Component/s' is kept in extra_fields, not read as the domain: rename it to `domain`"
        in (result.files["notes"][0])
    )


def test_asana_json_tags_and_a_nested_person_name(tmp_path):
    records = [
        {
            "gid": "1201",
            "task_id": "AS-1",
            "name": "Prepare payroll tax filing",
            "assignee": {"gid": "9", "name": "Kim Lee", "resource_type": "user"},
            "tags": [{"gid": "77", "name": "finance", "resource_type": "tag"}, {"gid": "78", "name": "tax"}],
        },
        # no ID: the detail says there is no ID column, not that the fields are nested under 'assignee'
        {"gid": "1202", "name": "File quarterly taxes", "assignee": {"gid": "9", "name": "Kim Lee"}},
    ]
    (tmp_path / "asana.json").write_text(json.dumps({"data": records}))
    result = ingest_directory(tmp_path, OnetLookup())
    task = result.tasks.row(0, named=True)
    assert task["tags"] == ["finance", "tax"]
    assert task["flags"] is None  # the assignee's name is not a title nested away
    detail = result.quarantine.row(0, named=True)["detail"]
    assert detail.startswith(
        "missing_id: this record has no key named task_id (its keys: 'gid', 'name', 'assignee'"
    )
    assert "nested" not in detail
    assert detail.endswith(
        "; add one, unique across all files (e.g. the dataset's name and the row number: gsm8k-1, gsm8k-2)"
    )


def test_a_metadata_struct_holding_task_fields_is_flagged(tmp_path):
    metadata = pa.array(
        [{"domain": "finance", "occupation": "13-2011.00", "source": "synthetic"}],
        type=pa.struct([("domain", pa.string()), ("occupation", pa.string()), ("source", pa.string())]),
    )
    table = pa.table({"id": ["hf-1"], "prompt": ["Audit the expense reports."], "metadata": metadata})
    pq.write_table(table, tmp_path / "train.parquet")
    task = ingest_directory(tmp_path, OnetLookup()).tasks.row(0, named=True)
    assert task["domain"] is None and task["onet_soc_code"] is None  # not read from the struct...
    assert task["flags"] == (  # ...and said so
        "domain, occupation nested under 'metadata' not read: put them at the top level to use them"
    )
    assert json.loads(task["extra_fields"])["metadata"]["occupation"] == "13-2011.00"


def test_google_sheets_csv_with_an_empty_row_above_a_title_and_the_header(tmp_path):
    (tmp_path / "sheet.csv").write_text(
        ",,,\nRL task inventory (do not edit),,,\ntask_id,title,description,domain\nG-1,Audit invoices,Check totals.,finance\n"
    )
    result = ingest_directory(tmp_path, OnetLookup())
    assert result.tasks["task_id"].to_list() == ["G-1"]
    # the title line is kept in the quarantine; the line of commas is no row at all
    assert result.quarantine.select("source_row", "reason").rows() == [(2, "unrecognized_header")]
    assert result.files.row(0, named=True)["rows_read"] == 2


def test_hidden_rows_of_a_filtered_sheet_are_read_and_flagged(tmp_path):
    import xlsxwriter

    wb = xlsxwriter.Workbook(tmp_path / "inv.xlsx")
    ws = wb.add_worksheet("Tasks")
    for r, row in enumerate([("task_id", "title", "status"), ("X-1", "Audit invoices", "active"),
                             ("X-2", "Old task", "retired"), ("X-3", "Draft a memo", "active")]):  # fmt: skip
        ws.write_row(r, 0, row)
    ws.autofilter(0, 0, 3, 2)
    ws.filter_column(2, "status == active")
    ws.set_row(2, None, None, {"hidden": True})  # what Excel saves for the row the filter hides
    wb.close()
    flags = dict(ingest_directory(tmp_path, OnetLookup()).tasks.select("task_id", "flags").rows())
    assert flags["X-1"] is None and flags["X-3"] is None
    assert flags["X-2"].startswith(
        "row 3 is hidden in sheet 'Tasks' (filtered out?): read as a task like any other"
    )


def test_a_person_object_raises_no_nested_flag_and_tags_in_a_csv_cell_are_names(tmp_path):
    records = [
        {"id": "N1", "description": "Reconcile vendor invoices", "owner": {"name": "Bob Lee", "email": "b@x"}}
    ]
    (tmp_path / "a.jsonl").write_text(json.dumps(records[0]) + "\n")
    tags = json.dumps([{"gid": "1", "name": "finance"}, {"id": "5f", "name": "", "color": "green"}])
    with (tmp_path / "b.csv").open("w", newline="") as f:
        csv.writer(f).writerows([("id", "title", "tags"), ("N2", "Audit", tags)])
    tasks = {r["task_id"]: r for r in ingest_directory(tmp_path, OnetLookup()).tasks.iter_rows(named=True)}
    assert tasks["N1"]["flags"] is None
    assert tasks["N2"]["tags"] == ["finance", "green"]


def test_weak_names_alone_do_not_make_a_header_or_a_task_sheet(tmp_path):
    import xlsxwriter

    # an intake-form sheet (question_id, question) beside the task sheet is a lookup, as before
    wb = xlsxwriter.Workbook(tmp_path / "inv.xlsx")
    for name, rows in {
        "Tasks": [("Task ID", "Title", "Domain"), ("T1", "Audit invoices", "finance")],
        "Intake form": [("question_id", "question", "required"), ("Q1", "What team owns this?", "yes")],
    }.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            ws.write_row(r, 0, row)
    wb.close()
    # a title line whose first cell is a weak name yields to the header below it
    (tmp_path / "t.csv").write_text(
        "Question,Who owns the inventory? Ask ops\nid,title,description\nC1,Draft memo,Write it.\n"
    )
    # a labels object beside tags adds no tags
    (tmp_path / "j.jsonl").write_text(
        json.dumps({"id": "J1", "title": "Classify", "tags": ["a"], "labels": {"team": "x"}}) + "\n"
    )
    result = ingest_directory(tmp_path, OnetLookup())
    tasks = {r["task_id"]: r for r in result.tasks.iter_rows(named=True)}
    assert set(tasks) == {"T1", "C1", "J1"} and tasks["J1"]["tags"] == ["a"]
    notes = result.files.filter(pl.col("source_file") == "inv.xlsx")["notes"][0]
    assert "sheet 'Intake form' not read: a lookup table?" in notes
    assert result.quarantine.select("source_file", "source_row", "reason").rows() == [
        ("t.csv", 1, "unrecognized_header")
    ]


def test_an_owner_object_is_the_persons_name(tmp_path):
    records = [
        {
            "id": "A-1",
            "name": "Reconcile",
            "assignee": {"gid": "9", "name": "Jane Doe", "resource_type": "user"},
        },
        {"id": "A-2", "name": "Audit", "assignee": {"accountId": "x", "emailAddress": "bo@x"}},  # no name
        {"id": "A-3", "name": "File", "assignee": None},
        {"id": "A-4", "name": "Sign", "assignee": {"name": "jdoe", "displayName": "Jane Doe"}},  # Jira Server
        {"id": "A-5", "name": "Pay", "assignee": [{"name": "Jane Doe"}, {"name": "Bo Li"}]},
    ]
    (tmp_path / "asana.json").write_text(json.dumps(records))
    owners = dict(ingest_directory(tmp_path, OnetLookup()).tasks.select("task_id", "owner").iter_rows())
    assert owners == {
        "A-1": "Jane Doe",
        "A-2": "bo@x",
        "A-3": None,
        "A-4": "Jane Doe",
        "A-5": "Jane Doe, Bo Li",
    }


def test_a_tau2_task_reads_the_text_of_its_description_object(tmp_path):
    # tau2-bench's tasks.json: the description is an object; its JSON keys reached matching before
    tau2 = {
        "id": "airline-7",
        "description": {
            "purpose": "Check that the agent refuses to cancel a basic economy booking.",
            "relevant_policies": None,
            "notes": ["The user insists.", ""],
        },
        "user_scenario": {"instructions": {"domain": "airline", "reason_for_call": "Cancel my flight"}},
    }
    empty = {"id": "airline-8", "title": "Refund", "description": {"purpose": None}}
    (tmp_path / "tasks.json").write_text(json.dumps([tau2, empty]))
    result = ingest_directory(tmp_path, OnetLookup())
    rows = {r["task_id"]: r for r in result.tasks.iter_rows(named=True)}
    task = rows["airline-7"]
    assert task["description"] == (
        "Check that the agent refuses to cancel a basic economy booking.\n\nThe user insists."
    )
    assert json.loads(task["extra_fields"])["description"] == tau2["description"]
    assert (
        "description: an object ('purpose', 'relevant_policies', 'notes'): the text of its values is "
        "read, the object kept in extra_fields"
    ) in task["flags"]
    # an object with no text in it stays the JSON it was, as any value does
    assert rows["airline-8"]["description"] == '{"purpose": null}'


def test_promptfoo_description_column_is_the_title(tmp_path):
    # promptfoo's test CSV: var columns hold the prompt, `__description` labels the test case
    (tmp_path / "promptfoo.csv").write_text(
        "id,question,__expected,__description\n"
        "pf-1,What is the tax basis of a gifted stock?,contains:carryover,Gifted stock basis\n"
    )
    (task,) = ingest_directory(tmp_path, OnetLookup()).tasks.iter_rows(named=True)
    assert task["title"] == "Gifted stock basis"
    assert task["description"] == "What is the tax basis of a gifted stock?"
    assert json.loads(task["extra_fields"]) == {"__expected": "contains:carryover"}


NOTION_ID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"


def test_notion_view_export_beside_its_all_file_is_not_read_twice(tmp_path):
    # Notion writes the view (its visible properties) and `_all` (every property) for one database
    full = 'ID,Name,Prompt,Status,Created time\nT-1,Reconcile,Match the ledger,Done,"November 12, 2024 3:04 PM"\n'
    full += 'T-2,Draft a lease,Write a lease,Open,"November 13, 2024 9:00 AM"\n'
    (tmp_path / f"Tasks {NOTION_ID}_all.csv").write_text(full)
    (tmp_path / f"Tasks {NOTION_ID}.csv").write_text(
        "ID,Name,Prompt\nT-1,Reconcile,Match the ledger\nT-2,Draft a lease,Write a lease\n"
    )
    result = ingest_directory(tmp_path, OnetLookup())
    assert sorted(result.tasks["task_id"].to_list()) == ["T-1", "T-2"]
    assert set(result.tasks["source_file"].to_list()) == {f"Tasks {NOTION_ID}_all.csv"}
    assert result.quarantine.is_empty()
    view = result.files.filter(pl.col("source_file") == f"Tasks {NOTION_ID}.csv").row(0, named=True)
    assert (view["status"], view["rows_read"], view["rows_skipped"]) == ("loaded", 0, 2)
    assert view["notes"].startswith(
        f"Notion's view export of 'Tasks {NOTION_ID}_all.csv': 2 of its rows are tasks of that file, read there "
        "[2 rows not read]"
    )
    # a view that hides the long prompt, and a full file with a value the view does not show that
    # quarantines one task there: the view's rows are still that file's tasks, not read twice
    (tmp_path / f"Tasks {NOTION_ID}_all.csv").write_text(
        "ID,Name,Prompt,Instances\nT-1,Reconcile,Match the ledger,1\nT-2,Draft a lease,Write a lease,2\n"
        "T-3,Audit,Audit the books,1.000\n"  # 1.000: one, or a thousand? unparseable
    )
    (tmp_path / f"Tasks {NOTION_ID}.csv").write_text(
        "ID,Name\nT-1,Reconcile\nT-2,Draft a lease\nT-3,Audit\nT-4,New\n"
    )
    result = ingest_directory(tmp_path, OnetLookup())
    assert sorted(result.tasks["task_id"].to_list()) == ["T-1", "T-2", "T-4"]  # T-4 only in the view
    assert {(r["task_id"], r["reason"]) for r in result.quarantine.iter_rows(named=True)} == {
        ("T-3", "unparseable_value")
    }
    view = result.files.filter(pl.col("source_file") == f"Tasks {NOTION_ID}.csv").row(0, named=True)
    assert (view["rows_read"], view["rows_skipped"]) == (1, 3)
    # a view row that differs from the full file's (edited after the export) keeps both read: the
    # duplicate IDs are quarantined, naming both files
    (tmp_path / f"Tasks {NOTION_ID}.csv").write_text(
        "ID,Name,Prompt\nT-1,Reconcile,Match the ledger\nT-2,Draft a lease,Write a NEW lease\n"
    )
    result = ingest_directory(tmp_path, OnetLookup())
    assert result.tasks["task_id"].to_list() == ["T-1"]  # the same task: read once
    assert sorted((r["task_id"], r["reason"]) for r in result.quarantine.iter_rows(named=True)) == [
        ("T-2", "duplicate_task_id"),
        ("T-2", "duplicate_task_id"),
        ("T-3", "unparseable_value"),
    ]
    # without the Notion ID in the name, two files are two files
    (tmp_path / f"Tasks {NOTION_ID}.csv").rename(tmp_path / "Tasks.csv")
    (tmp_path / f"Tasks {NOTION_ID}_all.csv").rename(tmp_path / "Tasks_all.csv")
    (tmp_path / "Tasks.csv").write_text("ID,Name,Prompt\nT-1,Reconcile,Match the ledger\n")
    result = ingest_directory(tmp_path, OnetLookup())
    assert result.quarantine["task_id"].sort().to_list() == ["T-1", "T-1", "T-3"]
    assert result.tasks["task_id"].to_list() == ["T-2"]


def test_an_object_text_leaves_out_labels_and_reads_a_nested_chat_as_its_posing_turns():
    from assets.inventory.object_text import object_text

    nested = {
        "purpose": "Check refunds",
        "messages": [
            {"role": "user", "content": "Refund my order"},
            {"role": "assistant", "content": "Sure"},
        ],
    }
    assert object_text(nested) == "Check refunds\n\nRefund my order"  # no role words, no answer
    assert object_text({"role": "user", "content": "Refund my order", "id": "m-1"}) == "Refund my order"
    assert (
        object_text({"name": "Refund flow", "details": "Issue the refund"})
        == "Refund flow\n\nIssue the refund"
    )


def test_an_object_holding_a_chat_without_posing_text_adds_nothing_and_the_file_reads(tmp_path):
    from assets.inventory.object_text import object_text

    greeting = {"purpose": "Check refunds", "history": [{"role": "assistant", "content": "How can I help?"}]}
    assert object_text(greeting) == "Check refunds"
    assert object_text({"history": [{"role": "assistant", "content": "Hi"}]}) is None
    # it made the whole file unreadable (TypeError joining None)
    records = [{"id": "t-1", "description": greeting}, {"id": "t-2", "description": "Plain prompt"}]
    (tmp_path / "tau.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    result = ingest_directory(tmp_path, OnetLookup())
    assert sorted(result.tasks["task_id"].to_list()) == ["t-1", "t-2"]


def test_a_json_components_key_gets_the_rename_note_too(tmp_path):
    records = [{"key": "J-1", "summary": "Rotate keys", "components": ["Backend"]}]
    (tmp_path / "jira.jsonl").write_text(json.dumps(records[0]) + "\n")
    result = ingest_directory(tmp_path, OnetLookup())
    assert result.tasks["domain"].to_list() == [None]
    assert "column 'components' is kept in extra_fields, not read as the domain" in result.files["notes"][0]
