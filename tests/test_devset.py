"""The development set (``../shared/eval``): answer quality never silently regresses.

It runs the bot as the scorer does, through ``python bot.py ask --json``, and checks the targets
of the answer: at least 85% of in-scope questions answered right, at most 3% answered wrong,
and at least 90% of out-of-scope questions refused. These figures include the questions the
decision was fitted on; the held-out ones are printed by ``python -m bench.calibrate``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCORER = ROOT.parent / "shared" / "eval" / "score.py"
SUMMARY = re.compile(
    r"dev: answered (\d+)/(\d+) \(.*?\), wrong (\d+), out-of-scope refused (\d+)/(\d+)"
)

pytestmark = pytest.mark.skipif(
    not SCORER.exists(), reason="the development set lives in ../shared/eval beside the repo"
)


def test_the_development_set_is_answered_right_and_rarely_wrong() -> None:
    run = subprocess.run(
        [sys.executable, str(SCORER), "--python", sys.executable],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    found = SUMMARY.search(run.stdout)
    assert found, run.stdout + run.stderr
    right, in_scope, wrong, refused, out_of_scope = map(int, found.groups())
    report = run.stdout
    assert right / in_scope >= 0.85, report
    assert wrong / in_scope <= 0.03, report
    assert refused / out_of_scope >= 0.90, report
