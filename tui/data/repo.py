"""What the UI holds after loading: the snapshot, its findings, the supervision data (payment states,
supplier listings, inspection records, problem reports, alerts) and the contracts index.

Everything here is computed by the library exactly as the CLI computes it (``cctk check``,
``cctk payments``, ``cctk suppliers``, ``cctk alerts``).

Two ways in:

- ``build(snap)``: from a fully loaded snapshot, everything at once (tests, small repositories);
- ``load_light(root)`` then ``build_light(snap)``: the first screen from the cache's light rows
  (``contracts="facts"``, or "summary" before that mode exists) without decoding any full record;
  ``RepoData.complete`` is False and the rest — findings as `cctk check`, next due dates, alerts,
  listings — comes from ``tui.data.extras`` computed in a child process (``apply_extras``), so the
  UI keeps its memory small and its thread free. A full record is read only for a contract being
  opened (``RepoData.contract``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cctk.model import Contract, Diagnostic
from cctk.store.loader import Snapshot

from tui.data.index import Index, build_rows


@dataclass
class RepoData:
    snapshot: Snapshot
    diagnostics: list[Diagnostic]
    index: Index
    today: dt.date
    by_code: dict[str, Contract] = field(default_factory=dict)
    findings_by_code: dict[str, list[Diagnostic]] = field(default_factory=dict)
    settings: dict = field(default_factory=dict)          # cctk.rules.settings (thresholds, payment terms)
    states: dict[str, list] = field(default_factory=dict)  # code -> [cctk.payments.InstalmentState]
    inspections: list[dict] = field(default_factory=list)  # cctk.inspections.load_records
    feedback: dict = field(default_factory=dict)           # cctk.supervision.feedback.load_all
    listings: list = field(default_factory=list)           # cctk.suppliers.effective_listings (recorded + derived)
    alerts: list = field(default_factory=list)             # cctk.supervision.alerts.compute: `cctk alerts`
    complete: bool = True      # False: light data; findings, due dates and alerts arrive with apply_extras
    extras: bool = True        # the extras (findings, alerts, listings …) are in
    paths: dict[str, str] = field(default_factory=dict)    # code -> contract path (light data)
    source: str = ""           # light data: "stored" / "patched" / "built" (tui.data.persist), "facts"
    loading: bool = False      # a placeholder shown while the contracts load (``placeholder``)
    verified: bool = True      # False: rows of the stored index shown before the listing confirmed them
    unsaved: tuple | None = None   # (snapshot, persist.Columns) not yet stored (``save_index``)
    digest: str = ""           # the Snapshot.digest the rows were built for (light data)
    _records: dict = field(default_factory=dict)           # code -> Contract read on demand (light data)
    _full: Snapshot | None = None

    @property
    def unit_names(self) -> dict[str, str]:
        return unit_names(self.snapshot)

    def contract(self, code: str) -> Contract | None:
        """The full record; on light data read from the cache (or parsed) for this one contract."""
        c = self.by_code.get(code) or self._records.get(code)
        if c is None and code in self.paths:
            c = fetch_record(self.snapshot, self.paths[code])
            if c is not None:
                if len(self._records) > 64:
                    self._records.clear()
                self._records[code] = c
        return c

    def states_of(self, code: str) -> list:
        """Payment states of one contract (cctk.payments), as `cctk payments` computes them."""
        if code in self.states or self.complete:
            return self.states.get(code, [])
        from cctk.payments import payment_settings, repository_states
        c = self.contract(code)
        if c is None:
            return []
        return repository_states([c], as_of=self.today, settings=payment_settings(self.settings))

    def full_snapshot(self) -> Snapshot:
        """The snapshot with full records (suppliers and inspections screens): loaded once, on demand."""
        if self.snapshot.contracts and getattr(self.snapshot, "mode", "full") == "full":
            return self.snapshot
        if self._full is None:
            from cctk.store.loader import load
            self._full = load(self.snapshot.root, self.snapshot.rev)
        return self._full


def unit_names(snap: Snapshot) -> dict[str, str]:
    from cctk.i18n import get_lang

    zh = get_lang() == "zh"
    return {u.code: (u.name if zh or not u.name_en else u.name_en) for u in snap.org.units.values()}


def findings(snap: Snapshot, today: dt.date | None = None) -> list[Diagnostic]:
    """What `cctk check` reports: record checks, the rule book and the text review (cached per record)."""
    import cctk.review
    from cctk import rules
    from cctk.repository import all_diagnostics
    from cctk.rules.textreview import hook

    review, tag = hook(cctk.review, snap)
    return rules.run(snap, as_of=today, base=all_diagnostics(snap), review=review, review_tag=tag).diagnostics


def as_of(snap: Snapshot) -> dt.date:
    """The evaluation date the CLI uses: cctk.yaml ``as_of`` (a frozen demo district), else today."""
    from cctk.payments import as_of_date
    return as_of_date(snap.config)


def build(snap: Snapshot, diagnostics: list[Diagnostic] | None = None, today: dt.date | None = None) -> RepoData:
    from cctk.inspections import load_records
    from cctk.payments import payment_settings, repository_states
    from cctk.rules.settings import settings as rule_settings
    from cctk.supervision.alerts import compute
    from cctk.supervision.feedback import load_all
    from cctk.suppliers import effective_listings

    today = today or as_of(snap)
    diags = findings(snap, today) if diagnostics is None else diagnostics
    settings = rule_settings(snap.policy)
    states: dict[str, list] = {}
    # the contracts `cctk payments` lists (repository_states applies the library's status rules)
    for s in repository_states(snap.contracts, as_of=today, settings=payment_settings(settings)):
        states.setdefault(s.code, []).append(s)
    inspections = load_records(snap.root)
    feedback = load_all(snap.root, snap.all_paths)
    listings = effective_listings(snap, today, inspections=inspections, feedback=feedback)
    alerts = compute(snap, today, settings=settings, inspections=inspections, feedback=feedback, listings=listings)
    rows = build_rows(snap.contracts, diags, unit_names(snap), {s.credit_code: s.name for s in snap.suppliers.values()},
                      states=states)
    by_code = {c.code: c for c in snap.contracts}
    by_path = {c.path: c.code for c in snap.contracts}
    per: dict[str, list[Diagnostic]] = {}
    for d in diags:
        code = d.contract or by_path.get(d.path)
        if code:
            per.setdefault(code, []).append(d)
    return RepoData(snapshot=snap, diagnostics=diags, index=Index(rows), today=today, by_code=by_code,
                    findings_by_code=per, settings=settings, states=states, inspections=inspections,
                    feedback=feedback, listings=listings, alerts=alerts)


# --- light loading -------------------------------------------------------------------------------

def _has_facts() -> bool:
    from cctk.store import loader
    return "facts" in getattr(loader, "MODES", {})


def load_light(root, progress=None) -> Snapshot:
    """The registers and each contract's listing facts, served by a warm cache without decoding any
    full record: ``contracts="facts"`` when the loader has it, else ``"summary"``."""
    from cctk.store.loader import load
    return load(root, contracts="facts" if _has_facts() else "summary", progress=progress)


def fetch_record(snap: Snapshot, path: str) -> Contract | None:
    """One full record of a light snapshot: decoded from the cache by blob id, or parsed."""
    from cctk.store import loader
    if hasattr(loader, "records"):
        oid = snap.files.get(path)
        if oid is not None and "_entries" in getattr(snap, "__dataclass_fields__", {}):
            # a snapshot listing just this file: the reader copies the listing it is given (100,000 paths:
            # ≈ 6 ms of the UI thread per opened contract)
            import dataclasses
            snap = dataclasses.replace(snap, files={path: oid}, _entries={path: oid})
        return loader.records(snap, [path]).get(path)
    from cctk.store import cache as cachemod
    from cctk.store import gitio
    from cctk.store.records import parse_contract

    oid = snap.files.get(path)
    try:
        cache = cachemod.Cache(cachemod.cache_path(snap.root, gitio.git_dir(snap.root)
                                                   if gitio.is_git_repo(snap.root) else None), loader.parser_version())
        try:
            hit = cache.get_many([oid]).get(oid) if oid else None
        finally:
            cache.close()
    except Exception:
        hit = None
    if hit is not None:
        contract, _ = cachemod.decode(hit)
    else:
        try:
            contract, _ = parse_contract(path, (snap.root / path).read_bytes(), oid=oid)
        except OSError:
            return None
    if contract is not None:
        contract.path = path
    return contract


def light_rows(snap: Snapshot, unit_names_: dict[str, str]) -> list:
    """Index rows from facts (snap.contracts) or summary rows (snap.summaries); findings, due dates
    and overdue flags are filled in by ``apply_extras``."""
    from decimal import Decimal

    from tui.data.index import Row

    suppliers = {s.credit_code: s.name for s in snap.suppliers.values()}
    rows = []
    if snap.contracts:
        # 100,000 rows: positional construction and no property calls (≈2x faster than keywords)
        append = rows.append
        get_unit = unit_names_.get
        for c in snap.contracts:
            party = c.counterparty
            credit = party.credit_code
            sname = party.name or suppliers.get(credit, "")
            unit = c.unit
            uname = get_unit(unit, unit)
            dates = c.dates
            day = dates.get("signed") or dates.get("drafted")
            code, title = c.code, c.title
            filing = c.filing
            append(Row(code, title, unit, uname, credit, sname, c.amount, c.status, day.year if day else None,
                       c.category, tuple(c.key_supervision), None, False, 0, 0,
                       f"{code}\t{title}\t{sname}\t{credit}\t{unit}\t{uname}".lower(),
                       filing.on if filing is not None else None))
        return rows
    for (code, title, unit, supplier, sname, amount, status, year, category, errors) in snap.summaries.values():
        if code is None:
            continue
        sname = sname or suppliers.get(supplier, "")
        uname = unit_names_.get(unit, unit)
        rows.append(Row(code=code, title=title or "", unit=unit or "", unit_name=uname or "", supplier=supplier or "",
                        supplier_name=sname or "", amount=Decimal(amount or 0), stage=status or "", year=year,
                        category=category or "", key=(), deadline=None, overdue=False, findings=errors or 0,
                        errors=errors or 0,
                        search=f"{code}\t{title}\t{sname}\t{supplier}\t{unit}\t{uname}".lower()))
    return rows


def build_light(snap: Snapshot, today: dt.date | None = None) -> RepoData:
    """The first screen's data: the index from light rows; ``complete`` False until ``apply_extras``."""
    from cctk.rules.settings import settings as rule_settings

    today = today or as_of(snap)
    rows = light_rows(snap, unit_names(snap))
    if snap.contracts:
        paths = {c.code: c.path for c in snap.contracts}
    else:
        paths = {row[0]: p for p, row in snap.summaries.items() if row[0]}
    return RepoData(snapshot=snap, diagnostics=list(snap.diagnostics), index=Index(rows), today=today,
                    settings=rule_settings(snap.policy), complete=False, extras=False, paths=paths, source="facts")


