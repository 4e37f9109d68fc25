"""When an event is: a date as precise as its source, and the clock its time is read by."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, time

_EVENT_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?: (\d{2}):(\d{2}))?)?)?$")


@dataclass(frozen=True, order=True)
class EventDate:
    """A date as precise as the source: a year, a month, a day, or a day and a time."""

    year: int
    month: int | None = None
    day: int | None = None
    at: time | None = None

    @classmethod
    def parse(cls, text: str) -> EventDate:
        match = _EVENT_DATE.match(text.strip())
        if not match:
            raise ValueError(f"not a date of the form YYYY[-MM[-DD[ HH:MM]]]: {text!r}")
        year, month, day, hour, minute = (int(g) if g else None for g in match.groups())
        assert year is not None
        # Validate by constructing the real values; raises ValueError when out of range.
        date(year, month or 1, day or 1)
        at = time(hour, minute) if hour is not None and minute is not None else None
        return cls(year, month, day, at)

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month:
            text += f"-{self.month:02d}"
        if self.day:
            text += f"-{self.day:02d}"
        if self.at:
            text += f" {self.at:%H:%M}"
        return text

    @property
    def first_day(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def last_day(self) -> date:
        if self.day:
            return self.first_day
        month = self.month or 12
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    def is_past(self, today: date) -> bool:
        """Past once its whole span is over: "December 2020" is not past on 2020-12-20."""
        return self.last_day < today

    @property
    def sort_key(self) -> tuple[date, time]:
        """Chronological order; an event known only by month comes after that month's dates."""
        return (self.last_day, self.at or time.min)


# The clocks an event may be scheduled by: the two cities' (IANA name: city, as catalog keys
# name it). A record without one is in Moscow time, as every event was before events had one.
EVENT_ZONES: dict[str, str] = {"Europe/Moscow": "moscow", "Asia/Shanghai": "beijing"}
DEFAULT_EVENT_ZONE = "Europe/Moscow"
