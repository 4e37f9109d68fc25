"""Snapshots of the knowledge base: taken before every import or restore and once a day.
A snapshot is an export file, so restoring one is an import that is checked completely first
(and snapshotted itself, so a restore can be undone too).

Snapshots rotate in two separate sets, the newest ``keep`` of each kept: those taken before an
import, which any admin can cause, and the daily, manual and before-restore ones, which only
time and owners cause. However many imports an admin sends, the owners' backups stay."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from knowledge.storage.atomic import write_atomically
from knowledge.storage.knowledge_base import Doc, KnowledgeBase
from knowledge.storage.transfer import checked_content, export_bytes

DEFAULT_KEEP = 14
DAILY = timedelta(days=1)
REASONS = ("daily", "import", "restore", "manual")
# Which rotation each reason's snapshots belong to.
ROTATION = {"daily": "owners", "manual": "owners", "restore": "owners", "import": "imports"}
_NAME = re.compile(r"^(\d{8}-\d{6})(?:-(\d+))?-([a-z]+)$")  # 20261122-100000[-2]-daily
_STAMP = "%Y%m%d-%H%M%S"


@dataclass(frozen=True)
class Backup:
    name: str  # the file name without ".json"; also what /restore and `bot.py restore` take
    path: Path
    taken_at: datetime
    reason: str
    size: int
    sequence: int = 1  # the second snapshot within one second is 2, and so on


class Backups:
    def __init__(self, kb: KnowledgeBase, directory: Path, keep: int = DEFAULT_KEEP) -> None:
        if keep < 1:
            raise ValueError("keep at least one backup")
        self.kb = kb
        self.directory = directory
        self.keep = keep

    def take(self, reason: str) -> Backup:
        """Write a snapshot of the current content, then drop the oldest beyond ``keep``."""
        if reason not in REASONS:
            raise ValueError(f"unknown backup reason {reason!r}")
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self._free_path(self.kb.clock(), reason)
        write_atomically(path, export_bytes(self.kb))
        self._prune()
        backup = _parse(path)
        assert backup is not None
        return backup

    def all(self) -> list[Backup]:
        """Every snapshot, newest first."""
        return backups_in(self.directory)

    def find(self, name: str) -> Backup | None:
        """The snapshot called ``name`` (with or without ".json"); never a path elsewhere."""
        return backup_in(self.directory, name)

    def content(self, name: str) -> dict[str, list[Doc]] | None:
        """The content snapshot ``name`` holds, checked as an import is; None if it is gone."""
        backup = self.find(name)
        if backup is None:
            return None
        return checked_content(backup.path.read_bytes(), max_bytes=None)

    def daily_due(self) -> bool:
        """True when the owners' rotation has no snapshot from the last day."""
        newest = [b for b in self.all() if ROTATION[b.reason] == "owners"]
        return not newest or self.kb.clock() - newest[0].taken_at >= DAILY

    def _free_path(self, now: datetime, reason: str) -> Path:
        stamp = now.astimezone(UTC).strftime(_STAMP)
        path = self.directory / f"{stamp}-{reason}.json"
        number = 1
        while path.exists():  # two snapshots within one second
            number += 1
            path = self.directory / f"{stamp}-{number}-{reason}.json"
        return path

    def _prune(self) -> None:
        for rotation in set(ROTATION.values()):
            snapshots = [b for b in self.all() if ROTATION[b.reason] == rotation]
            for old in snapshots[self.keep :]:
                old.path.unlink(missing_ok=True)


def backups_in(directory: Path) -> list[Backup]:
    """Every snapshot in ``directory``, newest first; reads no knowledge base (so a damaged
    one can still be restored)."""
    if not directory.is_dir():
        return []
    found = [b for b in map(_parse, directory.glob("*.json")) if b is not None]
    return sorted(found, key=lambda b: (b.taken_at, b.sequence), reverse=True)


def backup_in(directory: Path, name: str) -> Backup | None:
    """The snapshot called ``name`` (with or without ".json"); never a path elsewhere."""
    name = name.removesuffix(".json")
    return next((b for b in backups_in(directory) if b.name == name), None)


def _parse(path: Path) -> Backup | None:
    match = _NAME.match(path.stem)
    if match is None or match[3] not in REASONS:
        return None
    taken_at = datetime.strptime(match[1], _STAMP).replace(tzinfo=UTC)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    return Backup(path.stem, path, taken_at, match[3], size, int(match[2] or 1))
