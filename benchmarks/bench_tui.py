"""Benchmark the terminal UI as a clerk starts it: first screen, a filter keystroke, opening a
contract's detail (with its history), memory.

    python benchmarks/bench_tui.py --repo REPO [--start contracts|dashboard] [--size 160x50]
    python benchmarks/bench_tui.py --contracts N        # generate a repository under /tmp first

The app is started headless (Textual's pilot, App.run_test) WITHOUT injected data, so it loads the
way `cctk tui` does: the screen is composed at once, the rows as last stored (tui.data.persist) are
shown, the listing confirms them (or patches changes in), then the extras (findings, due dates,
alerts) arrive from a child process. The line "index" says where the rows came from: "stored"
(warm), "patched" or "built" (no stored index yet: run again). Run it once on the repository before measuring to warm the
caches (the first run prints a cold figure). The TUI writes only its cache (.git/cctk or
$CCTK_CACHE_DIR): point CCTK_CACHE_DIR elsewhere, or clone, for a repository you must not touch.
Memory: the UI process's peak RSS (/proc/self/status VmHWM) and the extras child's peak.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import time
from pathlib import Path


def vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("repo_pos", nargs="?", help=argparse.SUPPRESS)
    ap.add_argument("--repo")
    ap.add_argument("--contracts", type=int, default=20_000)
    ap.add_argument("--start", default="contracts", choices=["contracts", "dashboard"])
    ap.add_argument("--size", default="160x50")
    ap.add_argument("--no-extras", action="store_true",
                    help="do not start the extras child (at 100k a cold rules cache takes minutes): first screen, "
                         "filter and detail on light data only")
    args = ap.parse_args()
    from cctk import i18n
    from cctk.store.loader import load

    from tui.app import make_app
    from tui.data.repo import as_of

    root = Path(args.repo or args.repo_pos or f"/tmp/cctk-bench-tui-{args.contracts}")
    if not (root / "cctk.yaml").exists():
        from tui.testing import make_repo
        t = time.perf_counter()
        make_repo(root, args.contracts, suppliers=500)
        print(f"generated {args.contracts:,} contracts in {time.perf_counter() - t:.1f} s")
    i18n.set_lang("zh")
    t, c = time.perf_counter(), time.process_time()
    registers = load(root, contracts="registers")   # what `python -m tui` reads before starting the app
    before_app = (time.perf_counter() - t, time.process_time() - c)
    today = as_of(registers)
    width, height = map(int, args.size.split("x"))
    results: dict[str, float] = {"registers read before the app starts (python -m tui; not below)": before_app[0],
                                 "  its CPU seconds": before_app[1]}
    info: dict[str, str] = {}
    if args.no_extras:
        from tui.app import CctkApp
        CctkApp.load_extras = lambda self, data: None

    from tui.widgets.contract_table import ContractTable
    drawn: dict[str, float] = {}
    render_line = ContractTable.render_line

    def first_row_drawn(self, y):      # the first frame that holds rows: when the clerk sees them
        if y > 0 and "t" not in drawn and len(self.index):
            drawn["t"], drawn["cpu"] = time.perf_counter(), time.process_time()
        if "row" not in drawn:          # a keystroke's: the table drawn for the new query
            drawn["row"] = time.perf_counter()
        return render_line(self, y)
    ContractTable.render_line = first_row_drawn

    from textual.app import App
    frames: list[float] = []       # when the compositor handed an update to the driver (headless: not written)
    display = App._display

    def displayed(self, screen, renderable):
        if renderable is not None:
            frames.append(time.perf_counter())
        return display(self, screen, renderable)
    App._display = displayed

    async def keystroke(pilot, box, text: str) -> tuple[float, float]:
        """One keystroke typed after a pause (as a clerk types: the screen coalesces only keys closer than
        its DEBOUNCE, so each of these applies at once), timed until the table is repainted and the pilot
        finds the app idle; a keystroke still waiting to be applied (coalesced) is waited for, delay
        included. Returns (wall seconds, UI-thread CPU seconds)."""
        screen = pilot.app.screen
        await asyncio.sleep(getattr(type(screen), "DEBOUNCE", 0) + 0.01)
        t, c = time.perf_counter(), time.thread_time()
        frames.clear()
        box.value = text
        drawn.pop("row", None)
        await pilot.pause()
        while getattr(screen, "_timer", None) is not None:
            await pilot.pause(0.005)
        # the first frame after the table was drawn for the new query
        keyframes.append(next((f for f in frames if f >= drawn.get("row", float("inf"))), float("nan")) - t)
        return time.perf_counter() - t, time.thread_time() - c

    keyframes: list[float] = []

    async def run():
        from textual.widgets import Input
        t0, c0 = time.perf_counter(), time.process_time()
        app = make_app(root, today=today, person="wang.fang", start=args.start, registers=registers)
        async with app.run_test(size=(width, height)) as pilot:
            while app.data is None or type(app.screen).__name__ == "LoadingScreen":
                await pilot.pause(0.01)
            if app.data.loading:
                results["screen composed, rows loading (placeholder)"] = time.perf_counter() - t0
            while app.data.loading:
                await pilot.pause(0.01)
            await pilot.pause()
            results["first screen with its rows painted"] = time.perf_counter() - t0
            results["  its CPU seconds (UI process, all threads; git children not counted)"] = time.process_time() - c0
            if "t" in drawn:
                results["  first row line rendered (the frame the clerk sees)"] = drawn["t"] - t0
                results["  CPU seconds to it (UI process, all threads)"] = drawn["cpu"] - c0
            info["index"] = app.data.source + ("" if app.data.verified else ", shown before the listing")
            while not app.data.verified:
                await pilot.pause(0.01)
            await pilot.pause()
            results["rows verified by the listing (digest) and repainted"] = time.perf_counter() - t0
            results["  CPU seconds to here (UI process, all threads)"] = time.process_time() - c0
            results["rows"] = len(app.data.index.rows)
            t_extras = time.perf_counter()
            if args.start != "contracts":
                await pilot.press("f3")
                await pilot.pause()
            box = app.screen.query_one("#filter", Input)
            times, cpu = [], []
            for text in ("教", "教育", "教育局", "物", "物业", "2019-00", "", "服务", "合同"):
                t, c = await keystroke(pilot, box, text)
                times.append(t)
                cpu.append(c)
            info["keystrokes (ms)"] = " ".join(f"{x * 1000:.0f}" for x in times)
            results["filter keystroke to repainted table (median of 9)"] = statistics.median(times)
            results["filter keystroke (worst of 9)"] = max(times)
            results["  its CPU seconds (UI thread, median)"] = statistics.median(cpu)
            results["  to the frame holding the new table (compositor update, no pilot wait), median"] = \
                statistics.median(keyframes)
            results["  to that frame, worst"] = max(keyframes)
            box.value = ""
            await pilot.pause()
            code = app.data.index.row(5).code
            t, c = time.perf_counter(), time.thread_time()
            frames.clear()
            app.open_contract(code)
            await pilot.pause()
            results["open detail: record tab painted"] = time.perf_counter() - t
            results["  its CPU seconds (UI thread)"] = time.thread_time() - c
            if frames:
                results["  its first frame (compositor update, no pilot wait)"] = frames[0] - t
            while any(w.group == "history" and not w.is_finished for w in app.workers):
                await pilot.pause(0.005)
            await pilot.pause()
            results["open detail incl. history (before extras)" if not app.data.extras
                    else "open detail incl. history"] = time.perf_counter() - t
            await pilot.press("escape")
            if args.no_extras:
                return
            await app.workers.wait_for_complete()
            results["extras (findings, due dates, alerts; child process) after first screen"] = \
                time.perf_counter() - t_extras
            await pilot.pause()
            if args.start != "contracts":
                await pilot.press("f3")
            await pilot.pause()
            box = app.screen.query_one("#filter", Input)
            times = []
            for text in ("教", "教育", "教育局", "物", "物业", "2019-00", "", "服务", "合同"):
                times.append((await keystroke(pilot, box, text))[0])
            results["filter keystroke after extras (median of 9)"] = statistics.median(times)
            box.value = ""
            await pilot.pause()
            code = app.data.index.row(7).code
            t = time.perf_counter()
            app.open_contract(code)
            await pilot.pause()
            while any(w.group == "history" and not w.is_finished for w in app.workers):
                await pilot.pause(0.005)
            await pilot.pause()
            results["open detail incl. history (after extras)"] = time.perf_counter() - t

    asyncio.run(run())
    results["peak RSS of the UI process (MB)"] = vm_hwm_mb()
    if not args.no_extras:   # the largest child: the extras process (git's children are smaller)
        results["peak RSS of the extras child (MB)"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"repository {root}; index {info.get('index')}; load average {os.getloadavg()[0]:.1f}")
    if "keystrokes (ms)" in info:
        print(f"keystrokes, each (ms): {info['keystrokes (ms)']}")
    for k, v in results.items():
        print(f"{k:72s} {v:10.3f}")


if __name__ == "__main__":
    main()
