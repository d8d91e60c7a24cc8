"""Benchmark the demo generator: wall time, commits and repository size for several sizes.

Usage:  .venv/bin/python benchmarks/bench_demo.py [N ...] [--history auto|full]
        (default sizes: 600 5000 100000)

Prints one line per size; figures go in docs/demo.md. Not a test: it is slow at 100,000.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cctk.demo import generate  # noqa: E402


def du(path: Path) -> str:
    return subprocess.run(["du", "-sh", str(path)], capture_output=True, text=True).stdout.split()[0]


def main(argv: list[str]) -> None:
    history = "auto"
    if "--history" in argv:
        i = argv.index("--history")
        history = argv[i + 1]
        del argv[i:i + 2]
    sizes = [int(a) for a in argv] or [600, 5000, 100_000]
    for n in sizes:
        tmp = Path(tempfile.mkdtemp(prefix="cctk-bench-demo-"))
        try:
            dest = tmp / "demo"
            phases: dict[str, float] = {}
            t0 = time.perf_counter()

            def progress(phase, done, total):
                phases.setdefault(phase, time.perf_counter() - t0)

            s = generate(dest, contracts=n, seed=2019, progress=progress, history=history)
            wall = time.perf_counter() - t0
            print(f"contracts={n:>7} history={s.history:<6} commits={s.commits:>8} wall={wall:7.1f}s "
                  f"(commits from {phases.get('commits', 0):.1f}s, checkout from {phases.get('checkout', 0):.1f}s) "
                  f".git={du(dest / '.git')} tree={du(dest / 'contracts')}", flush=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
