"""Stored answers: a command's whole output keyed by everything it was computed from.

A listing over 100,000 contracts is a pure function of the repository's files (Snapshot.digest, which
changes with any listed file), cctk's version and the command's arguments. When all are equal the
previous output is the output, and a warm run costs the git listing and one read. Same SQLite file as
the other caches; the newest few answers are kept; deleting it only costs time.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from pathlib import Path

KEEP = 24


def key(*parts) -> str:
    return hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


class Answers:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, used REAL, payload BLOB) "
                        "WITHOUT ROWID")

    def get(self, answer_key: str) -> bytes | None:
        row = self.db.execute("SELECT payload FROM answers WHERE key=?", (answer_key,)).fetchone()
        if row is None:
            return None
        with self.db:
            self.db.execute("UPDATE answers SET used=? WHERE key=?", (time.time(), answer_key))
        return row[0]

    def put(self, answer_key: str, payload: bytes):
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?)", (answer_key, time.time(), payload))
            self.db.execute("DELETE FROM answers WHERE key NOT IN (SELECT key FROM answers ORDER BY used DESC LIMIT ?)",
                            (KEEP,))

    def close(self):
        self.db.close()


def open_for(snap) -> Answers | None:
    """The answers store of a loaded snapshot's repository, or None when the cache cannot be used."""
    from cctk.store import gitio
    from cctk.store.cache import cache_path
    try:
        return Answers(cache_path(snap.root, gitio.git_dir(snap.root) if gitio.is_git_repo(snap.root) else None))
    except Exception:
        return None
