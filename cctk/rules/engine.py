"""Run the rule book over a loaded repository.

Per-contract rules run only on records whose (blob id, rule-book version) is not cached;
rules that read registers (suppliers) and cross-contract rules run every time; the
cross-contract rules group and sort, so they stay O(n log n). ``changed`` limits the run
to some contracts plus the cross-contract findings that involve them (pull-request mode).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Callable, Iterable

from cctk import __version__
from cctk.model import Contract, Diagnostic, Severity
from cctk.rules import settings as settingsmod
from cctk.rules.asof import AsOf, Window
from cctk.rules.base import REGISTRY, Context, Finding, Rule
from cctk.rules.cache import RuleCache, path_for
from cctk.rules.custom import declarative_rules, module_rules
from cctk.store import gitio
from cctk.store.loader import Snapshot, records
from cctk.store.records import CODES, decode, split
from cctk.store.suppressions import reason_for, unknown_codes

# Importing the rule modules registers them.
from cctk.rules import filing, inspections, money, patterns, performance, signing  # noqa: F401,E402

TextReview = Callable[[Contract], list[Diagnostic]]


@dataclass
class RuleSet:
    rules: list[Rule]
    diagnostics: list[Diagnostic]        # problems in the repository's own rule definitions
    settings: dict
    local_source: list = field(default_factory=list)

    def get(self, code: str) -> Rule | None:
        for r in self.rules:
            if r.code == code:
                return r
        return None


@dataclass
class Suppressed:
    diagnostic: Diagnostic
    reason: str


@dataclass
class Result:
    diagnostics: list[Diagnostic]
    suppressed: list[Suppressed]
    rules: list[Rule]
    checked: int                          # number of contract files in scope
    as_of: dt.date
    changed: set[str] | None = None       # contract paths in scope in pull-request mode (None: all)
    timings: dict[str, float] = field(default_factory=dict)


def builtin_rules() -> list[Rule]:
    return [cls() for _, cls in sorted(REGISTRY.items())]


def _read_policy_modules(snap: Snapshot) -> dict[str, str]:
    paths = [p for p in snap.other_paths if p.startswith("policy/") and p.count("/") == 1 and p.endswith(".py")]
    if not paths and snap.rev is None and (snap.root / "policy").is_dir():
        paths = sorted(f"policy/{p.name}" for p in (snap.root / "policy").glob("*.py"))
    out = {}
    for p in paths:
        try:
            if snap.rev is None:
                out[p] = (snap.root / p).read_text("utf-8")
            else:
                out[p] = gitio.git(snap.root, "cat-file", "blob", f"{snap.rev}:{p}").decode("utf-8")
        except (OSError, UnicodeDecodeError, gitio.GitError):
            continue
    return out


def load_rules(snap: Snapshot | None, *, local: bool = True) -> RuleSet:
    """Built-in rules plus the repository's own (policy/rules.yaml ``custom:`` and policy/*.py)."""
    policy = snap.policy if snap else {}
    conf = settingsmod.settings(policy)
    rules = builtin_rules()
    diags: list[Diagnostic] = []
    source: list = []
    if snap is not None and local:
        codes = {r.code for r in rules}
        defs = (policy.get("rules") or {}).get("custom") if isinstance(policy.get("rules"), dict) else None
        if defs is not None:
            more, d = declarative_rules(defs, codes)
            rules += more
            diags += d
            codes |= {r.code for r in more}
        modules = _read_policy_modules(snap)
        for path, text in modules.items():
            more, d = module_rules(path, text, codes)
            rules += more
            diags += d
            codes |= {r.code for r in more}
        source = [defs, sorted(modules.items())]
    overrides = conf.get("severity") or {}
    for r in rules:
        if r.code in overrides:
            try:
                r.severity = Severity.parse(str(overrides[r.code]))
            except KeyError:
                pass
    disabled = set(conf.get("disable") or [])
    rules = [r for r in rules if r.code not in disabled]
    return RuleSet(rules=rules, diagnostics=diags, settings=conf, local_source=source)


