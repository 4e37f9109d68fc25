"""Benchmark the bot: ``python -m bench [--sizes 1000,10000,100000] [--questions N] ...``

Writes a JSON report (``--out``, default ``bench-report.json``) and prints a table, with each
target of the README checked against this run. Every figure is a median (p50) or p99 over
repeated runs, and each baseline runs in the same process on the same questions: this machine
is shared and noisy, so ratios within one run say more than absolute times across runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.core import percentile, summary_ms

REPO = Path(__file__).resolve().parent.parent


def run_size(size: int, questions: int, repeat: int, sample: int) -> dict[str, Any]:
    """The core measurements of one size, in a fresh process (its peak memory is its own)."""
    command = [
        sys.executable,
        "-m",
        "bench.core",
        "--size",
        str(size),
        "--questions",
        str(questions),
        "--repeat",
        str(repeat),
        "--sample",
        str(sample),
    ]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def end_to_end(size: int, updates: int, repeat: int) -> dict[str, Any]:
    """Free-text questions per second through Application.process_update, in process."""
    return asyncio.run(_end_to_end(size, updates, repeat))


async def _end_to_end(size: int, updates: int, repeat: int) -> dict[str, Any]:

    from bench.generator import Generator
    from bot import build_application
    from knowledge.i18n.catalog import Catalog
    from knowledge.service import KnowledgeService
    from knowledge.storage.knowledge_base import KnowledgeBase
    from runtime.settings import Settings
    from transports.local_api import LocalBotApi, UpdateFactory
    from transports.local_chat import LocalChat

    generator = Generator(seed=size)
    entries = generator.entries(size)
    questions = generator.questions(entries, updates)
    with tempfile.TemporaryDirectory() as directory:
        kb = KnowledgeBase.open(Path(directory))
        docs = [
            {"id": e.id, "questions": e.questions, "answer": e.answer, "tags": [], "sources": []}
            for e in entries
        ]
        with kb.transaction():
            kb.replace_content({"faq": docs, "sources": [], "synonyms": []})
        service = KnowledgeService(kb, Catalog.load())
        api = LocalBotApi()
        # Flood control off: one user sends every question, as many users would.
        application = build_application(service, Settings(flood_limit=0), request=api)
        rates = []
        async with application:
            chat = LocalChat(application, api, UpdateFactory(user_id=42, language_code="en"))
            for _ in range(repeat):
                updates_json = [chat.user.message(q.text) for q in questions]
                start = time.perf_counter()
                for data in updates_json:
                    await chat.process(data)
                rates.append(len(updates_json) / (time.perf_counter() - start))
        service.close()
    return {
        "entries": size,
        "updates": updates,
        "updates_per_s_median": round(statistics.median(rates)),
        "updates_per_s_min": round(min(rates)),
        "runs": len(rates),
        "replies_sent": len(api.sent),
    }


def cold_start(runs: int) -> dict[str, Any]:
    """``python bot.py ask "hello"`` from a fresh interpreter, on the seeded knowledge base."""
    with tempfile.TemporaryDirectory() as directory:
        env = {**os.environ, "BOT_DATA_DIR": directory}
        command = [sys.executable, str(REPO / "bot.py"), "ask", "hello"]
        subprocess.run(command, env=env, capture_output=True, check=True)  # seeds the data
        seconds = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(command, env=env, capture_output=True, check=True)
            seconds.append(time.perf_counter() - start)
    return summary_ms(seconds) | {"max_ms": round(max(seconds) * 1000, 1)}


# Targets: (where in the report, limit, description); "≤" limits unless noted.
TARGETS = [
    (("10000", "query", "p50_ms"), 1.0, "≤", "10k, word matcher: query p50 ≤ 1 ms"),
    (("10000", "query", "p99_ms"), 5.0, "≤", "10k, word matcher: query p99 ≤ 5 ms"),
    (("10000", "ratio_vs_wratio"), 20.0, "≥", "10k: ≥ 20× faster than exhaustive WRatio"),
    (("10000", "ratio_vs_difflib"), 200.0, "≥", "10k: ≥ 200× faster than difflib"),
    (
        ("10000", "reference", "top1_agreement"),
        0.98,
        "≥",
        "10k: top-1 agreement with exhaustive scoring ≥ 98%",
    ),
    (
        ("10000", "reference", "score_agreement"),
        1.0,
        "≥",
        "10k: the same scores as exhaustive scoring",
    ),
    (("10000", "semantic", "query", "p50_ms"), 3.0, "≤", "10k, whole ranking: p50 ≤ 3 ms"),
    (("10000", "semantic", "query", "p99_ms"), 10.0, "≤", "10k, whole ranking: p99 ≤ 10 ms"),
    (("10000", "semantic", "edit", "p50_ms"), 50.0, "≤", "10k: an edit answerable in 50 ms"),
    (("10000", "semantic", "rss_mb"), 700.0, "≤", "10k: memory ≤ 700 MB"),
    (
        ("10000", "semantic", "shortlist_agreement", "top1_agreement"),
        0.98,
        "≥",
        "10k: two-stage semantic search agrees with the exhaustive one ≥ 98%",
    ),
    (("100000", "query", "p99_ms"), 25.0, "≤", "100k entries, word matcher: query p99 ≤ 25 ms"),
    (("e2e", "updates_per_s_median"), 1000.0, "≥", "1k: ≥ 1,000 free-text updates per second"),
    (("cold_start", "p50_ms"), 1500.0, "≤", "cold start of bot.py ask ≤ 1.5 s"),
]


def check_targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    checked = []
    for path, limit, direction, description in TARGETS:
        value: Any = report["sizes"] if path[0].isdigit() else report
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if value is None:
            continue
        ok = value <= limit if direction == "≤" else value >= limit
        checked.append({"target": description, "value": value, "ok": ok})
    return checked


def table(report: dict[str, Any]) -> str:
    rows = [
        "| entries | phrasings | build | query p50 | query p99 | WRatio p50 | × WRatio "
        "| difflib p50 | × difflib | edit p50 | peak RSS | top-1 ok |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, r in report["sizes"].items():
        difflib_p50 = r.get("difflib", {}).get("latency", {}).get("p50_ms")
        difflib_ratio = r.get("ratio_vs_difflib")
        rows.append(
            f"| {int(size):,} | {r['phrasings']:,} | {r['build_s']:.1f} s "
            f"| {r['query']['p50_ms']:.3f} ms | {r['query']['p99_ms']:.2f} ms "
            f"| {r['wratio']['latency']['p50_ms']:.1f} ms | {r['ratio_vs_wratio']:.0f}× "
            f"| {f'{difflib_p50:.0f} ms' if difflib_p50 else '–'} "
            f"| {f'{difflib_ratio:.0f}×' if difflib_ratio else '–'} "
            f"| {r['edit']['p50_ms']:.2f} ms | {r['peak_rss_mb']:.0f} MB "
            f"| {r['quality']['top1_correct']:.1%} |"
        )
    rows += [
        "",
        "Whole ranking and decision (word matcher, passages and embeddings, question encoded):",
        "",
        "| entries | texts embedded in | query p50 | query p99 | edit p50 | RSS "
        "| answered right | answered wrong | right entry shown | out of scope refused "
        "| two-stage = exhaustive |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, r in report["sizes"].items():
        sem = r["semantic"]
        if sem.get("skipped"):
            rows.append(
                f"| {int(size):,} | not run: {sem['texts']:,} vectors would take "
                f"{sem['vectors_mb_projected']:,} MB | | | | | | | | | |"
            )
            continue
        q = sem["quality"]
        rows.append(
            f"| {int(size):,} | {sem['build_s']:.0f} s | {sem['query']['p50_ms']:.2f} ms "
            f"| {sem['query']['p99_ms']:.2f} ms | {sem['edit']['p50_ms']:.1f} ms "
            f"| {sem['rss_mb']:.0f} MB | {q['answered_right']:.1%} | {q['answered_wrong']:.1%} "
            f"| {q['right_entry_shown']:.1%} | {q['out_of_scope_refused']:.1%} "
            f"| {sem['shortlist_agreement']['top1_agreement']:.1%} |"
        )
    lines = ["\n".join(rows), ""]
    if "e2e" in report:
        e2e = report["e2e"]
        lines.append(
            f"End to end ({e2e['entries']:,} entries, Application.process_update): "
            f"{e2e['updates_per_s_median']:,} free-text updates/s (median of "
            f"{e2e['runs']})."
        )
    if "cold_start" in report:
        lines.append(
            f'Cold start of `bot.py ask "hello"`: {report["cold_start"]["p50_ms"]:.0f} '
            f"ms (median of {report['cold_start']['runs']})."
        )
    lines.append("")
    for target in report["targets"]:
        lines.append(f"{'✅' if target['ok'] else '❌'} {target['target']}: {target['value']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="entries, comma-separated")
    parser.add_argument("--questions", type=int, default=600, help="questions per size")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over the questions")
    parser.add_argument("--sample", type=int, default=300, help="questions for slow baselines")
    parser.add_argument("--e2e-size", type=int, default=1000)
    parser.add_argument("--e2e-updates", type=int, default=2000)
    parser.add_argument("--cold-runs", type=int, default=7)
    parser.add_argument("--out", default="bench-report.json")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size]
    report: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "command": " ".join(["python -m bench", *(argv if argv is not None else sys.argv[1:])]),
        "sizes": {},
    }
    for size in sizes:
        print(f"measuring {size:,} entries…", file=sys.stderr, flush=True)
        report["sizes"][str(size)] = run_size(size, args.questions, args.repeat, args.sample)
    if args.e2e_updates:
        print("measuring end to end…", file=sys.stderr, flush=True)
        report["e2e"] = end_to_end(args.e2e_size, args.e2e_updates, args.repeat)
    if args.cold_runs:
        print("measuring cold start…", file=sys.stderr, flush=True)
        report["cold_start"] = cold_start(args.cold_runs)
    report["targets"] = check_targets(report)
    Path(args.out).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(table(report))
    return 0


__all__ = ["main", "percentile"]

if __name__ == "__main__":
    sys.exit(main())
