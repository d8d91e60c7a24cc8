"""The record parser's speed, per file, and a proof that a change to it changes no result.

    python benchmarks/bench_parse.py [DIR] [--n 2000]      # per-file ms (default DIR: a demo repository)
    python benchmarks/bench_parse.py --dump OUT.json [DIR]  # every result, for before/after comparison

Timing: reads up to N ``contracts/*/*/contract.md`` files of DIR into memory, then times (best of 3,
single process, CPU time) the whole ``parse_contract`` per file, and its parts: the YAML load alone
(``yamlio.load_fast``) with its rapidyaml path and the libyaml event loop it falls back to, the reference
PyYAML path (``yamlio.load_reference``), plain
``yaml.CSafeLoader`` (libyaml with PyYAML's Python constructor: the "raw parser" figure of issue 2), the
libyaml event stream alone (the floor for anything built on libyaml's Python binding), the schema check
and the model build. Prints a Markdown table.

Dump: writes, for every contract of DIR, of this repository's samples and fixtures, and of the bad-input
corpus (tests/test_bad_input.py), the Contract (msgspec builtins) and its diagnostics; plus
``load_fast`` on the YAML edge cases of tests/test_format.py. Compare two dumps with ``cmp``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import msgspec  # noqa: E402
import yaml  # noqa: E402

from cctk.store import records, yamlio  # noqa: E402

SAMPLE = "contracts/2019/LHHT-2019-000001/contract.md"


def contract_files(root: Path, limit: int | None = None) -> list[Path]:
    files = sorted(root.glob("contracts/*/*/contract.md"))
    return files[:limit] if limit else files


def result(path: str, data: bytes):
    contract, diags = records.parse_contract(path, data)
    return {"path": path,
            "contract": msgspec.to_builtins(contract) if contract is not None else None,
            "diagnostics": [msgspec.to_builtins(d) for d in diags]}


def yaml_result(text: str):
    try:
        return {"ok": repr(yamlio.load_fast(text))}
    except yamlio.YamlProblem as exc:
        return {"problem": [exc.key, exc.line, exc.col, repr(exc.args_)]}
    except Exception as exc:  # noqa: BLE001 - a crash is a result too (and a bug)
        return {"crash": type(exc).__name__}


def dump(out: Path, dirs: list[Path]) -> None:
    from test_bad_input import CASES  # the corpus mutates the sample record of a repository

    from test_format import EDGE_CASES

    rows = []
    for root in dirs + [ROOT]:
        for f in contract_files(root):
            rows.append(result(str(f.relative_to(root)), f.read_bytes()))
    for f in sorted((ROOT / "tests/fixtures").rglob("*.md")):
        rows.append(result(str(f.relative_to(ROOT)), f.read_bytes()))
    for name in sorted(CASES):
        rows.append({"case": name, **result(SAMPLE, CASES[name][0](ROOT))})
    for text in EDGE_CASES:
        rows.append({"yaml": text, **yaml_result(text)})
    out.write_text(json.dumps(rows, ensure_ascii=False, indent=0, sort_keys=True, default=str), "utf-8")
    print(f"{len(rows)} results -> {out}")


def best_ms(fn, items, repeat: int = 5) -> float:
    """CPU milliseconds per item, best of ``repeat`` (CPU time: the shared machine's load skews wall time)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for item in items:
            fn(item)
        best = min(best, (time.process_time() - start) / len(items))
    return best * 1e3


def events_only(text: str) -> None:
    parser = yaml.CSafeLoader(text)
    try:
        while parser.get_event() is not None:
            pass
    finally:
        parser.dispose()


def ryml_takes(text: str, api) -> bool:
    try:
        yamlio._load_ryml(text, api)
        return True
    except Exception:  # noqa: BLE001 - refused: load_fast goes on to the event loop
        return False


def bench(root: Path, n: int) -> None:
    files = contract_files(root, n)
    if not files:
        sys.exit(f"no contracts under {root}")
    datas = [(str(f.relative_to(root)), f.read_bytes()) for f in files]
    sources = [records.split(p, d.decode("utf-8"))[0] for p, d in datas]
    fms = [s.fm for s in sources]
    recs = [yamlio.load_fast(fm) for fm in fms]
    validate = records._fast_validator()
    size = sum(len(d) for _, d in datas) / len(datas)
    fm_lines = sum(fm.count("\n") for fm in fms) / len(fms)
    api = yamlio._ryml_api()
    taken = sum(1 for fm in fms if ryml_takes(fm, api)) if api else 0
    rows = [
        ("parse_contract (whole: decode, split, YAML, schema, model, checks)",
         best_ms(lambda pd: records.parse_contract(*pd), datas)),
        ("yamlio.load_fast (the YAML part)", best_ms(yamlio.load_fast, fms)),
        (f"  rapidyaml path alone (yamlio._load_ryml; took {taken} of {len(fms)} files)",
         best_ms(lambda fm: ryml_takes(fm, api), fms) if api else float("nan")),
        ("  libyaml event loop alone (yamlio._load_events; load_fast before session 5)",
         best_ms(yamlio._load_events, fms)),
        ("yamlio.load_reference (libyaml compose + PyYAML constructor)", best_ms(yamlio.load_reference, fms)),
        ("yaml.CSafeLoader (libyaml + PyYAML's Python constructor, YAML 1.1)",
         best_ms(lambda t: yaml.load(t, Loader=yaml.CSafeLoader), fms)),
        ("libyaml event stream alone (no objects built)", best_ms(events_only, fms)),
        ("schema check (pre-compiled fastjsonschema)", best_ms(validate, recs)),
        ("model build + consistency checks", best_ms(lambda sr: records.build(sr[1], sr[0]), list(zip(sources, recs)))),
    ]
    print(f"{len(datas)} files from {root}: {size / 1024:.1f} KB, {fm_lines:.0f} front-matter lines on average\n")
    print("| step | ms per file | µs per file |\n|---|---|---|")
    for name, ms in rows:
        print(f"| {name} | {ms:.3f} | {ms * 1e3:.0f} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dir", nargs="?", default="/tmp/h7-2k")
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--dump", type=Path)
    args = ap.parse_args()
    if args.dump:
        dump(args.dump, [Path(args.dir)])
    else:
        bench(Path(args.dir), args.n)


if __name__ == "__main__":
    main()
