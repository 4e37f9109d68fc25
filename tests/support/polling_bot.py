"""`python bot.py` as its own process, long-polling a ``BotApiServer`` over real HTTP."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import REPO, clean_environment
from tests.support.botapi_server import BotApiServer

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def bot_environment(telegram: BotApiServer, data_dir: Path, **env: str) -> dict[str, str]:
    """This process's environment without our settings, then the bot's: ``telegram`` as its
    Bot API, ``data_dir`` as its data, ``env`` over them."""
    defaults = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": telegram.base_url,
        "BOT_DATA_DIR": str(data_dir),
    }
    return clean_environment(**(defaults | env))


@contextmanager
def bot_process(
    directory: Path, telegram: BotApiServer, args: list[str], **env: str
) -> Iterator[subprocess.Popen[str]]:
    """``python bot.py ARGS`` against ``telegram``, its output piped; the caller stops it with
    a signal and reads the output, else it is killed at the end."""
    bot = subprocess.Popen(
        [sys.executable, str(REPO / "bot.py"), *args],
        cwd=directory,
        env=bot_environment(telegram, directory / "data", **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield bot
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.communicate()


class PollingBot:
    """The bot process; its standard error goes to a file (a pipe nobody reads could fill up
    and stall it)."""

    def __init__(self, telegram: BotApiServer, directory: Path, **env: str) -> None:
        self.data_dir = directory / "data"
        self.stderr_path = directory / f"stderr-{len(list(directory.glob('stderr-*')))}.log"
        environ = bot_environment(telegram, self.data_dir, **env)
        with self.stderr_path.open("w") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, str(REPO / "bot.py")],
                cwd=directory,
                env=environ,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text()

    def stop(self, sig: signal.Signals = signal.SIGINT, timeout: float = 30) -> int:
        """Send ``sig`` and wait for the process to end; its exit code."""
        if self.alive:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"bot.py did not stop within {timeout}s of {sig.name}") from None

    def assert_clean_log(self) -> None:
        """Nothing a maintainer would call a crash, and never the token."""
        log = self.stderr
        assert TOKEN not in log and TOKEN.split(":")[1] not in log, "the token is in the log"
        assert "Traceback" not in log, log
