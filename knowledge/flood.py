"""Per-user flood control: at most ``limit`` messages in any minute. The first message over the
limit is answered once with a polite notice and the user's messages are ignored for a minute
after it, so a script hammering the bot costs us a few replies a minute, not thousands."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from enum import Enum

DEFAULT_LIMIT = 20  # messages a minute
WINDOW = 60.0  # seconds
PAUSE = 60.0  # seconds of silence imposed once the limit is passed
_FORGET_AFTER = 10_000  # users tracked before idle ones are forgotten


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"  # over the limit just now: tell the user once
    IGNORE = "ignore"  # still paused: say nothing


class FloodGuard:
    def __init__(
        self,
        limit: int = DEFAULT_LIMIT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit  # 0 turns flood control off
        self.clock = clock
        self._recent: dict[int, deque[float]] = {}
        self._paused_until: dict[int, float] = {}

    def check(self, user_id: int) -> Verdict:
        """Count one message from ``user_id`` and say what to do with it."""
        if self.limit <= 0:
            return Verdict.ALLOW
        now = self.clock()
        paused_until = self._paused_until.get(user_id)
        if paused_until is not None:
            if now < paused_until:
                return Verdict.IGNORE
            del self._paused_until[user_id]
            self._recent.pop(user_id, None)
        recent = self._recent.setdefault(user_id, deque())
        while recent and now - recent[0] >= WINDOW:
            recent.popleft()
        if len(recent) >= self.limit:
            self._paused_until[user_id] = now + PAUSE
            return Verdict.WARN
        recent.append(now)
        if len(self._recent) > _FORGET_AFTER:
            self._forget_idle(now)
        return Verdict.ALLOW

    def _forget_idle(self, now: float) -> None:
        recent = self._recent.items()
        idle = [uid for uid, times in recent if not times or now - times[-1] >= WINDOW]
        for user_id in idle:
            del self._recent[user_id]
        for user_id in [u for u, until in self._paused_until.items() if until <= now]:
            del self._paused_until[user_id]
