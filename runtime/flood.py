"""Per-user flood control, with two budgets a minute: typed messages (``limit``) and button
presses (``button_limit``, more generous: walking the menus is many quick, cheap presses).

The first message over a budget is answered once, with the real number of seconds until the
budget has room again; what the user sends before then is ignored, and the first message after
it is answered. A script hammering the bot costs us a few replies a minute, not thousands."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from enum import Enum

DEFAULT_LIMIT = 20  # typed messages a minute
BUTTON_FACTOR = 3  # button presses allowed a minute per typed message allowed
WINDOW = 60.0  # seconds
_FORGET_AFTER = 10_000  # users tracked before idle ones are forgotten


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"  # over the limit just now: tell the user once, with the seconds to wait
    IGNORE = "ignore"  # still waiting: say nothing


class _Budget:
    """At most ``limit`` actions by one user in any ``WINDOW`` seconds."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        # When each counted action leaves the window; comparing these same numbers to decide
        # both "paused" and "expired" means the first message after the pause always fits.
        self._expiries: dict[int, deque[float]] = {}
        self._paused_until: dict[int, float] = {}

    def check(self, user_id: int, now: float) -> Verdict:
        paused_until = self._paused_until.get(user_id)
        if paused_until is not None:
            if now < paused_until:
                return Verdict.IGNORE
            del self._paused_until[user_id]
        expiries = self._expiries.setdefault(user_id, deque())
        while expiries and expiries[0] <= now:
            expiries.popleft()
        if len(expiries) >= self.limit:
            self._paused_until[user_id] = expiries[0]  # the oldest leaves: room again
            return Verdict.WARN
        expiries.append(now + WINDOW)
        if len(self._expiries) > _FORGET_AFTER:
            self._forget_idle(now)
        return Verdict.ALLOW

    def seconds_left(self, user_id: int, now: float) -> int:
        """Whole seconds until ``user_id`` may send again (0: now)."""
        paused_until = self._paused_until.get(user_id, now)
        return max(0, math.ceil(paused_until - now))

    def _forget_idle(self, now: float) -> None:
        idle = [uid for uid, times in self._expiries.items() if not times or times[-1] <= now]
        for user_id in idle:
            del self._expiries[user_id]
        for user_id in [u for u, until in self._paused_until.items() if until <= now]:
            del self._paused_until[user_id]


class FloodGuard:
    def __init__(
        self,
        limit: int = DEFAULT_LIMIT,
        clock: Callable[[], float] = time.monotonic,
        button_limit: int | None = None,
    ) -> None:
        self.limit = limit  # 0 turns flood control off, buttons included
        self.clock = clock
        self._typed = _Budget(limit)
        self._buttons = _Budget(limit * BUTTON_FACTOR if button_limit is None else button_limit)

    def check(self, user_id: int, *, button: bool = False) -> Verdict:
        """Count one message (or button press) from ``user_id`` and say what to do with it."""
        if self.limit <= 0:
            return Verdict.ALLOW
        return self._budget(button).check(user_id, self.clock())

    def seconds_left(self, user_id: int, *, button: bool = False) -> int:
        """How long ``user_id`` must wait, in whole seconds, before being answered again."""
        return self._budget(button).seconds_left(user_id, self.clock())

    def _budget(self, button: bool) -> _Budget:
        return self._buttons if button else self._typed
