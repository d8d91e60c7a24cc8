"""Benchmark: render a 10-page contract (≤ 1 s), stamp a 100-page scan (≤ 2 s), verify (≤ 0.5 s).

Run: .venv/bin/python benchmarks/bench_render.py   (needs fonts-noto-cjk and the repo's sample data)
"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

t0 = time.perf_counter()
from PIL import Image  # noqa: E402  (test dependency, only to build a synthetic scan)

from cctk.render.pdf import render_contract_pdf  # noqa: E402
from cctk.render.repo import load_contract  # noqa: E402
from cctk.filing.keys import make_pki  # noqa: E402
from cctk.render.sign import load_signer, sign_pdf  # noqa: E402
from cctk.render.stamp import embed_filing, stamp_filing  # noqa: E402
from pypdf import PdfReader  # noqa: E402

import_render = time.perf_counter() - t0


def timed(fn, n=5):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times), out


contract = load_contract(ROOT, "LHHT-2019-000001")
long_body = contract.body + "\n" + "\n".join(
    f"## 附加条款 {i}\n\n" + "乙方应按照合同约定履行义务，甲方有权对履约情况进行检查和验收。" * 6 for i in range(36))


def render(i=[0]):
    i[0] += 1
    contract.body = long_body + f"\n\n第 {i[0]} 次渲染。\n"    # a new input each time: no cached result
    return render_contract_pdf(contract, ROOT, draft=True)


t = time.perf_counter()
first = render()
cold = time.perf_counter() - t
pages = len(PdfReader(io.BytesIO(first)).pages)
med, best, _ = timed(render)
print(f"render {pages}-page contract: cold {cold:.2f} s (font discovery + compiler start), "
      f"warm median {med:.3f} s, best {best:.3f} s  [target 1 s]")

img = Image.new("L", (1240, 1754), 255)        # an A4 page at 150 dpi
for x in range(0, 1240, 40):
    img.paste(0, (x, 200, x + 20, 1500))
pages_img = [img] * 100
buf = io.BytesIO()
pages_img[0].save(buf, format="PDF", save_all=True, append_images=pages_img[1:], resolution=150)
scan = buf.getvalue()
stamp_filing(scan, "罗财合备〔2019〕1号", "2019-03-15", "1a2b3c4d", repo_root=ROOT)   # warm the stamp cache
med, best, stamped = timed(lambda: stamp_filing(scan, "罗财合备〔2019〕2号", "2019-03-15", "1a2b3c4d",
                                                repo_root=ROOT), n=3)
print(f"stamp 100-page scan ({len(scan) // 1024} KiB): median {med:.3f} s, best {best:.3f} s  [target 2 s]")

with tempfile.TemporaryDirectory() as tmp:
    keys = make_pki(tmp)
    signer = load_signer(keys["p12"], None)
    filed = embed_filing(render_contract_pdf(load_contract(ROOT, "LHHT-2019-000001"), ROOT, draft=False), b"{}",
                         number="罗财合备〔2019〕1号", code="LHHT-2019-000001", content_sha256="0", commit="0",
                         filed_on="2019-03-15")
    t = time.perf_counter()
    from cctk.render.verify import verify_pdf
    import_verify = time.perf_counter() - t
    med, best, signed = timed(lambda: sign_pdf(filed, signer), n=3)
    print(f"sign (PAdES): median {med:.3f} s")
    t = time.perf_counter()
    verify_pdf(signed, None)
    first_verify = time.perf_counter() - t
    med, best, _ = timed(lambda: verify_pdf(signed, None))
    print(f"verify: first call {first_verify:.3f} s, then median {med:.3f} s  [target 0.5 s]")