# --- the persisted index (tui.data.persist) ---------------------------------------------------------

def load_indexed(root, progress=None, store: bool = True):
    """(snapshot, columns, how): the listing (``contracts="lazy"``: every file hashed, none decoded)
    and the table's columns from the persisted index — "stored" when nothing changed since it was
    written, "patched" when only some contracts did, "built" from the facts load otherwise."""
    from cctk.store.loader import load

    from tui.data import persist
    snap = load(root, contracts="lazy", progress=progress)
    cols, how = persist.columns(snap, progress=progress, store=store)
    return snap, cols, how


class _NoGC:
    """A million new strings and 100,000 rows would trigger full collections over the growing heap again
    and again: build without the cyclic collector, then freeze the result out of its sight (as the
    loader does with what it loaded)."""

    def __enter__(self):
        import gc
        self.was = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc):
        import gc
        gc.freeze()
        if self.was:
            gc.enable()


def peek_indexed(root, today: dt.date, registers: Snapshot | None = None) -> RepoData | None:
    """The rows as last stored (``persist.read_display``), before any listing: shown at once, marked
    not ``verified`` until ``open_indexed(…, shown=)`` has listed the repository. None if nothing is
    stored for this version. ``registers``: ``load(root, contracts="registers")`` if the caller has it."""
    from cctk.rules.settings import settings as rule_settings
    from cctk.store.loader import load

    from tui.data import persist
    with _NoGC():
        snap = registers or load(root, contracts="registers")
        got = persist.read_display(snap)
        if got is None:
            return None
        digest, display = got
        rows, fill = rows_from_columns(display, unit_names(snap),
                                       {s.credit_code: s.name for s in snap.suppliers.values()}, deferred=True)
        return RepoData(snapshot=snap, diagnostics=list(snap.diagnostics), index=Index(rows, fill), today=today,
                        settings=rule_settings(snap.policy), complete=False, extras=False, source="stored",
                        verified=False, digest=digest)