def _rules_source_hash() -> str:
    """Rule code changes invalidate the cache even when the package version does not."""
    parts = []
    for f in sorted(resources.files("cctk.rules").iterdir(), key=lambda p: p.name):
        if f.name.endswith(".py"):
            parts.append(f.read_bytes())
    parts.append(resources.files("cctk").joinpath("data/rules/defaults.yaml").read_bytes())
    # CC601 compares texts with the shipped model texts too
    shipped = Path(str(resources.files("cctk").joinpath("data/templates")))
    for f in sorted(shipped.rglob("*")) if shipped.is_dir() else ():
        if f.is_file():
            parts.append(f.relative_to(shipped).as_posix().encode() + b"\0" + f.read_bytes())
    import hashlib
    return hashlib.sha1(b"\0".join(parts)).hexdigest()[:12]


def version(ruleset: RuleSet) -> str:
    """Cache version of the per-contract rule findings: the rules, their settings and severities. The
    evaluation date is not part of it: each entry carries the dates it holds on (cctk/rules/asof.py)."""
    codes = [(r.code, r.severity.label, r.cacheable) for r in ruleset.rules if r.scope == "contract"]
    return settingsmod.fingerprint(__version__, _rules_source_hash(), ruleset.settings, ruleset.local_source, codes)


def review_version(review_tag: str) -> str:
    return settingsmod.fingerprint(__version__, review_tag)


# --- locating findings in their files ---------------------------------------------------------

class _Locator:
    def __init__(self, snap: Snapshot, cache: RuleCache | None):
        self.snap, self.cache = snap, cache
        self._cat = None

    def _read(self, contracts: list[Contract]) -> dict[str, bytes]:
        out = {}
        if self.snap.rev is None:
            for c in contracts:
                try:
                    out[c.path] = (self.snap.root / c.path).read_bytes()
                except OSError:
                    pass
            return out
        if self._cat is None:
            self._cat = gitio.CatFile(self.snap.root)
        oids = [self.snap.files.get(c.path) for c in contracts]
        for c, (_, data) in zip(contracts, self._cat.read_many(oids)):
            if data is not None:
                out[c.path] = data
        return out

    def locate(self, findings: list[Finding], persist: bool) -> list[Diagnostic]:
        """Diagnostics with line/col; positions of every-run findings are remembered in the cache."""
        keys = [((f.contract.oid or f.contract.path), json.dumps(f.at, ensure_ascii=False)) for f in findings]
        known = self.cache.positions(keys) if (persist and self.cache) else {}
        need = {f.contract.path: f.contract for f, k in zip(findings, keys) if k not in known}
        data = self._read(list(need.values())) if need else {}
        sources = {}
        for path, blob in data.items():
            text, _ = decode(path, blob)
            src, _ = split(path, text or "") if text is not None else (None, None)
            sources[path] = src
        new = {}
        out = []
        for f, key in zip(findings, keys):
            d = f.to_diagnostic()
            if key in known:
                d.line, d.col = known[key]
            else:
                src = sources.get(f.contract.path)
                if src is not None:
                    d.line, d.col = src.position(f.at)
                new[key] = (d.line, d.col)
            out.append(d)
        if persist and self.cache and new:
            try:
                self.cache.put_positions(new)
            except Exception:
                pass
        return out

    def close(self):
        if self._cat:
            self._cat.close()


# --- the run -------------------------------------------------------------------------------------

def _matches(code: str, prefixes: Iterable[str]) -> bool:
    return any(code.startswith(p) for p in prefixes)


