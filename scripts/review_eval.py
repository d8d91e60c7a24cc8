#!/usr/bin/env python3
"""Precision and recall of `cctk review` over a labelled corpus, per category and overall, counted
over (file, category) pairs.

    python scripts/review_eval.py [CORPUS_DIR] [--labels labels.yaml] [--json] [--details]

CORPUS_DIR defaults to tests/review_corpus; labels default to CORPUS_DIR/labels.yaml, a mapping
file -> {planted: [category…], decoys: [text…]}. Exit 1 when the targets (overall precision and
recall >= 0.9, no category below 0.75) are missed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cctk.review import CATEGORIES, review_file  # noqa: E402


def evaluate(corpus: Path, labels: dict) -> dict:
    tp, fp, fn = Counter(), Counter(), Counter()
    details = []
    for name, spec in sorted(labels.items()):
        expected = set((spec or {}).get("planted") or [])
        unknown = expected - set(CATEGORIES)
        if unknown:
            raise SystemExit(f"{name}: unknown categories {sorted(unknown)}")
        found = {f.category for f in review_file(corpus / name, display_path=name)}
        for c in found & expected:
            tp[c] += 1
        for c in found - expected:
            fp[c] += 1
            details.append((name, c, "false positive"))
        for c in expected - found:
            fn[c] += 1
            details.append((name, c, "missed"))
    rows = {}
    for c in CATEGORIES:
        p = tp[c] / (tp[c] + fp[c]) if tp[c] + fp[c] else None
        r = tp[c] / (tp[c] + fn[c]) if tp[c] + fn[c] else None
        rows[c] = {"tp": tp[c], "fp": fp[c], "fn": fn[c], "precision": p, "recall": r}
    T, F, N = sum(tp.values()), sum(fp.values()), sum(fn.values())
    overall = {"tp": T, "fp": F, "fn": N, "precision": T / (T + F) if T + F else 1.0,
               "recall": T / (T + N) if T + N else 1.0, "files": len(labels)}
    return {"overall": overall, "categories": rows, "errors": details}


def _fmt(x):
    return "  -  " if x is None else f"{x:.2f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", nargs="?", default=str(Path(__file__).resolve().parent.parent / "tests/review_corpus"))
    ap.add_argument("--labels")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--details", action="store_true", help="list every false positive and miss")
    args = ap.parse_args(argv)
    corpus = Path(args.corpus)
    labels = yaml.safe_load(Path(args.labels or corpus / "labels.yaml").read_text("utf-8"))
    result = evaluate(corpus, labels)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(f"{'category':28} {'tp':>3} {'fp':>3} {'fn':>3}  precision  recall")
        for c, r in result["categories"].items():
            print(f"{c:28} {r['tp']:3} {r['fp']:3} {r['fn']:3}  {_fmt(r['precision']):>9}  {_fmt(r['recall']):>6}")
        o = result["overall"]
        print(f"{'overall (' + str(o['files']) + ' files)':28} {o['tp']:3} {o['fp']:3} {o['fn']:3}  "
              f"{o['precision']:9.2f}  {o['recall']:6.2f}")
        if args.details:
            for name, c, what in result["errors"]:
                print(f"  {name}: {c}: {what}")
    o = result["overall"]
    worst = [r for r in result["categories"].values()
             if (r["precision"] is not None and r["precision"] < 0.75) or (r["recall"] is not None and r["recall"] < 0.75)]
    return 0 if o["precision"] >= 0.9 and o["recall"] >= 0.9 and not worst else 1


if __name__ == "__main__":
    sys.exit(main())
