#!/usr/bin/env python3
"""Benchmark `cctk.review.review_text`: median time per contract of about 5,000 characters, the cost
of each extra 1,000 characters, and (optionally) a whole repository.

    python benchmarks/bench_review.py [--repo DEMO_REPO] [--rounds 30]

Contracts are built from the labelled corpus (tests/review_corpus), concatenated to the size wanted,
so the text is realistic Chinese contract prose with findings in it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cctk.review import load_playbook, review_file, review_text  # noqa: E402

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "review_corpus"


def text_of(size: int) -> str:
    parts, n = [], 0
    files = sorted(p for p in CORPUS.iterdir() if p.suffix in (".md", ".txt"))
    i = 0
    while n < size:
        t = files[i % len(files)].read_text("utf-8")
        parts.append(t)
        n += len(t)
        i += 1
    return "\n".join(parts)[:size]


def median_ms(text: str, rounds: int) -> float:
    pb = load_playbook()
    review_text(text, playbook=pb)  # warm the compiled patterns
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        review_text(text, playbook=pb)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--repo", help="review every contracts/*/*/contract.md of this repository")
    args = ap.parse_args()
    base = median_ms(text_of(5000), args.rounds)
    print(f"5,000 characters: median {base:.2f} ms")
    for size in (10000, 20000):
        ms = median_ms(text_of(size), max(5, args.rounds // 3))
        print(f"{size:,} characters: median {ms:.2f} ms ({(ms - base) / ((size - 5000) / 1000):.2f} ms per extra 1,000)")
    if args.repo:
        files = sorted(Path(args.repo).glob("contracts/*/*/contract.md"))
        t0 = time.perf_counter()
        n = sum(len(review_file(f)) for f in files)
        print(f"{len(files)} contracts in {time.perf_counter() - t0:.2f} s ({n} findings)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
