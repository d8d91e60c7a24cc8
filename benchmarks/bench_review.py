#!/usr/bin/env python3
"""Benchmark `cctk.review.review_text`: median time per contract of about 5,000 characters, the cost
of each extra 1,000 characters, and (optionally) a whole repository.

    python benchmarks/bench_review.py [--repo DEMO_REPO] [--rounds 30]
    python benchmarks/bench_review.py --per-contract DEMO_REPO [--limit 2000]
    python benchmarks/bench_review.py --dump OUT.json [--repo DEMO_REPO] [--limit 2000]
    python benchmarks/bench_review.py --compare BASE.json [--repo DEMO_REPO] [--limit 2000]

--dump writes every finding (all fields) for the labelled corpus, the benchmark's concatenated texts and
the first LIMIT contracts of DEMO_REPO; --compare recomputes them and exits 1 on any difference (the
proof that an optimisation changed nothing). --per-contract reports the review's own time per contract
of a repository (records parsed beforehand, as `cctk check` hands them over).

Contracts are built from the labelled corpus (tests/review_corpus), concatenated to the size wanted,
so the text is realistic Chinese contract prose with findings in it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cctk.review import load_playbook, review_file, review_text  # noqa: E402

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "review_corpus"


def text_of(size: int) -> str:
    parts, n = [], 0
    files = sorted(p for p in CORPUS.iterdir() if p.suffix in (".md", ".txt"))
    i = 0
    while n < size:
        t = files[i % len(files)].read_text("utf-8")
        parts.append(t)
        n += len(t)
        i += 1
    return "\n".join(parts)[:size]


def _clear() -> None:
    try:
        from cctk.review.engine import clear_memos
    except ImportError:     # a review without memos (before the speed work)
        return
    clear_memos()


def median_ms(text: str, rounds: int, warm: bool = False) -> float:
    """Median CPU milliseconds to review ``text``: cold (the per-sentence memos emptied before each
    round, as for a text never seen) or warm (every sentence already seen, as for a repeated template)."""
    pb = load_playbook()
    review_text(text, playbook=pb)  # warm the compiled patterns
    times = []
    for _ in range(rounds):
        if not warm:
            _clear()
        t0 = time.process_time()
        review_text(text, playbook=pb)
        times.append((time.process_time() - t0) * 1000)
    return statistics.median(times)


def _repo_contracts(repo: str, limit: int | None):
    from cctk.store.records import parse_contract
    root = Path(repo)
    out = []
    for f in sorted(root.glob("contracts/*/*/contract.md"))[:limit]:
        contract, _diags = parse_contract(str(f.relative_to(root)), f.read_bytes())
        if contract is not None:
            out.append(contract)
    return out


def _finding_rows(findings) -> list:
    return [[f.category, f.severity.label, f.line, f.col, f.quote, f.message, f.args, f.suggestion,
             f.suggestion_args, f.rule, f.basis.cite() if f.basis else None, f.path] for f in findings]


def snapshot(repo: str | None, limit: int | None) -> dict:
    """Every finding of the corpus files, the concatenated benchmark texts and a repository's contracts."""
    from cctk.review import review_contract
    out: dict[str, list] = {}
    for p in sorted(CORPUS.iterdir()):
        if p.suffix in (".md", ".txt"):
            out["corpus/" + p.name] = _finding_rows(review_file(p, display_path=p.name))
    pb = load_playbook()
    for size in (1000, 5000, 10000, 20000, 60000):
        out[f"concat/{size}"] = _finding_rows(review_text(text_of(size), playbook=pb))
    if repo:
        rpb = load_playbook(repo)
        for c in _repo_contracts(repo, limit):
            out["repo/" + c.path] = _finding_rows(review_contract(c, playbook=rpb))
    return json.loads(json.dumps(out, ensure_ascii=False, default=str))


def per_contract(repo: str, limit: int | None) -> None:
    from cctk.review import review_contract
    contracts = _repo_contracts(repo, limit)
    pb = load_playbook(repo)
    times, n = [], 0
    for c in contracts:     # in path order, memos starting empty: as one `cctk check` worker sees them
        t0 = time.process_time()
        n += len(review_contract(c, playbook=pb))
        times.append(time.process_time() - t0)
    dt = sum(times)
    chars = sum(len(c.body) for c in contracts) / len(contracts)
    q = max(1, len(times) // 4)
    print(f"{len(contracts)} contracts (mean {chars:,.0f} characters): CPU {dt * 1000 / len(contracts):.2f} ms per contract "
          f"(median {statistics.median(times) * 1000:.2f}, last quarter {sum(times[-q:]) * 1000 / q:.2f}), "
          f"{dt:.2f} s in all ({n} findings)")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--repo", help="review every contracts/*/*/contract.md of this repository")
    ap.add_argument("--limit", type=int, default=None, help="only the first LIMIT contracts of --repo")
    ap.add_argument("--dump", metavar="OUT", help="write every finding to OUT (JSON) and stop")
    ap.add_argument("--compare", metavar="BASE", help="compare every finding with BASE (JSON); exit 1 on a difference")
    ap.add_argument("--per-contract", metavar="REPO", help="time the review per contract of REPO and stop")
    args = ap.parse_args()
    if args.per_contract:
        per_contract(args.per_contract, args.limit)
        return 0
    if args.dump:
        snap = snapshot(args.repo, args.limit)
        Path(args.dump).write_text(json.dumps(snap, ensure_ascii=False, indent=0), "utf-8")
        print(f"{len(snap)} texts, {sum(len(v) for v in snap.values())} findings -> {args.dump}")
        return 0
    if args.compare:
        base = json.loads(Path(args.compare).read_text("utf-8"))
        snap = snapshot(args.repo, args.limit)
        diff = [k for k in sorted(set(base) | set(snap)) if base.get(k) != snap.get(k)]
        for k in diff[:20]:
            print(f"DIFF {k}\n  before: {base.get(k)}\n  after:  {snap.get(k)}")
        print(f"{len(snap)} texts, {sum(len(v) for v in snap.values())} findings; {len(diff)} differ")
        return 1 if diff else 0
    base = median_ms(text_of(5000), args.rounds)
    print(f"5,000 characters: median {base:.2f} ms cold, {median_ms(text_of(5000), args.rounds, warm=True):.2f} ms warm")
    for size in (10000, 20000):
        ms = median_ms(text_of(size), max(5, args.rounds // 3))
        print(f"{size:,} characters: median {ms:.2f} ms ({(ms - base) / ((size - 5000) / 1000):.2f} ms per extra 1,000)")
    if args.repo:
        files = sorted(Path(args.repo).glob("contracts/*/*/contract.md"))
        t0 = time.perf_counter()
        n = sum(len(review_file(f)) for f in files)
        print(f"{len(files)} contracts in {time.perf_counter() - t0:.2f} s ({n} findings)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
