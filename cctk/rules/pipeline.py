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
import os
import signal
import threading
import time
from pathlib import Path
from typing import Callable, Iterable

from cctk import __version__
from cctk.model import Severity
from cctk.repository import all_diagnostics
from cctk.rules.cache import path_for
from cctk.rules.affected import affected
from cctk.rules.engine import (ChangedQuery, Result, Suppressed, TextReview, after_parse_hook, default_as_of,
                               load_rules, missing_findings, run, version, warm)
from cctk.rules.memo import ResultMemo, key as memo_key
from cctk.store import gitio
from cctk.store.loader import Snapshot, load, load_contracts, parser_version, records

ReviewFactory = Callable[[Snapshot], tuple[TextReview | None, str | None]]


def check(root: Path, rev: str | None = None, *, as_of: dt.date | None = None, select: Iterable[str] = (),
          ignore: Iterable[str] = (), min_severity: Severity = Severity.INFO, changed_base: str | None = None,
          use_cache: bool = True, local_rules: bool = True, review: ReviewFactory | None = None,
          progress=None, paths: Iterable[str] | None = None) -> tuple[Snapshot, Result]:
    """Check the repository at ``root`` (work tree, or ``rev``). Raises gitio.GitError for a bad revision
    or base. ``changed_base``: pull-request mode (see engine.changed_contracts). ``paths``: repository-relative
    folders or files under contracts/ — only the contracts there are checked, with the cross-contract findings
    that involve them (as pull-request mode does for the changed ones; the caller filters the report by path)."""
    select, ignore = list(select), list(ignore)
    # Pull-request mode: while this process lists the work tree, git compares the trees and a second
    # process checks the changed records into the findings caches (both cores; run() then reads them).
    helper = _warm_changed(Path(root), changed_base, rev, as_of, local_rules, review) if (
        changed_base and use_cache) else None
    query = ChangedQuery(Path(root), changed_base, rev, listed=rev is None) if changed_base else None
    memo = None
    try:
        snap = load(root, rev, use_cache=use_cache, contracts="lazy")
        scope = query.result(snap.dirty) if query is not None else None
        if scope is None and query is None and paths is not None:
            scope = within(snap, paths)
        as_of = as_of or default_as_of(snap)
        review_fn, tag = review(snap) if review is not None else (None, None)
        ruleset = load_rules(snap, local=local_rules)
        key = memo_key(snap.digest, __version__, parser_version(), version(ruleset), as_of, tag, select, ignore,
                       int(min_severity), sorted(scope) if scope is not None else None, local_rules)
        if use_cache:
            try:
                memo = ResultMemo(path_for(snap.root))
                hit = memo.get(key, snap.root)
            except Exception:   # an unusable cache only costs time
                memo, hit = None, None
            if hit is not None:
                diagnostics, suppressed, checked = hit
                return snap, Result(diagnostics=diagnostics, suppressed=[Suppressed(d, r) for d, r in suppressed],
                                    rules=ruleset.rules, checked=checked, as_of=as_of, changed=scope,
                                    timings={"memo": 1.0})
        if helper is not None:
            helper.join()       # its findings and parsed records are in the caches now
        only = affected(snap, scope, ruleset, use_cache) if scope is not None else None
        # Records that must be parsed are checked by the parse workers as they go (engine.after_parse_hook)
        hook = None
        if use_cache:
            try:
                hook = after_parse_hook(snap, as_of=as_of, ruleset=ruleset, review=review_fn, review_tag=tag)
            except Exception:   # an unusable cache: run() checks everything itself
                hook = None
        try:
            load_contracts(snap, "facts", use_cache=use_cache, progress=progress, only=only, after_parse=hook)
        finally:
            if hook is not None:
                hook.close()
        result = run(snap, as_of=as_of, base=all_diagnostics(snap, scope), select=select, ignore=ignore,
                     min_severity=min_severity, changed=scope, use_cache=use_cache, local_rules=local_rules,
                     review=review_fn, review_tag=tag, ruleset=ruleset,
                     known=hook.found if hook is not None else None)
        if memo is not None:
            try:
                memo.put(key, result.diagnostics, [(s.diagnostic, s.reason) for s in result.suppressed],
                         result.checked, snap.probes)
            except Exception:
                pass
        return snap, result
    finally:
        if query is not None:
            query.close()
        if helper is not None:
            helper.join(stop=True)      # a memo hit or an error: its work is not wanted
        if memo is not None:
            memo.close()


