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
from cctk.store.loader import Snapshot, _schema_hash, load, load_contracts

ReviewFactory = Callable[[Snapshot], tuple[TextReview | None, str | None]]


def check(root: Path, rev: str | None = None, *, as_of: dt.date | None = None, select: Iterable[str] = (),
          ignore: Iterable[str] = (), min_severity: Severity = Severity.INFO, changed_base: str | None = None,
          use_cache: bool = True, local_rules: bool = True, review: ReviewFactory | None = None,
          progress=None) -> tuple[Snapshot, Result]:
    """Check the repository at ``root`` (work tree, or ``rev``). Raises gitio.GitError for a bad revision
    or base. ``changed_base``: pull-request mode (see engine.changed_contracts)."""
    select, ignore = list(select), list(ignore)
    snap = load(root, rev, use_cache=use_cache, contracts="lazy")
    scope = changed_contracts(snap.root, changed_base, snap.rev) if changed_base else None
    as_of = as_of or default_as_of(snap)
    review_fn, tag = review(snap) if review is not None else (None, None)
    ruleset = load_rules(snap, local=local_rules)
    key = memo_key(snap.digest, __version__, _schema_hash(), version(ruleset, as_of, tag), tag, select, ignore,
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
        load_contracts(snap, "facts", use_cache=use_cache, progress=progress)
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
