"""Benchmark `cctk check` (the policy engine) on a generated repository.

    python benchmarks/bench_check.py                      # 100,000 contracts in /tmp/cctk-bench-check
    python benchmarks/bench_check.py --contracts 5000 --keep

Builds a synthetic repository (real files, one real git commit; `cctk demo` is used instead when
--demo is given and the command exists), then times, as subprocesses of the installed CLI:
  cold     caches removed (records parsed, every rule and the text review run)
  warm     the same command again (record and findings caches hit)
  changed  `cctk check --changed main` on a branch changing 10 contracts
           (``--changed-only N --dir REPO``: only this, N times with fresh edits, wall and CPU)
and `--no-review` variants, plus the loader alone (cctk.store) to show its share.
Targets (issue 4): cold ≤ 45 s, warm ≤ 3 s, changed ≤ 1.5 s. Figures go to benchmarks/bench_check.md,
which scripts/gen_rules_doc.py appends to docs/rules.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
BODY = """
# {title}

甲方（采购人）：{unit_name}
乙方（供应商）：{supplier}

## 第一条 合同标的

乙方向甲方提供{title}所列货物或服务，规格见附件。

## 第二条 合同金额

合同总价为人民币（¥{amount}），含税及全部费用。

## 第三条 付款方式

合同签订后 10 日内支付 30%；验收合格后 15 日内支付 70%。

## 第四条 交付与验收

乙方应按约定交付，甲方在交付后 10 个工作日内组织验收。

## 第五条 争议解决

因本合同发生的争议，双方协商解决；协商不成的，向甲方所在地人民法院提起诉讼。

## 第六条 其他

