"""Generate docs/rules.md from the rule sources (cctk/rules/*.py) so the docs cannot drift.

    python scripts/gen_rules_doc.py          # write docs/rules.md
    python scripts/gen_rules_doc.py --check  # exit 1 if docs/rules.md is out of date

Measured performance figures live in benchmarks/bench_check.md (written by
benchmarks/bench_check.py) and are appended to the page.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cctk.rules import builtin_rules  # noqa: E402
from cctk.rules.docs import book_markdown  # noqa: E402

TARGET = ROOT / "docs" / "rules.md"
PERF = ROOT / "benchmarks" / "bench_check.md"


def render() -> str:
    perf = PERF.read_text("utf-8") if PERF.exists() else ""
    return book_markdown(builtin_rules(), perf)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = TARGET.read_text("utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET.relative_to(ROOT)} is out of date: run python scripts/gen_rules_doc.py", file=sys.stderr)
            return 1
        return 0
    TARGET.parent.mkdir(exist_ok=True)
    tmp = TARGET.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, TARGET)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
