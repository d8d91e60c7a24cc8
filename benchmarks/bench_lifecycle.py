"""Lifecycle timings on a generated repository: python benchmarks/bench_lifecycle.py [N] [DIR].

Builds N contracts (one bulk `Cctk-Action: import` commit) unless DIR already holds a repository
(e.g. one made by `cctk demo DIR`), then times a verb, pre-commit on a one-contract change,
history, audit, and the server hook on a push of 50 action commits.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from test_lifecycle_util import as_person, git, make_repo, new_contract  # noqa: E402

RECORD = """---
code: "{code}"
title: "办公用品采购 {i}"
category: goods
unit: "LH001"
clerk: wang.fang
counterparty:
  name: "深圳市罗湖信息技术有限公司"
  credit_code: "91440303MA5F0A1B22"
amount: "{amount}.00"
dates:
  drafted: "2026-01-05"
status: drafting
---
# 办公用品采购 {i}

第一条 合同标的。
"""


def timed(label, fn):
    start = time.perf_counter()
    out = fn()
    print(f"{label:45s} {time.perf_counter() - start:7.3f} s")
    return out


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    work = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp()) / "bench"
    if not (work / "cctk.yaml").exists():
        make_repo(work)
        for i in range(1, n + 1):
            code = f"LHHT-2025-{i:06d}"
            p = work / "contracts/2025" / code / "contract.md"
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(RECORD.format(code=code, i=i, amount=10000 + i), "utf-8")
        git(work, "add", "contracts")
        git(work, "commit", "-qm", f"import {n}\n\nCctk-Action: import")
    from cctk.lifecycle import actions as A
    from cctk.store.loader import load
    timed(f"load (warm cache), {n} contracts", lambda: load(work))
    timed("load (warm cache), second run", lambda: load(work))
    code = new_contract(work, day=__import__("datetime").date(2026, 11, 2))
    timed("cctk submit (library, end to end)", lambda: A.submit(work, code, person="wang.fang", on="2026-11-03"))
    timed("cctk submit CLI process", lambda: subprocess.run(
        [sys.executable, "-m", "cctk", "approve", code, "--step", "unit-review", "--as", "li.qiang"], cwd=work,
        capture_output=True))
    p = next((work / "contracts/2026").rglob("contract.md"))
    p.write_text(p.read_text("utf-8") + "\n", "utf-8")
    git(work, "add", str(p))
    timed("pre-commit hook process, one-contract change", lambda: subprocess.run(
        [sys.executable, "-m", "cctk", "hook", "pre-commit"], cwd=work, capture_output=True))
    git(work, "checkout", "-q", "--", str(p)) if False else git(work, "reset", "-q", "--", str(p))
    git(work, "checkout", "--", str(p))
    timed("cctk history CODE process", lambda: subprocess.run(
        [sys.executable, "-m", "cctk", "history", code], cwd=work, capture_output=True))
    # Server: push 50 action commits.
    bare = work.parent / "server.git"
    if not bare.exists():
        git(work.parent, "init", "-q", "--bare", "-b", "main", str(bare))
        from cctk.lifecycle.hooks import install
        install(bare, server=True)
        git(work, "remote", "add", "origin", str(bare))
    git(work, "push", "-q", "origin", "main")
    for i in range(25):
        c = new_contract(work, day=__import__("datetime").date(2026, 11, 2))
        A.submit(work, c, person="wang.fang", on="2026-11-03")
    timed("server pre-receive, push of 50 commits", lambda: subprocess.run(
        ["git", "-C", str(work), "push", "-q", "origin", "main"], capture_output=True))
    from cctk.lifecycle.audit import audit
    report = timed("cctk audit (full history)", lambda: audit(work))
    print(f"audit: {report.commits} commits, {len(report.findings)} findings")


if __name__ == "__main__":
    main()
