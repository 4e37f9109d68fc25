"""The import path under bad files: ``plan_import``, ``/import`` with a document in the chat,
and ``python bot.py import`` / ``restore FILE`` (``run_import``, ``run_restore``).

An export cut short at any point, a wrong type at any path, a huge string, deep nesting, a
duplicate id, bytes that are no UTF-8, a byte order mark, many megabytes: each is either
imported as it should be or refused with one short message that names the problem (and the
record it is in), and the knowledge base file stays byte for byte what it was. A file over the
size limit is refused before it is parsed, so memory stays bounded.
"""

from __future__ import annotations

import copy
import io
import json
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cli import run_import, run_restore
from knowledge.admin import AdminService
from knowledge.records.validation import Invalid
from knowledge.service import KnowledgeService
from knowledge.storage.knowledge_base import SOURCES, SYNONYMS, TABLES, KnowledgeBase
from knowledge.storage.transfer import MAX_IMPORT_BYTES, export_bytes, plan_import
from runtime.services import admin_service
from runtime.settings import Settings
from tests.conftest import OWNER, Chat, buttons, chat_with
from tests.support.telegram import (
    MESSAGE_LIMIT,
    hypothesis_settings,
    is_utf8,
    utf16_units,
    visible_text,
)

OWNERS = Settings(admin_ids=frozenset({OWNER}), flood_limit=0)
REFUSED = "The file was not imported; the knowledge base is unchanged."
RECORD_TABLES = (*TABLES.values(), SOURCES, SYNONYMS)
MB = 1_000_000


@pytest.fixture
def admin(service: KnowledgeService) -> AdminService:
    return admin_service(service, OWNERS)


@pytest.fixture
def exported(service: KnowledgeService) -> bytes:
    return export_bytes(service.kb)


def file_of(service: KnowledgeService) -> bytes:
    return service.kb.path.read_bytes()


def refusal(admin: AdminService, raw: bytes) -> Invalid:
    """The problem ``plan_import`` finds in ``raw``; fails if it takes the file, or fails in
    any other way than refusing it."""
    try:
        plan_import(raw, admin.kb)
    except Invalid as problem:
        check_readable(admin, problem)
        return problem
    raise AssertionError("the file was accepted")


def check_readable(admin: AdminService, problem: Invalid) -> None:
    """The refusal, in every language the bot speaks, is one valid Telegram message."""
    for lang in admin.service.catalog.languages:
        reply = admin.transfer.import_refused(problem, lang)
        [message] = reply.messages()
        assert is_utf8(message) and is_utf8(reply.plain)  # it can be sent, and printed
        shown = visible_text(message)
        assert utf16_units(shown) <= MESSAGE_LIMIT
        assert admin.service.message("import.refused", lang).plain in shown


def said(admin: AdminService, problem: Invalid) -> str:
    return admin.transfer.import_refused(problem, "en").plain


# A file cut short ------------------------------------------------------------------------------


def test_an_export_cut_at_any_point_is_refused_as_broken_json(
    admin: AdminService, service: KnowledgeService, exported: bytes
) -> None:
    before = file_of(service)
    multibyte = [i for i, byte in enumerate(exported) if byte >= 0xC0][:200]  # inside a letter
    cuts = sorted({*range(0, len(exported), 53), *range(len(exported) - 300, len(exported))})
    for cut in [*cuts, *(i + 1 for i in multibyte)]:
        problem = refusal(admin, exported[:cut])
        if problem.key == "import.not_utf8":
            assert exported[cut - 1] >= 0x80  # only a cut through a letter
            continue
        assert problem.key == "import.not_json", (cut, problem)
        lines = exported[:cut].count(b"\n") + 1
        assert 1 <= problem.params["line"] <= lines  # the place named is in the file
    assert file_of(service) == before


# Wrong types anywhere -------------------------------------------------------------------------


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a JSON document: keys of objects, indexes of lists."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*prefix, index))


