"""The evaluation date that records what rules asked of it (cctk/rules/asof.py), and the findings cache
that reuses a contract's findings on every date where they are provably the same."""

from __future__ import annotations

import datetime as dt
import json
import pickle

from cctk.rules import pipeline, run
from cctk.rules.asof import AsOf, Window
from cctk.store.loader import load

D = dt.date


def _w(day=D(2024, 6, 15)):
    w = Window()
    return AsOf(day, w), w


def test_order_comparisons_narrow_the_window_to_the_answers_side():
    a, w = _w()
    assert a > D(2024, 6, 1) and (w.lo, w.hi) == (D(2024, 6, 2), D.max)
    assert not a > D(2024, 7, 1) and w.hi == D(2024, 7, 1)
    assert a < D(2024, 6, 30) and w.hi == D(2024, 6, 29)
    assert a >= D(2024, 6, 10) and w.lo == D(2024, 6, 10)
    assert not a <= D(2024, 6, 5) and w.lo == D(2024, 6, 10)          # 6-06 is weaker than 6-10
    assert D(2024, 6, 20) > a and w.hi == D(2024, 6, 19)               # reflected comparison
    assert not D(2024, 6, 1) > a and w.lo == D(2024, 6, 10)
    # every date in the window answers all of these the same way
    for n in range((w.hi - w.lo).days + 1):
        day = w.lo + dt.timedelta(days=n)
        assert day > D(2024, 6, 1) and day < D(2024, 6, 30) and not day <= D(2024, 6, 5) and D(2024, 6, 20) > day


def test_anything_else_pins_the_window_to_the_day():
    for use in (lambda a: a - D(2024, 1, 1), lambda a: a + dt.timedelta(days=1), lambda a: a.isoformat(),
                lambda a: a.year, lambda a: str(a), lambda a: f"{a:%Y}", lambda a: a == D(2024, 6, 15),
                lambda a: hash(a), lambda a: a.toordinal(), lambda a: D(2024, 7, 1) - a):
        a, w = _w()
        use(a)
        assert (w.lo, w.hi) == (D(2024, 6, 15), D(2024, 6, 15))
    a, _ = _w()
    assert (a - D(2024, 6, 1)).days == 14 and type(a + dt.timedelta(days=1)) is dt.date
    assert pickle.loads(pickle.dumps(a)) == D(2024, 6, 15)


def _key(result):
    return sorted((d.path, d.code, d.line, d.message, json.dumps(d.args, sort_keys=True, default=str))
                  for d in result.diagnostics)


def test_cached_findings_on_other_dates_equal_a_cold_run(repo):
    """Walk the demo district through dates (forwards and back): each run from the cache must equal a
    run without it, and a new day re-checks only the contracts whose outcome can have changed."""
    snap = load(repo)
    start = pipeline.default_as_of(snap)
    days = [start, start + dt.timedelta(days=1), start + dt.timedelta(days=40), start - dt.timedelta(days=200),
            start + dt.timedelta(days=400), start + dt.timedelta(days=1)]
    rechecked = []
    for day in days:
        cached = run(load(repo), as_of=day)
        cold = run(load(repo), as_of=day, use_cache=False)
        assert _key(cached) == _key(cold), day
        rechecked.append(cached.timings["rechecked"])
    assert rechecked[0] == len(snap.contracts)
    assert rechecked[1] < len(snap.contracts) / 2          # the next day: most results still hold
    assert rechecked[-1] < len(snap.contracts) / 2
