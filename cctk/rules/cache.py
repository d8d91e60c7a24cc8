"""Per-contract rule findings cached by (blob id, rule-book version), beside the record cache.

Same SQLite file as cctk.store.cache (cache_path), own tables. A blob id names exact
content and the version names the rules, settings and evaluation date, so an entry can
never be stale; entries of other versions are dropped when new ones are written.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import msgspec

from cctk.store import cache as storecache
from cctk.store import gitio

_ENC = msgspec.msgpack.Encoder()
_DEC = msgspec.msgpack.Decoder(list[dict])


def path_for(root: Path) -> Path:
    return storecache.cache_path(root, gitio.git_dir(root) if gitio.is_git_repo(root) else None)


class RuleCache:
    """``table``: rule_results (each entry valid over the range of evaluation dates its rules found
    equivalent, see cctk/rules/asof.py) or review_results (the text review does not depend on the
    date: always valid)."""

    TABLES = ("rule_results", "review_results")
    # Their tables: rowid tables (see cctk.store.cache: random blob-id order inserts into a WITHOUT ROWID
    # table cost 2-3x; a cold check writes 200,000 rows). Older layouts are dropped.
    _STORED = {"rule_results": "rule_rows", "review_results": "review_rows"}
    OLD = ("rule_findings", "review_findings", "rule_results", "review_results")

    def __init__(self, path: Path, version: str, table: str = "rule_results"):
        if table not in self.TABLES:
            raise ValueError(table)
        self.version = version
        self.table = self._STORED[table]
        self._purged = False    # entries of other versions dropped by this connection already
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        for name in self.OLD:
            self.db.execute(f"DROP TABLE IF EXISTS {name}")
        for name in self._STORED.values():
            self.db.execute(f"CREATE TABLE IF NOT EXISTS {name} (oid TEXT PRIMARY KEY, version TEXT, lo TEXT, hi TEXT,"
                            " payload BLOB)")
        self.db.execute("CREATE TABLE IF NOT EXISTS rule_positions (oid TEXT, at TEXT, line INTEGER, col INTEGER, "
                        "PRIMARY KEY (oid, at)) WITHOUT ROWID")
        self.db.commit()

    # -- findings ---------------------------------------------------------------------------
    def get_many(self, oids: list[str], day: dt.date | None = None) -> dict[str, list[dict]]:
        """Findings by blob id, of entries valid on ``day`` (any entry when None)."""
        rows: list[tuple] = []
        cur = self.db.cursor()
        if len(oids) > 5000:   # a whole-table scan beats thousands of IN queries
            wanted = set(oids)
            rows = [r for r in cur.execute(f"SELECT oid, lo, hi, payload FROM {self.table} WHERE version=?",
                                           (self.version,)) if r[0] in wanted]
        else:
            for i in range(0, len(oids), 900):
                chunk = oids[i:i + 900]
                q = (f"SELECT oid, lo, hi, payload FROM {self.table} WHERE version=? AND oid IN (%s)"
                     % ",".join("?" * len(chunk)))
                rows.extend(cur.execute(q, [self.version, *chunk]))
        when = day.isoformat() if day is not None else None
        return {oid: (_DEC.decode(payload) if payload else []) for oid, lo, hi, payload in rows
                if when is None or lo <= when <= hi}

    def put_many(self, items: dict[str, tuple[list[dict], dt.date, dt.date]]):
        """items: blob id -> (findings, first day, last day on which they hold)."""
        if not items:
            return
        with self.db:
            if not self._purged:    # a scan of the whole table: once per connection, not once per batch
                self.db.execute(f"DELETE FROM {self.table} WHERE version != ?", (self.version,))
                self._purged = True
            self.db.executemany(f"INSERT OR REPLACE INTO {self.table} VALUES (?, ?, ?, ?, ?)",
                                [(oid, self.version, lo.isoformat(), hi.isoformat(), _ENC.encode(d) if d else b"")
                                 for oid, (d, lo, hi) in items.items()])

    # -- field positions (for findings computed on every run) ------------------------------------
    def positions(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, int]]:
        out = {}
        cur = self.db.cursor()
        by_oid: dict[str, set[str]] = {}
        for oid, at in keys:
            by_oid.setdefault(oid, set()).add(at)
        oids = list(by_oid)
        for i in range(0, len(oids), 900):
            chunk = oids[i:i + 900]
            q = "SELECT oid, at, line, col FROM rule_positions WHERE oid IN (%s)" % ",".join("?" * len(chunk))
            for oid, at, line, col in cur.execute(q, chunk):
                if at in by_oid[oid]:
                    out[(oid, at)] = (line, col)
        return out

    def put_positions(self, items: dict[tuple[str, str], tuple[int | None, int | None]]):
        if items:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO rule_positions VALUES (?, ?, ?, ?)",
                                    [(o, a, l, c) for (o, a), (l, c) in items.items()])

    def close(self):
        self.db.close()
