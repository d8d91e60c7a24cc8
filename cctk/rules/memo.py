"""The result memo: a whole ``cctk check`` result keyed by everything it was computed from.

A check is a pure function of the listed files (Snapshot.digest: the blob id of every record,
register, policy file, inspection record and model text), the evaluation date, the code of
the rules and the review, and the options. When all of them are equal, the previous result
is the result: a second run over an unchanged 100,000-contract repository then costs the
listing and the printing only. The few file-system questions a check asks beyond the
listing (untracked attachments) are stored with the result and asked again before reuse.
Same SQLite file as the other caches; the newest few results are kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from pathlib import Path

import msgspec

from cctk.model import Diagnostic

KEEP = 6                  # results kept (a few branches / as-of dates / option sets)


class _Stored(msgspec.Struct, array_like=True):
    diagnostics: list[dict]
    suppressed: list[tuple[dict, str]]
    checked: int
    probes: dict[str, bool]


_ENC = msgspec.msgpack.Encoder()
_DEC = msgspec.msgpack.Decoder(_Stored)


def key(digest: str, *parts) -> str:
    """The memo key: the repository digest plus every other input (versions, date, options)."""
    return hashlib.sha1(json.dumps([digest, *parts], sort_keys=True, default=str).encode()).hexdigest()


class ResultMemo:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS check_memo (key TEXT PRIMARY KEY, used REAL, payload BLOB)"
                        " WITHOUT ROWID")

    def get(self, memo_key: str, root: Path):
        """(diagnostics, [(diagnostic, reason)], checked) or None; None too when a probe answers differently."""
        row = self.db.execute("SELECT payload FROM check_memo WHERE key=?", (memo_key,)).fetchone()
        if row is None:
            return None
        try:
            stored = _DEC.decode(row[0])
        except msgspec.DecodeError:
            return None
        tests = {"islink": os.path.islink, "isfile": os.path.isfile}
        for probe, answer in stored.probes.items():
            test, _, path = probe.partition(":")
            if test not in tests or tests[test](os.path.join(root, path)) != answer:
                return None
        with self.db:
            self.db.execute("UPDATE check_memo SET used=? WHERE key=?", (time.time(), memo_key))
        return ([Diagnostic.from_json(d) for d in stored.diagnostics],
                [(Diagnostic.from_json(d), reason) for d, reason in stored.suppressed], stored.checked)

    def put(self, memo_key: str, diagnostics: list[Diagnostic], suppressed: list[tuple[Diagnostic, str]],
            checked: int, probes: dict[str, bool]):
        payload = _ENC.encode(_Stored([d.to_cache() for d in diagnostics],
                                      [(d.to_cache(), reason) for d, reason in suppressed], checked, probes))
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO check_memo VALUES (?, ?, ?)", (memo_key, time.time(), payload))
            self.db.execute("DELETE FROM check_memo WHERE key NOT IN "
                            "(SELECT key FROM check_memo ORDER BY used DESC LIMIT ?)", (KEEP,))

    def close(self):
        self.db.close()
