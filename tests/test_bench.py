"""A quick run of the benchmark at a tiny size, so that it never rots. The targets themselves
are checked in the benchmark's report (python -m bench), not here: timings in unit tests on a
shared machine would only be noise."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.generator import Generator
from tests.conftest import REPO


def test_the_generator_is_deterministic_and_covers_every_language() -> None:
    first, second = Generator(seed=7), Generator(seed=7)
    entries = first.entries(20)
    assert [e.questions for e in entries] == [e.questions for e in second.entries(20)]
    assert all(len(e.questions[lang]) == 3 for e in entries for lang in ("en", "de", "ru", "zh"))
    questions = first.questions(entries, 24)
    assert {q.damage for q in questions} == {"exact", "typo", "reorder", "truncate", "out_of_scope"}
    assert {q.lang for q in questions} == {"en", "de", "ru", "zh"}


def test_a_tiny_benchmark_run_writes_a_report_and_a_table(tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--sizes",
            "40",
            "--questions",
            "24",
            "--repeat",
            "1",
            "--sample",
            "12",
            "--e2e-size",
            "40",
            "--e2e-updates",
            "20",
            "--cold-runs",
            "1",
            "--out",
            str(report_path),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(report_path.read_text())
    size = report["sizes"]["40"]
    assert size["phrasings"] == 40 * 12
    assert size["query"]["runs"] == 24 and size["query"]["p50_ms"] > 0
    assert size["reference"]["top1_agreement"] == 1.0  # the index loses nothing
    assert size["reference"]["score_agreement"] == 1.0
    semantic = size["semantic"]
    assert semantic["query"]["runs"] == 24 and semantic["query"]["p50_ms"] > 0
    assert semantic["shortlist_agreement"]["top1_agreement"] == 1.0  # all 40 are shortlisted
    assert 0 <= semantic["quality"]["answered_right"] <= 1
    assert 0 <= size["wratio"]["top1_agreement_in_scope"] <= 1
    assert report["e2e"]["replies_sent"] >= 20
    assert report["cold_start"]["p50_ms"] > 0
    assert "| 40 | 480 |" in result.stdout
    assert "Whole ranking and decision" in result.stdout
    assert all({"target", "value", "ok"} <= set(t) for t in report["targets"])