def mutated(document: Any, path: tuple[Any, ...], how: str, value: Any) -> Any:
    if not path:
        return value if how == "replace" else document
    document = copy.deepcopy(document)
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if how == "replace":
        parent[last] = value
    elif how == "delete":
        del parent[last]
    elif isinstance(parent[last], dict):  # "add": a key no file of ours has
        parent[last]["surprise"] = value
    return document


WRONG_VALUES = [
    None,
    True,
    False,
    0,
    -1,
    2.5,
    1e300,
    10**30,
    "",
    " ",
    "\u200b",
    "\x00",
    "\ud800",  # a lone surrogate, as a "\ud800" escape in the file carries it
    "x",
    "x" * 5000,
    [],
    [None],
    [[]],
    {},
    {"en": 1},
    {"xx-YY": "y"},
    {"en": "\ud800"},
    "http://[::1",  # no URL at all to urllib: it raises ValueError
    "https://a\uff03b.example",
]


def record_of(path: tuple[Any, ...]) -> str | None:
    """The record a change at ``path`` is inside, as an import error names it; None when a
    problem there may show up elsewhere (a source's id is checked where records cite it)."""
    if len(path) < 3 or path[0] not in RECORD_TABLES:
        return None
    if path[0] == SOURCES and path[2] == "id":
        return None
    return f"{path[0]}[{path[1]}]"


def test_a_wrong_type_anywhere_is_refused_naming_its_record(
    admin: AdminService, service: KnowledgeService, exported: bytes
) -> None:
    before = file_of(service)
    document = json.loads(exported)
    places = list(paths(document))
    assert len(places) > 1000

    @hypothesis_settings(examples=500)
    @given(
        st.sampled_from(places),
        st.sampled_from(["replace", "replace", "delete", "add"]),
        st.sampled_from(WRONG_VALUES),
    )
    def wrong(path: tuple[Any, ...], how: str, value: Any) -> None:
        raw = json.dumps(mutated(document, path, how, value)).encode()
        try:
            plan_import(raw, admin.kb)
        except Invalid as problem:
            check_readable(admin, problem)
            record = record_of(path)
            if record is not None:
                assert problem.params.get("path") == record, (problem, said(admin, problem))

    wrong()
    assert file_of(service) == before


def test_duplicate_ids_are_refused_at_the_second_record(
    admin: AdminService, service: KnowledgeService, exported: bytes
) -> None:
    before = file_of(service)
    document = json.loads(exported)

    @hypothesis_settings(examples=60)
    @given(st.sampled_from([*TABLES.values(), SOURCES]), st.data())
    def duplicated(table: str, data: st.DataObject) -> None:
        first = data.draw(st.integers(0, len(document[table]) - 2))
        second = data.draw(st.integers(first + 1, len(document[table]) - 1))
        copied = copy.deepcopy(document)
        copied[table][second]["id"] = copied[table][first]["id"]
        problem = refusal(admin, json.dumps(copied).encode())
        assert problem.key == "import.duplicate_id"
        assert problem.params["path"] == f"{table}[{second}]"
        assert f"the id {copied[table][first]['id']} appears twice" in said(admin, problem)

    duplicated()
    assert file_of(service) == before


# Bytes that are no UTF-8 text -----------------------------------------------------------------

NOT_UTF8 = [
    b"\xff",
    b"\xfe\xff",
    b"\x80",
    b"\xc3",  # a letter's first byte, alone
    b"\xc0\xaf",  # an overlong "/"
    b"\xed\xa0\x80",  # an encoded surrogate
    b"\xf4\x90\x80\x80",  # past U+10FFFF
    b"\xe4\xb8",  # a Chinese character cut short
]


