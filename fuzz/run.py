"""Run every atheris harness for a bounded time and summarise: ``python fuzz/run.py [SECONDS]``.

Each harness gets its own corpus under build/fuzz/corpus/NAME (kept between runs, seeded from
fuzz/seeds/NAME), crash and hang artifacts under build/fuzz/crashes/, and one summary line
(runs, corpus size, coverage, time) in build/fuzz/summary.json. An input that takes longer than
10 s counts as a hang. Exit status 1 if any harness found a crash, a hang or a leak.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "build" / "fuzz"
HARNESSES = ("payload", "template", "receiver")


def run(name: str, seconds: int) -> dict[str, object]:
    corpus = OUT / "corpus" / name
    crashes = OUT / "crashes"
    corpus.mkdir(parents=True, exist_ok=True)
    crashes.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, str(HERE / f"fuzz_{name}.py"), str(corpus), str(HERE / "seeds" / name),
        f"-max_total_time={seconds}", "-timeout=10", "-rss_limit_mb=2048", "-max_len=65536",
        f"-artifact_prefix={crashes}/{name}-", "-print_final_stats=1",
    ]  # fmt: skip
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    log = done.stdout + done.stderr
    (OUT / f"{name}.log").write_text(log, encoding="utf-8")
    runs = re.findall(r"Done (\d+) runs in (\d+) second", log)
    coverage = re.findall(r"cov: (\d+) ft: (\d+) corp: (\d+)/(\S+)", log)
    return {
        "harness": name,
        "ok": done.returncode == 0,
        "runs": int(runs[-1][0]) if runs else None,
        "seconds": round(time.monotonic() - started, 1),
        "coverage_edges": int(coverage[-1][0]) if coverage else None,
        "features": int(coverage[-1][1]) if coverage else None,
        "corpus_files": sum(1 for p in corpus.iterdir() if p.is_file()),
        "corpus_bytes": sum(p.stat().st_size for p in corpus.iterdir() if p.is_file()),
        "exit": done.returncode,
    }


def main() -> int:
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    results = [run(name, seconds) for name in HARNESSES]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "summary.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    for r in results:
        print(
            f"{r['harness']:9} {'ok' if r['ok'] else 'FAILED':6} runs={r['runs']} "
            f"time={r['seconds']}s cov={r['coverage_edges']} ft={r['features']} "
            f"corpus={r['corpus_files']} files/{r['corpus_bytes']} B"
        )
    failed = [r["harness"] for r in results if not r["ok"]]
    if failed:
        print(f"see build/fuzz/<name>.log and build/fuzz/crashes/ for: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
