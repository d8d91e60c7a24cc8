"""Time `cctk alerts` (cold and warm), `cctk export ocds` and `cctk publish` on a demo repository.

    python benchmarks/bench_supervision.py --contracts 2000
Targets at 100,000 contracts: alerts ≤ 3 s warm, export ocds ≤ 60 s, publish ≤ 120 s.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CCTK = str(Path(sys.executable).with_name("cctk"))


def timed(args, cwd):
    t = time.perf_counter()
    proc = subprocess.run([CCTK, *args], cwd=cwd, capture_output=True)
    return time.perf_counter() - t, proc.returncode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--contracts", type=int, default=2000)
    opts = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "demo"
        subprocess.run([CCTK, "demo", str(repo), "--contracts", str(opts.contracts), "--no-tui"], check=True,
                       capture_output=True)
        for label, args in (("alerts (cold)", ["alerts"]), ("alerts (warm)", ["alerts"]),
                            ("payments", ["payments"]), ("export ocds", ["export", "ocds", "-o", f"{tmp}/o.json"]),
                            ("export payments", ["export", "payments", "-o", f"{tmp}/p"]),
                            ("publish", ["publish", f"{tmp}/pub"]), ("report html", ["report", "--year", "2019", "-o", f"{tmp}/r.html"])):
            seconds, rc = timed(args, repo)
            print(f"{label:<18} {seconds:7.2f} s  (exit {rc})")


if __name__ == "__main__":
    main()
