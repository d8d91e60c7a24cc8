"""What the first screen leaves out, computed in a child process: ``python -m tui.data.extras ROOT
AS_OF`` writes a pickle of ``compute(root, as_of)`` to stdout.

The full load, `cctk check`'s findings, payment states and alerts need every full record: at
100,000 contracts that is many seconds of Python and a large heap. In a child process it runs on
the other core without holding the UI's interpreter lock (typing stays fast) and its memory is
returned when it ends; the UI gets back only what it shows (``tui.data.repo.apply_extras``).
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import subprocess
import sys
from pathlib import Path


def compute(root: Path, today: dt.date) -> dict:
    from cctk.payments import next_due
    from cctk.store.loader import load

    from tui.data.repo import build

    data = build(load(root), today=today)
    due = {code: (next_due(states), any(s.status == "overdue" for s in states))
           for code, states in data.states.items()}
    return {"findings": data.findings_by_code, "diagnostics": data.diagnostics, "due": due,
            "alerts": data.alerts, "listings": data.listings, "inspections": data.inspections,
            "feedback": data.feedback}


def run(root: Path, today: dt.date) -> dict:
    """Run ``compute`` in a child process (same interpreter, same environment) and return its result."""
    import cctk.i18n
    env = dict(os.environ, CCTK_LANG=cctk.i18n.get_lang())
    proc = subprocess.run([sys.executable, "-m", "tui.data.extras", str(root), today.isoformat()],
                          capture_output=True, env=env, stdin=subprocess.DEVNULL,
                          cwd=str(Path(__file__).resolve().parents[2]))
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(lines[-1] if lines else f"exit {proc.returncode}")
    return pickle.loads(proc.stdout)


def main(argv: list[str]) -> int:
    root, day = Path(argv[0]), dt.date.fromisoformat(argv[1])
    try:
        os.nice(10)    # background work (and its pool of rule workers): the clerk's keystrokes come first
    except OSError:
        pass
    out = pickle.dumps(compute(root, day), protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.write(out)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
