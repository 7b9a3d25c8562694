"""Inventory ingest: every format and encoding, every quarantine reason, and rows in = accepted + quarantined."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from assets.inventory.ingest import OnetLookup, ingest_directory

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "inventory"
ROWS = [
    (
        "T-1",
        "Reconcile bank statements",
        "Match the ledger to the bank statement; flag différences – carefully.",
        "finance",
    ),
    (
        "T-2",
        "Write launch blog post",
        "Draft a post with a headline,\na subhead and a call to action.",
        "digital copywriting",
    ),
    ("T-3", "=SUM(A1:A9)", "@cmd +1 -1 formula-like text stays verbatim", "legal"),
]


@pytest.fixture
def onet() -> OnetLookup:
    return OnetLookup(
        task_ids={21505, 22656},
        soc_codes={"13-2011.00", "27-3043.00", "43-4051.00", "15-1252.00"},
        titles={"customer service representatives": "43-4051.00", "writers and authors": "27-3043.00"},
    )


def assert_counts_add_up(result) -> None:
    files = result.files.filter(pl.col("status") == "loaded")
    for row in files.iter_rows(named=True):
        assert row["rows_read"] == row["rows_accepted"] + row["rows_quarantined"], row
        # rows of parts not read (hidden or lookup sheets, other JSON lists) are named in the notes
        named = re.findall(r"\[(\d+) rows? not read\]", row["notes"] or "")
        assert row["rows_skipped"] == sum(int(n) for n in named), row
    assert result.files["rows_accepted"].sum() == result.tasks.height
    assert (
        result.files["rows_quarantined"].sum()
        == result.quarantine.filter(pl.col("source_row").is_not_null()).height
    )


def write_delimited(
    path: Path, sep: str, encoding: str, header=("task_id", "title", "description", "domain")
) -> None:
    import csv

    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh, delimiter=sep, lineterminator="\r\n")
        w.writerow(header)
        w.writerows(ROWS)


def write_xlsx(path: Path) -> None:
    wb = xlsxwriter.Workbook(path)
    wb.add_worksheet("About").write(0, 0, "An export of our tasks")
    ws = wb.add_worksheet("Tasks")
    ws.write(0, 0, "Task inventory, exported 2025-11-03")  # title row above the header
    ws.write_row(2, 0, ["Task ID", "Title", "Description", "Domain"])
    for i, row in enumerate(ROWS, start=3):
        for j, value in enumerate(row):
            ws.write_string(i, j, value)
    wb.close()


WRITERS = {
    "utf8.csv": lambda p: write_delimited(p, ",", "utf-8"),
    "utf8_bom.csv": lambda p: write_delimited(p, ",", "utf-8-sig"),
    "cp1252.csv": lambda p: write_delimited(p, ",", "cp1252"),
    "tabs.tsv": lambda p: write_delimited(p, "\t", "utf-8"),
    "semicolons.csv": lambda p: write_delimited(p, ";", "utf-8"),
    "book.xlsx": write_xlsx,
    "list.json": lambda p: p.write_text(
        json.dumps([dict(zip(("task_id", "title", "description", "domain"), r, strict=True)) for r in ROWS])
    ),
    "object.json": lambda p: p.write_text(
        json.dumps({"tasks": [dict(zip(("id", "name", "prompt", "category"), r, strict=True)) for r in ROWS]})
    ),
    "lines.jsonl": lambda p: p.write_text(
        "\n".join(json.dumps(dict(zip(("ID", "Title", "Prompt", "Domain"), r, strict=True))) for r in ROWS)
        + "\n"
    ),
    "table.parquet": lambda p: pl.DataFrame(
        [dict(zip(("task_id", "title", "description", "domain"), r, strict=True)) for r in ROWS]
    ).write_parquet(p),
}


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_every_format_and_encoding_reads_the_same_tasks(tmp_path, onet, name):
    WRITERS[name](tmp_path / name)
    result = ingest_directory(tmp_path, onet)
    assert result.quarantine.height == 0, result.quarantine.to_dicts()
    got = result.tasks.sort("task_id").select("task_id", "title", "description", "domain").rows()
    assert got == ROWS  # text verbatim: accents, en dash, newlines, formula-like strings
    assert_counts_add_up(result)
    info = result.files.row(0, named=True)
    assert info["rows_read"] == 3
    if name == "cp1252.csv":
        assert info["encoding"] == "cp1252"
        assert info["notes"] is None or "another encoding" not in info["notes"]  # accents are few
    if name.startswith("utf8"):
        assert info["encoding"] == "utf-8"


def test_xlsx_rows_are_sheet_rows_and_extra_sheets_are_noted(tmp_path, onet):
    write_xlsx(tmp_path / "book.xlsx")
    result = ingest_directory(tmp_path, onet)
    assert result.tasks.sort("task_id")["source_row"].to_list() == [4, 5, 6]  # header on sheet row 3
    assert result.tasks["source_sheet"].unique().to_list() == ["Tasks"]
    notes = result.files["notes"][0]
    assert "'Tasks' (header on row 3)" in notes
    assert "sheet 'About' not read: no row in its first 30 names task_id" in notes
    assert "(first row: 'An export of our tasks') [1 row not read]" in notes
    assert result.files["rows_skipped"].to_list() == [1]


def test_mixed_encodings_in_one_file_are_decoded_line_by_line(tmp_path, onet):
    lines = [
        b"task_id,title,description",
        "M-1,Café menu,Écrire le menu du café".encode(),
        "M-2,Résumé review,Review the résumé – quickly".encode("cp1252"),
    ]
    (tmp_path / "mixed.csv").write_bytes(b"\r\n".join(lines) + b"\r\n")
    result = ingest_directory(tmp_path, onet)
    assert result.tasks.sort("task_id")["title"].to_list() == ["Café menu", "Résumé review"]
    assert result.tasks.filter(pl.col("task_id") == "M-2")["description"][0] == "Review the résumé – quickly"
    assert result.files["encoding"][0] == "mixed utf-8/cp1252"


@pytest.mark.parametrize(
    ("encoding", "why"),
    [("koi8-r", "words without an ASCII letter"), ("shift_jis", "cp1252 does not define")],
)
def test_a_file_in_another_legacy_encoding_is_read_but_named_as_doubtful(tmp_path, onet, encoding, why):
    # read as cp1252 it was accepted as garbled text with no word (ðÏÄÇÏÔÏ×ÉÔØ ...)
    text = {"koi8-r": "Подготовить квартальный отчёт", "shift_jis": "四半期報告書を作成する"}[encoding]
    rows = "task_id,title,description\r\n" + "".join(f"R-{i},{text},{text} {i}\r\n" for i in range(3))
    (tmp_path / "legacy.csv").write_bytes(rows.encode(encoding))
    (tmp_path / "legacy.jsonl").write_bytes(
        "".join(f'{{"task_id": "J-{i}", "title": "{text}"}}\n' for i in range(3)).encode(encoding)
    )
    result = ingest_directory(tmp_path, onet)
    assert result.tasks.height == 6  # nothing lost: the rows are read as cp1252 reads them
    for notes in result.files["notes"].to_list():
        assert why in notes and "save it as UTF-8" in notes and "another encoding" in notes


def test_aliases_and_case_insensitive_headers(tmp_path, onet):
    (tmp_path / "a.csv").write_text(
        "ID,NAME,Prompt,Category,Env,State,N_Instances,Occupation,Author,Labels,Created,Reviewer\n"
        'A-1,Answer a late-order email,Reply kindly.,customer support,helpdesk,active,"1,200",'
        "Customer Service Representatives,ops,a;b|c,03/01/2025,kim\n"
    )
    result = ingest_directory(tmp_path, onet)
    row = result.tasks.row(0, named=True)
    assert (
        row["task_id"] == "A-1"
        and row["description"] == "Reply kindly."
        and row["domain"] == "customer support"
    )
    assert row["environment"] == "helpdesk" and row["status"] == "active" and row["instances"] == 1200
    assert (
        row["onet_soc_code"] == "43-4051.00" and row["occupation_hint"] == "Customer Service Representatives"
    )
    assert row["owner"] == "ops" and row["tags"] == ["a", "b", "c"]
    assert row["created_at"] == dt.datetime(2025, 3, 1)
    assert json.loads(row["extra_fields"]) == {"Reviewer": "kim"}  # unknown columns are kept


def test_every_quarantine_reason_and_nothing_lost(tmp_path, onet):
    shutil.copytree(FIXTURES / "mixed", tmp_path / "inv")
    (tmp_path / "inv" / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    result = ingest_directory(tmp_path / "inv", onet)
    q = {(r["source_file"], r["source_row"]): r for r in result.quarantine.iter_rows(named=True)}
    assert q[("tasks.csv", 4)]["reason"] == "missing_id"
    assert q[("tasks.csv", 5)]["reason"] == "no_text"
    assert (
        q[("tasks.csv", 6)]["reason"] == "unparseable_value" and "instances" in q[("tasks.csv", 6)]["detail"]
    )
    assert (
        q[("tasks.csv", 7)]["reason"] == "unparseable_value" and "created_at" in q[("tasks.csv", 7)]["detail"]
    )
    # a duplicate ID quarantines every copy, and each names all places
    for where in [("tasks.csv", 8), ("tasks.csv", 9)]:
        assert q[where]["reason"] == "duplicate_task_id"
        assert "tasks.csv row 8" in q[where]["detail"] and "tasks.csv row 9" in q[where]["detail"]
    for where in [("tasks.csv", 10), ("tasks.jsonl", 1)]:
        assert q[where]["reason"] == "duplicate_task_id"
        assert "tasks.csv row 10" in q[where]["detail"] and "tasks.jsonl row 1" in q[where]["detail"]
    assert q[("tasks.jsonl", 3)]["reason"] == "malformed_json"
    assert q[("tasks.jsonl", 4)]["reason"] == "not_an_object"
    assert q[("notes.md", None)]["reason"] == "unsupported_file"
    assert q[("broken.xlsx", None)]["reason"] == "unreadable_file"
    assert json.loads(q[("tasks.csv", 6)]["raw_record"])["instances"] == "many"  # raw record kept
    accepted = set(result.tasks["task_id"])
    assert accepted == {"GOOD-1", "GOOD-2", "UNKNOWN-1", "EXPLICIT-1", "INJECT-1", "JSONL-1"}
    files = {r["source_file"]: r for r in result.files.iter_rows(named=True)}
    assert files["tasks.csv"]["rows_read"] == 12 and files["tasks.jsonl"]["rows_read"] == 4
    assert files["_overrides.csv"]["status"] == "skipped"
    assert_counts_add_up(result)


def test_rows_without_text_do_not_knock_out_the_task_with_their_id(tmp_path, onet):
    # a copy of the overrides file under an ordinary name: its task_id column is an alias, its rows
    # have no text. They are quarantined (no_text), naming the task; the task stays, flagged.
    inv = tmp_path / "inv"
    inv.mkdir()
    (inv / "tasks.csv").write_text("task_id,title\nSWE-1,Fix a bug\nSWE-2,Add a test\nSWE-2,Add two tests\n")
    (inv / "overrides_backup.csv").write_text(
        "task_id,action,onet_task_id,note\nSWE-1,pin,16363,right one\nSWE-2,reject,,none\n"
    )
    result = ingest_directory(inv, onet)
    q = {(r["source_file"], r["source_row"]): r for r in result.quarantine.iter_rows(named=True)}
    backup = q[("overrides_backup.csv", 2)]
    assert backup["reason"] == "no_text"
    assert "task_id 'SWE-1' is also at tasks.csv row 2, which has text and was kept" in backup["detail"]
    kept = result.tasks.filter(pl.col("task_id") == "SWE-1").row(0, named=True)
    assert (
        "task_id 'SWE-1' also occurs without text at overrides_backup.csv row 2 (quarantined: no_text)"
        in (kept["flags"])
    )
    # two rows WITH text still quarantine each other (and the text-less third names them all)
    assert q[("tasks.csv", 3)]["reason"] == q[("tasks.csv", 4)]["reason"] == "duplicate_task_id"
    assert q[("overrides_backup.csv", 3)]["reason"] == "no_text"
    assert "occurs 3 times" in q[("overrides_backup.csv", 3)]["detail"]
    assert set(result.tasks["task_id"]) == {"SWE-1"}
    assert_counts_add_up(result)


def test_a_text_less_copy_does_not_claim_its_task_was_kept_when_the_task_is_quarantined(tmp_path, onet):
    inv = tmp_path / "inv"
    inv.mkdir()
    (inv / "d.csv").write_text("task_id,title,instances\nT1,real task,abc\nT1,,\n")
    result = ingest_directory(inv, onet)
    q = {r["source_row"]: r for r in result.quarantine.iter_rows(named=True)}
    assert q[2]["reason"] == "unparseable_value" and result.tasks.height == 0
    assert "d.csv row 2, which has text and is quarantined too (unparseable_value)" in q[3]["detail"]
    assert_counts_add_up(result)


def test_unknown_codes_are_flagged_and_kept(tmp_path, onet):
    shutil.copytree(FIXTURES / "mixed", tmp_path / "inv")
    tasks = ingest_directory(tmp_path / "inv", onet).tasks
    row = tasks.filter(pl.col("task_id") == "UNKNOWN-1").row(0, named=True)
    assert row["onet_task_id_known"] is False and row["onet_soc_code_known"] is False
    assert "unknown onet_task_id 99999999" in row["flags"] and "unknown SOC code 99-9999.00" in row["flags"]
    explicit = tasks.filter(pl.col("task_id") == "EXPLICIT-1").row(0, named=True)
    assert explicit["onet_task_id"] == 21505 and explicit["onet_task_id_known"] is True


def test_formula_injection_strings_are_stored_verbatim(tmp_path, onet):
    shutil.copytree(FIXTURES / "mixed", tmp_path / "inv")
    row = (
        ingest_directory(tmp_path / "inv", onet)
        .tasks.filter(pl.col("task_id") == "INJECT-1")
        .row(0, named=True)
    )
    assert row["title"] == '=HYPERLINK("http://x")'
    assert row["description"] == "+cmd|calc; -2+3; @SUM(A1)"


def test_unbalanced_quote_and_ragged_rows_quarantine_one_line_each(tmp_path, onet):
    (tmp_path / "bad.csv").write_text(
        "task_id,title,description\n"
        "R-1,Fine,ok\n"
        'R-2,"Unclosed quote,starts here\n'
        "R-3,Still read,ok\n"
        "R-4,Too,many,fields\n"
        "R-5,Too few\n"
        'R-6,"Quoted, with comma","and a ""quote"""\n'
    )
    result = ingest_directory(tmp_path, onet)
    assert sorted(result.tasks["task_id"]) == ["R-1", "R-3", "R-6"]
    q = {r["source_row"]: r["reason"] for r in result.quarantine.iter_rows(named=True)}
    assert q == {3: "malformed_csv", 5: "ragged_row", 6: "ragged_row"}
    assert result.tasks.filter(pl.col("task_id") == "R-6")["description"][0] == 'and a "quote"'
    assert_counts_add_up(result)


