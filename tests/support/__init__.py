"""What the tests share besides the fixtures in conftest.py: a Bot API server on loopback,
the bot as its own process, a process that writes under load until killed, what Telegram
accepts (its HTML and limits), what a built Application knows, the Application running for a
whole test with every call it makes checked, and generated input to feed it."""
