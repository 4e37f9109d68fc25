"""The command-line data commands of ``python bot.py``: ask, export, import and restore.

They work on the data directory directly, with the bot stopped (one process owns it), and act
as its owner: whoever runs them on the server owns the data. Each returns the exit status.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, TextIO

from knowledge.admin import AdminService, problem_text
from knowledge.i18n.catalog import Catalog
from knowledge.i18n.languages import DEFAULT_LANGUAGE
from knowledge.records.validation import Invalid
from knowledge.replies.markup import Markup, to_plain
from knowledge.service import KnowledgeService
from knowledge.storage.atomic import write_atomically
from knowledge.storage.backups import backup_in, backups_in
from knowledge.storage.knowledge_base import CorruptKnowledgeBase, set_aside
from knowledge.storage.transfer import ImportPlan, checked_content, export_bytes, plan_import
from runtime.services import BACKUPS_DIR, COMMAND_LINE_USER_ID, command_line_admin, open_service
from runtime.settings import Settings, SettingsError

CLI_LANGUAGE = DEFAULT_LANGUAGE  # what the data commands print their reports in


def run_ask(
    settings: Settings,
    questions: Sequence[str],
    as_json: bool,
    lang: str | None = None,
    out: TextIO = sys.stdout,
) -> int:
    """Answer each question and print what the user would read, or one JSON object per line.
    The reply language is ``lang``, else the question's own language, else English."""
    service = open_service(settings)
    if lang is not None and lang not in service.catalog.languages:
        service.close()
        spoken = ", ".join(service.catalog.languages)
        raise SettingsError(f"--lang must be one of {spoken}; got {lang!r}")
    try:
        for question in _questions(questions):
            reply_lang = lang or service.reply_language(None, None, question)
            answer = service.ask(question, reply_lang)
            if as_json:
                print(json.dumps(answer.to_json(), ensure_ascii=False), file=out)
            else:
                print(answer.reply.plain, file=out)
                for number, suggestion in enumerate(answer.suggestions, 1):
                    print(f"  [{number}] {suggestion.title}", file=out)
                print(file=out)
    finally:
        service.close()
    return 0


def run_export(settings: Settings, target: str, out: TextIO = sys.stdout) -> int:
    service = open_service(settings)
    try:
        data = export_bytes(service.kb)
    finally:
        service.close()
    if target == "-":
        out.write(data.decode())
    else:
        write_atomically(Path(target), data.decode())
        print(f"Exported the knowledge base to {target} ({len(data):,} bytes).", file=out)
    return 0


def run_import(settings: Settings, source: str, dry_run: bool, out: TextIO = sys.stdout) -> int:
    """Validate ``source`` completely, print what would change, and apply it unless dry."""
    raw = _read(source, f"cannot read {source}")
    if raw is None:
        return 2
    service = open_service(settings)
    try:
        admin = command_line_admin(service, settings)
        try:
            plan = plan_import(raw, service.kb)
        except Invalid as problem:
            print(admin.transfer.import_refused(problem, CLI_LANGUAGE).plain, file=out)
            return 1
        return _apply(admin, plan, "import", None, dry_run, out)
    finally:
        service.close()


def run_restore(settings: Settings, source: str | None, out: TextIO = sys.stdout) -> int:
    """List the backups, or restore one (by name, or any export file by path). Neither reads
    the knowledge base first when it is damaged: that is when a restore is needed most."""
    directory = Path(settings.data_dir) / BACKUPS_DIR
    if source is None:
        return _list_backups(directory, out)
    backup = backup_in(directory, source)
    path = backup.path if backup else Path(source)
    raw = _read(str(path), f"{source} is neither a backup (see: bot.py restore) nor a file")
    if raw is None:
        return 2
    try:
        checked_content(raw, max_bytes=None)  # a bad backup must not cost the damaged file
    except Invalid as problem:
        catalog = Catalog.load()
        refused = catalog.text(CLI_LANGUAGE, "import.refused")
        print(refused, to_plain(problem_text(catalog, problem, CLI_LANGUAGE)), sep="\n\n", file=out)
        return 1
    service = _open_for_restore(settings, out)
    try:
        admin = command_line_admin(service, settings)
        plan = plan_import(raw, service.kb, max_bytes=None)
        heading = service.formatter(CLI_LANGUAGE).t("restore.summary_file", name=path.name)
        return _apply(admin, plan, "restore", heading, False, out)
    finally:
        service.close()


def _apply(
    admin: AdminService,
    plan: ImportPlan,
    reason: Literal["import", "restore"],
    heading: Markup | None,
    dry_run: bool,
    out: TextIO,
) -> int:
    """Say what ``plan`` changes and apply it (a backup of what it replaces is taken first)."""
    if not plan.changes_anything:
        print(admin.service.message(f"{reason}.no_changes", CLI_LANGUAGE).plain, file=out)
        return 0
    print(to_plain(admin.transfer.import_summary(plan, CLI_LANGUAGE, heading)), file=out)
    if dry_run:
        print("(dry run: nothing was changed)", file=out)
        return 0
    backup = admin.transfer.replace_content(COMMAND_LINE_USER_ID, plan, reason)
    # /undo is for a chat's own changes: from the shell, the way back is the backup.
    done = "Imported" if reason == "import" else "Restored"
    print(f"✅ {done}. To go back: python bot.py restore {backup.name}", file=out)
    return 0


def _read(path: str, problem: str) -> bytes | None:
    try:
        return Path(path).read_bytes()
    except OSError:
        print(f"bot.py: {problem}", file=sys.stderr)
        return None


def _open_for_restore(settings: Settings, out: TextIO) -> KnowledgeService:
    """The knowledge service to restore into; a damaged file is first set aside, kept."""
    try:
        return open_service(settings)
    except CorruptKnowledgeBase as damaged:
        kept = set_aside(damaged.path, datetime.now(UTC))
        print(f"The damaged {damaged.path.name} was kept as {kept}.", file=out)
        return open_service(settings)


def _list_backups(directory: Path, out: TextIO) -> int:
    found = backups_in(directory)
    if not found:
        print(f"No backups yet in {directory}.", file=out)
        return 0
    print(f"Backups in {directory}, newest first:", file=out)
    for backup in found:
        print(f"  {backup.name}  ({backup.size:,} bytes)", file=out)
    print("Restore one with: python bot.py restore NAME", file=out)
    return 0


def _questions(given: Sequence[str]) -> Iterable[str]:
    if given:
        yield from given
    else:
        yield from (line.rstrip("\n") for line in sys.stdin if line.strip())
