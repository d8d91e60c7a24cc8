"""Pull-request mode: which contracts a change's findings can depend on, read through SQLite indexes.

A finding on a changed contract, or one naming it, depends only on the contracts that share a
cross-contract rule's partition with a contract carrying a changed contract's code (duplicates too):
the same unit and supplier (CC501), unit and year (CC502), filing number (CC203), and for gaps in a
year's filing numbers (CC204) the contracts holding the changed contracts' numbers and the numbers
just below them. Those are looked up in the record cache's summary rows through indexes on these
columns, so a 10-contract change reads a few hundred rows instead of 100,000, and the rules then run
on exactly those contracts (the engine keeps the findings that involve the changed ones).
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict

from cctk.rules.filing import number_pattern
from cctk.store import cache as cachemod
from cctk.store import gitio
from cctk.store.loader import Snapshot, keys, parser_version, records

# Columns of the summary table (cctk/store/cache.py) that equal each built-in cross-contract rule's
# ``partition`` (tests/test_pipeline.py checks that the two agree), and the column whose empty value the
# rule passes over (no filing number, no year of signing): nothing to look up for it.
POOLS = {"CC203": (("filing",), "filing"), "CC501": (("unit", "supplier"), None), "CC502": (("unit", "year"), "year")}
NEIGHBOURS = "CC204"        # filing-number gaps: the numbers next to the changed ones
_INDEXES = {"cctk_summary_code": "code", "cctk_summary_filing": "filing",
            "cctk_summary_unit_supplier": "unit, supplier", "cctk_summary_unit_year": "unit, year"}
_COLUMNS = "oid, code, unit, supplier, year, filing"
_TOP = "\U0010ffff"         # sorts after every character: the end of a prefix range
_WALK = 64                  # numbers looked up one by one below a changed one before reading the whole year
_FEW = 1000                 # more records missing from the cache than this: parse them without decoding


def affected(snap: Snapshot, scope: set[str], ruleset, use_cache: bool = True) -> set[str] | None:
    """Contract paths to load for ``scope`` (changed contract paths), or None: load everything (no
    cache to look in, or a repository rule of the repository's own that says nothing of what it relates)."""
    repo_rules = {r.code for r in ruleset.rules if r.scope == "repository"}
    if not use_cache or any(code not in POOLS and code != NEIGHBOURS for code in repo_rules):
        return None
    try:
        cache = cachemod.Cache(cachemod.cache_path(snap.root, gitio.git_dir(snap.root)
                                                   if gitio.is_git_repo(snap.root) else None), parser_version())
    except Exception:  # an unusable cache: load everything (slower, same findings)
        return None
    try:
        return _affected(cache.db, snap, scope, repo_rules)
    finally:
        cache.close()


def _affected(db, snap: Snapshot, scope: set[str], rules: set[str]) -> set[str]:
    if not any(p in snap.files for p in scope):
        return set(scope)       # no changed record left (none, or only deletions): nothing relates to it
    listed = set(snap.files.values())
    known = cachemod.summary_oids(db)
    missing = listed - known
    if missing:
        # Parse what the cache lacks (the changed records, usually: decoded again for the rules, from the
        # cache); many missing (a cold cache) are parsed on both cores without decoding records.
        if len(missing) > _FEW:
            keys(snap)
        else:
            records(snap, [p for p, oid in snap.files.items() if oid in missing])
    with db:
        for name, columns in _INDEXES.items():
            db.execute(f"CREATE INDEX IF NOT EXISTS {name} ON summary({columns})")

    def rows(where: str, params, columns: str = _COLUMNS) -> list[tuple]:
        """Summary rows of listed contracts only (the table also holds older versions' blobs)."""
        return [r for r in db.execute(f"SELECT {columns} FROM summary WHERE {where}", params) if r[0] in listed]

    def matching(columns: tuple[str, ...], values: set[tuple], wanted: str = _COLUMNS) -> list[tuple]:
        out: list[tuple] = []
        cond = " AND ".join(f"{c} IS ?" for c in columns)     # IS: a missing value matches a missing value
        for value in values:
            out += rows(cond, value, wanted)
        return out

    scope_oids = sorted({snap.files[p] for p in scope if p in snap.files})
    mine = [r for i in range(0, len(scope_oids), 500)
            for r in rows("oid IN (%s)" % ",".join("?" * len(scope_oids[i:i + 500])), scope_oids[i:i + 500])]
    # Every contract carrying a changed contract's code is a key contract: its findings are kept too.
    codes = {(r[1],) for r in mine if r[1] is not None}
    key_rows = {r[0]: r for r in mine + matching(("code",), codes)}
    wanted = set(key_rows)
    index = dict(zip(_COLUMNS.split(", "), range(6)))
    for code, (columns, needed) in POOLS.items():
        if code in rules:
            values = {tuple(r[index[c]] for c in columns) for r in key_rows.values()
                      if needed is None or r[index[needed]] not in (None, "")}
            # the blob id alone: read from the index, not the table
            wanted.update(r[0] for r in matching(columns, values, "oid"))
    if NEIGHBOURS in rules:
        wanted |= _neighbours(db, snap, list(key_rows.values()), listed)
    out = set(scope)
    out.update(p for p, oid in snap.files.items() if oid in wanted)
    return out


def _neighbours(db, snap: Snapshot, key_rows: list[tuple], listed: set[str]) -> set[str]:
    """Blob ids of the contracts CC204 reads for the key contracts: those with the same (year, sequence
    number) — the first of them in path order carries the finding — and those with the next lower number
    of the year (the gap before a number ends there). Nothing else in the year changes these findings.

    A number is looked up as the format writes it (``罗财合备〔2024〕7号``), then 6, 5… below it; only
    numbers written with leading zeros (usually none) are read in bulk. A format of another shape, or a
    gap longer than ``_WALK``, reads the whole year."""
    fmt = snap.config.get("filing_number_format") or ""
    pattern = number_pattern(fmt)
    if pattern is None:
        return set()
    wanted: dict[int, set[int]] = defaultdict(set)
    for r in key_rows:
        m = pattern.match(r[5]) if r[5] else None
        if m:
            wanted[int(m["year"])].add(int(m["seq"]))
    shape = re.fullmatch(r"([^{}]*)\{year(?::[^}]*)?\}([^{}]+)\{seq(?::[^}]*)?\}([^{}]*)", fmt)

    def scan(start: str, year: int, into: dict[int, list[str]]) -> dict[int, list[str]]:
        """Add the listed numbers of ``year`` beginning with ``start`` (sequence number -> blob ids)."""
        # oid and filing only: read from the filing index alone
        for oid, number in db.execute("SELECT oid, filing FROM summary WHERE filing >= ? AND filing < ?",
                                      (start, start + _TOP)):
            if oid in listed:
                m = pattern.match(number)
                if m and int(m["year"]) == year:
                    into.setdefault(int(m["seq"]), []).append(oid)
        return into

    def one_by_one(year: int, seqs: set[int]) -> set[str] | None:
        head, mid, tail = shape.groups()
        written = lambda seq: f"{head}{year}{mid}{seq}{tail}"      # noqa: E731
        # The format's own spelling must read back as (year, seq), or looking it up means nothing.
        for seq in seqs:
            m = pattern.match(written(seq))
            if not m or (int(m["year"]), int(m["seq"])) != (year, seq):
                return None
        odd = scan(head + "0", year, {})                           # the year written with leading zeros
        scan(f"{head}{year}{mid}0", year, odd)                     # the number written with leading zeros

        def holders(seq: int) -> list[str]:
            return [oid for (oid,) in db.execute("SELECT oid FROM summary WHERE filing = ?", (written(seq),))
                    if oid in listed] + odd.get(seq, [])

        out: set[str] = set()
        for seq in seqs:
            out.update(holders(seq))
            below = seq - 1
            while below >= 0 and not (found := holders(below)):
                below -= 1
                if below < seq - _WALK:
                    return None                                    # a long gap: read the whole year
            if below >= 0:
                out.update(found)
        return out

    def whole_year(year: int, seqs: set[int]) -> set[str]:
        first = re.search(r"\{(year|seq)", fmt)
        prefix = fmt[:first.start()]
        by_seq: dict[int, list[str]] = {}
        for start in ([prefix + str(year), prefix + "0"] if first[1] == "year" else [prefix]):
            scan(start, year, by_seq)
        numbers = sorted(by_seq)
        out: set[str] = set()
        for seq in seqs:
            out.update(by_seq.get(seq, ()))
            i = bisect.bisect_left(numbers, seq)
            if i:
                out.update(by_seq[numbers[i - 1]])
        return out

    out: set[str] = set()
    for year, seqs in wanted.items():
        found = one_by_one(year, seqs) if shape is not None else None
        out |= found if found is not None else whole_year(year, seqs)
    return out