def test_bytes_that_are_no_utf8_anywhere_are_refused_as_such(
    admin: AdminService, service: KnowledgeService, exported: bytes
) -> None:
    before = file_of(service)
    ascii_gaps = [i for i in range(len(exported) + 1) if exported[i - 1 : i + 1].isascii()]

    @hypothesis_settings(examples=150)
    @given(st.sampled_from(ascii_gaps), st.sampled_from(NOT_UTF8))
    def broken(position: int, junk: bytes) -> None:
        problem = refusal(admin, exported[:position] + junk + exported[position:])
        assert problem.key == "import.not_utf8"
        assert "the file is not UTF-8 text" in said(admin, problem)

    broken()
    for encoding in ("utf-16", "utf-32", "utf-16-be"):
        problem = refusal(admin, exported.decode().encode(encoding))
        assert problem.key in ("import.not_utf8", "import.not_json")
    assert file_of(service) == before


def test_a_byte_order_mark_as_some_editors_write_it_is_no_error(
    admin: AdminService, exported: bytes
) -> None:
    plan = plan_import(b"\xef\xbb\xbf" + exported, admin.kb)
    assert not plan.changes_anything


# Huge strings, huge numbers, deep nesting ---------------------------------------------------


def huge(exported: bytes, change: str) -> bytes:
    """The export with one part made enormous (the file stays under the size limit)."""
    document = json.loads(exported)
    size = 4 * MB
    if change == "answer":
        document["faq"][0]["answer"]["en"] = "слово " * (size // 10)  # 11 bytes each
    elif change == "field name":
        document["faq"][0]["x" * size] = "?"
    elif change == "section name":
        document["y" * size] = []
    elif change == "language code":
        document["events"][0]["title"]["e" * size] = "?"
    elif change == "source id":
        document["sources"][0]["id"] = "s" * size
    elif change == "cited source":
        document["contacts"][0]["sources"] = ["c" * size]
    elif change == "date":
        document["events"][0]["date"] = "2" * size
    elif change == "website":
        document["contacts"][0]["website"] = "https://" + "w" * size
    elif change == "id":
        document["faq"][0]["id"] = 0
        return json.dumps(document).encode().replace(b'"id": 0', b'"id": ' + b"9" * size, 1)
    elif change == "tag list":
        document["faq"][0]["tags"] = ["t"] * (size // 5 + 50_000)  # '"t", ' each
    return json.dumps(document, ensure_ascii=False).encode()


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ("answer", "In faq[0]: answer is too long: 2399999 characters, at most 4000."),
        ("field name", f"In faq[0]: unknown field {'x' * 40}."),
        ("section name", f"unknown section {'y' * 40}."),
        ("language code", f"In events[0]: {'e' * 10} is not a language code"),
        ("source id", "In sources[0]: every source needs a text id."),
        ("cited source", f"In contacts[0]: the source {'c' * 40} is not in the file's sources."),
        ("date", f"In events[0]: {'2' * 40} is not a date I understand."),
        ("website", "In contacts[0]: website is too long"),
        ("id", "In faq[0]: every record needs a positive whole-number id."),
        ("tag list", "In faq[0]: Too many values for tag: at most 20."),
    ],
)
def test_a_huge_part_is_refused_in_one_short_message(
    admin: AdminService, service: KnowledgeService, exported: bytes, change: str, complaint: str
) -> None:
    before = file_of(service)
    raw = huge(exported, change)
    assert 4 * MB < len(raw) <= MAX_IMPORT_BYTES
    text = said(admin, refusal(admin, raw))
    assert complaint in text
    assert len(text) < 300
    assert file_of(service) == before


@pytest.mark.parametrize(
    "website", ["http://[::1", "https://[x.example", "https://a\uff03b.example"]
)
def test_a_website_urllib_cannot_read_is_refused_as_no_website(
    admin: AdminService, exported: bytes, website: str
) -> None:
    document = json.loads(exported)
    document["contacts"][1]["website"] = website
    problem = refusal(admin, json.dumps(document).encode())
    assert problem.key == "invalid.website" and problem.params["path"] == "contacts[1]"