本合同一式肆份，壹份报财政部门备案，自双方签字盖章之日起生效。
"""


def credit_code(n: int) -> str:
    base = f"914403{n:08d}"[:8] + f"MA{n:07d}"[:9]
    base = base[:17]
    s = sum(ALPHABET.index(ch) * w for ch, w in zip(base, WEIGHTS))
    return base + ALPHABET[(31 - s % 31) % 31]


def git(root: Path, *args: str):
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def generate(root: Path, n: int, seed: int = 7):
    rnd = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    shutil.copy(ROOT / "cctk.yaml", root / "cctk.yaml")
    (root / "policy").mkdir()
    shutil.copy(ROOT / "policy" / "thresholds.yaml", root / "policy" / "thresholds.yaml")
    org = (ROOT / "policy" / "org.yaml").read_text("utf-8")
    units = [f"LB{i:03d}" for i in range(197)]
    extra = "".join(f'  - code: "{u}"\n    name: "罗湖区测试单位{u}"\n' for u in units)
    org = org.replace("units:\n", "units:\n" + extra, 1)
    (root / "policy" / "org.yaml").write_text(org, "utf-8")
    suppliers = [credit_code(i) for i in range(2000)]
    (root / "suppliers").mkdir()
    for i, code in enumerate(suppliers):
        (root / "suppliers" / f"{code}.yaml").write_text(
            f'credit_code: "{code}"\nname: "深圳市测试供应商{i}有限公司"\nsme: {"true" if i % 2 else "false"}\nlistings: []\n',
            "utf-8")
    seq = {}
    fseq = {}
    start = dt.date(2019, 1, 2)
    for i in range(1, n + 1):
        signed = start + dt.timedelta(days=rnd.randrange(0, 5 * 365))
        year = signed.year
        seq[year] = seq.get(year, 0) + 1
        code = f"LHHT-{year}-{seq[year]:06d}"
        s = rnd.randrange(len(suppliers))
        amount = rnd.choice([rnd.randrange(5_000, 49_000), rnd.randrange(60_000, 900_000), rnd.randrange(1_000_000, 4_000_000)])
        filed = signed + dt.timedelta(days=2)
        body = BODY.format(title=f"测试采购合同{i}", unit_name="罗湖区测试单位", supplier=f"深圳市测试供应商{s}有限公司",
                           amount=f"{amount:,}.00")
        fm = f'''code: "{code}"
title: "测试采购合同{i}"
category: {rnd.choice(["goods", "services", "works"])}
procurement_method: inquiry
unit: "{rnd.choice(units)}"
clerk: wang.fang
counterparty:
  name: "深圳市测试供应商{s}有限公司"
  credit_code: "{suppliers[s]}"
  sme: {"true" if s % 2 else "false"}
amount: "{amount}.00"
payment_schedule:
  - {{id: "1", share: "30%", trigger: signing, days: 10, advance: true}}
  - {{id: "2", share: "70%", trigger: acceptance, days: 15, final: true}}
dates:
  drafted: "{signed - dt.timedelta(days=8)}"
  submitted: "{signed - dt.timedelta(days=7)}"
  signed: "{signed}"
  published: "{signed + dt.timedelta(days=1)}"
  start: "{signed}"
  end: "{signed + dt.timedelta(days=60)}"
  delivered: "{signed + dt.timedelta(days=30)}"
status: evaluated
approvals:
  - {{step: unit-review, by: li.qiang, on: "{signed - dt.timedelta(days=6)}"}}
  - {{step: unit-head, by: zhang.wei, on: "{signed - dt.timedelta(days=5)}"}}
'''
        if amount >= 50_000:
            fseq[year] = fseq.get(year, 0) + 1
            fm += f'filing: {{number: "罗财合备〔{year}〕{fseq[year]}号", on: "{filed}", by: liu.yang}}\n'
        fm += f'''acceptance: {{on: "{signed + dt.timedelta(days=35)}", result: pass}}
payments:
  - {{on: "{filed + dt.timedelta(days=3)}", amount: "{amount * 3 // 10}.00", instalment: "1"}}
  - {{on: "{signed + dt.timedelta(days=40)}", amount: "{amount - amount * 3 // 10}.00", instalment: "2"}}
evaluation: {{on: "{signed + dt.timedelta(days=45)}", score: 90}}
'''
        folder = root / "contracts" / str(year) / code
        folder.mkdir(parents=True)
        (folder / "contract.md").write_text("---\n" + fm + "---\n" + body, "utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "-c", "user.name=bench", "-c", "user.email=bench@example", "commit", "-q", "-m", "synthetic")


def timed(cmd: list[str], cwd: Path) -> tuple[float, int]:
    secs, _, rc = timed_cpu(cmd, cwd)
    return secs, rc


def timed_cpu(cmd: list[str], cwd: Path) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of the process and everything it waited for — git, forked helpers —, exit)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    secs = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return secs, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), proc.returncode


def pull_request(root: Path, tag: str, count: int = 10):
    """Branch ``pr`` off main with ``count`` contracts edited (new blobs each time: a first run)."""
    git(root, "checkout", "-q", "-B", "pr", "main")
    for p in sorted(root.glob("contracts/*/*/contract.md"))[:count]:
        p.write_text(p.read_text("utf-8") + f"\n补充说明：拉取请求基准测试 {tag}。\n", "utf-8")
    git(root, "add", "-A", "contracts")
    git(root, "-c", "user.name=bench", "-c", "user.email=bench@example", "commit", "-q", "-m", f"pr {tag}")


def changed_only(root: Path, repeat: int, as_of: str | None) -> int:
    """``--changed main`` on a fresh 10-contract pull request, first run and again, ``repeat`` times; wall,
    CPU (with git and helpers) and the load average before each run."""
    cmd = [sys.executable, "-m", "cctk", "--lang", "en", "check", "--format", "json", "--changed", "main"]
    cmd += ["--as-of", as_of] if as_of else []
    for i in range(repeat):
        pull_request(root, f"{time.time_ns()}-{i}")
        for label in ("first run", "again"):
            load = os.getloadavg()[0]
            secs, cpu, rc = timed_cpu(cmd, root)
            print(f"--changed main, {label:<9} {secs:6.2f} s wall {cpu:6.2f} s CPU  load {load:4.1f}  (exit {rc})",
                  flush=True)
    git(root, "checkout", "-q", "main")
    git(root, "branch", "-q", "-D", "pr")
    return 0


def clear_cache(root: Path):
    shutil.rmtree(root / ".git" / "cctk", ignore_errors=True)


def engine_only(root: Path, scale: int, as_of: str):
    """Time cctk.rules.run on scale × the loaded contracts (cold and warm findings cache, changed mode)."""
    if scale <= 1:
        return []
    import copy
    import hashlib
    sys.path.insert(0, str(ROOT))
    from cctk.rules import run
    from cctk.rules.cache import path_for
    from cctk.store.loader import load
    snap = load(root)
    base = list(snap.contracts)
    for k in range(1, scale):
        for c in base:
            d = copy.copy(c)
            d.code = c.code.replace("LHHT-", f"LHX{k}-")
            d.oid = hashlib.sha1(f"{k}{c.oid}".encode()).hexdigest()
            if c.filing:
                d.filing = copy.copy(c.filing)
                d.filing.number = f"X{k}-{c.filing.number}"
            snap.contracts.append(d)
            snap.files[d.path + f"#{k}"] = d.oid
    n = len(snap.contracts)
    day = dt.date.fromisoformat(as_of)
    rows = []
    path_for(root).unlink(missing_ok=True)
    for label in ("engine cold (findings cache empty)", "engine warm"):
        t0 = time.perf_counter()
        run(snap, as_of=day)
        rows.append((label, time.perf_counter() - t0, n))
    changed = {c.path for c in base[:10]}
    t0 = time.perf_counter()
    run(snap, as_of=day, changed=changed)
    rows.append(("engine --changed (10 contracts)", time.perf_counter() - t0, n))
    for label, secs, _ in rows:
        print(f"{label:<44} {secs:7.2f} s  ({n} contracts)", flush=True)
    return rows


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--contracts", type=int, default=100_000)
    ap.add_argument("--dir", default="/tmp/cctk-bench-check")
    ap.add_argument("--keep", action="store_true", help="reuse an existing generated repository")
    ap.add_argument("--as-of", default="2024-12-31")
    ap.add_argument("--engine-scale", type=int, default=1,
                    help="also time the engine in-process on the contracts replicated this many times")
    ap.add_argument("--changed-only", type=int, metavar="N", default=0,
                    help="only time --changed main on an existing repository (--dir): N fresh pull requests")
    args = ap.parse_args()
    root = Path(args.dir)
    if args.changed_only:
        return changed_only(root, args.changed_only, None if args.as_of == ap.get_default("as_of") else args.as_of)
    cctk = [sys.executable, "-m", "cctk", "--lang", "en"]
    env_note = f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
    if not (args.keep and (root / ".git").exists()):
        t0 = time.perf_counter()
        generate(root, args.contracts)
        print(f"generated {args.contracts} contracts in {time.perf_counter() - t0:.1f} s", flush=True)
    check = cctk + ["check", "--as-of", args.as_of, "--format", "json"]
    rows = []

    def measure(label, cmd, prep=None):
        if prep:
            prep()
        secs, rc = timed(cmd, root)
        rows.append((label, secs, rc))
        print(f"{label:<44} {secs:7.2f} s  (exit {rc})", flush=True)

    measure("cold, no review", check + ["--no-review"], lambda: clear_cache(root))
    measure("warm, no review", check + ["--no-review"])
    measure("cold rules+review (record cache warm)", check)
    measure("warm (full check, with review)", check)
    measure("warm again", check)
    # A clerk edits one contract in the work tree: the memo misses, one record is re-checked, the
    # cross-contract and register rules run on every contract's facts.
    edited = sorted(root.glob("contracts/*/*/contract.md"))[len(list(root.glob("contracts/*/*"))) // 2]
    original = edited.read_bytes()
    edited.write_bytes(original + "\n补充说明：本条为基准测试所加。\n".encode("utf-8"))
    measure("warm, one contract edited (work tree)", check)
    measure("warm, one contract edited, again", check)
    edited.write_bytes(original)
    loader = [sys.executable, "-c", "from cctk.store.loader import load; load('.')"]
    measure("loader alone, warm (cctk.store)", loader)
    # pull-request mode: a branch changing 10 contracts
    pull_request(root, "1")
    measure("--changed main (10 contracts), first run", check + ["--changed", "main"])
    measure("--changed main (10 contracts), again", check + ["--changed", "main"])
    git(root, "checkout", "-q", "main")
    git(root, "branch", "-q", "-D", "pr")

    engine_rows = engine_only(root, args.engine_scale, args.as_of)
    out = ROOT / "benchmarks" / "bench_check.md"
    lines = ["## Performance (measured)", "",
             f"`python benchmarks/bench_check.py --contracts {args.contracts}` on a synthetic repository "
             f"({args.contracts:,} contracts, 197 units, 2,000 suppliers; {env_note}; shared machine). "
             "Times are wall-clock for the whole `cctk check` process, including Python start-up and the "
             "record loader. Targets: cold ≤ 45 s, warm ≤ 3 s, `--changed` ≤ 1.5 s.", "",
             "| run | seconds |", "|---|---:|"]
    lines += [f"| {label} | {secs:.2f} |" for label, secs, _ in rows]
    lines.append("")
    if engine_rows:
        lines += ["The rule engine alone (in-process, after loading; the loaded contracts replicated "
                  f"{args.engine_scale}× with new codes and blob ids, so the rules see "
                  f"{engine_rows[0][2]:,} contracts):", "", "| engine run | seconds |", "|---|---:|"]
        lines += [f"| {label} | {secs:.2f} |" for label, secs, _ in engine_rows]
        lines.append("")
    out.write_text("\n".join(lines) + "\n", "utf-8")
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