def test_a_10_mb_field_is_kept_whole(tmp_path, onet):
    big = "Reconcile the ledger. " * (10 * 1024 * 1024 // 22 + 1)
    (tmp_path / "big.csv").write_text(f'task_id,title,description\nBIG-1,Huge prompt,"{big}"\nS-1,Small,ok\n')
    result = ingest_directory(tmp_path, onet)
    assert result.tasks.sort("task_id")["task_id"].to_list() == ["BIG-1", "S-1"]
    assert (
        len(result.tasks.filter(pl.col("task_id") == "BIG-1")["description"][0])
        == len(big)
        >= 10 * 1024 * 1024
    )


def test_missing_directory_is_a_clear_error(tmp_path, onet):
    from assets.common.errors import TaskvalueError

    with pytest.raises(TaskvalueError, match="TASKVALUE_INVENTORY_DIR"):
        ingest_directory(tmp_path / "nope", onet)


def test_shipped_example_inventory_loads_cleanly(onet):
    result = ingest_directory(
        Path(__file__).resolve().parents[2] / "inventory",
        OnetLookup(
            task_ids=onet.task_ids | {21826, 2578, 16109, 23994, 22880},
            soc_codes=onet.soc_codes,
            titles=onet.titles,
        ),
    )
    assert result.quarantine.height == 0
    assert result.tasks.height >= 150
    assert result.tasks["domain"].n_unique() >= 6
    assert (result.tasks["description"].str.len_chars() >= 2000).sum() >= 3
    assert set(result.files["file_type"]) >= {"csv", "tsv", "xlsx", "json", "jsonl", "parquet"}


def test_the_text_hash_fingerprints_the_words_of_a_task_not_its_bytes(tmp_path, onet):
    # a file re-saved with CRLF line endings and trailing spaces hashes the same; an edited word does not
    from assets.inventory.ingest import text_hash

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "t.csv").write_text(
        'task_id,title,description,owner\nT-1,Draft a memo,"Summarise the ruling.\nCite the page.",ann\n'
    )
    (tmp_path / "b" / "t.csv").write_bytes(
        b'task_id,title,description,owner\r\nT-1,Draft a memo ,"Summarise the ruling.  \r\nCite the page.",bo\r\n'
    )
    a = ingest_directory(tmp_path / "a", onet).tasks.row(0, named=True)
    b = ingest_directory(tmp_path / "b", onet).tasks.row(0, named=True)
    assert (
        a["text_hash"] == b["text_hash"] == text_hash("Draft a memo", "Summarise the ruling. Cite the page.")
    )
    assert (
        a["text_hash"] == "b069d1843fd6"
    )  # sha256("Draft a memo\nSummarise the ruling. Cite the page.")[:12]
    assert a["content_hash"] != b["content_hash"]  # the owner changed: not the work
    assert text_hash("Draft a memo", "Summarise the ruling. Cite page 4.") != a["text_hash"]
    # invisible characters and decomposed accents are not a rewrite either (NFD "é" is e + U+0301)
    assert (
        text_hash("Draft a\u200b memo\u00ad", "Summarise the ruling.\u00a0Cite the page.") == a["text_hash"]
    )
    assert text_hash("R\u00e9sum\u00e9 review", None) == text_hash("Re\u0301sume\u0301 review", None)


