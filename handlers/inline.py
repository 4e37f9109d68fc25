"""Inline mode: ``@bot words`` in any chat lists matching answers to send into that chat."""

from __future__ import annotations

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode

from handlers.context import BotContext
from handlers.render import deep_link
from knowledge.inline import CACHE_SECONDS, InlineArticle

START_FROM_INLINE = "inline"  # the /start payload of the "ask the bot" button


async def inline_query(update: Update, context: BotContext) -> None:
    query = update.inline_query
    assert query is not None
    lang = context.lang(update, query.query)
    articles = context.inline.results(query.query, lang)
    results = [_result(article, lang, context) for article in articles]
    ask_directly = InlineQueryResultsButton(
        text=context.kb.catalog.text(lang, "inline.ask_the_bot"),
        start_parameter=START_FROM_INLINE,
    )
    # Telegram caches too; per-user results differ only by language, so share them.
    await query.answer(results, cache_time=int(CACHE_SECONDS), button=ask_directly)


def _result(article: InlineArticle, lang: str, context: BotContext) -> InlineQueryResultArticle:
    open_in_bot = InlineKeyboardButton(
        context.kb.catalog.text(lang, "button.open_in_bot"),
        url=deep_link(context.bot.username, article.ref.payload),
    )
    return InlineQueryResultArticle(
        id=str(article.ref),
        title=article.title,
        description=article.description,
        input_message_content=InputTextMessageContent(
            article.card.messages()[0], parse_mode=ParseMode.HTML
        ),
        reply_markup=InlineKeyboardMarkup([[open_in_bot]]),
    )
