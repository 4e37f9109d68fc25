"""The domain: knowledge base, matching and replies. Nothing in this package imports Telegram."""
