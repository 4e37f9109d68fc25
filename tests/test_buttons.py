"""Every button kind is made and read by one codec: what the bot makes, it reads back as it
was; what it never makes (forged, cut, from another kind) it reads as nothing."""

from __future__ import annotations

import pytest

from knowledge.records.models import MAX_ID, EntryRef
from knowledge.reminders import SUBSCRIPTION, Choice
from knowledge.replies import buttons
from knowledge.replies.buttons import Attach, Codec, Fixed, Vote

LONGEST_REF = EntryRef("contact", MAX_ID)
EXAMPLES: list[tuple[Codec, object]] = [
    (buttons.SHOW, LONGEST_REF),
    (buttons.MENU, "events"),
    (buttons.VOTE, Vote("down", EntryRef("faq", MAX_ID))),
    (buttons.LANGUAGE, "zh"),
    (buttons.CALENDAR, EntryRef("event", MAX_ID)),
    (buttons.DELETE, LONGEST_REF),
    (buttons.UNDO, MAX_ID),
    (buttons.FAQ_PAGE, 3),
    (buttons.UNANSWERED_NEW, MAX_ID),
    (buttons.UNANSWERED_ATTACH, Attach(MAX_ID, MAX_ID)),
    (buttons.UNANSWERED_DISMISS, MAX_ID),
    (buttons.IMPORT_APPLY, "a1b2c3d4e5f6"),
    (buttons.RESTORE, "20261122-100000-12-import"),
    (buttons.FORM_FIELD, "organization"),
    (buttons.FORM_ALTERNATE, MAX_ID),
    (SUBSCRIPTION, Choice("zone", zone="beijing")),
    (SUBSCRIPTION, Choice("hour", hour=18)),
]


@pytest.mark.parametrize(("codec", "value"), EXAMPLES)
def test_what_a_codec_makes_it_reads_back_within_telegrams_64_bytes(
    codec: Codec, value: object
) -> None:
    data = codec(value)
    assert len(data.encode()) <= buttons.DATA_LIMIT
    assert codec.matches(data) and codec.parse(data) == value
    others = [c for c, _ in EXAMPLES if c.kind != codec.kind]
    assert not any(other.parse(data) is not None for other in others)


@pytest.mark.parametrize(
    "data",
    ["show:faq:abc", "show:faq:" + "9" * 40, "vote:sideways:faq:1", "menu:admin",
     "undo:²", "un:attach:1", "sub:hour:25", "lang:", "del:faq", None, 42],
)  # fmt: skip
def test_data_the_bot_never_makes_reads_as_nothing(data: object) -> None:
    assert all(codec.parse(data) is None for codec, _ in EXAMPLES)


def test_a_fixed_button_is_its_data() -> None:
    assert isinstance(buttons.FORM_SAVE, Fixed) and buttons.FORM_SAVE == "form:save"
    assert buttons.FORM_SAVE.matches("form:save") and not buttons.FORM_SAVE.matches("form:sav")
