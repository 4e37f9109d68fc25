"""Ways to reach the bot's handlers, peers of one another (as Errbot's backends are):

- ``delivery``: the rate limiter and retries of calls to Telegram's Bot API over HTTP;
- ``webhook``: the HTTP server Telegram calls in webhook mode (long polling needs none);
- ``local_api``: an in-process Bot API, for the console chat, the tests and the benchmark;
- ``console``: the console chat, over ``local_api``.

None of them knows what the bot says: that is ``handlers`` (Telegram to domain) and
``knowledge`` (the domain).
"""
