"""Benchmark the foundation: check cold/warm, ls warm, loading a revision from git.

Usage: python benchmarks/bench_load.py [N] [--repo DIR] [--synthetic]
Builds a repository of N contracts (default 100,000) with `cctk demo` when available, else a synthetic
one (the sample contract with varied codes, units, amounts) through one `git fast-import`. Prints a
Markdown table for docs/loading.md. Not a test: figures vary with the machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CCTK = [sys.executable, "-m", "cctk"]


def synthetic(repo: Path, n: int) -> None:
    sample = (ROOT / "contracts/2019/LHHT-2019-000001/contract.md").read_text("utf-8")
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    proc = subprocess.Popen(["git", "-C", str(repo), "fast-import", "--quiet"], stdin=subprocess.PIPE)
    out = proc.stdin

    def blob(path: str, data: bytes):
        out.write(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")

    msg = b"synthetic benchmark repository\n"
    out.write(b"commit refs/heads/main\ncommitter bench <bench@cctk.example> 1577836800 +0800\n")
    out.write(b"data %d\n%s" % (len(msg), msg))
    for name in ("cctk.yaml", "policy/org.yaml", "policy/thresholds.yaml", "suppliers/91440303MA5F0A1B22.yaml"):
        blob(name, (ROOT / name).read_bytes())
    for i in range(1, n + 1):
        code = f"LHHT-2019-{i:06d}"
        amount = 100000 + (i * 7919) % 5_000_000
        text = (sample.replace("LHHT-2019-000001", code).replace('"86500.00"', f'"{amount}.00"')
                .replace('amount: "25950.00"', f'amount: "{amount * 3 // 10}.00"')
                .replace("罗财合备〔2019〕1号", f"罗财合备〔2019〕{i}号")
                .replace('unit: "LH001"', 'unit: "%s"' % ("LH001", "LH002")[i % 2]))
        blob(f"contracts/2019/{code}/contract.md", text.encode("utf-8"))
    out.close()
    if proc.wait() != 0:
        raise SystemExit("fast-import failed")
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "-f", "main"], check=True)


def build(repo: Path, n: int, synthetic_only: bool = False) -> str:
    if synthetic_only:
        synthetic(repo, n)
        return "synthetic"
    try:
        import cctk.demo  # noqa: F401
        subprocess.run(CCTK + ["demo", str(repo), "--contracts", str(n), "--no-tui"], check=True,
                       stdout=subprocess.DEVNULL)
        return "cctk demo"
    except (ImportError, subprocess.CalledProcessError):
        shutil.rmtree(repo, ignore_errors=True)
        synthetic(repo, n)
        return "synthetic"


def timed(args, cwd, env=None) -> float:
    t = time.perf_counter()
    subprocess.run(CCTK + args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=dict(os.environ, CI="1", **(env or {})))
    return time.perf_counter() - t


def main():
    args = sys.argv[1:]
    n = int(args[0]) if args and args[0].isdigit() else 100_000
    given = Path(args[args.index("--repo") + 1]) if "--repo" in args else None
    tmp = Path(tempfile.mkdtemp(prefix="cctk-bench-"))
    repo = given or tmp / "repo"
    source = "given" if given and repo.exists() else build(repo, n, "--synthetic" in args)
    cache = repo / ".git/cctk/index.sqlite"
    rows = []
    cache.unlink(missing_ok=True)
    rows.append(("cctk check, cold (no cache)", timed(["check"], repo)))
    rows.append(("cctk check, warm", timed(["check"], repo)))
    rows.append(("cctk ls --status performing, warm", timed(["ls", "--status", "performing"], repo)))
    cache.unlink(missing_ok=True)
    # A revision whose work tree differs cannot use the work-tree shortcut: stream with cat-file.
    rows.append(("cctk check --rev HEAD, cold", timed(["check", "--rev", "HEAD"], repo)))
    cache.unlink(missing_ok=True)
    bare = tmp / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo), str(bare)], check=True)
    t = time.perf_counter()
    code = ("import sys; from cctk.store.loader import load; s = load(sys.argv[1], 'HEAD', use_cache=False); "
            "print(len(s.contracts))")
    subprocess.run([sys.executable, "-c", code, str(bare)], check=True, stdout=subprocess.DEVNULL)
    rows.append(("load a revision from a bare repository (cat-file stream), cold", time.perf_counter() - t))
    print(f"\n{n} contracts ({source}), {os.cpu_count()} cores\n")
    print("| operation | seconds |\n|---|---|")
    for name, secs in rows:
        print(f"| {name} | {secs:.2f} |")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
