"""Lifecycle timings: a verb, pre-commit, history, the server hook on a push of 50 commits, audit.

    python benchmarks/bench_lifecycle.py --repo /tmp/d100k          # a clone of a demo repository
    python benchmarks/bench_lifecycle.py --contracts 2000            # a generated repository

With --repo the repository is cloned first (``git clone`` hard-links the objects; the original is
never written) into --work (default: a temp dir; kept with --keep). Every command is timed as the
person runs it: a fresh ``python -m cctk`` process. "first" runs include one-time work cctk keeps
afterwards (the commit-graph with changed-path filters for history, the filing-number index).
Figures go to docs/lifecycle.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE / "tests"))

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
status: review
---
# 办公用品采购 {i}

第一条 合同标的。
"""


def git(root, *args, check=True):
    proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True)
    if check and proc.returncode:
        raise SystemExit(f"git {' '.join(args)}: {proc.stderr.decode()}")
    return proc.stdout.decode().strip()


# Bytecode as an installed cctk has it: cached after the first process (PYTHONDONTWRITEBYTECODE in the
# environment would have every process compile cctk's modules again: +0.06 s CPU per verb).
PYCACHE = Path(tempfile.gettempdir()) / "cctk-bench-pycache"


def cctk(root, *args):
    env = dict(os.environ, PYTHONPYCACHEPREFIX=str(PYCACHE))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return subprocess.run([sys.executable, "-m", "cctk", "--lang", "en", *args], cwd=root, capture_output=True,
                          text=True, env=env)


def _cpu() -> float:
    """CPU of this process and of the children it waited for (a cctk process and its git processes)."""
    import resource
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(label, fn, runs=1):
    times, cpus = [], []
    out = None
    for _ in range(runs):
        start, cpu = time.perf_counter(), _cpu()
        out = fn()
        times.append(time.perf_counter() - start)
        cpus.append(_cpu() - cpu)
        if isinstance(out, subprocess.CompletedProcess) and out.returncode not in (0,):
            print(f"  ! {label}: exit {out.returncode}: {(out.stderr or out.stdout)[-300:]}")
    shown = " / ".join(f"{t:.2f}" for t in times)
    print(f"{label:58s} {shown} s  (CPU {' / '.join(f'{c:.2f}' for c in cpus)} s)", flush=True)
    return out


def generated(work: Path, n: int) -> None:
    from test_lifecycle_util import make_repo
    make_repo(work)
    for i in range(1, n + 1):
        code = f"LHHT-2025-{i:06d}"
        p = work / "contracts/2025" / code / "contract.md"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(RECORD.format(code=code, i=i, amount=10000 + i), "utf-8")
    git(work, "add", "contracts")
    git(work, "commit", "-qm", f"import {n}\n\nCctk-Action: import")


def candidates(work: Path, limit: int):
    """(code, step, person id) of contracts in review whose next step someone may approve now."""
    from cctk.lifecycle import actions as A
    from cctk.lifecycle import settings
    from cctk.lifecycle.workflow import Refused, steps_for, workflow
    from cctk.store.records import parse_contract

    snap = settings.read(work)
    district = set(workflow(snap.policy).get("district_roles") or [])
    out = []
    for path in sorted((work / "contracts").glob("*/*/contract.md")):
        text = path.read_bytes()
        if b"\nstatus: review\n" not in text:
            continue
        c, _ = parse_contract(path.relative_to(work).as_posix(), text)
        if c is None:
            continue
        done = {a.step for a in c.approvals if a.result == "approved"}
        step = next((s for s in steps_for(c, snap.policy) if s["id"] not in done), None)
        if step is None:
            continue
        for person in snap.org.people.values():
            held = set(step.get("roles") or []) & set(person.roles)
            if not held or not (held & district or c.unit in person.units or not person.units):
                continue
            on = max([d for d in c.dates.values()] + [a.on for a in c.approvals if a.on], default=dt.date(2026, 1, 1))
            try:
                A.plan("approve", work, c.code, step["id"], "同意", person=person.id, on=on.isoformat())
            except Refused:
                continue
            out.append((c.code, step["id"], person.id, on.isoformat()))
            break
        if len(out) >= limit:
            break
    return out