def run(snap: Snapshot, *, as_of: dt.date | None = None, base: list[Diagnostic] | None = None,
        select: Iterable[str] = (), ignore: Iterable[str] = (), min_severity: Severity = Severity.INFO,
        changed: set[str] | None = None, use_cache: bool = True, local_rules: bool = True,
        review: TextReview | None = None, review_tag: str | None = None,
        ruleset: RuleSet | None = None, known: dict[str, tuple] | None = None) -> Result:
    """Rules over ``snap`` (and the caller's schema/reference diagnostics in ``base``).

    ``changed``: contract paths to check (pull-request mode); cross-contract findings are kept
    when they involve one of them. ``review``: a per-contract text-review function whose
    diagnostics are cached with the rules'. ``known``: per-contract findings already computed for this run
    (after_parse_hook's ``found``), by blob id — taken instead of the caches' copies.
    """
    import time
    timings = {}
    t0 = time.perf_counter()
    as_of = as_of or default_as_of(snap)
    ruleset = ruleset or load_rules(snap, local=local_rules)
    ctx = Context(settings=ruleset.settings, as_of=as_of, suppliers=snap.suppliers, org=snap.org, config=snap.config,
                  inspections=_inspections(snap), root=snap.root)
    targets = snap.contracts if changed is None else [c for c in snap.contracts if c.path in changed]
    target_codes = {c.code for c in targets}
    cached_rules = [r for r in ruleset.rules if r.scope == "contract" and r.cacheable]
    live_rules = [r for r in ruleset.rules if r.scope == "contract" and not r.cacheable]
    repo_rules = [r for r in ruleset.rules if r.scope == "repository"]

    cache = rcache = None
    if use_cache:
        try:
            cache = RuleCache(path_for(snap.root), version(ruleset))
            if review is not None:
                rcache = RuleCache(path_for(snap.root), review_version(review_tag or ""), table="review_results")
        except Exception:  # an unusable cache only costs time
            cache = rcache = None
    locator = _Locator(snap, cache)
    diags: list[Diagnostic] = list(ruleset.diagnostics)
    try:
        # 1. cacheable per-contract rules and the text review, each from its own cache
        diags += _contract_findings(snap, targets, ctx, cached_rules, review, cache, rcache, locator, use_cache,
                                    timings, t0, known)
        timings["contract_rules"] = time.perf_counter() - t0
        # Rules that look at every run: on facts when they can, else on full records (decoded once).
        everything = snap.contracts
        if snap.mode == "facts" and any(not r.facts for r in live_rules + repo_rules):
            full = records(snap, [c.path for c in snap.contracts], use_cache=use_cache)
            everything = [full[c.path] for c in snap.contracts if c.path in full]

        def view(rule, contracts):
            if rule.facts or everything is snap.contracts:
                return contracts
            by_path = {c.path: c for c in everything}
            return [by_path[c.path] for c in contracts if c.path in by_path]

        # 2. per-contract rules reading registers: every run
        live = [f for r in live_rules for c in view(r, targets) for f in r.check(c, ctx)]
        # 3. cross-contract rules over everything, kept when they touch the targets
        cross = []
        for r in repo_rules:
            pool = view(r, snap.contracts)
            if changed is not None and r.partition is not None:
                # the partitions of every contract carrying a changed contract's code: findings on those
                # are kept too (below)
                keys = {r.partition(c) for c in pool if c.code in target_codes}
                pool = [c for c in pool if r.partition(c) in keys]
            for f in r.check_all(pool, ctx):
                if changed is None or f.contract.code in target_codes or target_codes.intersection(f.related):
                    cross.append(f)
        diags.extend(locator.locate(live + cross, persist=True))
        timings["cross_rules"] = time.perf_counter() - t0
    finally:
        locator.close()
        for store in (cache, rcache):
            if store:
                store.close()

    if base:
        if changed is None:
            diags.extend(base)
        else:
            diags.extend(d for d in base if d.path in changed or not d.path.startswith("contracts/"))
    return finish(diags, snap, ruleset, as_of=as_of, select=select, ignore=ignore, min_severity=min_severity,
                  checked=len(targets), changed=changed, timings=timings)


