"""What suppression comments cost the record parser (cctk.store.records.parse_contract).

    python benchmarks/bench_suppressions.py [--n 1000]

Parses the archived sample record N times as it is (no ``cctk:`` in it: the loader's common case,
one substring search), and with three suppression comments (front-matter field, front-matter
standalone, Markdown text), and prints per-record microseconds as a Markdown table.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cctk.store.records import parse_contract  # noqa: E402

SAMPLE = "contracts/2019/LHHT-2019-000001/contract.md"


def per_record(data: bytes, n: int) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(n):
            parse_contract(SAMPLE, data)
        best = min(best, (time.perf_counter() - start) / n)
    return best * 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    n = ap.parse_args().n
    text = (ROOT / SAMPLE).read_text("utf-8")
    commented = (text.replace('performance_bond: "4325.00"',
                              'performance_bond: "4325.00"  # cctk: ignore CC301 because 经区财政局书面同意')
                 .replace("status: archived", "# cctk: ignore CC201 because 系统故障延迟备案\nstatus: archived")
                 .replace("本合同一式肆份", "本合同一式肆份 <!-- cctk: ignore CR013 because 示范文本原文 -->"))
    assert parse_contract(SAMPLE, commented.encode())[0].ignore
    plain_us = per_record(text.encode(), n)
    marker_us = min(timeit_marker(text) for _ in range(3))
    comment_us = per_record(commented.encode(), n)
    print(f"`python benchmarks/bench_suppressions.py --n {n}` (Python {sys.version.split()[0]}):\n")
    print("| record | µs per parse |\n|---|---:|")
    print(f"| sample, no `cctk:` comment | {plain_us:.0f} |")
    print(f"| the `\"cctk:\" in text` test alone | {marker_us:.2f} |")
    print(f"| sample with 3 suppression comments | {comment_us:.0f} |")


def timeit_marker(text: str) -> float:
    start = time.perf_counter()
    for _ in range(100000):
        "cctk:" in text  # noqa: B015
    return (time.perf_counter() - start) / 100000 * 1e6


if __name__ == "__main__":
    main()
