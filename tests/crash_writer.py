"""A child process for the crash test: writes records one by one and prints each number only
after its write returned, until it is killed."""

from __future__ import annotations

import sys
from pathlib import Path

from tinydb import TinyDB

from knowledge.storage import AtomicJSONStorage


def main(path: str, start: int) -> None:
    db = TinyDB(Path(path), storage=AtomicJSONStorage)
    table = db.table("writes")
    number = start
    while True:
        # Some bulk, so that a kill often lands in the middle of writing the file.
        table.insert({"n": number, "padding": "x" * 20_000})
        print(number, flush=True)
        number += 1


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
