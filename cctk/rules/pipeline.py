"""The whole of ``cctk check`` as one library call: list, consult the result memo, else load the
contracts' facts and run the reference checks, the rules and the text review.

Layered caches, cheapest first: the result memo (nothing changed: no contract is decoded),
then per-contract findings keyed by blob id (only changed records are decoded and checked),
then the facts every-run rules need (cross-contract and register rules read facts, not
records). The front end passes the text review in, since cctk.rules may not import
cctk.review.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable, Iterable

from cctk import __version__
from cctk.model import Severity
from cctk.repository import all_diagnostics
from cctk.rules.cache import path_for
from cctk.rules.engine import (Result, Suppressed, TextReview, changed_contracts, default_as_of, load_rules, run,
                               version)
from cctk.rules.memo import ResultMemo, key as memo_key
from cctk.store.loader import Snapshot, parser_version, keys, load, load_contracts

# The built-in cross-contract rules and what relates two contracts for each: pull-request mode loads
# only the contracts sharing one of these with a changed contract.
_POOLED = {"CC203": "filing", "CC204": "filing-year", "CC501": "unit", "CC502": "unit"}

ReviewFactory = Callable[[Snapshot], tuple[TextReview | None, str | None]]


def check(root: Path, rev: str | None = None, *, as_of: dt.date | None = None, select: Iterable[str] = (),
          ignore: Iterable[str] = (), min_severity: Severity = Severity.INFO, changed_base: str | None = None,
          use_cache: bool = True, local_rules: bool = True, review: ReviewFactory | None = None,
          progress=None) -> tuple[Snapshot, Result]:
    """Check the repository at ``root`` (work tree, or ``rev``). Raises gitio.GitError for a bad revision
    or base. ``changed_base``: pull-request mode (see engine.changed_contracts)."""
    select, ignore = list(select), list(ignore)
    snap = load(root, rev, use_cache=use_cache, contracts="lazy")
    scope = changed_contracts(snap.root, changed_base, snap.rev, snap.dirty) if changed_base else None
    as_of = as_of or default_as_of(snap)
    review_fn, tag = review(snap) if review is not None else (None, None)
    ruleset = load_rules(snap, local=local_rules)
    key = memo_key(snap.digest, __version__, parser_version(), version(ruleset), as_of, tag, select, ignore,
                   int(min_severity), sorted(scope) if scope is not None else None, local_rules)
    memo = None
    if use_cache:
        try:
            memo = ResultMemo(path_for(snap.root))
            hit = memo.get(key, snap.root)
        except Exception:   # an unusable cache only costs time
            memo, hit = None, None
        if hit is not None:
            memo.close()
            diagnostics, suppressed, checked = hit
            return snap, Result(diagnostics=diagnostics, suppressed=[Suppressed(d, r) for d, r in suppressed],
                                rules=ruleset.rules, checked=checked, as_of=as_of, changed=scope,
                                timings={"memo": 1.0})
    try:
        only = _affected(snap, scope, ruleset, use_cache) if scope is not None else None
        load_contracts(snap, "facts", use_cache=use_cache, progress=progress, only=only)
        result = run(snap, as_of=as_of, base=all_diagnostics(snap, scope), select=select, ignore=ignore,
                     min_severity=min_severity, changed=scope, use_cache=use_cache, local_rules=local_rules,
                     review=review_fn, review_tag=tag, ruleset=ruleset)
        if memo is not None:
            try:
                memo.put(key, result.diagnostics, [(s.diagnostic, s.reason) for s in result.suppressed],
                         result.checked, snap.probes)
            except Exception:
                pass
        return snap, result
    finally:
        if memo is not None:
            memo.close()


def _affected(snap: Snapshot, scope: set[str], ruleset, use_cache: bool) -> set[str] | None:
    """The contracts a pull request's findings can depend on: the changed ones, and those sharing a
    code (duplicates), a unit (splitting, concentration), a filing number or a filing year (duplicate
    numbers, gaps) with them. None (load everything) when a repository rule of the repository's own
    says nothing about what it relates."""
    from cctk.rules.filing import number_pattern

    if any(r.scope == "repository" and r.code not in _POOLED for r in ruleset.rules):
        return None
    rows = keys(snap, use_cache=use_cache)
    mine = [rows[p] for p in scope if p in rows]
    codes = {c for c, _, _ in mine if c}
    units = {u for _, u, _ in mine if u}
    numbers = {f for _, _, f in mine if f}
    pattern = number_pattern(snap.config.get("filing_number_format") or "")

    def year(number):
        m = pattern.match(number) if pattern is not None and number else None
        return m["year"] if m else None

    years = {y for y in map(year, numbers) if y}
    out = set(scope)
    for path, (code, unit, number) in rows.items():
        if code in codes or unit in units or (number and (number in numbers or (years and year(number) in years))):
            out.add(path)
    return out
