"""Per-blob caches of supervision work (alert facts, OCDS release templates, register pages), beside the
record cache: the same SQLite file (cctk.store.cache.cache_path), one table each.

Keys are git blob ids of contract.md, so an entry never goes stale with the record; ``version`` names
everything else the entry was computed from (cctk version, the code that computed it, the policy and the
settings it read). Entries of other versions are dropped when new ones are written. An unusable cache
(read-only disk, corrupt file) only costs speed: every method then behaves as an empty cache.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from cctk import __version__
from cctk.store import cache as storecache
from cctk.store import gitio

TABLES = ("alert_facts", "alert_runs", "ocds_releases", "ocds_releases_spaced", "register_pages")


def cache_file(root: Path) -> Path:
    root = Path(root)
    return storecache.cache_path(root, gitio.git_dir(root) if gitio.is_git_repo(root) else None)


def calendar_versions() -> list:
    """Versions of the working-day calendars: deadlines computed from them are part of what is cached."""
    from importlib import metadata
    out = []
    for name in ("chinesecalendar", "holidays"):
        try:
            out.append(metadata.version(name))
        except metadata.PackageNotFoundError:
            out.append(None)
    return out


def version_of(*parts, modules=()) -> str:
    """A short hash of ``parts`` (JSON-able; dates and Decimals as text) and of the source of ``modules``
    (so a code change invalidates entries even when the package version does not)."""
    h = hashlib.sha1(__version__.encode())
    for m in modules:
        try:
            h.update(Path(m.__file__).read_bytes())
        except (OSError, AttributeError, TypeError):
            h.update(repr(m).encode())
    h.update(json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False).encode())
    return h.hexdigest()[:16]


class BlobCache:
    def __init__(self, root: Path, table: str, version: str):
        if table not in TABLES:
            raise ValueError(table)
        self.table, self.version = table, version
        self.db = None
        try:
            path = cache_file(root)
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(f"CREATE TABLE IF NOT EXISTS {table} (oid TEXT PRIMARY KEY, version TEXT, payload BLOB)"
                       " WITHOUT ROWID")
            db.commit()
            self.db = db
        except Exception:
            self.db = None

    def get_many(self, oids) -> dict[str, bytes]:
        if self.db is None:
            return {}
        oids = list(oids)
        cur = self.db.cursor()
        try:
            if len(oids) > 2000:        # a whole-table scan beats thousands of IN queries
                wanted = set(oids)
                return {o: p for o, p in cur.execute(f"SELECT oid, payload FROM {self.table} WHERE version=?",
                                                     (self.version,)) if o in wanted}
            out: dict[str, bytes] = {}
            for i in range(0, len(oids), 900):
                chunk = oids[i:i + 900]
                q = f"SELECT oid, payload FROM {self.table} WHERE version=? AND oid IN (%s)" % ",".join("?" * len(chunk))
                out.update(cur.execute(q, [self.version, *chunk]))
            return out
        except sqlite3.Error:
            return {}

    def put_many(self, items: dict[str, bytes]):
        if self.db is None or not items:
            return
        try:
            with self.db:
                self.db.execute(f"DELETE FROM {self.table} WHERE version != ?", (self.version,))
                self.db.executemany(f"INSERT OR REPLACE INTO {self.table} VALUES (?, ?, ?)",
                                    [(o, self.version, p) for o, p in items.items()])
        except sqlite3.Error:
            pass

    def replace_all(self, key: str, payload: bytes):
        """Keep one entry only (a whole-run result): ``key`` names its inputs."""
        if self.db is None:
            return
        try:
            with self.db:
                self.db.execute(f"DELETE FROM {self.table}")
                self.db.execute(f"INSERT INTO {self.table} VALUES (?, ?, ?)", (key, self.version, payload))
        except sqlite3.Error:
            pass

    def close(self):
        if self.db is not None:
            self.db.close()
            self.db = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def per_blob(snap, table: str, version: str, make, none: bytes, *, use_cache: bool = True) -> tuple[list[str], bytes]:
    """Every contract's msgpack payload for ``table``, cached per blob id: the blobs not cached are made
    from their full records (``make(records) -> [payload, …]``, one per record; ``none`` stands for a
    record that does not parse). Returns the sorted contract paths and their payloads as ONE msgpack array
    in that order, so the caller decodes 100,000 items in a single call."""
    paths = sorted(snap.files)
    oids = sorted(set(snap.files.values()))
    cache = BlobCache(snap.root, table, version) if use_cache else None
    try:
        hits = cache.get_many(oids) if cache else {}
        missing = [o for o in oids if o not in hits]
        if missing:
            by_oid: dict[str, str] = {}
            for p in paths:
                by_oid.setdefault(snap.files[p], p)
            records = records_for(snap, [by_oid[o] for o in missing])
            have = [o for o in missing if by_oid[o] in records]
            new = dict(zip(have, make([records[by_oid[o]] for o in have])))
            new.update({o: none for o in missing if o not in new})
            hits.update(new)
            if cache:
                cache.put_many(new)
    finally:
        if cache:
            cache.close()
    # a msgpack array header (0xdd + 32-bit length) before the payloads
    return paths, b"".join([b"\xdd", len(paths).to_bytes(4, "big"), *(hits[snap.files[p]] for p in paths)])


def records_for(snap, paths: list[str]) -> dict[str, object]:
    """Full records (cctk.model.Contract) of a few ``paths`` of a listed snapshot: the loader's own
    (decoded from the record cache, parsed when new). path -> Contract; records that do not parse are
    left out."""
    from cctk.store import loader
    return loader.records(snap, list(paths)) if paths else {}