def other_picks(work: Path) -> list[tuple[str, list[str]]]:
    """(label, cctk arguments) for sign, accept, pay and file: the first contract in the state each
    needs, with a person the policy lets act on it now (checked by a dry run, as in candidates())."""
    from cctk.lifecycle import actions as A
    from cctk.lifecycle import settings
    from cctk.lifecycle.workflow import Refused, workflow
    from cctk.store.records import parse_contract

    snap = settings.read(work)
    district = set(workflow(snap.policy).get("district_roles") or [])
    as_of = dt.date.fromisoformat(str(snap.config.get("as_of") or dt.date.today().isoformat()))
    wanted = {b"approved": "sign", b"performing": "pay", b"signed": "file"}
    found: dict[str, tuple[str, list[str]]] = {}
    for path in sorted((work / "contracts").glob("*/*/contract.md")):
        text = path.read_bytes()
        status = next((s for s in wanted if b"\nstatus: " + s + b"\n" in text), None)
        verbs = [wanted[status]] + (["accept"] if status == b"performing" else []) if status else []
        verbs = [v for v in verbs if v not in found]
        if not verbs:
            continue
        c, _ = parse_contract(path.relative_to(work).as_posix(), text)
        if c is None:
            continue
        on = max([d for d in c.dates.values()] + [p.on for p in c.payments] + [as_of]).isoformat()
        for verb in verbs:
            args = {"sign": (c.code, on), "pay": (c.code, "1.00", on), "file": (c.code,),
                    "accept": (c.code, on, "pass")}[verb]
            kwargs = {"file": {"on": on}}.get(verb, {})
            roles = set((workflow(snap.policy).get("actions") or {}).get(verb) or [])
            for person in snap.org.people.values():
                held = roles & set(person.roles)
                if not held or not (held & district or c.unit in person.units or not person.units):
                    continue
                try:
                    A.plan(verb, work, *args, person=person.id, **kwargs)
                except Refused:
                    continue
                cli = {"sign": ["sign", c.code, "--on", on], "pay": ["pay", c.code, "--amount", "1.00", "--on", on],
                       "file": ["file", c.code, "--on", on], "accept": ["accept", c.code, "--on", on, "--result", "pass"]}
                found[verb] = (verb, cli[verb] + ["--as", person.id])
                break
        if len(found) == 4:
            break
    return [found[v] for v in ("sign", "accept", "pay", "file") if v in found]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repo", type=Path, help="clone this repository (e.g. /tmp/d100k) instead of generating one")
    ap.add_argument("--contracts", type=int, default=2000, help="size of a generated repository")
    ap.add_argument("--work", type=Path, help="where to clone/generate (default: a temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--no-audit", action="store_true", help="skip the full-history audit (minutes at 100k)")
    ap.add_argument("--file-runs", type=int, default=3,
                    help="times `cctk file` is run on the same contract, HEAD reset between runs (default 3)")
    opts = ap.parse_args()
    base = opts.work or Path(tempfile.mkdtemp(prefix="cctk-bench-lc-"))
    work = base / "work"
    os.environ.setdefault("GIT_AUTHOR_NAME", "bench")
    try:
        if opts.repo:
            timed(f"git clone {opts.repo}", lambda: git(base, "clone", "-q", str(opts.repo), str(work)))
            pki = opts.repo / ".cctk" / "pki"         # the demo's untracked signing certificate (filed PDFs)
            if pki.is_dir():
                shutil.copytree(pki, work / ".cctk" / "pki", dirs_exist_ok=True)
        else:
            generated(work, opts.contracts)
        git(work, "config", "user.email", "bench@example.invalid")
        git(work, "config", "user.name", "bench")
        n = len(list((work / "contracts").glob("*/*/contract.md")))
        commits = git(work, "rev-list", "--count", "HEAD")
        print(f"repository: {n} contracts, {commits} commits; load average {os.getloadavg()[0]:.1f}")
        # Fill the bytecode cache first (once per machine), so "first" below is cctk's one-time work only.
        subprocess.run([sys.executable, "-c", "import cctk.cli.lifecycle_cmds, cctk.cli.hooks_cmd, cctk.lifecycle.actions, "
                        "cctk.lifecycle.trail, cctk.lifecycle.hooks, cctk.filing.pdf, cctk.render.stamp, cctk.render.pdf, "
                        "cctk.render.sign"],
                       env={k: v for k, v in dict(os.environ, PYTHONPYCACHEPREFIX=str(PYCACHE)).items()
                            if k != "PYTHONDONTWRITEBYTECODE"}, check=True)
        picks = candidates(work, 53)
        if len(picks) < 53:
            raise SystemExit(f"only {len(picks)} contracts with an approvable step")
        # Server: a bare clone with the pre-receive hook, the work clone pushing to it.
        bare = base / "server.git"
        git(base, "clone", "-q", "--bare", str(work), str(bare))
        from cctk.lifecycle.hooks import install
        install(bare, server=True)
        git(work, "remote", "add", "server", str(bare))
        git(work, "fetch", "-q", "server")
        git(work, "branch", "-q", "--set-upstream-to", "server/main")

        code, step, person, on = picks[0]
        timed("verb: cctk approve (CLI process, first)", lambda: cctk(work, "approve", code, "--step", step,
                                                                        "--as", person, "--on", on))
        for code, step, person, on in picks[1:3]:
            timed("verb: cctk approve (CLI process)", lambda: cctk(work, "approve", code, "--step", step,
                                                                  "--as", person, "--on", on))
        path = next((work / "contracts").glob(f"*/{picks[0][0]}/contract.md"))
        path.write_text(path.read_text("utf-8").replace("\n---\n", "\n---\n\n", 1), "utf-8")   # a text edit
        git(work, "add", str(path))
        timed("pre-commit hook, one-contract change (process)", lambda: cctk(work, "hook", "pre-commit"), runs=3)
        git(work, "reset", "-q", "--", str(path))
        git(work, "checkout", "--", str(path))
        timed("cctk history CODE (process, first: commit-graph)", lambda: cctk(work, "history", picks[0][0]))
        timed("cctk history CODE (process)", lambda: cctk(work, "history", picks[1][0]), runs=3)
        def push():
            res = subprocess.run(["git", "-C", str(work), "push", "-q", "server", "main"], capture_output=True,
                                 text=True)
            if res.returncode:
                print(res.stderr[-2000:])
            return res
        timed("server pre-receive: git push of 3 commits (first)", push)
        from cctk.lifecycle import actions as A
        for code, step, person, on in picks[3:53]:
            A.approve(work, code, step, "同意", person=person, on=on)
        timed("server pre-receive: git push of 50 commits", push)
        for verb, args in other_picks(work):
            label = f"verb: cctk {verb} (CLI process{', filed PDF made and signed' if verb == 'file' else ''})"
            if verb != "file":
                timed(label, lambda: cctk(work, *args))
                continue
            before = git(work, "rev-parse", "HEAD")
            for i in range(max(1, opts.file_runs)):
                if i:
                    git(work, "reset", "-q", "--hard", before)     # the same filing again
                timed(label, lambda: cctk(work, *args))
        if not opts.no_audit:
            from cctk.lifecycle.audit import audit
            report = timed("cctk audit, full history (library)", lambda: audit(work))
            print(f"  audit: {report.commits} commits, {report.contracts} contracts, "
                  f"{len(report.findings)} findings")
        print(f"load average at the end {os.getloadavg()[0]:.1f}")
    finally:
        if not opts.keep and not opts.work:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