def save_index(data: RepoData) -> None:
    """Store the columns ``open_indexed(…, store=False)`` built or patched (after they are shown)."""
    from tui.data import persist
    if data.unsaved is not None:
        snap, cols = data.unsaved
        data.unsaved = None
        persist.write(snap, cols)


def open_indexed(root, today: dt.date | None = None, progress=None, shown: RepoData | None = None,
                 store: bool = True) -> RepoData:
    """``load_indexed`` + ``build_indexed``. ``shown``: rows from ``peek_indexed``; when the listing's
    digest is theirs, they are confirmed in place (the same object, now with the snapshot, paths and
    per-file diagnostics) instead of being built again."""
    from cctk.store.loader import load

    from tui.data import persist
    with _NoGC():
        if shown is not None:
            snap = load(root, contracts="lazy", progress=progress)
            meta = persist.read_meta(snap, snap.digest) if shown.digest == snap.digest else None
            if meta is not None and len(meta.paths) == len(shown.index.rows):
                snap.diagnostics = [d for d in snap.diagnostics if d.path not in snap.files] + persist.diagnostics(meta)
                shown.snapshot = snap
                shown.diagnostics = list(snap.diagnostics)
                shown.paths = dict(zip([r.code for r in shown.index.rows], meta.paths))
                shown.verified = True
                return shown
            cols, how = persist.columns(snap, progress=progress, store=store)
        else:
            snap, cols, how = load_indexed(root, progress=progress, store=store)
        data = build_indexed(snap, cols, today=today, source=how)
        if not store and how != "stored":
            data.unsaved = (snap, cols)
        return data


