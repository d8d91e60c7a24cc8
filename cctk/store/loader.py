"""Load a whole repository — from the work tree or from any git revision without a work tree.

Contracts are parsed once per blob id and cached (cache.py); a cold run parses on
both cores. Problems never raise: they come back as diagnostics, and one bad file
does not stop the others.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
import hashlib
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from cctk.model import Contract, Diagnostic, Org, Supplier
from cctk.store import cache as cachemod
from cctk.store import gitio
from cctk.store.records import parse_contract, schema
from cctk.store.repo import CONFIG_FILE, parse_config, parse_org, parse_policy, parse_supplier

CONTRACT_GLOB = "contracts/*/*/contract.md"
PARALLEL_MIN = 400       # below this, a process pool costs more than it saves
# What is listed (and goes into Snapshot.digest): the records, the registers, the rule book, and what
# rules read besides them (inspection records, model texts). cctk.yaml last.
LISTED = ["contracts", "suppliers", "policy", "inspections", "templates", CONFIG_FILE]
MODES = {True: "full", False: "none", "registers": "none", "full": "full", "facts": "facts", "summary": "summary",
         "lazy": "lazy"}


@dataclass
class Snapshot:
    root: Path
    rev: str | None                      # commit id, or None for the work tree
    config: dict
    org: Org
    policy: dict
    suppliers: dict[str, Supplier]
    contracts: list[Contract]
    diagnostics: list[Diagnostic]
    files: dict[str, str] = field(default_factory=dict)   # contract path -> blob id
    summaries: dict[str, tuple] = field(default_factory=dict)  # path -> cache.SUMMARY_FIELDS (summary mode)
    all_paths: set[str] = field(default_factory=set)      # every file under contracts/, suppliers/, policy/
    symlinks: set[str] = field(default_factory=set)
    # What the contracts list holds: "full" (Contract), "facts" (ContractFacts), "summary" (only
    # ``summaries``) or "none" (not loaded yet: ``load_contracts`` fills it in).
    mode: str = "none"
    digest: str = ""    # every input file's blob id, hashed: equal digests mean equal repositories
    probes: dict[str, bool] = field(default_factory=dict)   # file-system questions asked beyond the listing
    other_paths: list[str] = field(default_factory=list)    # listed paths outside contracts/, sorted
    dirty: set[str] | None = None   # work tree of a git repository: listed paths modified or untracked
    _entries: dict = field(default_factory=dict, repr=False)   # path -> blob id of every listed file

    def contract(self, code: str) -> Contract | None:
        for c in self.contracts:
            if c.code == code:
                return c
        return None


def _is_contract(path: str) -> bool:
    """contracts/<year>/<code>/contract.md (CONTRACT_GLOB), checked without fnmatch: it runs per file."""
    return path.startswith("contracts/") and path.endswith("/contract.md") and path.count("/") == 3


_PARSER_SOURCES = ("store/records.py", "store/suppressions.py", "store/yamlio.py", "store/_contract_validator.py",
                   "store/messages.py", "model/contract.py", "model/facts.py", "model/money.py", "model/ids.py",
                   "model/workdays.py")


def parser_version() -> str:
    """Version of what the parser produces: the schema and the parser's own code (a parser fix must not
    be hidden by records cached before it, even when the package version is unchanged)."""
    import json
    h = hashlib.sha1(json.dumps(schema(), sort_keys=True).encode())
    base = Path(__file__).resolve().parent.parent
    for name in _PARSER_SOURCES:
        try:
            h.update((base / name).read_bytes())
        except OSError:
            pass
    return h.hexdigest()[:12]


def _parse_items(items: list[tuple[str, str, bytes]], contracts: list | None = None, *, full: bool = True):
    """Parse results (oid, record payload, summary row, facts payload); ``contracts`` collects the parsed
    Contract objects too (for an after-parse hook).

    ``full`` False (a load of summaries or facts): no record payload (None), so none is stored. Whole
    records are ~3.7 KB each, ten times a facts row: at 100,000 contracts writing them cost a cold
    ``cctk check``, which never reads them, about 13 s (374 MB through SQLite's write-ahead log while
    the other worker waited for the write lock). The first load that wants whole records stores them."""
    out = []
    for path, oid, data in items:
        contract, diags = parse_contract(path, data, oid=oid)
        out.append((oid, cachemod.encode(contract, diags) if full else None, cachemod.summary_row(contract, diags),
                    cachemod.encode_facts(contract, diags)))
        if contracts is not None and contract is not None:
            contract.path = path
            contracts.append(contract)
    return out


# A caller's work on freshly parsed records (a cold ``cctk check`` runs its per-contract rules and the text
# review here): called with each parsed batch's Contract objects — in the parse worker, while they are in
# memory, rather than decoded again from the cache in a second pass — it returns a function that writes
# its results (everything not yet written), run while this process holds the cache's write lock (or None).
# Set only around a load; forked workers inherit it, so it need not pickle. Optionally, the write function
# carries a ``report`` (picklable) that a parse worker sends back with its batch, and the hook has a
# ``receive(report)`` that the loading process calls with it: a cold check gets its findings that way
# instead of reading 200,000 cache rows back after the last batch.
AfterParse = Callable[[list], Optional[Callable[[], None]]]
_AFTER_PARSE: list = []


def _after_parse(contracts: list, lock=None, *, defer: bool = False):
    """Run the after-parse hook on ``contracts``; write its results now (under ``lock``), or return the
    write function (``defer``: a parse worker writes with its own next flush). None when nothing to write."""
    if not _AFTER_PARSE or not contracts:
        return None
    try:
        write = _AFTER_PARSE[0](contracts)
        if write is None or defer:
            return write
        if lock is not None:
            with lock:
                write()
        else:
            write()
    except Exception:   # noqa: BLE001  (the caller computes whatever was not written)
        pass
    return None


def _pick(item: tuple, want: str) -> tuple:
    """(oid, summary row, what the caller asked for) from a parse result."""
    oid, payload, summary, facts = item
    piece = (summary[:len(cachemod.SUMMARY_FIELDS)] if want == "summary" else summary if want == "keys"
             else facts if want == "facts" else payload)
    return oid, summary, piece


_WORKER: dict = {}      # in a parse worker: its own cache connection and cat-file stream


def _at_worker_exit(fn) -> None:
    # multiprocessing runs these when the pool shuts its workers down: the cat-file process is waited
    # for (no zombie left to a container's init) and the database closed properly.
    from multiprocessing import util
    util.Finalize(None, fn, exitpriority=0)


def _parse_in_worker(root: str, items: list[tuple[str, str, object]], want: str, cache_spec):
    """One batch in a worker process: read the bytes itself (``how``: the bytes already read, "tree"
    for the work-tree file, "git" for this worker's own ``git cat-file --batch`` stream), parse, write
    the cache itself, and send back only what the parent asked for. So the parent neither reads,
    pickles nor stores 100,000 files' worth of records (in a cold run it was busy ~17 s doing that
    while the workers parsed)."""
    data, blobs = [], []
    for path, oid, how in items:
        if how == "git":
            blobs.append((path, oid))
        elif how == "tree":
            try:
                data.append((path, oid, gitio.read_worktree(root, path)))
            except OSError:
                continue
        else:
            data.append((path, oid, how))
    if blobs:
        cat = _WORKER.get("cat")
        if cat is None:
            cat = _WORKER["cat"] = gitio.CatFile(Path(root))
            _at_worker_exit(cat.close)
        for (path, oid), (_, blob) in zip(blobs, cat.read_many([o for _, o in blobs])):
            if blob is not None:
                data.append((path, oid, blob))
    contracts: list | None = [] if _AFTER_PARSE else None
    parsed = _parse_items(data, contracts, full=want == "full")
    pending = _WORKER.get("pending")
    if pending is None:
        pending = _WORKER["pending"] = {"rows": [], "writes": [], "checked": 0, "cache": None}
        # before the connections close (exit priority 0): what is still pending is written at the end
        from multiprocessing import util
        util.Finalize(None, _flush, args=(pending,), exitpriority=10)
    if cache_spec is not None:
        cache = _WORKER.get(cache_spec)
        if cache is None:
            cache = False       # an unusable cache only costs time
            for _attempt in range(3):
                try:
                    cache = cachemod.Cache(Path(cache_spec[0]), cache_spec[1])
                    break
                except Exception:
                    time.sleep(0.05)
            _WORKER[cache_spec] = cache
            if cache:
                _at_worker_exit(cache.close)
        if cache:
            if pending["cache"] is not cache:
                _flush(pending)
                pending["cache"] = cache
            pending["rows"].extend(parsed)
    report = None
    if contracts:
        write = _after_parse(contracts, defer=True)
        if write is not None:
            pending["writes"].append(write)
            pending["checked"] += len(contracts)
            report = getattr(write, "report", None)
    if len(pending["rows"]) >= _FLUSH_ROWS or pending["checked"] >= _FLUSH_ROWS:
        _flush(pending)
    return [_pick(item, want) for item in parsed], report


def _deliver(report) -> None:
    """Hand what the hook found in a worker to the hook in this process (``AfterParse.receive``, optional)."""
    receive = getattr(_AFTER_PARSE[0], "receive", None) if _AFTER_PARSE and report else None
    if receive is not None:
        try:
            receive(report)
        except Exception:   # noqa: BLE001  (the caller then reads those findings from the caches)
            pass


# A worker writes what it parsed and found every few thousand records, in one transaction per table set:
# each table's blob-id index takes random keys, so a transaction of 200 rows rewrote ~200 index pages per
# table (~3 MB of write-ahead log a batch at 100,000 contracts); one of 4,000 rewrites each page about
# once. What is pending at the end is written when the pool ends the worker (before the caller reads it).
_FLUSH_ROWS = 4000


def _flush(pending: dict) -> None:
    rows, writes = pending["rows"], pending["writes"]
    if not rows and not writes:
        return
    try:
        with _WORKER["lock"]:
            if rows and pending["cache"]:
                _store(pending["cache"], rows)
            for write in writes:
                try:
                    write()
                except Exception:   # noqa: BLE001  (the caller computes whatever was not written)
                    pass
    except Exception:   # noqa: BLE001  (run as a finalizer too, where an error would print a traceback)
        pass
    finally:
        rows.clear()
        writes.clear()
        pending["checked"] = 0


def _worker_init(lock) -> None:
    # One writer at a time, handed over by a lock: left to SQLite, a worker finding the database busy
    # polls it with growing sleeps, and the two workers ran at about one core between them.
    _WORKER["lock"] = lock


class _Source:
    """Where bytes come from: the work tree, or a revision (with the work tree as a shortcut)."""

    def __init__(self, root: Path | None, rev: str | None, registers_only: bool = False):
        self.root = root
        self.is_git = gitio.is_git_repo(root) if root is not None else False
        self.rev = gitio.resolve(root, rev) if rev and root is not None else rev
        self._cat: gitio.CatFile | None = None
        self.entries: dict[str, str | None] = {}   # path -> oid (None: unknown, must hash)
        self._clean_index: dict[str, str] = {}
        self.symlinks: set[str] = set()
        self.pre_read: dict[str, bytes] = {}         # files already read while hashing them
        self.dirty: set[str] | None = None           # work tree: paths modified or not tracked
        if root is None:
            return
        # Registers only: the 100,000 contract files are not listed (a verb or the TUI's first screen
        # needs cctk.yaml, policy and suppliers; listing contracts/ costs most of a second).
        listed = [p for p in LISTED if p != "contracts"] if registers_only else LISTED
        if self.rev:
            for path, oid, mode in gitio.ls_tree(root, self.rev, listed):
                self.entries[path] = oid
                if mode == "120000":
                    self.symlinks.add(path)
            try:
                if not registers_only:
                    self._clean_index, _ = gitio.worktree_oids(root, ["contracts"])
            except gitio.GitError:
                self._clean_index = {}
        elif self.is_git:
            known, dirty = gitio.worktree_oids(root, listed, self.symlinks)
            self.dirty = dirty
            self.entries.update(known)
            for path in dirty:
                if os.path.isfile(root / path):
                    self.entries[path] = None
        else:
            for top in listed[:-1]:
                for dirpath, _, names in os.walk(root / top):
                    for name in names:
                        self.entries[os.path.relpath(os.path.join(dirpath, name), root)] = None
            if (root / CONFIG_FILE).is_file():
                self.entries[CONFIG_FILE] = None

    @classmethod
    def from_snapshot(cls, snap: "Snapshot") -> "_Source":
        """A reader over a loaded snapshot's listing (no new listing; revisions are read with cat-file)."""
        src = cls(None, snap.rev)
        src.root = snap.root
        src.is_git = gitio.is_git_repo(snap.root)
        src.entries = dict(snap._entries or snap.files)
        src.symlinks = snap.symlinks
        return src

    def clean_in_tree(self, path: str) -> bool:
        """The work tree holds this revision's blob for ``path`` (the index says so)."""
        return self._clean_index.get(path) == self.entries.get(path)

    def read(self, paths: list[str]) -> dict[str, bytes]:
        out = {}
        if self.rev is None:
            for p in paths:
                try:
                    out[p] = gitio.read_worktree(self.root, p)
                except OSError:
                    pass
            return out
        from_tree = [p for p in paths if self.clean_in_tree(p)]
        for p in from_tree:  # same blob in the work tree: reading a file is ten times faster than cat-file
            try:
                out[p] = gitio.read_worktree(self.root, p)
            except OSError:
                pass
        rest = [p for p in paths if p not in out]
        if rest:
            if self._cat is None:
                self._cat = gitio.CatFile(self.root)
            oids = [self.entries[p] for p in rest]
            for p, (_, data) in zip(rest, self._cat.read_many(oids)):
                if data is not None:
                    out[p] = data
        return out

    def close(self):
        if self._cat:
            self._cat.close()


