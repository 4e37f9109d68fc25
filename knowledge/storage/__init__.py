"""The knowledge base file: TinyDB on atomic writes (``atomic``), the store with its audit and
undo (``knowledge_base``), backups, and export/import (``transfer``)."""