def _contract_findings(snap: Snapshot, targets: list, ctx: Context, cached_rules: list[Rule],
                       review: TextReview | None, cache: RuleCache | None, rcache: RuleCache | None,
                       locator: "_Locator", use_cache: bool, timings: dict, t0: float,
                       known: dict[str, tuple] | None = None) -> list[Diagnostic]:
    """The cacheable per-contract rules' and the text review's diagnostics of ``targets``: from ``known``
    (computed for this run already), else from the caches, else computed (and stored)."""
    import time
    as_of = ctx.as_of
    diags: list[Diagnostic] = []
    oids = [c.oid for c in targets if c.oid]
    known = known or {}
    unknown = (None, None)
    ask_rules = [o for o in oids if known.get(o, unknown)[0] is None]
    ask_review = [o for o in oids if known.get(o, unknown)[1] is None]
    hits = cache.get_many(ask_rules, as_of) if cache and ask_rules else {}
    review_hits = rcache.get_many(ask_review) if rcache and ask_review else {}
    for oid, (rule_found, review_found) in known.items():
        if rule_found is not None:
            hits[oid] = rule_found
        if review_found is not None:
            review_hits[oid] = review_found
    timings["cache_read"] = time.perf_counter() - t0
    need_rules = {c.path for c in targets if not c.oid or c.oid not in hits}
    need_review = {c.path for c in targets if review is not None and (not c.oid or c.oid not in review_hits)}
    misses = [c for c in targets if c.path in need_rules or c.path in need_review]
    timings["rechecked"] = float(len(misses))
    if misses and snap.mode == "facts" and len(misses) < PARALLEL_MIN:
        # Only the records the caches cannot answer for are decoded; many are decoded by the workers
        # (_check_chunk), in parallel.
        full = records(snap, [c.path for c in misses], use_cache=use_cache)
        misses = [full[c.path] for c in misses if c.path in full]
    exact = any(r.origin != "cctk" for r in cached_rules)   # a repository's own code: trust no date range
    computed = dict(zip((c.path for c in misses),
                        _check_misses(snap, ctx, cached_rules, review, misses, locator, need_rules, need_review,
                                      exact, use_cache))) if misses else {}
    new_rules: dict[str, tuple] = {}
    new_review: dict[str, tuple] = {}
    for c in targets:
        rule_found, review_found, window = computed.get(c.path, (None, None, None))
        if rule_found is None:
            rule_found = hits.get(c.oid, [])
        elif c.oid:
            new_rules[c.oid] = (rule_found, window.lo, window.hi)
        if review is None:
            review_found = []
        elif review_found is None:
            review_found = review_hits.get(c.oid, [])
        elif c.oid:
            new_review[c.oid] = (review_found, dt.date.min, dt.date.max)
        for data in rule_found + review_found:
            d = Diagnostic.from_json(data)
            d.path, d.contract = c.path, c.code
            diags.append(d)
    for store, new in ((cache, new_rules), (rcache, new_review)):
        if store and new:
            try:
                store.put_many(new)
            except Exception:
                pass
    return diags


def missing_findings(snap: Snapshot, oids: list[str], *, as_of: dt.date, ruleset: RuleSet,
                     review_tag: str | None = None) -> set[str]:
    """The blob ids among ``oids`` whose per-contract findings (or text review, with ``review_tag``) the
    caches cannot answer for on ``as_of``."""
    cache = RuleCache(path_for(snap.root), version(ruleset))
    try:
        found = set(cache.get_many(oids, as_of))
    finally:
        cache.close()
    if review_tag is not None:
        rcache = RuleCache(path_for(snap.root), review_version(review_tag), table="review_results")
        try:
            found &= set(rcache.get_many(oids))
        finally:
            rcache.close()
    return set(oids) - found


def warm(snap: Snapshot, targets: list[Contract], *, as_of: dt.date, ruleset: RuleSet,
         review: TextReview | None = None, review_tag: str | None = None) -> None:
    """Compute and store the cacheable per-contract findings (and text review) of ``targets`` (full records)
    that the caches lack, exactly as ``run`` would: a later run reads them from the caches. Pull-request
    mode does this for the changed records in a second process while the first lists the work tree."""
    ctx = Context(settings=ruleset.settings, as_of=as_of, suppliers=snap.suppliers, org=snap.org, config=snap.config,
                  inspections=_inspections(snap), root=snap.root)
    cached_rules = [r for r in ruleset.rules if r.scope == "contract" and r.cacheable]
    cache = RuleCache(path_for(snap.root), version(ruleset))
    rcache = RuleCache(path_for(snap.root), review_version(review_tag or ""), table="review_results") \
        if review is not None else None
    locator = _Locator(snap, cache)
    try:
        _contract_findings(snap, targets, ctx, cached_rules, review, cache, rcache, locator, True, {}, 0.0)
    finally:
        locator.close()
        for store in (cache, rcache):
            if store:
                store.close()