@contextmanager
def _no_gc():
    """Bulk loading creates millions of objects and no cycles; the cyclic collector would rescan the
    growing heap again and again (measured: 4.2 s instead of 0.7 s to decode 20,000 records)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # Move what was loaded out of the collector's sight: re-enabling would otherwise make the next
        # young-generation pass traverse every object allocated meanwhile (2 s at 100,000 contracts).
        gc.freeze()
        if was:
            gc.enable()


def load(root: Path | str, rev: str | None = None, *, use_cache: bool = True, workers: int | None = None,
         progress=None, contracts: bool | str = True, where: dict[str, list] | None = None) -> Snapshot:
    """Load the repository. ``contracts`` says how much of each contract:

    - True / "full": the whole record (Contract);
    - "facts": ContractFacts (cctk.model.facts), which a warm cache serves without decoding records;
    - "summary": only the listing columns (Snapshot.summaries, cache.SUMMARY_FIELDS);
    - "lazy": none yet, but every contract file is listed and hashed (Snapshot.files, Snapshot.digest),
      so a caller can consult its own caches first and call ``load_contracts`` only when it must;
    - False: registers only; every file is still listed (``all_paths``);
    - "registers": registers only, and contracts/ is not even listed (the fastest: ``all_paths`` then
      holds only the files outside it).

    ``where`` (summary mode): keep only rows whose columns (status, unit, year) take one of the given
    values — filtered in SQLite, so a listing of a few thousand rows does not read 100,000.
    """
    root = Path(root).resolve()
    src = _Source(root, rev, registers_only=contracts == "registers")
    try:
        with _no_gc():
            snap = _load(root, src, with_contracts=contracts)
            if snap.mode == "none" and MODES[contracts] not in ("none", "lazy"):
                _fill(snap, src, MODES[contracts], use_cache=use_cache, workers=workers, progress=progress,
                      where=where)
            return snap
    finally:
        src.close()


def load_contracts(snap: Snapshot, mode: str = "full", *, use_cache: bool = True, workers: int | None = None,
                   progress=None, only: set[str] | None = None, where: dict[str, list] | None = None,
                   after_parse: AfterParse | None = None) -> Snapshot:
    """Fill in the contracts of a snapshot loaded with ``contracts="lazy"`` (or reload them in another
    mode), reusing its listing. ``only``: just these contract paths (the others stay unloaded).
    ``after_parse``: see ``AfterParse`` — called on the records that had to be parsed (cache misses)."""
    src = _Source.from_snapshot(snap)
    if after_parse is not None:
        _AFTER_PARSE[:] = [after_parse]
    try:
        with _no_gc():
            _fill(snap, src, mode, use_cache=use_cache, workers=workers, progress=progress, only=only, where=where)
        return snap
    finally:
        _AFTER_PARSE.clear()
        src.close()


def records(snap: Snapshot, paths: list[str], *, use_cache: bool = True) -> dict[str, Contract]:
    """Full records of some contracts of ``snap`` (any mode), from the cache or parsed."""
    src = _Source.from_snapshot(snap)
    try:
        with _no_gc():
            found, _ = _records(snap, src, [p for p in paths if p in snap.files], mode="full", use_cache=use_cache,
                                workers=None, progress=None)
        return found
    finally:
        src.close()


def _load(root, src: _Source, *, with_contracts) -> Snapshot:
    diags: list[Diagnostic] = []
    others = [p for p in src.entries if not p.startswith("contracts/")]
    small = [p for p in others if p == CONFIG_FILE or (p.startswith(("policy/", "suppliers/"))
                                                         and p.endswith((".yaml", ".yml")))]
    data = src.read(small)
    config, more = parse_config(data.get(CONFIG_FILE))
    diags += more
    org, more = parse_org(data.get("policy/org.yaml"))
    diags += more
    policy, more = parse_policy({p: d for p, d in data.items()
                                 if p.startswith("policy/") and p.count("/") == 1 and p != "policy/org.yaml"})
    diags += more
    suppliers: dict[str, Supplier] = {}
    for path in sorted(p for p in data if p.startswith("suppliers/") and p.count("/") == 1):
        supplier, more = parse_supplier(path, data[path])
        diags += more
        if supplier:
            suppliers[supplier.credit_code] = supplier

    snap = Snapshot(root=root, rev=src.rev, config=config, org=org, policy=policy, suppliers=suppliers,
                    contracts=[], diagnostics=diags, all_paths=set(src.entries), symlinks=src.symlinks,
                    other_paths=sorted(others), dirty=src.dirty)
    if not with_contracts:
        return snap
    # Files git cannot vouch for (modified, untracked) are read and hashed here: cheap next to parsing.
    unknown = [p for p, oid in src.entries.items() if oid is None]
    if unknown:
        got = {p: data[p] for p in unknown if p in data}
        got.update(src.read([p for p in unknown if p not in got]))
        for p in unknown:
            if p in got:
                src.entries[p] = gitio.blob_oid(got[p])
                src.pre_read[p] = got[p]
    if unknown:
        for p in [p for p in unknown if src.entries[p] is None]:
            del src.entries[p]
    snap._entries = src.entries
    # _is_contract inlined: a function call per file costs a quarter of a second at 100,000 contracts.
    snap.files = {p: oid for p, oid in snap._entries.items()
                  if p.endswith("/contract.md") and p.startswith("contracts/") and p.count("/") == 3}
    snap.digest = hashlib.sha1("\n".join(sorted(f"{p}\0{oid}" for p, oid in snap._entries.items()))
                               .encode("utf-8", "surrogateescape")).hexdigest()
    return snap


def _matches(summary: tuple, where: dict[str, list]) -> bool:
    row = dict(zip(cachemod.SUMMARY_FIELDS, summary))
    return all(row.get(col) in values for col, values in where.items())


def _open_cache(snap: Snapshot, src: _Source) -> cachemod.Cache | None:
    try:
        return cachemod.Cache(cachemod.cache_path(snap.root, gitio.git_dir(snap.root) if src.is_git else None),
                              parser_version())
    except Exception:  # an unusable cache (read-only disk, corrupt file) only costs speed
        return None


def keys(snap: Snapshot, *, use_cache: bool = True) -> dict[str, tuple]:
    """path -> (code, unit, filing number) of every contract, from the summary rows (parsing only new
    blobs): pull-request mode picks the contracts a change can affect without decoding the others."""
    src = _Source.from_snapshot(snap)
    try:
        with _no_gc():
            found, _ = _records(snap, src, sorted(snap.files), mode="keys", use_cache=use_cache, workers=None,
                                progress=None)
        return found
    finally:
        src.close()


def _fill(snap: Snapshot, src: _Source, mode: str, *, use_cache, workers, progress, only=None, where=None) -> None:
    paths = sorted(snap.files if only is None else (p for p in snap.files if p in only))
    snap.contracts = []
    snap.summaries = {}
    snap.diagnostics = [d for d in snap.diagnostics if not _is_contract(d.path or "")]
    found, diags = _records(snap, src, paths, mode=mode, use_cache=use_cache, workers=workers, progress=progress,
                            where=where if mode == "summary" else None)
    if mode == "summary":
        snap.summaries = found
    else:
        snap.contracts = [found[p] for p in paths if p in found]
    snap.diagnostics.extend(diags)
    snap.mode = mode


def _records(snap: Snapshot, src: _Source, paths: list[str], *, mode, use_cache, workers, progress, where=None):
    """(path -> Contract / ContractFacts / summary row, per-file diagnostics) for ``paths``."""
    cache = _open_cache(snap, src) if use_cache else None
    oids = list({snap.files[p] for p in paths})
    known = None        # blob ids the cache has (when hits hold only the rows ``where`` keeps)
    if cache is None:
        hits = {}
    elif where:
        known, hits = cache.summaries_where(where)
    elif mode == "summary":
        hits = cache.summaries(oids)
    elif mode == "facts":
        hits = cache.facts(oids)
    elif mode == "keys":
        hits = cache.keys(oids)
    else:
        hits = cache.get_many(oids)
    missing_paths = []
    seen = set()
    have = known if known is not None else hits
    for p in paths:
        oid = snap.files[p]
        if oid not in have and oid not in seen:
            seen.add(oid)
            missing_paths.append(p)
    results = dict(hits)
    decoding = mode in ("full", "facts")
    decode = cachemod.decode_facts if mode == "facts" else cachemod.decode
    # Parse results are decoded as each batch arrives, while the workers go on parsing: at 100,000 records
    # decoding them all after the last batch kept the parent busy ~2.6 s with both workers idle.
    decoded: dict[str, tuple] = {}
    if missing_paths:
        for oid, summary, piece in _parse_missing(src, missing_paths, src.pre_read, workers, progress, len(paths),
                                                  len(hits), cache, mode):
            if where and not _matches(summary, where):
                continue
            results[oid] = piece
            if decoding:
                decoded[oid] = decode(piece)
    elif cache:
        cache.close()
    found: dict = {}
    diags: list[Diagnostic] = []
    if mode == "summary":
        return {p: results[snap.files[p]] for p in paths if snap.files[p] in results}, diags
    if mode == "keys":   # (code, unit, filing number), from a summary row (cached) or a fresh parse
        return {p: (r[0], r[1], r[2]) if len(r) == 3 else (r[0], r[2], r[10])
                for p in paths if (r := results.get(snap.files[p])) is not None}, diags
    for p in paths:
        oid = snap.files[p]
        got = decoded.pop(oid, None)      # a second path with the same bytes gets its own copy
        item, cdiags = got if got is not None else decode(results[oid])
        if item is not None:
            item.path = p
            found[p] = item
        for d in cdiags:
            d.path = p
        diags.extend(cdiags)
    return found, diags


def _parse_missing(src: _Source, paths, pre_read, workers, progress, total, done, cache, want):
    """Parse ``paths`` and store them in ``cache`` (closed at the end); yields (oid, summary row, the
    ``want`` part) per parsed file, batch by batch as they are ready. Many files: both cores, each worker
    reading, parsing and storing its batches itself."""
    import multiprocessing as mp

    workers = workers or min(2, os.cpu_count() or 1)
    batch = 200
    # Not from inside a pool worker (a cold check's rule workers read records too): both cores are busy
    # already, and a pool per worker would run four processes on two cores.
    if workers > 1 and len(paths) >= PARALLEL_MIN and mp.parent_process() is None:
        spec = (str(cache.path), cache.schema_hash) if cache else None
        if cache:
            cache.close()      # no open database handle goes through fork (SQLite forbids using one there)
        ctx = mp.get_context("fork")
        stop = threading.Event()
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init,
                                 initargs=(ctx.Lock(),)) as pool:
            futures = []
            tree: list[str] = []
            for i in range(0, len(paths), batch):
                items = []
                for p in paths[i:i + batch]:
                    oid = src.entries[p]
                    if p in pre_read:      # files hashed while listing are parsed from those very bytes
                        items.append((p, oid, pre_read[p]))
                    elif src.rev is None or src.clean_in_tree(p):
                        items.append((p, oid, "tree"))
                        tree.append(p)
                    else:
                        items.append((p, oid, "git"))
                futures.append(pool.submit(_parse_in_worker, str(src.root), items, want, spec))
            if len(tree) >= PREFETCH_MIN:   # the workers are forked by now: a thread is safe here
                threading.Thread(target=_prefetch, args=(str(src.root), tree, stop), daemon=True).start()
            try:
                for fut in futures:
                    res, report = fut.result()
                    _deliver(report)
                    done += len(res)
                    if progress:
                        progress(done, total)
                    yield from res
            finally:
                stop.set()
        return
    pending: list = []
    for i in range(0, len(paths), batch):
        chunk = paths[i:i + batch]
        data = {p: pre_read[p] for p in chunk if p in pre_read}
        data.update(src.read([p for p in chunk if p not in data]))
        contracts: list | None = [] if _AFTER_PARSE else None
        res = _parse_items([(p, src.entries[p], data[p]) for p in chunk if p in data], contracts, full=want == "full")
        if cache:
            pending.extend(res)
            if len(pending) >= 4000:
                _store(cache, pending)
                pending.clear()
        if contracts:
            _after_parse(contracts)
        done += len(res)
        if progress:
            progress(done, total)
        yield from (_pick(item, want) for item in res)
    if cache:
        _store(cache, pending)
        cache.close()


PREFETCH_MIN = 2000


def _prefetch(root: str, paths: list[str], stop: threading.Event) -> None:
    """Ask the kernel to read work-tree files ahead of the parse workers, in the order they will read them.

    A worker reads its files one at a time, so on a cold page cache (a first run, or after the kernel
    reclaimed it) two workers kept two reads in flight and waited for each: on this development machine
    a cold check took 77 s instead of ~50. WILLNEED starts the read and returns; the workers then find the
    data in memory. On a warm cache each call is a cheap no-op (≈ 5 µs, in this otherwise idle process)."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:
        return
    for p in paths:
        if stop.is_set():
            return
        try:
            fd = os.open(os.path.join(root, p), os.O_RDONLY)
        except OSError:
            continue
        try:
            advise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass
        finally:
            os.close(fd)


def _store(cache, items: list) -> None:
    """Write parse results to the cache; an unusable cache only costs time."""
    try:
        cache.put_many(items)
    except Exception:
        pass
