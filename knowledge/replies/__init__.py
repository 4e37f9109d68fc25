"""What the bot says, as data: replies and buttons and the formatter of cards
(``formatter``), Telegram HTML built safely (``markup``), button codecs, calendar files."""
