"""`python bot.py ask` and the console chat, run as a newcomer would run them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from knowledge.storage.knowledge_base import KnowledgeBase
from tests.conftest import run_bot

JSON_KEYS = ["query", "matched", "kind", "id", "score", "answer", "suggestions"]


def test_ask_json_gives_one_stable_record_per_question(tmp_path: Path) -> None:
    result = run_bot(
        tmp_path, "ask", "--json", "wen was the agrement signd", "zhongguancun", "cake recipe"
    )
    assert result.returncode == 0, result.stderr
    signed, ambiguous, unknown = (json.loads(line) for line in result.stdout.splitlines())
    for record in (signed, ambiguous, unknown):
        assert list(record) == JSON_KEYS
    assert signed["matched"] is True and signed["kind"] == "faq" and signed["id"] == "faq:2"
    assert "7 December 2020" in signed["answer"] and "<b>" not in signed["answer"]
    assert ambiguous["matched"] is False and ambiguous["kind"] == "none"
    assert {"id": "faq:15", "title": "What was the September 2020 innovation agreement?"} in [
        {"id": s["id"], "title": s["title"]} for s in ambiguous["suggestions"]
    ]
    assert unknown["matched"] is False and unknown["id"] is None
    assert unknown["answer"].startswith("I don't have an answer to that yet.")


def test_ask_reads_questions_from_stdin_one_per_line(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "ask", "--json", stdin="who signed it\n\nsubway agreement\n")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == ["faq:2", "faq:12"]


def test_ask_plain_prints_what_the_user_reads(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "ask", "how much trade is there between Moscow and China")
    assert "$20.5 billion" in result.stdout
    assert "Source: China Daily, 9 December 2020" in result.stdout
    assert "<i>" not in result.stdout


def test_ask_records_what_it_could_not_answer_as_it_says(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "ask", "cake recipe")
    assert "I have noted your question" in result.stdout
    kb = KnowledgeBase.open(tmp_path / "data")
    assert [row["text"] for row in kb.unanswered()] == ["cake recipe"]


def test_console_chat_without_a_token_runs_the_handlers(tmp_path: Path) -> None:
    result = run_bot(tmp_path, stdin="who signed the agreement\n/search subway agreement\n1\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Console chat: no TELEGRAM_BOT_TOKEN is set" in out
    assert "Hello, Console!" in out and "[1] 📄 Agreement" in out  # /start on entry
    assert "Sergei Sobyanin and Beijing Mayor Chen Jining signed" in out
    assert "[1] Is there an agreement between the Moscow and Beijing subways?" in out
    assert "five-year term" in out  # button 1 pressed by number
    assert "Traceback" not in result.stderr


def test_export_and_import_from_the_command_line(tmp_path: Path) -> None:
    exported = tmp_path / "kb.json"
    result = run_bot(tmp_path, "export", str(exported))
    assert result.returncode == 0 and "Exported the knowledge base" in result.stdout
    document = json.loads(exported.read_text())
    document["faq"] = [e for e in document["faq"] if e["id"] != 14]
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(document))

    dry = run_bot(tmp_path, "import", "--dry-run", str(edited))
    assert "FAQ entries: 0 added, 0 changed, 1 removed" in dry.stdout
    assert "dry run: nothing was changed" in dry.stdout
    assert "gala concert" in run_bot(tmp_path, "ask", "which orchestras played").stdout

    applied = run_bot(tmp_path, "import", str(edited))
    assert applied.returncode == 0 and "Imported" in applied.stdout
    assert "/undo" not in applied.stdout and "python bot.py restore " in applied.stdout
    assert "Bolshoi" not in run_bot(tmp_path, "ask", "which orchestras played").stdout
    kb = KnowledgeBase.open(tmp_path / "data")
    assert kb.changes()[-1]["action"] == "import" and kb.changes()[-1]["by"] == 0


def test_a_malformed_import_from_the_command_line_changes_nothing(tmp_path: Path) -> None:
    run_bot(tmp_path, "ask", "hello")  # creates the knowledge base
    before = (tmp_path / "data" / "knowledge.json").read_bytes()
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "moscow-beijing-bot/1", "faq": [{"id": 1}]}')
    result = run_bot(tmp_path, "import", str(broken))
    assert result.returncode == 1
    assert "the knowledge base is unchanged" in result.stdout
    assert "In faq[0]: the required field questions is missing." in result.stdout
    assert (tmp_path / "data" / "knowledge.json").read_bytes() == before


def test_console_as_admin_can_add_an_entry(tmp_path: Path) -> None:
    script = (
        "/addfaq Is there a ferry between the capitals? | There is none.\n"
        "ferry between the capitals\n"
    )
    result = run_bot(tmp_path, "--admin", stdin=script)
    assert "Saved as faq:24" in result.stdout
    assert result.stdout.count("There is none.") == 1


def test_a_second_process_on_the_same_data_is_refused_clearly(tmp_path: Path) -> None:
    kb = KnowledgeBase.open(tmp_path / "data")
    try:
        result = run_bot(tmp_path, "ask", "hello")
    finally:
        kb.close()
    assert result.returncode == 2
    assert result.stderr.strip().endswith("is in use by another bot process")
    assert "Traceback" not in result.stderr


def test_console_export_saves_the_file_in_the_data_directory(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "--admin", stdin="/export\n")
    saved = tmp_path / "data" / "exports" / f"knowledge-{datetime.now(UTC):%Y-%m-%d}.json"
    assert f"📎 {saved.name}" in result.stdout and f"saved as {saved.resolve()}" in result.stdout
    assert json.loads(saved.read_text())["format"] == "moscow-beijing-bot/1"
    assert not list(tmp_path.glob("knowledge-*.json"))  # not where the console was started