def test_a_header_only_file_and_an_excel_owner_file_say_what_they_are(tmp_path, onet):
    # the header-only file had empty notes (an empty one says "empty file"); Excel's ~$ owner file was
    # noted as "reserved name (starts with . or _)"
    (tmp_path / "headers_only.csv").write_text("task_id,title,description\r\n")
    (tmp_path / "~$tasks.xlsx").write_bytes(b"\x0bowner")
    result = ingest_directory(tmp_path, onet)
    notes = dict(zip(result.files["source_file"], result.files["notes"], strict=True))
    assert notes["headers_only.csv"] == "no rows below the header (line 1)"
    assert notes["~$tasks.xlsx"] == "Excel's owner file of an open workbook (starts with ~$), not read"


@pytest.mark.parametrize(
    ("lines", "note"),
    [
        # Western European text: accented words hold an ASCII letter each, however many accents
        (["Größe ändern,Übergrößen prüfen", "Þórður Ðóróþeusson,Sigríður Ólafsdóttir"], None),
        (["Résumé à l'été,Préparer le café – 5 €"], None),
        # KOI8-R titles with English prompts: the Russian words give it away
        (["Подготовить отчёт,Prepare the quarterly report for the board"], "words without an ASCII letter"),
    ],
)
def test_the_encoding_doubt_reads_words_not_shares_of_letters(tmp_path, onet, lines, note):
    encoding = "koi8-r" if any("Ѐ" <= c <= "ӿ" for line in lines for c in line) else "cp1252"
    rows = "task_id,title,description\r\n" + "".join(f"T-{i},{line}\r\n" for i, line in enumerate(lines))
    (tmp_path / "t.csv").write_bytes(rows.encode(encoding))
    notes = ingest_directory(tmp_path, onet).files["notes"][0]
    assert (note in notes) if note else (notes is None or "another encoding" not in notes)