PARALLEL_MIN = 1500      # below this a process pool costs more than it saves
_WORK: dict = {}         # what forked workers inherit (no pickling of the snapshot)


def _check_chunk(start: int, end: int, locator=None) -> list[tuple]:
    """For misses[start:end]: (cacheable rule findings, text-review findings, asof.Window of the rule
    findings) — findings as cache dicts, each None when that part was already cached."""
    w = _WORK
    chunk = w["misses"][start:end]
    if chunk and not isinstance(chunk[0], Contract):      # facts: decode this chunk's records here
        full = records(w["snap"], [c.path for c in chunk], use_cache=w["use_cache"])
        chunk = [full.get(c.path) for c in chunk]
    return _check_contracts(w, chunk, locator)


def _check_contracts(w: dict, chunk: list, locator=None) -> list[tuple]:
    """_check_chunk's work on full records (None: a record that no longer parses), with ``w`` holding
    snap, ctx, rules, review, need_rules, need_review (paths) and exact."""
    own = locator is None
    locator = locator or _Locator(w["snap"], None)
    try:
        rule_chunk = [c for c in chunk if c is not None and c.path in w["need_rules"]]
        flat: list[Finding] = []
        windows: dict[int, Window] = {}
        for c in rule_chunk:
            window = windows[id(c)] = Window()
            ctx = replace(w["ctx"], as_of=AsOf(w["ctx"].as_of, window))
            for r in w["rules"]:
                flat.extend(r.check(c, ctx))
            if w["exact"]:
                window.lo = window.hi = w["ctx"].as_of
        per_contract: dict[int, list[dict]] = {id(c): [] for c in rule_chunk}
        for f, d in zip(flat, locator.locate(flat, persist=False)):
            per_contract[id(f.contract)].append(d.to_cache())
        out = []
        for c in chunk:
            if c is None:          # a record that no longer parses: nothing to check
                out.append((None, None, None))
                continue
            reviewed = None
            if c.path in w["need_review"]:
                reviewed = [d.to_cache() for d in w["review"](c)]
            out.append((per_contract.get(id(c)), reviewed, windows.get(id(c))))
        return out
    finally:
        if own:
            locator.close()


