"""Deployment files agree with the code: the container installs and runs the bot the way the
README does, and the README, `.env.example` and the settings parser name the same settings."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import REPO, clean_environment

DOCKERFILE = (REPO / "Dockerfile").read_text()


def readme_section(title: str) -> str:
    text = (REPO / "README.md").read_text()
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else None]


def parsed_settings() -> set[str]:
    """The variables runtime/settings.py reads (its ``get("NAME")`` calls)."""
    source = (REPO / "runtime" / "settings.py").read_text()
    return set(re.findall(r'get\("([A-Z_]+)"\)', source))


def documented_settings() -> set[str]:
    rows = [line for line in readme_section("Configuration").splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z_]+)`", row.split("|")[1])}


def example_settings() -> set[str]:
    lines = (REPO / ".env.example").read_text().splitlines()
    return {line.split("=")[0] for line in lines if re.match(r"^[A-Z_]+=", line)}


def test_readme_env_example_and_the_parser_name_the_same_settings() -> None:
    assert parsed_settings() == documented_settings() == example_settings()


def test_the_image_installs_the_package_as_the_readme_does_and_runs_the_same_command() -> None:
    run_it = readme_section("Run it")
    command = re.search(r"```sh\n(.+)\n```", run_it)[1]  # type: ignore[index]
    install, run = command.split(" && ")[1:]
    assert shlex.split(install)[-1] == "."  # pip install … . (the README's is editable)
    assert "RUN pip install --no-cache-dir ." in DOCKERFILE
    cmd = re.search(r"^CMD (\[.*\])$", DOCKERFILE, re.MULTILINE)[1]  # type: ignore[index]
    assert json.loads(cmd)[1:] == shlex.split(run)[1:] == ["bot.py"]


def test_the_image_runs_unprivileged_with_its_data_in_a_volume_and_a_health_check() -> None:
    assert re.search(r"^FROM python:3\.\d+-slim$", DOCKERFILE, re.MULTILINE)
    assert re.search(r"^USER bot$", DOCKERFILE, re.MULTILINE)
    assert 'VOLUME ["/data"]' in DOCKERFILE and "BOT_DATA_DIR=/data" in DOCKERFILE
    assert "HEALTHCHECK" in DOCKERFILE and "/healthz" in DOCKERFILE
    compose = (REPO / "compose.yaml").read_text()
    assert "env_file: .env" in compose and "bot-data:/data" in compose
    assert "BOT_DATA_DIR: /data" in compose  # .env (copied from .env.example) cannot move it


def test_what_the_image_copies_builds_the_whole_package(tmp_path: Path) -> None:
    """The build context the Dockerfile COPYs makes a wheel holding the seed, the catalogs,
    the shipped vectors and bot.py (no Docker daemon here: the same files, built by pip)."""
    context = tmp_path / "context"
    context.mkdir()
    for line in re.findall(r"^COPY (.+)$", DOCKERFILE, re.MULTILINE):
        *sources, _ = line.split()
        for source in sources:
            subprocess.run(["cp", "-r", str(REPO / source), str(context)], check=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
         "-w", str(tmp_path / "wheel"), str(context)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    [wheel] = (tmp_path / "wheel").glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("bot.py", "knowledge/data/seed.json", "knowledge/i18n/locales/en.toml",
                   "runtime/settings.py",
                   "handlers/admin.py"):  # fmt: skip
        assert needed in names
    assert any(name.startswith("knowledge/data/seed-vectors") for name in names)


def test_the_console_script_runs_the_bot(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("moscow-beijing-bot")
    env = clean_environment(BOT_DATA_DIR=str(tmp_path / "data"))
    result = subprocess.run(
        [str(script), "ask", "who signed the agreement"], env=env, cwd=tmp_path,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Sobyanin" in result.stdout