NESTINGS = {
    "lists": lambda depth: "[" * depth + "]" * depth,
    "objects": lambda depth: '{"a":' * depth + "1" + "}" * depth,
    "mixed": lambda depth: '[{"a":' * (depth // 2) + "[]" + "}]" * (depth // 2),
}
PLACES = {
    "the whole file": "{}",
    "a section": '{{"format": "moscow-beijing-bot/1", "faq": {}}}',
    "an answer": (
        '{{"format": "moscow-beijing-bot/1", "faq": [{{"id": 1, "questions": {{"en": ["Q?"]}},'
        ' "answer": {}}}]}}'
    ),
    "a cited source": (
        '{{"format": "moscow-beijing-bot/1", "faq": [{{"id": 1, "questions": {{"en": ["Q?"]}},'
        ' "answer": {{"en": "A."}}, "sources": [{}]}}]}}'
    ),
    "a synonym": '{{"format": "moscow-beijing-bot/1", "synonyms": [{{"words": ["a", {}]}}]}}',
    "an unknown field": (
        '{{"format": "moscow-beijing-bot/1", "events": [{{"id": 1, "date": "2026",'
        ' "title": {{"en": "T"}}, "more": {}}}]}}'
    ),
}


@pytest.mark.parametrize("depth", [900, 5_000, 100_000])
@pytest.mark.parametrize("nesting", list(NESTINGS))
def test_deep_nesting_anywhere_is_refused(
    admin: AdminService, service: KnowledgeService, nesting: str, depth: int
) -> None:
    before = file_of(service)
    for place, template in PLACES.items():
        raw = template.format(NESTINGS[nesting](depth)).encode()
        problem = refusal(admin, raw)
        if depth > 1000:
            assert problem.key == "import.too_deep", (place, problem)
    assert file_of(service) == before


# Through the chat ------------------------------------------------------------------------------


@pytest.fixture
async def owner(service: KnowledgeService) -> AsyncIterator[Chat]:
    async with chat_with(service, OWNERS) as chat:
        yield chat


async def upload(chat: Chat, content: bytes, file_size: int | None = None) -> list[dict]:
    document = chat.api.upload(content, "knowledge.json")
    if file_size is None:
        del document["file_size"]  # optional in the Bot API
    else:
        document["file_size"] = file_size
    return await chat.process(chat.user.document(document, caption="/import"))


BAD_FILES = {
    # Cut at a character boundary: a cut inside one is the "no UTF-8" case, not this one.
    "cut short": lambda exported: (
        exported[: len(exported) // 2].decode("utf-8", "ignore").encode("utf-8")
    ),
    "no UTF-8": lambda exported: exported[:100] + b"\xed\xa0\x80" + exported[100:],
    "huge number": lambda exported: (
        b'{"format": "moscow-beijing-bot/1", "faq": [{"id": ' + b"1" * 5000 + b"}]}"
    ),
    "a list as cited source": lambda exported: json.dumps(
        {
            "format": "moscow-beijing-bot/1",
            "faq": [{"id": 1, "questions": {"en": ["Q?"]}, "answer": {"en": "A"}, "sources": [[]]}],
        }
    ).encode(),
    "lone surrogate as source id": lambda exported: json.dumps(
        {"format": "moscow-beijing-bot/1", "sources": [{"id": "\ud800", "title": {"en": "T"}}]}
    ).encode(),
    "lone surrogate as language": lambda exported: json.dumps(
        {"format": "moscow-beijing-bot/1", "sources": [{"id": "s", "title": {"\ud800": "T"}}]}
    ).encode(),
    "deep": lambda exported: b"[" * 100_000 + b"]" * 100_000,
    "huge field name": lambda exported: huge(exported, "field name"),
}
COMPLAINTS = {
    "cut short": "the file is not valid JSON",
    "no UTF-8": "the file is not UTF-8 text",
    "huge number": "In faq[0]: every record needs a positive whole-number id.",
    "a list as cited source": "In faq[0]: the source [] is not in the file's sources.",
    "lone surrogate as source id": "In sources[0]: every source needs a text id.",
    "lone surrogate as language": "In sources[0]: \ufffd is not a language code",
    "deep": "the file is nested too deeply",
    "huge field name": f"In faq[0]: unknown field {'x' * 40}.",
}


@pytest.mark.parametrize("bad", list(BAD_FILES))
async def test_a_bad_upload_gets_one_clear_refusal_and_changes_nothing(
    owner: Chat, service: KnowledgeService, exported: bytes, bad: str
) -> None:
    before = file_of(service)
    [reply] = await upload(owner, BAD_FILES[bad](exported), file_size=None)
    assert REFUSED in reply["text"] and COMPLAINTS[bad] in reply["text"]
    assert buttons(reply) == []  # nothing to apply
    [again] = await owner.send("/import")  # no half-checked import is left waiting
    assert "Send the JSON file" in again["text"]
    assert file_of(service) == before


async def test_an_upload_whose_size_telegram_did_not_say_is_refused_before_parsing(
    owner: Chat, service: KnowledgeService
) -> None:
    before = file_of(service)
    content = b"[" + b"0," * (10 * MB) + b"0]"  # 20 MB; parsed, ten million numbers
    for file_size in (None, 1_000):  # not given, or wrong
        tracemalloc.start()
        try:
            [reply] = await upload(owner, content, file_size)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert REFUSED in reply["text"] and "larger than 5 MB" in reply["text"]
        assert peak < 3 * len(content)  # the download and one copy; no parse
    assert file_of(service) == before


async def test_a_file_that_passes_the_check_can_be_applied(
    owner: Chat, service: KnowledgeService, exported: bytes
) -> None:
    document = json.loads(exported)
    document["sources"][0]["title"]["en"] = "A title\u200b with\x00 hidden\ud800 characters"
    [summary] = await upload(owner, b"\xef\xbb\xbf" + json.dumps(document).encode())
    assert "Sources: 0 added, 1 changed, 0 removed" in summary["text"]
    apply = [data for label, data in buttons(summary) if "Apply" in label]
    [done] = await owner.press(apply[0], summary)
    assert "Imported" in done["text"]
    assert service.kb.sources()[document["sources"][0]["id"]].title["en"] == (
        "A title with hidden characters"
    )


# From the command line -------------------------------------------------------------------------


@pytest.fixture
def cli_data(tmp_path: Path) -> Path:
    directory = tmp_path / "cli-data"
    KnowledgeBase.open(directory).close()  # created from the seed, as on first start
    return directory


@pytest.mark.parametrize("bad", list(BAD_FILES))
@pytest.mark.parametrize("command", ["import", "restore"])
def test_bot_py_import_and_restore_refuse_a_bad_file_and_change_nothing(
    cli_data: Path, tmp_path: Path, exported: bytes, bad: str, command: str
) -> None:
    knowledge = cli_data / "knowledge.json"
    before = knowledge.read_bytes()
    source = tmp_path / "bad.json"
    source.write_bytes(BAD_FILES[bad](exported))
    out = io.StringIO()
    settings = Settings(data_dir=cli_data)
    if command == "import":
        code = run_import(settings, str(source), dry_run=False, out=out)
    else:
        code = run_restore(settings, str(source), out=out)
    assert code == 1
    assert REFUSED in out.getvalue() and COMPLAINTS[bad] in out.getvalue()
    assert is_utf8(out.getvalue())  # printable on a UTF-8 terminal
    assert knowledge.read_bytes() == before


def test_bot_py_import_of_a_20_mb_file_is_refused_before_parsing(
    cli_data: Path, tmp_path: Path
) -> None:
    knowledge = cli_data / "knowledge.json"
    before = knowledge.read_bytes()
    source = tmp_path / "big.json"
    source.write_bytes(b"[" + b"0," * (10 * MB) + b"0]")
    out = io.StringIO()
    tracemalloc.start()
    try:
        code = run_import(Settings(data_dir=cli_data), str(source), dry_run=False, out=out)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 1 and "the file is larger than 5 MB" in out.getvalue()
    assert peak < 2 * source.stat().st_size  # read once, never parsed
    assert knowledge.read_bytes() == before