def within(snap: Snapshot, paths: Iterable[str]) -> set[str] | None:
    """The contract files of ``snap`` under ``paths`` (repository-relative), or None when a path is not
    under contracts/ (a register or policy file: the whole repository is checked)."""
    prefixes = [p.rstrip("/") for p in paths]
    if not prefixes or any(p != "contracts" and not p.startswith("contracts/") for p in prefixes):
        return None
    return {f for f in snap.files if under(f, prefixes)}


def under(path: str, prefixes: Iterable[str]) -> bool:
    """``path`` is one of ``prefixes`` or inside one of them (repository-relative, no trailing slash)."""
    return any(path == x or path.startswith(x + "/") for x in prefixes)


_WARM_MAX = 200     # more changed records than this: run()'s own pool checks them on both cores


class _Helper:
    """A forked process of ours, waited for once (its id is never signalled after that)."""

    WAIT = 30.0     # seconds; past this it is stuck (this process checks the records itself)

    def __init__(self, pid: int):
        self.pid: int | None = pid

    def join(self, stop: bool = False) -> None:
        """Wait for it to end (``stop``: end it now — its work is no longer wanted)."""
        if self.pid is None:
            return
        pid, self.pid = self.pid, None
        try:
            if not stop:
                deadline = time.monotonic() + self.WAIT
                while os.waitpid(pid, os.WNOHANG) == (0, 0):
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.002)
                else:
                    return                      # it ended
            os.kill(pid, signal.SIGKILL)        # SQLite keeps its last committed state
            os.waitpid(pid, 0)
        except OSError:
            pass


def _warm_changed(root: Path, base: str, rev: str | None, as_of: dt.date | None, local_rules: bool,
                  review: ReviewFactory | None) -> _Helper | None:
    """Fork a process that checks the records changed since BASE into the findings caches (engine.warm) and
    exits. Nothing depends on it: whatever it did not store, run() computes itself. It pays only with a core
    to spare (it costs ~0.3 s of CPU more than checking in this process: its own git listing and imports):
    not on a busy machine."""
    if (not hasattr(os, "fork") or threading.active_count() > 1     # forking a threaded process can deadlock
            or os.getloadavg()[0] > (os.cpu_count() or 1) - 0.5):
        return None
    try:
        pid = os.fork()
    except OSError:
        return None
    if pid:
        return _Helper(pid)
    status = 1
    try:
        _warm(root, base, rev, as_of, local_rules, review)
        status = 0
    except BaseException:   # noqa: BLE001  (the parent does the work itself)
        pass
    finally:
        os._exit(status)    # no atexit handlers, no flushing of the parent's buffers


def _warm(root: Path, base: str, rev: str | None, as_of: dt.date | None, local_rules: bool,
          review: ReviewFactory | None) -> None:
    snap = load(root, rev, contracts="registers")
    merge_base = gitio.git(root, "merge-base", base, rev or "HEAD").decode().strip()
    if rev:
        raw = gitio.git(root, "diff", "--raw", "-z", "--no-renames", "--no-abbrev", merge_base, snap.rev)
    else:
        raw = gitio.git(root, "diff-index", "--cached", "--raw", "-z", "--no-renames", "--no-abbrev", merge_base)
    fields = raw.split(b"\0")
    files: dict[str, str] = {}
    for meta, name in zip(fields[0::2], fields[1::2]):
        path = name.decode("utf-8", "surrogateescape")
        parts = meta.split()
        if len(parts) < 5 or parts[4] == b"D" or not _is_record(path):
            continue
        if rev:
            files[path] = parts[3].decode()
        else:   # the work tree's bytes, whatever the index holds: the id the listing will give them
            try:
                files[path] = gitio.blob_oid(gitio.read_worktree(root, path))
            except OSError:
                continue
    if not files or len(files) > _WARM_MAX:
        return
    snap.files, snap._entries = files, dict(files)
    ruleset = load_rules(snap, local=local_rules)
    review_fn, tag = review(snap) if review is not None else (None, None)
    as_of = as_of or default_as_of(snap)
    if not missing_findings(snap, list(files.values()), as_of=as_of, ruleset=ruleset, review_tag=tag):
        return      # checked before (this pull request again): nothing to decode
    full = records(snap, sorted(files))
    warm(snap, [full[p] for p in sorted(full)], as_of=as_of, ruleset=ruleset, review=review_fn, review_tag=tag)


def _is_record(path: str) -> bool:
    return path.startswith("contracts/") and path.endswith("/contract.md") and path.count("/") == 3
