"""What runs the bot and is not knowledge: its settings, the one place the services are built,
and per-user flood control."""