def test_one_undefined_byte_keeps_the_rest_of_its_line_as_cp1252(tmp_path, onet):
    # the whole line fell back to latin-1: smart quotes, dashes and euros became control characters,
    # and were counted as undefined bytes
    line = "T-1,Write the “memo” – 5 €,x".encode("cp1252").replace(b"x", b"\x81")
    (tmp_path / "t.csv").write_bytes(b"task_id,title,description\r\n" + line + b"\r\n")
    result = ingest_directory(tmp_path, onet)
    assert result.tasks["title"][0] == "Write the “memo” – 5 €"
    assert "1 byte cp1252 does not define" in result.files["notes"][0]


def test_a_mixed_file_is_doubted_on_its_cp1252_lines_only(tmp_path, onet):
    utf8_russian = "T-1,Подготовить отчёт,Отчёт для совета".encode()
    french = "T-2,Résumé à l'été,Préparer le café".encode("cp1252")
    (tmp_path / "ok.csv").write_bytes(
        b"task_id,title,description\r\n" + utf8_russian + b"\r\n" + french + b"\r\n"
    )
    koi8 = "T-3,Подготовить отчёт,Отчёт для совета".encode("koi8-r")
    (tmp_path / "bad.csv").write_bytes(
        b"task_id,title,description\r\n" + utf8_russian.replace(b"T-1", b"T-4") + b"\r\n" + koi8 + b"\r\n"
    )
    files = ingest_directory(tmp_path, onet).files
    notes = dict(zip(files["source_file"], files["notes"], strict=True))
    assert notes["ok.csv"] is None or "another encoding" not in notes["ok.csv"]
    assert "words without an ASCII letter" in notes["bad.csv"]
