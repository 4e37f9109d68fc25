"""What the tests share besides the fixtures in conftest.py: a Bot API server on loopback,
the bot as its own process, a process that writes under load until killed, and what
Telegram accepts (its HTML and limits)."""
