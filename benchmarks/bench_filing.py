"""Benchmark of filed PDFs: filing PDFs for all 600 demo contracts (≤ 5 min), a 300-page scan, and the
`cctk verify` process end to end (≤ 0.5 s).

Run: .venv/bin/python benchmarks/bench_filing.py [CONTRACTS]   (default 600; needs fonts-noto-cjk, poppler)
Figures go to docs/pdf.md. The machine is shared: CPU time is given beside wall time.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402  (test dependency: a synthetic scan)

from cctk.demo import generate  # noqa: E402
from cctk.filing.keys import load_signer  # noqa: E402
from cctk.filing.pdf import build_filed_pdf  # noqa: E402
from cctk.render.repo import load_contract, settings  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 600


def cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def scan(pages: int) -> bytes:
    images = [Image.new("L", (1240, 1754), 250 - i % 40) for i in range(pages)]   # A4 at 150 dpi
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=150)
    return out.getvalue()


with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    print(f"load average: {os.getloadavg()}")
    # 1. the demo with and without every filing's PDF in history
    t = time.perf_counter()
    none = generate(tmp / "none", contracts=N, seed=2019, pdfs="none")
    t_none = time.perf_counter() - t
    t = time.perf_counter()
    full = generate(tmp / "all", contracts=N, seed=2019, pdfs="all")
    t_all = time.perf_counter() - t
    n_pdf = len(list((tmp / "all").glob("contracts/*/*/filed.pdf")))
    t = time.perf_counter()
    generate(tmp / "recent", contracts=N, seed=2019, pdfs="recent")
    t_recent = time.perf_counter() - t
    print(f"demo {N} contracts: --pdfs none {t_none:.1f} s, recent {t_recent:.1f} s, "
          f"all {t_all:.1f} s ({n_pdf} filed PDFs; {(t_all - t_none) / max(n_pdf, 1) * 1000:.0f} ms a PDF)")

    # 2. a filed PDF for every one of the N contracts (library, as `cctk file` builds it)
    repo = tmp / "all"
    cfg = settings(repo)
    signer = load_signer(cfg, repo)
    codes = sorted(p.parent.name for p in repo.glob("contracts/*/*/contract.md"))
    t = time.perf_counter()
    cpu0 = time.process_time()
    for i, code in enumerate(codes):
        c = load_contract(repo, code)
        build_filed_pdf(repo, c, number=f"罗财合备〔2019〕{i + 1}号", filed_on=dt.date(2019, 12, 31),
                        content_sha256="0" * 64, commit="0" * 40, settings=cfg, signer=signer)
    t_lib = time.perf_counter() - t
    print(f"filed PDFs for all {len(codes)} contracts (render+stamp+embed+sign): {t_lib:.1f} s wall, "
          f"{time.process_time() - cpu0:.1f} s CPU, {t_lib / len(codes) * 1000:.0f} ms each (target 300 s)")

    # 3. a 300-page image scan through the whole chain
    data = scan(300)
    c = load_contract(repo, codes[-1])
    times = []
    for _ in range(3):
        t = time.perf_counter()
        out = build_filed_pdf(repo, c, number="罗财合备〔2019〕999号", filed_on=dt.date(2019, 12, 31),
                              content_sha256="0" * 64, commit="0" * 40, settings=cfg, signer=signer, base=data,
                              base_name="scan.pdf")
        times.append(time.perf_counter() - t)
    print(f"300-page scan ({len(data) / 1e6:.1f} MB) stamp+embed+sign: median {statistics.median(times):.2f} s")

    # 4. `cctk verify` as a process, on a genuine filed PDF and on an altered one
    pdf = sorted(repo.glob("contracts/*/*/filed.pdf"))[-1]
    bad = tmp / "bad.pdf"
    raw = bytearray(pdf.read_bytes())
    raw[raw.find(b"/CctkFilingDate") + 6] ^= 1
    bad.write_bytes(bytes(raw))
    for label, target, extra in (("genuine", pdf, []), ("altered", bad, []), ("genuine --full", pdf, ["--full"])):
        walls, cpus = [], []
        for _ in range(7):
            c0, t = cpu_children(), time.perf_counter()
            subprocess.run([sys.executable, "-m", "cctk", "verify", str(target), *extra], cwd=repo, capture_output=True)
            walls.append(time.perf_counter() - t)
            cpus.append(cpu_children() - c0)
        print(f"cctk verify ({label}): median {statistics.median(walls):.3f} s wall (min {min(walls):.3f}), "
              f"{statistics.median(cpus):.3f} s CPU (target 0.5 s)")
    c0, t = cpu_children(), time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"])
    print(f"bare python start: {time.perf_counter() - t:.3f} s wall, {cpu_children() - c0:.3f} s CPU")