def after_parse_hook(snap: Snapshot, *, as_of: dt.date, ruleset: RuleSet, review: TextReview | None = None,
                     review_tag: str | None = None):
    """A loader ``after_parse`` hook (cctk.store.loader.AfterParse) for a check about to load ``snap``'s
    contracts: each batch the parse workers parse is checked there and then — cacheable rules and the text
    review, exactly as run() would — and the findings written to the caches, so run() finds them cached.
    In a cold run this replaces a second pass that decoded every record again from the cache, a second
    process pool and the parent storing 200,000 cache rows alone."""
    ctx = Context(settings=ruleset.settings, as_of=as_of, suppliers=snap.suppliers, org=snap.org, config=snap.config,
                  inspections=_inspections(snap), root=snap.root)
    rules = [r for r in ruleset.rules if r.scope == "contract" and r.cacheable]
    exact = any(r.origin != "cctk" for r in rules)
    path = path_for(snap.root)
    creator = os.getpid()
    rule_version, text_version = version(ruleset), review_version(review_tag or "")
    RuleCache(path, rule_version).close()     # the tables exist before two workers open the file at once
    own: dict = {}      # per process: its cache connections (opened in the worker, never across a fork)

    def close():
        for key in ("cache", "rcache", "locator"):
            if own.get(key) is not None:
                own[key].close()
        own.clear()

    def hook(contracts: list[Contract]):
        if own.get("pid") != os.getpid():
            own.clear()     # inherited through a fork: the parent's, not to be used here
            own["pid"] = os.getpid()
            own["cache"] = RuleCache(path, rule_version)
            own["rcache"] = RuleCache(path, text_version, table="review_results") if review is not None else None
            own["locator"] = _Locator(snap, None)   # one cat-file stream per process for a revision, not per batch
            if own["pid"] != creator:       # a pool worker: close them when the pool ends it
                from multiprocessing import util
                util.Finalize(None, close, exitpriority=0)
        cache, rcache = own["cache"], own["rcache"]
        oids = [c.oid for c in contracts if c.oid]
        have_rules = cache.get_many(oids, as_of)
        have_review = rcache.get_many(oids) if rcache is not None else {}
        w = {"snap": snap, "ctx": ctx, "rules": rules, "review": review, "exact": exact,
             "need_rules": {c.path for c in contracts if c.oid and c.oid not in have_rules},
             "need_review": {c.path for c in contracts if review is not None and c.oid and c.oid not in have_review}}
        if not w["need_rules"] and not w["need_review"]:
            return None
        # Findings wait in this process until the loader asks for a write, which then stores everything
        # found since the last one in one transaction (a worker writes every few thousand records).
        new_rules = own.setdefault("new_rules", {})
        new_review = own.setdefault("new_review", {})
        report = {}     # what run() reads back: (rule findings on as_of, review findings), None = not computed
        for c, (rule_found, review_found, window) in zip(contracts, _check_contracts(w, contracts, own["locator"])):
            if rule_found is not None:
                new_rules[c.oid] = (rule_found, window.lo, window.hi)
            if review_found is not None:
                new_review[c.oid] = (review_found, dt.date.min, dt.date.max)
            if c.oid and (rule_found is not None or review_found is not None):
                report[c.oid] = (rule_found, review_found)
        if own["pid"] == creator:
            found.update(report)

        def write():
            if new_rules:
                cache.put_many(new_rules)
                new_rules.clear()
            if rcache is not None and new_review:
                rcache.put_many(new_review)
                new_review.clear()
        if own["pid"] != creator:
            write.report = report       # sent back with the batch (cctk.store.loader._deliver)
        return write

    # The findings computed for this check, by blob id, whichever process computed them: run() takes these
    # as they are (known=) instead of reading them back from the caches.
    found: dict[str, tuple] = {}
    hook.found = found
    hook.receive = found.update
    hook.close = close      # the caller's own connections (a load that parsed in this process)
    return hook


def _check_misses(snap, ctx, rules, review, misses, locator, need_rules, need_review, exact=False, use_cache=True):
    """Run on both cores when many records are new (a cold run): the text review dominates and is
    independent per contract. Workers are forked, so they share the loaded snapshot."""
    _WORK.update(snap=snap, ctx=ctx, rules=rules, review=review, misses=misses, need_rules=need_rules,
                 need_review=need_review, exact=exact, use_cache=use_cache)
    try:
        workers = min(2, os.cpu_count() or 1)
        if workers < 2 or len(misses) < PARALLEL_MIN:
            return _check_chunk(0, len(misses), locator)
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        step = 500
        with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork")) as pool:
            futures = [pool.submit(_check_chunk, i, min(i + step, len(misses))) for i in range(0, len(misses), step)]
            return [item for fut in futures for item in fut.result()]
    finally:
        _WORK.clear()


def _inspections(snap: Snapshot) -> dict[str, list[dict]]:
    """Inspection records (inspections/<year>.yaml, at the snapshot's revision) by contract code, for CC406."""
    from cctk.inspections.records import load_records
    out: dict[str, list[dict]] = {}
    for r in load_records(snap.root, snap.rev):
        out.setdefault(str(r.get("contract")), []).append(r)
    return out


def finish(diags, snap, ruleset, *, as_of, select, ignore, min_severity, checked, changed, timings) -> Result:
    """Suppressions, code filters and severity floor; sorted output."""
    select, ignore = list(select), list(ignore)
    by_code = {c.code: c for c in snap.contracts}
    known = {r.code for r in ruleset.rules} | set(CODES.values()) | {d.code for d in diags} | {"CC099"}
    out, suppressed = [], []
    for c in snap.contracts if changed is None else [c for c in snap.contracts if c.path in changed]:
        diags.extend(unknown_codes(c, known))
    for d in diags:
        contract = by_code.get(d.contract) if d.contract else None
        reason = reason_for(contract, d) if contract is not None else None
        if select and not _matches(d.code, select):
            continue
        if ignore and _matches(d.code, ignore):
            continue
        if d.severity < min_severity:
            continue
        if reason is not None:
            suppressed.append(Suppressed(d, reason))
        else:
            out.append(d)
    out.sort(key=Diagnostic.sort_key)
    suppressed.sort(key=lambda s: s.diagnostic.sort_key())
    return Result(diagnostics=out, suppressed=suppressed, rules=ruleset.rules, checked=checked, as_of=as_of,
                  changed=changed, timings=timings)


