"""The TUI's persisted index: the contracts table's columns, stored once per repository state.

The first screen needs one listing row per contract. Building them from the cache's facts costs a
SQLite read of 100,000 payloads, 100,000 struct decodes and 100,000 row builds (≈ 4–6 s at 100,000
contracts). Here the built columns are kept in the cache file (``cctk.store.cache.cache_path``, table
``tui_index``), keyed by ``Snapshot.digest`` (every listed input file's blob id, hashed) and a version
(this format, cctk's version and the parser's schema hash). A start then costs the listing that
computes the digest (``load(root, contracts="lazy")``, no contract decoded) plus one decode of
column lists.

When the digest differs (a file was edited, an action committed), the stored path -> blob id map is
compared with the listing and only the contracts whose blob changed are read (their facts from the
cache, or parsed); many changes, or nothing stored, fall back to the facts load, and the result is
stored for the next start. Columns (a tuple of lists) decode several times faster than a list of
100,000 structs. Everything here is derived from cctk's own parse results: the rows are exactly
those ``repo.light_rows`` builds from facts (tests compare both).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal

import msgspec

from cctk.model import Diagnostic

FORMAT = 2
TABLE = f"tui_index_{FORMAT}"
PATCH_MAX = 3000            # more changed contracts than this: the facts load is as quick as patching


class Columns(msgspec.Struct, array_like=True):
    """One entry per contract, in path order; ``diags`` holds per-file diagnostics (cache form)."""
    digest: str
    paths: list[str]
    oids: list[str]
    code: list[str]
    title: list[str]
    unit: list[str]
    supplier: list[str]           # credit code
    party: list[str]              # the counterparty's name as recorded (may be empty)
    amount: list[Decimal]
    stage: list[str]
    year: list[int | None]
    category: list[str]
    key: list[tuple[str, ...]]
    filed: list[dt.date | None]   # filing.on
    diags: dict[str, list[dict]] = {}
    rowless: dict[str, str] = {}  # path -> blob id of contract files that gave no record (parse errors)


DISPLAY = ("code", "title", "unit", "supplier", "party", "amount", "stage", "year", "category", "key", "filed")
META = ("paths", "oids", "diags", "rowless")


class Display(msgspec.Struct, array_like=True):
    """What the table shows: stored apart from the paths and blob ids, so the first screen decodes
    only these (``read_display``)."""
    code: list[str]
    title: list[str]
    unit: list[str]
    supplier: list[str]
    party: list[str]
    amount: list[Decimal]
    stage: list[str]
    year: list[int | None]
    category: list[str]
    key: list[tuple[str, ...]]
    filed: list[dt.date | None]


class Meta(msgspec.Struct, array_like=True):
    paths: list[str]
    oids: list[str]
    diags: dict[str, list[dict]] = {}
    rowless: dict[str, str] = {}


_ENC = msgspec.msgpack.Encoder(decimal_format="string")
_DISPLAY = msgspec.msgpack.Decoder(Display)
_META = msgspec.msgpack.Decoder(Meta)


def version() -> str:
    from cctk import __version__
    from cctk.store import loader
    return f"{FORMAT}/{__version__}/{loader.parser_version()}"


def empty(digest: str = "") -> Columns:
    return Columns(digest, [], [], [], [], [], [], [], [], [], [], [], [], [])


def _add(cols: Columns, path: str, oid: str, c) -> None:
    """Append one contract (ContractFacts or Contract: same attribute names)."""
    dates = c.dates
    day = dates.get("signed") or dates.get("drafted")
    cols.paths.append(path)
    cols.oids.append(oid)
    cols.code.append(c.code)
    cols.title.append(c.title)
    cols.unit.append(c.unit)
    cols.supplier.append(c.counterparty.credit_code)
    cols.party.append(c.counterparty.name or "")
    cols.amount.append(c.amount)
    cols.stage.append(c.status)
    cols.year.append(day.year if day else None)
    cols.category.append(c.category)
    cols.key.append(tuple(c.key_supervision))
    cols.filed.append(c.filing.on if c.filing is not None else None)


def from_facts(snap) -> Columns:
    """Columns of a snapshot loaded with ``contracts="facts"`` (or full records)."""
    cols = empty(snap.digest)
    for c in sorted(snap.contracts, key=lambda c: c.path):
        _add(cols, c.path, snap.files.get(c.path, c.oid or ""), c)
    contract_paths = set(snap.files)
    have = set(cols.paths)
    cols.rowless = {p: oid for p, oid in snap.files.items() if p not in have}
    for d in snap.diagnostics:
        if d.path in contract_paths:
            cols.diags.setdefault(d.path, []).append(d.to_cache())
    return cols


def diagnostics(cols: Columns) -> list[Diagnostic]:
    return [Diagnostic.from_json(d) for items in cols.diags.values() for d in items]


# --- storage ---------------------------------------------------------------------------------------

def _path(snap):
    from cctk.store import cache as cachemod
    from cctk.store import gitio
    return cachemod.cache_path(snap.root, gitio.git_dir(snap.root) if gitio.is_git_repo(snap.root) else None)


def _connect(snap) -> sqlite3.Connection:
    path = _path(snap)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (version TEXT PRIMARY KEY, digest TEXT, display BLOB, "
               "meta BLOB)")
    return db


def _select(snap, what: str, ver: str | None):
    try:
        db = _connect(snap)
        try:
            return db.execute(f"SELECT {what} FROM {TABLE} WHERE version=?", (ver or version(),)).fetchone()
        finally:
            db.close()
    except Exception:       # an unreadable or foreign entry only costs speed
        return None


def read_display(snap, ver: str | None = None) -> tuple[str, Display] | None:
    """(digest, table columns) as last stored, without paths and blob ids: what the first screen shows
    before the listing has said whether anything changed. ``snap`` needs only ``root``."""
    row = _select(snap, "digest, display", ver)
    try:
        return (row[0], _DISPLAY.decode(row[1])) if row else None
    except msgspec.DecodeError:
        return None


def read(snap, ver: str | None = None) -> Columns | None:
    """The stored columns of this version (any digest), or None."""
    row = _select(snap, "digest, display, meta", ver)
    if not row:
        return None
    try:
        display, meta = _DISPLAY.decode(row[1]), _META.decode(row[2])
    except msgspec.DecodeError:
        return None
    return Columns(row[0], meta.paths, meta.oids, *(getattr(display, f) for f in DISPLAY), diags=meta.diags,
                   rowless=meta.rowless)


def read_meta(snap, digest: str, ver: str | None = None) -> Meta | None:
    """Paths, blob ids and per-file diagnostics stored with ``digest`` (None if another state is stored)."""
    row = _select(snap, "digest, meta", ver)
    try:
        return _META.decode(row[1]) if row and row[0] == digest else None
    except msgspec.DecodeError:
        return None


def write(snap, cols: Columns, ver: str | None = None) -> None:
    """Store ``cols`` for this version (replacing the previous state; other versions are dropped)."""
    ver = ver or version()
    try:
        display = _ENC.encode(Display(*(getattr(cols, f) for f in DISPLAY)))
        meta = _ENC.encode(Meta(*(getattr(cols, f) for f in META)))
        db = _connect(snap)
        try:
            with db:
                db.execute(f"DELETE FROM {TABLE} WHERE version != ?", (ver,))
                db.execute(f"INSERT OR REPLACE INTO {TABLE} VALUES (?, ?, ?, ?)", (ver, cols.digest, display, meta))
        finally:
            db.close()
    except Exception:       # read-only disk, locked past the timeout: the next start rebuilds
        pass


# --- bringing stored columns up to date --------------------------------------------------------------

def _facts_of(snap, paths: list[str]) -> dict[str, tuple]:
    """path -> (facts or None, [Diagnostic]) for a few contracts: from the cache, else parsed."""
    from cctk.model.facts import facts_of
    from cctk.store import cache as cachemod
    from cctk.store import loader
    from cctk.store.records import parse_contract

    oids = {p: snap.files[p] for p in paths}
    hits: dict[str, bytes] = {}
    try:
        cache = cachemod.Cache(_path(snap), loader.parser_version())
        try:
            hits = cache.facts(list(set(oids.values())))
        finally:
            cache.close()
    except Exception:
        pass
    out = {}
    for p in paths:
        blob = hits.get(oids[p])
        if blob is not None:
            facts, diags = cachemod.decode_facts(blob)
        else:                     # not in the cache (yet): parse the work tree's copy
            try:
                got = (snap.root / p).read_bytes()
            except OSError:
                continue
            contract, diags = parse_contract(p, got, oid=oids[p])
            facts = facts_of(contract) if contract is not None else None
        for d in diags:
            d.path = p
        out[p] = (facts, diags)
    return out


_COLUMNS = ("paths", "oids", *DISPLAY)


def patch(snap, old: Columns) -> Columns | None:
    """``old`` brought to ``snap``'s listing by reading only the changed contracts; None when too
    many changed (the caller does the facts load). Whole columns are filtered and permuted (no
    Python step per row and column: 100,000 rows patch in a fraction of a second)."""
    files = snap.files
    before = dict(zip(old.paths, old.oids))
    before.update(old.rowless)
    changed = [p for p, oid in files.items() if before.get(p) != oid]
    if len(changed) > PATCH_MAX:
        return None
    fresh = _facts_of(snap, changed)
    changed_set = set(changed)
    keep = [i for i, p in enumerate(old.paths) if p not in changed_set and p in files]
    cols = Columns(snap.digest, *([getattr(old, name)[i] for i in keep] for name in _COLUMNS))
    added = False
    for p in changed:
        if p not in fresh:
            continue
        facts, diags = fresh[p]
        if diags:
            cols.diags[p] = [d.to_cache() for d in diags]
        if facts is not None:
            _add(cols, p, files[p], facts)
            added = True
        else:
            cols.rowless[p] = files[p]
    if added:                       # back into path order
        paths = cols.paths
        order = sorted(range(len(paths)), key=paths.__getitem__)
        for name in _COLUMNS:
            column = getattr(cols, name)
            setattr(cols, name, [column[i] for i in order])
    for p in cols.paths:
        if p in old.diags and p not in changed_set:
            cols.diags[p] = old.diags[p]
    for p, oid in old.rowless.items():            # files that gave no record and are unchanged
        if files.get(p) == oid:
            cols.rowless[p] = oid
            if p in old.diags:
                cols.diags[p] = old.diags[p]
    return cols


def columns(snap, progress=None, store: bool = True) -> tuple[Columns, str]:
    """Columns for a snapshot loaded with ``contracts="lazy"``, and how they were obtained: "stored"
    (same digest), "patched" (changed contracts read) or "built" (facts load). Stores the result
    unless it was a hit (``store=False``: the caller calls ``write`` later, after the screen shows it)."""
    from cctk.store.loader import load_contracts

    ver = version()
    old = read(snap, ver)
    if old is not None and old.digest == snap.digest:
        return old, "stored"
    cols = patch(snap, old) if old is not None else None
    how = "patched"
    if cols is None:
        load_contracts(snap, "facts", progress=progress)
        cols = from_facts(snap)
        snap.contracts = []          # the rows hold what the UI needs; the facts go with the heap
        snap.mode = "none"
        how = "built"
    if store:
        write(snap, cols, ver)
    return cols, how
