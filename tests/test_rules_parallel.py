"""A cold run checks new records on both cores; the findings must equal a serial run's."""

from cctk.repository import all_diagnostics
from cctk.rules import engine
from cctk.store.loader import load


def _key(d):
    return (d.path, d.code, d.line, d.col, d.message, sorted(map(str, d.args.items())))


def test_parallel_cold_run_equals_serial(repo, monkeypatch):
    from cctk.review import review_contract

    def review(c):
        return [f.to_diagnostic() for f in review_contract(c)]

    snap = load(repo)
    serial = engine.run(snap, base=all_diagnostics(snap), use_cache=False, review=review)
    monkeypatch.setattr(engine, "PARALLEL_MIN", 1)
    parallel = engine.run(snap, base=all_diagnostics(snap), use_cache=False, review=review)
    assert serial.diagnostics and sorted(map(_key, serial.diagnostics)) == sorted(map(_key, parallel.diagnostics))


def test_review_cache_survives_a_new_evaluation_date(repo):
    """Deadlines move every day, so rule findings are cached per date; the text review is not re-run."""
    import datetime as dt

    from cctk.review import review_contract

    calls = []

    def review(c):
        calls.append(c.code)
        return [f.to_diagnostic() for f in review_contract(c)]

    # the demo's texts pass the review (tests/test_demo.py): give one contract a clause it flags (CR013)
    path = min(repo.glob("contracts/*/*/contract.md"))
    path.write_text(path.read_text("utf-8") + "\n本合同最终解释权归乙方所有。\n", "utf-8")
    snap = load(repo)
    first = engine.run(snap, as_of=dt.date(2020, 1, 15), review=review, review_tag="t1")
    assert len(calls) == len(snap.contracts)
    calls.clear()
    later = engine.run(snap, as_of=dt.date(2020, 6, 1), review=review, review_tag="t1")
    assert calls == []
    codes = lambda r: sorted(d.code for d in r.diagnostics if d.code.startswith("CR"))  # noqa: E731
    assert codes(first) == codes(later) and codes(first)
    engine.run(snap, as_of=dt.date(2020, 6, 1), review=review, review_tag="t2")   # a new review version
    assert len(calls) == len(snap.contracts)
