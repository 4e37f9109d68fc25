"""The bot's behaviour, free of Telegram: questions in, replies (text and buttons) out."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from knowledge.activity import Activity
from knowledge.i18n.catalog import Catalog
from knowledge.i18n.languages import DEFAULT_LANGUAGE
from knowledge.matching.decision import MAX_SUGGESTIONS, Evidence, Outcome, decide, gather
from knowledge.matching.matcher import Match
from knowledge.matching.retrieval import HybridMatcher, Retrieved
from knowledge.matching.semantic import Embedder, VectorCache, default_embedder
from knowledge.matching.text import clear_language, detect_language
from knowledge.records.models import EntryRef, Event, FaqEntry, pick
from knowledge.replies.buttons import (
    AUTOMATIC,
    CALENDAR,
    LANGUAGE,
    MENU,
    MENU_PAGES,
    SHOW,
    VOTE,
    Vote,
)
from knowledge.replies.calendar import (
    DATE_ERRORS,
    CalendarFile,
    can_be_added,
    event_calendar,
    skipped,
)
from knowledge.replies.formatter import (
    Button,
    Formatter,
    Reply,
    in_rows,
    join_paragraphs,
    one_per_row,
)
from knowledge.replies.markup import Markup, escape, to_plain, well_formed
from knowledge.storage.knowledge_base import KnowledgeBase

log = logging.getLogger(__name__)

MAX_SEARCH_RESULTS = 8
RELATED_MARGIN = 12.0  # runners-up this close to an answer are offered beside it
RELATED_FLOOR = 45.0
MAX_RELATED = 2
VECTORS_NAME = "vectors.npz"  # beside the knowledge base: embeddings of its texts, a cache
SEARCH_FLOOR = 30  # fused score from which /search lists an entry


@dataclass(frozen=True)
class Suggestion:
    ref: EntryRef
    title: str
    score: float


@dataclass(frozen=True)
class Answer:
    """The outcome of a free-text question: the reply, and why it is what it is."""

    query: str
    outcome: Outcome
    reply: Reply
    ref: EntryRef | None = None
    score: float = 0.0
    suggestions: tuple[Suggestion, ...] = ()

    @property
    def matched(self) -> bool:
        return self.outcome == "answer"

    def to_json(self) -> dict[str, Any]:
        """The stable record of ``python bot.py ask --json``."""
        return {
            "query": self.query,
            "matched": self.matched,
            "kind": self.ref.kind if self.matched and self.ref else "none",
            "id": str(self.ref) if self.matched and self.ref else None,
            "score": round(self.score, 1),
            "answer": self.reply.plain,
            "suggestions": [
                {"id": str(s.ref), "title": s.title, "score": round(s.score, 1)}
                for s in self.suggestions
            ],
        }


class KnowledgeService:
    """Everything the bot can say. Handlers call this and render what it returns."""

    def __init__(
        self,
        kb: KnowledgeBase,
        catalog: Catalog,
        *,
        today: Callable[[], date] = date.today,
        embedder: Embedder | None = None,
    ) -> None:
        self.kb = kb
        self.catalog = catalog
        self.today = today
        cache = VectorCache(embedder or default_embedder(), kb.path.parent / VECTORS_NAME)
        self.matcher = HybridMatcher(kb.entries(), kb.synonym_groups(), cache)
        self.activity = Activity(kb)
        self._chosen_languages = kb.languages_chosen()  # read once; written through

    def close(self) -> None:
        """Write what is still counted in memory, and release the knowledge base even when
        that write fails (a full disk): a lock left held would refuse the next start."""
        if self.kb.closed:
            return
        try:
            self.activity.flush()
            self.matcher.save()
        except OSError as error:
            log.error("Could not write the usage counted since the last flush: %s", error)
        finally:
            self.kb.close()

    def formatter(self, lang: str) -> Formatter:
        return Formatter(self.catalog, self.kb.sources(), lang)

    # Languages ----------------------------------------------------------------------------

    def reply_language(
        self, user_id: int | None, telegram_code: str | None, text: str | None = None
    ) -> str:
        """The language to answer in: the user's /language choice, else the language the
        question is clearly written in, else their Telegram language, else the language of
        what they wrote, else English."""
        spoken = self.catalog.languages
        chosen = self._chosen_languages.get(user_id) if user_id is not None else None
        if chosen in spoken:
            return chosen
        written = clear_language(text) if text else None
        if written in spoken:
            return written
        code = (telegram_code or "").split("-")[0].lower()
        if code in spoken:
            return code
        detected = detect_language(text) if text else None
        return detected if detected in spoken else DEFAULT_LANGUAGE

    def language_menu(self, lang: str) -> Reply:
        fmt = self.formatter(lang)
        buttons = [
            Button(self.catalog.text(code, "meta.name"), LANGUAGE(code))
            for code in self.catalog.languages
        ]
        automatic = Button(fmt.label("language.automatic"), LANGUAGE(AUTOMATIC))
        return Reply(fmt.t("language.choose"), (*in_rows(buttons, 2), (automatic,)))

    def choose_language(self, user_id: int, lang: str | None) -> Reply:
        """Remember the choice (None: automatic); the confirmation is in the new language."""
        if lang is not None and lang not in self.catalog.languages:
            raise ValueError(lang)
        self.kb.choose_language(user_id, lang)
        if lang is None:
            self._chosen_languages.pop(user_id, None)
            return Reply(self.formatter(DEFAULT_LANGUAGE).t("language.set_automatic"))
        self._chosen_languages[user_id] = lang
        return Reply(self.formatter(lang).t("language.set"))

    # Free text ----------------------------------------------------------------------------

    def ask(self, question: str, lang: str = DEFAULT_LANGUAGE) -> Answer:
        """Answer a free-text question; an unanswerable one is recorded for the admins."""
        question = well_formed(question)  # kept for the admins: it must be storable
        fmt = self.formatter(lang)
        if not question.strip():
            return Answer(question, "empty", Reply(fmt.t("ask.empty")))
        retrieved = self.matcher.retrieve(question, limit=MAX_SUGGESTIONS + 2)
        evidence = self.evidence(question, retrieved, lang)
        decision = decide(retrieved.candidates, evidence, bare_topic=retrieved.bare_topic)
        suggestions = tuple(self._suggestion(m, lang) for m in decision.matches)
        best = decision.matches[0] if decision.matches else None
        score = retrieved.candidates[0].score if retrieved.candidates else 0.0
        if decision.outcome == "answer" and best:
            self.activity.question(str(best.ref))
            reply = self._with_related(self.show(best.ref, lang), retrieved, lang)
            return Answer(question, "answer", reply, best.ref, score)
        self.activity.question(None)
        if decision.outcome == "suggest":
            reply = Reply(fmt.t("ask.did_you_mean"), self._suggestion_buttons(suggestions))
            return Answer(question, "suggest", reply, None, score, suggestions)
        self.activity.unanswered(question)
        return Answer(question, "none", self._no_answer(fmt, suggestions), None, score, suggestions)

    def _with_related(self, card: Reply, retrieved: Retrieved, lang: str) -> Reply:
        """An answer, with buttons to the entries that came almost as close: "agreement" is
        answered with the best one, and the others are a tap away."""
        best, *rest = retrieved.candidates
        related = [
            c for c in rest if c.score >= best.score - RELATED_MARGIN and c.score >= RELATED_FLOOR
        ][:MAX_RELATED]
        if not related:
            return card
        fmt = self.formatter(lang)
        buttons = [
            Button(
                fmt.label("button.see_also", title=self._suggestion(c.as_match(), lang).title),
                SHOW(c.ref),
            )
            for c in related
        ]
        return Reply(card.html, (*card.buttons, *one_per_row(buttons)))

    def evidence(self, question: str, retrieved: Retrieved, lang: str) -> Evidence | None:
        """What the decision needs to know about the best candidate, as the user would read it."""
        if not retrieved.candidates:
            return None
        first = retrieved.candidates[0].ref
        entry = self.kb.get(first)
        if entry is None:
            return None
        if isinstance(entry, FaqEntry):  # the answer alone: its question may name a date
            stated = pick(entry.answer, lang)[0]
        else:
            stated = to_plain(self.formatter(lang).entry_body(entry)[0])
        return gather(question, retrieved, stated, self._names(besides=first))

    def _names(self, besides: EntryRef) -> list[str]:
        """Everyone who can answer a "who": the contacts, in every language, but the entry's
        own name (a card naming only itself does not say who runs what)."""
        return [
            name
            for contact in self.kb.contacts()
            if contact.ref != besides
            for name in contact.name.values()
        ]

    def _suggestion(self, match: Match, lang: str) -> Suggestion:
        entry = self.kb.get(match.ref)
        title = entry.label(lang) if entry else str(match.ref)
        return Suggestion(match.ref, title, match.score)

    @staticmethod
    def _suggestion_buttons(suggestions: tuple[Suggestion, ...]) -> tuple[tuple[Button, ...], ...]:
        return one_per_row(Button(s.title, SHOW(s.ref)) for s in suggestions)

    def _no_answer(self, fmt: Formatter, suggestions: tuple[Suggestion, ...]) -> Reply:
        parts = [fmt.t("ask.no_answer")]
        enquiries = [c for c in self.kb.contacts() if "enquiries" in c.tags]
        if enquiries:
            lines = [
                fmt.t("ask.contact_line", name=fmt.local(c.name), link=fmt.reach(c))
                for c in enquiries
            ]
            parts.append(Markup(fmt.t("ask.whom_to_contact") + "\n" + "\n".join(lines)))
        if suggestions:
            parts.append(fmt.t("ask.closest_topics"))
        buttons = self._suggestion_buttons(suggestions) or self._menu_buttons(fmt)
        return Reply(join_paragraphs(parts), buttons)

    # Commands -----------------------------------------------------------------------------

    def start(self, lang: str, name: str | None) -> Reply:
        fmt = self.formatter(lang)
        greeting = fmt.t("start.greeting", name=name or fmt.label("start.someone"))
        return Reply(greeting, self._menu_buttons(fmt))

    def help(self, lang: str, *, admin: bool = False) -> Reply:
        fmt = self.formatter(lang)
        return Reply(join_paragraphs([fmt.t("help.text"), fmt.t("admin.help") if admin else ""]))

    def my_id(self, user_id: int, lang: str) -> Reply:
        return Reply(self.formatter(lang).t("myid.text", id=user_id))

    def show(self, ref: EntryRef, lang: str) -> Reply:
        """The card of one entry, with 👍/👎 under answers; a stale ref gets a polite note."""
        fmt = self.formatter(lang)
        entry = self.kb.get(ref)
        if entry is None:
            return Reply(fmt.t("errors.stale_button"))
        rows: list[tuple[Button, ...]] = []
        if ref.kind == "faq":
            rows.append(
                (Button("👍", VOTE(Vote("up", ref))), Button("👎", VOTE(Vote("down", ref))))
            )
        actions = [Button(fmt.label("button.share"), share=ref.payload)]
        if isinstance(entry, Event) and can_be_added(entry):
            actions.append(Button(fmt.label("button.calendar"), CALENDAR(ref)))
        rows.append(tuple(actions))
        return Reply(fmt.entry_card(entry), tuple(rows))

    # Calendars ----------------------------------------------------------------------------

    def event_calendar(self, ref: EntryRef, lang: str) -> CalendarFile | None:
        """An .ics file for one event; None when it is gone or not known to the day."""
        event = self.kb.get(ref)
        if not isinstance(event, Event) or not can_be_added(event):
            return None
        content = self._calendar([event], lang)
        return CalendarFile(f"event-{event.id}.ics", content) if content else None

    def upcoming_calendar(self, lang: str) -> CalendarFile | Reply:
        """Every upcoming event known to the day in one .ics file, or a note that there is none."""
        today = self.today()
        upcoming = [e for e in self.kb.events() if not e.date.is_past(today) and can_be_added(e)]
        upcoming.sort(key=lambda e: e.date.sort_key)
        content = self._calendar(upcoming, lang) if upcoming else None
        if content is None:
            return Reply(self.formatter(lang).t("calendar.none"))
        return CalendarFile("moscow-beijing-events.ics", content)

    def _calendar(self, events: list[Event], lang: str) -> bytes | None:
        fmt = self.formatter(lang)
        return event_calendar(
            events, lang, lambda e: to_plain(fmt.source_line(e.sources)), self.kb.clock()
        )

    def has(self, ref: EntryRef) -> bool:
        """Whether the entry exists (a deep link or a button may name one deleted since)."""
        return self.kb.get(ref) is not None

    def open(self, ref: EntryRef, lang: str) -> Reply:
        """An entry chosen from a button: shown, and counted as a topic people want."""
        if self.has(ref):
            self.activity.opened(str(ref))
        return self.show(ref, lang)

    def vote(self, user_id: int, ref: EntryRef, vote: str, lang: str) -> str | None:
        """Record a 👍 or 👎 (one per user and answer; a new vote replaces the old one). None,
        and nothing recorded, for an answer that does not exist: forged or deleted since."""
        if ref.kind != "faq" or self.kb.get_doc(ref) is None:
            return None
        self.activity.vote(user_id, str(ref), vote)
        return self.catalog.text(lang, "feedback.thanks")

    def menu(self, page: str, lang: str) -> Reply:
        pages: dict[str, Callable[[str], Reply]] = {
            "agreement": self.agreement,
            "events": self.events,
            "contacts": self.contacts,
            "help": self.help,
        }
        return pages[page](lang)

    def agreement(self, lang: str) -> Reply:
        """The entries tagged "agreement" as one summary, with a button per area entry."""
        fmt = self.formatter(lang)
        faqs = self.kb.faqs()
        summary = [e for e in faqs if "agreement" in e.tags]
        if not summary:
            return Reply(fmt.t("agreement.empty"))
        areas = [Button(e.label(lang), SHOW(e.ref)) for e in faqs if "area" in e.tags]
        body = join_paragraphs(
            [
                fmt.t("agreement.title"),
                *(escape(fmt.local(e.answer)) for e in summary),
                fmt.source_line(s for e in summary for s in e.sources),
                fmt.t("agreement.more") if areas else "",
            ]
        )
        return Reply(body, one_per_row(areas))

    def events(self, lang: str) -> Reply:
        fmt = self.formatter(lang)
        listed = self._listed_events(fmt)
        if not listed:
            return Reply(join_paragraphs([fmt.t("events.title"), fmt.t("events.none")]))
        upcoming = [summary for summary, is_past in listed if not is_past]
        past = [summary for summary, is_past in reversed(listed) if is_past]
        parts = [fmt.t("events.title"), fmt.t("events.upcoming")]
        parts += upcoming or [fmt.t("events.no_upcoming")]
        if past:
            parts += [fmt.t("events.past"), *past]
        return Reply(join_paragraphs(parts))

    def _listed_events(self, fmt: Formatter) -> list[tuple[Markup, bool]]:
        """Each event's summary and whether it is past, in date order. An event whose date
        fails is left out, not the whole list."""
        today = self.today()
        listed = []
        for event in self.kb.events():
            try:
                key, past = event.date.sort_key, event.date.is_past(today)
                listed.append((key, fmt.event_summary(event), past))
            except DATE_ERRORS as error:
                skipped(event, "the events list", error)
        listed.sort(key=lambda item: item[0])
        return [(summary, past) for _, summary, past in listed]

    def contacts(self, lang: str) -> Reply:
        fmt = self.formatter(lang)
        contacts = self.kb.contacts()
        if not contacts:
            return Reply(join_paragraphs([fmt.t("contacts.title"), fmt.t("contacts.none")]))
        parts = [fmt.t("contacts.title"), *(fmt.contact_summary(c) for c in contacts)]
        return Reply(join_paragraphs([*parts, fmt.t("contacts.note")]))

    def search(self, words: str, lang: str) -> Reply:
        fmt = self.formatter(lang)
        if not words.strip():
            return Reply(fmt.t("search.usage"))
        ranked = [
            m for m in self.matcher.rank(words, limit=MAX_SEARCH_RESULTS) if m.score >= SEARCH_FLOOR
        ]
        if not ranked:
            return Reply(fmt.t("search.nothing", query=words))
        buttons = self._suggestion_buttons(tuple(self._suggestion(m, lang) for m in ranked))
        return Reply(fmt.t("search.results", query=words), buttons)

    def message(self, key: str, lang: str) -> Reply:
        """A fixed message from the catalog, such as an error notice."""
        return Reply(self.formatter(lang).t(key))

    @staticmethod
    def _menu_buttons(fmt: Formatter) -> tuple[tuple[Button, ...], ...]:
        buttons = [Button(fmt.label(f"menu.{page}"), MENU(page)) for page in MENU_PAGES]
        return in_rows(buttons, 2)
