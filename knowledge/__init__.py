"""The domain: what the bot knows and how it answers. Nothing in this package imports Telegram.

records/    what an entry is: one schema per kind, the typed records, value checks
storage/    the knowledge base file (atomic writes, audit, undo), backups, export/import
matching/   from a question to entries: text, typos, lexical and semantic, the decision
i18n/       the languages and the message catalog (locales/<lang>.toml)
replies/    what the bot says: replies and buttons, markup, calendar files
admin/      the admin's rooms, their editor, forms and permissions
service.py  the knowledge service users talk to, with activity, reminders and inline search
"""

from pathlib import Path

# The files the package ships: the seed, its vectors and the decision's calibration.
DATA_DIR = Path(__file__).with_name("data")
