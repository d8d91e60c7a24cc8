"""Benchmark the terminal UI: first screen, a filter keystroke, opening a detail, memory.

    python benchmarks/bench_tui.py [REPO] [--contracts N]

Without REPO a repository of N contracts (default 100,000) is generated under /tmp once
(tui.testing.make_repo; takes minutes) and reused. The cache is warmed by a first load, then
everything is measured in one process headlessly (App.run_test) at 160x50.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import resource
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("repo", nargs="?")
    ap.add_argument("--contracts", type=int, default=100_000)
    args = ap.parse_args()
    from cctk import i18n
    from cctk.store.loader import load
    from tui.app import make_app
    from tui.data.repo import build

    root = Path(args.repo or f"/tmp/cctk-bench-tui-{args.contracts}")
    if not (root / "cctk.yaml").exists():
        from tui.testing import make_repo
        t = time.perf_counter()
        make_repo(root, args.contracts, suppliers=500)
        print(f"generated {args.contracts:,} contracts in {time.perf_counter() - t:.1f} s")
    load(root)                                         # warm the cache
    i18n.set_lang("zh")
    today = dt.date(2024, 6, 15)
    results = {}

    async def run():
        t0 = time.perf_counter()
        snap = load(root)
        t_load = time.perf_counter() - t0
        data = build(snap, today=today)
        t_build = time.perf_counter() - t0 - t_load
        app = make_app(root, data=data, today=today, person="wang.fang")
        async with app.run_test(size=(160, 50)) as pilot:
            await pilot.pause()
            results["first screen (load + index + dashboard painted)"] = time.perf_counter() - t0
            results["  of which load() with warm cache"] = t_load
            results["  of which findings + index"] = t_build
            await pilot.press("f3")
            await pilot.pause()
            from textual.widgets import Input
            box = app.screen.query_one("#filter", Input)
            times = []
            for text in ("教", "教育", "教育局", "物", "物业", "2024-00"):
                t = time.perf_counter()
                box.value = text
                await pilot.pause()
                times.append(time.perf_counter() - t)
            results["filter keystroke to repainted table (median of 6)"] = sorted(times)[len(times) // 2]
            results["filter keystroke (worst of 6)"] = max(times)
            box.value = ""
            await pilot.pause()
            code = app.data.index.row(5).code
            t = time.perf_counter()
            app.open_contract(code)
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            results["open detail incl. history"] = time.perf_counter() - t

    asyncio.run(run())
    results["peak memory (MB)"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for k, v in results.items():
        print(f"{k:55s} {v:10.3f}")


if __name__ == "__main__":
    main()