def placeholder(root, today: dt.date, registers: Snapshot | None = None) -> RepoData:
    """No contracts yet: the first screen is composed (widgets, styles) while the loading worker
    reads, and is filled when the data arrive (``CctkApp.data_loaded``)."""
    from pathlib import Path

    from cctk.model import Org
    snap = registers or Snapshot(root=Path(root), rev=None, config={}, org=Org(), policy={}, suppliers={},
                                 contracts=[], diagnostics=[])
    return RepoData(snapshot=snap, diagnostics=[], index=Index([]), today=today, complete=False, extras=False,
                    loading=True)


def rows_from_columns(cols, unit_names_: dict[str, str], supplier_names: dict[str, str], *,
                      deferred: bool = False):
    """Index rows from stored columns: the same rows ``light_rows`` builds from facts, built by
    ``map`` over whole columns (no Python loop per row). ``deferred``: (rows, fill) with the rows'
    search keys left empty and ``fill()`` setting and returning them (``Index(rows, fill)``): building
    100,000 lower-cased keys is a fifth of the first screen's CPU, and no key is needed to paint it."""
    from itertools import repeat

    from tui.data.index import Row

    n = len(cols.code)
    get = supplier_names.get
    sname = [p or get(s, "") for p, s in zip(cols.party, cols.supplier)]
    uget = unit_names_.get
    uname = [uget(u, u) for u in cols.unit]
    code, title, supplier, unit = cols.code, cols.title, cols.supplier, cols.unit

    def keys() -> list[str]:
        return [f"{a}\t{b}\t{c}\t{d}\t{e}\t{f}".lower() for a, b, c, d, e, f in zip(code, title, sname, supplier,
                                                                                     unit, uname)]

    rows = list(map(Row, code, title, unit, uname, supplier, sname, cols.amount, cols.stage,
                    cols.year, cols.category, cols.key, repeat(None, n), repeat(False, n), repeat(0, n),
                    repeat(0, n), repeat("", n) if deferred else keys(), cols.filed))
    if not deferred:
        return rows

    def fill() -> list[str]:
        search = keys()
        for row, key in zip(rows, search):
            row.search = key
        return search
    return rows, fill


def build_indexed(snap: Snapshot, cols, today: dt.date | None = None, source: str = "stored") -> RepoData:
    """``build_light`` from persisted columns (``load_indexed``): same rows, same light RepoData."""
    from cctk.rules.settings import settings as rule_settings

    from tui.data import persist
    today = today or as_of(snap)
    rows = rows_from_columns(cols, unit_names(snap), {s.credit_code: s.name for s in snap.suppliers.values()})
    snap.diagnostics = [d for d in snap.diagnostics if d.path not in snap.files] + persist.diagnostics(cols)
    return RepoData(snapshot=snap, diagnostics=list(snap.diagnostics), index=Index(rows), today=today,
                    settings=rule_settings(snap.policy), complete=False, extras=False,
                    paths=dict(zip(cols.code, cols.paths)), source=source, digest=cols.digest)


def apply_extras(data: RepoData, extras: dict) -> None:
    """Merge what ``tui.data.extras.compute`` found (in a child process) into light data: findings
    per contract as `cctk check`, next due date and overdue flag, alerts, listings, inspections."""
    per = extras["findings"]
    due = extras["due"]
    for r in data.index.rows:
        n = per.get(r.code)
        r.findings, r.errors = (len(n), sum(1 for d in n if int(d.severity) >= 3)) if n else (0, 0)
        r.deadline, r.overdue = due.get(r.code, (None, False))
    data.findings_by_code = per
    data.diagnostics = extras["diagnostics"]
    data.alerts = extras["alerts"]
    data.listings = extras["listings"]
    data.inspections = extras["inspections"]
    data.feedback = extras["feedback"]
    data.extras = True
    data.index.changed()
