"""The languages the bot speaks (``languages``, from the ``[meta]`` of each
``locales/<lang>.toml``) and its messages in them (``catalog``)."""