def default_as_of(snap: Snapshot) -> dt.date:
    """cctk.yaml's ``as_of`` (a frozen demo district) or today."""
    value = snap.config.get("as_of") if isinstance(snap.config, dict) else None
    if value:
        try:
            return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except ValueError:
            pass
    return dt.date.today()


# --- pull-request mode ----------------------------------------------------------------------

GLOBAL_PREFIXES = ("policy/", "suppliers/", "inspections/", "cctk.yaml")


def changed_contracts(root: Path, base: str, rev: str | None = None, dirty: set[str] | None = None) -> set[str] | None:
    """Contract paths touched since the merge base of BASE (and REV or the work tree).

    None means "everything": the policy, the supplier register or cctk.yaml changed, and any
    contract's findings may have changed with them. ``dirty``: the work tree's modified and untracked
    files when the caller has listed them (Snapshot.dirty) — asking git again walks every contract folder.
    """
    return ChangedQuery(root, base, rev, listed=dirty is not None).result(dirty)


class ChangedQuery:
    """``changed_contracts`` in two halves, so that git compares the trees while the caller lists the
    work tree (pipeline.check starts it before the listing and asks for the result after).

    Work tree with a listing: the index against the merge base (``diff-index --cached``: no file is
    stat'ed) plus the listing's modified and untracked files — the same paths as comparing the work
    tree itself, since a file is either unchanged since the index or in the listing's dirty set
    (comparing the work tree stat'ed all 100,000 contract files again: 0.3 s)."""

    def __init__(self, root: Path, base: str, rev: str | None = None, *, listed: bool = False):
        self.root, self.base, self.rev, self.listed = root, base, rev, listed
        self.error: gitio.GitError | None = None
        self.proc = None
        try:
            merge_base = gitio.git(root, "merge-base", base, rev or "HEAD").decode().strip()
        except gitio.GitError as exc:    # reported by result(), after the caller's own errors (a bad REV)
            self.error = exc
            return
        if rev:
            args = ["diff", "--name-only", "--no-renames", "-z", merge_base, rev]
        elif listed:
            args = ["diff-index", "--cached", "--name-only", "--no-renames", "-z", merge_base]
        else:
            args = ["diff", "--name-only", "--no-renames", "-z", merge_base]
        self.proc = subprocess.Popen(["git", "-C", str(root), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def result(self, dirty: set[str] | None = None) -> set[str] | None:
        if self.error is not None:
            raise self.error
        if self.listed and dirty is None:     # no listing after all: compare the work tree itself
            self.close()
            return ChangedQuery(self.root, self.base, None).result()
        stdout, stderr = self.proc.communicate()
        if self.proc.returncode != 0:
            raise gitio.GitError("git.error", error=stderr.decode("utf-8", "replace").strip() or "diff")
        names = [n.decode("utf-8", "surrogateescape") for n in stdout.split(b"\0") if n]
        if not self.rev:
            if self.listed:
                names += sorted(dirty)
            else:
                names += [n.decode("utf-8", "surrogateescape") for n in
                          gitio.git(self.root, "ls-files", "-z", "--others", "--exclude-standard", "--", "contracts",
                                    "policy", "suppliers").split(b"\0") if n]
        out = set()
        for name in names:
            if name.startswith(GLOBAL_PREFIXES):
                return None
            parts = name.split("/")
            if len(parts) >= 4 and parts[0] == "contracts":
                out.add("/".join(parts[:3]) + "/contract.md")
        return out

    def close(self):
        """Reap git when the result is not wanted (the listing failed)."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            self.proc.communicate()
