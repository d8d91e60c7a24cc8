"""Time `cctk alerts` (cold and warm), `cctk export ocds` and `cctk publish` on a demo repository.

    python benchmarks/bench_supervision.py --contracts 2000
    python benchmarks/bench_supervision.py --repo /tmp/sv5000      # an existing demo (cctk demo … --no-tui)
    python benchmarks/bench_supervision.py --repo /tmp/sv5000 --profile export-ocds

Targets at 100,000 contracts: alerts ≤ 3 s warm, export ocds ≤ 60 s, publish ≤ 120 s. Each command also
reports the record loader's share (cctk.store.loader.load, owned by the store: measured separately).
Figures: docs/supervision.md, "Measured".
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CCTK = str(Path(sys.executable).with_name("cctk"))
PY = sys.executable


def timed(args, cwd):
    t = time.perf_counter()
    proc = subprocess.run([CCTK, *args], cwd=cwd, capture_output=True)
    return time.perf_counter() - t, proc.returncode


def load_seconds(repo) -> float:
    code = ("import time; from cctk.store.loader import load; t = time.perf_counter(); load('.'); "
            "print(time.perf_counter() - t)")
    return float(subprocess.run([PY, "-c", code], cwd=repo, capture_output=True, text=True, check=True).stdout)


def run_all(repo: Path, tmp: str, load: bool = True):
    """Each command twice: the first run fills the per-blob caches (alert facts, release templates, page
    templates) when the repository or cctk changed; the second is the warm figure."""
    if load:
        print(f"record loader (warm)  {load_seconds(repo):7.2f} s")
    for label, args in (("alerts", ["alerts"]), ("alerts", ["alerts"]),
                        ("alerts --as-of (new day)", ["alerts", "--as-of", "2020-01-16"]),
                        ("payments", ["payments"]),
                        ("export ocds", ["export", "ocds", "-o", f"{tmp}/o.json"]),
                        ("export ocds", ["export", "ocds", "-o", f"{tmp}/o.json"]),
                        ("export payments", ["export", "payments", "-o", f"{tmp}/p"]),
                        ("publish", ["publish", f"{tmp}/pub"]), ("publish", ["publish", f"{tmp}/pub"]),
                        ("report html", ["report", "--year", "2019", "-o", f"{tmp}/r.html"])):
        seconds, rc = timed(args, repo)
        print(f"{label:<25} {seconds:7.2f} s  (exit {rc})", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--contracts", type=int, default=2000)
    ap.add_argument("--repo", help="Use this existing demo repository instead of building one (its cache under "
                    ".git/cctk is written: use a clone of a shared repository).")
    ap.add_argument("--no-load", action="store_true", help="Skip timing the full record loader.")
    ap.add_argument("--profile", choices=["alerts", "export-ocds", "publish"],
                    help="cProfile one command instead (top 25 by cumulative time).")
    ap.add_argument("--out", help="Where outputs (register, exports) are written; default: a temporary folder "
                    "beside --repo. Not /tmp: on the development machine creating a file under /tmp costs "
                    "~0.75 ms against ~0.05 ms elsewhere on the same disk, which made publish look 3-5x slower.")
    opts = ap.parse_args()
    out_base = opts.out or (str(Path(opts.repo).resolve().parent) if opts.repo else None)
    with tempfile.TemporaryDirectory(dir=out_base) as tmp:
        repo = Path(opts.repo) if opts.repo else Path(tmp) / "demo"
        if not opts.repo:
            subprocess.run([CCTK, "demo", str(repo), "--contracts", str(opts.contracts), "--no-tui"], check=True,
                           capture_output=True)
        if opts.profile:
            args = {"alerts": ["alerts"], "export-ocds": ["export", "ocds", "-o", f"{tmp}/o.json"],
                    "publish": ["publish", f"{tmp}/pub"]}[opts.profile]
            subprocess.run([PY, "-m", "cProfile", "-s", "cumtime", CCTK, *args], cwd=repo)
            return
        run_all(repo, tmp, load=not opts.no_load)


if __name__ == "__main__":
    main()
