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
