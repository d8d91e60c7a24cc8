"""One action = one commit, all or nothing.

``git commit`` stages into the shared index and writes the work tree first, so a process killed
half-way leaves a modified file or a staged path behind. Instead the new commit is built from
objects only (hash-object for the blobs and the trees along the changed paths, commit-tree) and made visible by a single
compare-and-swap ``update-ref`` — git's own commit point. Killed before it: nothing a person can see
has changed (only unreachable objects, which git gc removes). After it: a journal in .git lets the
next cctk command finish copying the committed files into the work tree and index (roll forward).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from pathlib import Path

from cctk.i18n import register
from cctk.lifecycle.workflow import Refused
from cctk.store import gitio
from cctk.store.files import atomic_write

register({
    "txn.locked": ("another cctk action is running in this repository ({path}); wait, or remove the file if "
                   "no cctk process is running", "本仓库正在执行另一个 cctk 操作（{path}）；请稍候，若确无 cctk 进程运行可删除该文件"),
    "txn.dirty": ("{path} has uncommitted changes; commit or discard them before '{action}'",
                  "{path} 有未提交的修改；请先提交或放弃修改，再执行“{action}”"),
    "txn.moved": ("the branch moved while the action ran (another commit landed); nothing was changed — run it again",
                  "操作期间分支已被其他提交更新；未做任何修改——请重新执行"),
    "txn.git": ("git failed: {error}", "git 执行失败：{error}"),
    "txn.detached": ("HEAD is detached; check out a branch first", "HEAD 处于分离状态；请先检出分支"),
})

JOURNAL = "cctk-action.journal"
LOCK = "cctk-action.lock"
_KILL_AT = os.environ.get("CCTK_TEST_KILL_AT")   # tests: simulate a crash at a named point


def _checkpoint(name: str) -> None:
    if _KILL_AT == name:
        import signal
        os.kill(os.getpid(), signal.SIGKILL)


def _git(root: Path, *args: str, input: bytes | None = None, env: dict | None = None) -> str:
    proc = subprocess.run(["git", "-C", str(root), *args], input=input, capture_output=True,
                          env=dict(os.environ, **env) if env else None)
    if proc.returncode != 0:
        raise Refused("txn.git", error=(proc.stderr or proc.stdout).decode("utf-8", "replace").strip())
    return proc.stdout.decode("utf-8", "replace").strip()


_GIT_DIRS: dict[tuple[str, str | None], Path] = {}


def git_dir(root: Path) -> Path:
    # A verb asks three times (recover, conflict check, commit): one git process, not three.
    key = (os.path.abspath(root), os.environ.get("GIT_DIR"))
    found = _GIT_DIRS.get(key)
    if found is None:
        found = _GIT_DIRS[key] = Path(_git(root, "rev-parse", "--absolute-git-dir"))
    return found


def head(root: Path) -> str | None:
    proc = subprocess.run(["git", "-C", str(root), "rev-parse", "--verify", "-q", "HEAD^{commit}"],
                          capture_output=True)
    return proc.stdout.decode().strip() or None


def recover(root: Path) -> str | None:
    """Finish or drop an interrupted action. Returns 'forward', 'dropped' or None (nothing to do)."""
    gd = git_dir(root)
    journal = gd / JOURNAL
    lock = gd / LOCK
    if lock.exists() and not _alive(lock):
        lock.unlink(missing_ok=True)       # left by a killed action
    if not journal.exists():
        return None
    try:
        plan = json.loads(journal.read_text("utf-8"))
    except (OSError, ValueError):
        journal.unlink(missing_ok=True)
        return "dropped"
    outcome = "dropped"
    if head(root) == plan["new"]:
        _apply_worktree(root, plan["new"], plan["paths"])
        outcome = "forward"
    journal.unlink(missing_ok=True)
    (gd / LOCK).unlink(missing_ok=True)
    return outcome


def _alive(lock: Path) -> bool:
    try:
        pid = int(lock.read_text() or "0")
        os.kill(pid, 0)
    except (ValueError, OSError):
        return False
    return True


def _apply_worktree(root: Path, rev: str, paths: list[str], data: dict[str, bytes | None] | None = None) -> None:
    if data is None:
        present = {p: oid for p, oid, _ in gitio.ls_tree(root, rev, paths)} if paths else {}
        data = {p: gitio.git(root, "cat-file", "blob", present[p]) if p in present else None for p in paths}
    for path in paths:
        target = root / path
        if data[path] is not None:
            atomic_write(target, data[path])
        else:
            target.unlink(missing_ok=True)
    if paths:
        _git(root, "update-index", "--add", "--remove", "--", *paths)


def dirty(root: Path, paths: list[str]) -> list[str]:
    """Paths whose work-tree or index copy differs from HEAD (an action would sweep them in)."""
    return DirtyCheck(root, paths).result()


class DirtyCheck:
    """``dirty()`` started now and read later: ``git status`` reads the whole index (100,000
    entries: 0.05 s), which can run while the caller validates the edit and hashes objects.

    ``--no-optional-locks``: the same answer, without status rewriting the whole index when any entry
    is racily clean — as the file the previous action wrote always is (written in the same second as
    the index): 0.07 s CPU and 0.1 s more per verb at 100k, and no index.lock taken."""

    def __init__(self, root: Path, paths: list[str]):
        self.paths = list(paths)
        self.proc = subprocess.Popen(["git", "--no-optional-locks", "-C", str(root), "status", "--porcelain", "-z",
                                      "--untracked-files=all", "--", *self.paths],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._out: list[str] | None = None

    def result(self) -> list[str]:
        if self._out is None:
            out, err = self.proc.communicate()
            if self.proc.returncode != 0:
                raise Refused("txn.git", error=(err or out).decode("utf-8", "replace").strip())
            self._out = [item[3:] for item in out.decode("utf-8", "replace").strip().split("\0") if item]
        return self._out

    def close(self) -> None:
        """Wait for git (never killed: it may be writing the refreshed index)."""
        if self.proc.returncode is None:
            self.proc.communicate()


def commit_files(root: Path, changes: dict[str, bytes | None], message: str, *, trailers: dict[str, str],
                 author: tuple[str, str], action: str = "", check: DirtyCheck | None = None) -> str:
    """Commit ``changes`` (path -> new bytes, None deletes) on top of HEAD; returns the commit id.

    The shared index keeps anything else the person had staged; the paths themselves must be clean
    (``check``: that question already asked for exactly these paths, see DirtyCheck).
    """
    root = Path(root)
    gd = git_dir(root)
    lock = gd / LOCK
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        raise Refused("txn.locked", path=str(lock)) from None
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    try:
        if check is None or check.paths != list(changes):
            check = DirtyCheck(root, list(changes))
        if subprocess.run(["git", "-C", str(root), "symbolic-ref", "-q", "HEAD"], capture_output=True).returncode:
            raise Refused("txn.detached")
        changed = check.result()
        if changed:
            raise Refused("txn.dirty", path=changed[0], action=action)
        blobs = {}
        for path, data in changes.items():
            blobs[path] = None if data is None else _git(root, "hash-object", "-w", "--stdin", input=data)
        with gitio.CatFile(root) as cat:
            # HEAD's commit object through the cat-file process (no rev-parse): its id is the hash of
            # what cat-file returns, its first line names its tree.
            commit = next(iter(cat.read_many(["HEAD^{commit}"])))[1]
            old = hashlib.sha1(b"commit %d\0" % len(commit) + commit).hexdigest() if commit is not None else None
            base = None
            if old:
                base = commit[5:45].decode() if commit.startswith(b"tree ") else _git(root, "rev-parse", f"{old}^{{tree}}")
            tree = _tree_with(root, cat, base, blobs) or _git(root, "hash-object", "-t", "tree", "-w", "--stdin", input=b"")
        body = message.rstrip("\n") + "\n\n" + "".join(f"{k}: {v}\n" for k, v in trailers.items())
        name, email = author
        args = ["commit-tree", tree] + (["-p", old] if old else [])
        sign = _git(root, "config", "--type=bool", "--default=false", "commit.gpgsign")
        if sign == "true":
            args.append("-S")
        new = _git(root, *args, input=body.encode("utf-8"),
                   env={"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email})
        _checkpoint("before-ref")
        (gd / JOURNAL).write_text(json.dumps({"old": old, "new": new, "paths": list(changes)}), "utf-8")
        _checkpoint("journal")
        ref_args = ["update-ref", "-m", f"cctk {action}".strip(), "HEAD", new, old or "0" * 40]
        proc = subprocess.run(["git", "-C", str(root), *ref_args], capture_output=True)
        if proc.returncode != 0:
            (gd / JOURNAL).unlink(missing_ok=True)
            raise Refused("txn.moved")
        _checkpoint("after-ref")
        _apply_worktree(root, new, list(changes), changes)
        (gd / JOURNAL).unlink(missing_ok=True)
        return new
    finally:
        if check is not None:
            check.close()
        lock.unlink(missing_ok=True)


_ENTRY = re.compile(rb"([0-7]+) ([^\0]*)\0(.{20})", re.S)
_TREE = b"40000"


def _sort_key(name: bytes, mode: bytes) -> bytes:
    return name + b"/" if mode == _TREE else name     # git's order: a directory sorts as "name/"


def _tree_with(root: Path, cat: gitio.CatFile, tree: str | None, blobs: dict[str, str | None]) -> str | None:
    """The tree ``tree`` with files replaced (path -> blob id, None deletes), written level by level
    along the changed paths only. A private index would read all 100,000 entries of a large
    repository (seconds); this reads and writes the few trees on the way. contracts/<year> holds tens
    of thousands of entries: its binary form is spliced where entries change, not rebuilt."""
    data = (next(iter(cat.read_many([tree])))[1] or b"") if tree else b""
    groups: dict[bytes, dict[str, str | None]] = {}
    for path, oid in blobs.items():
        head, _, rest = path.partition("/")
        groups.setdefault(head.encode("utf-8"), {})[rest] = oid
    found = {}
    for m in _ENTRY.finditer(data):
        if m.group(2) in groups:
            found[m.group(2)] = m
    edits: list[tuple[int, int, bytes]] = []        # (start, end, replacement) in ``data``
    inserts: list[tuple[bytes, bytes]] = []         # (sort key, entry)
    for name, sub in groups.items():
        m = found.get(name)
        if "" in sub:                               # a file at this level
            entry = b"" if sub[""] is None else b"100644 " + name + b"\0" + bytes.fromhex(sub[""])
        else:
            current = m.group(3).hex() if m and m.group(1) == _TREE else None
            child = _tree_with(root, cat, current, sub)
            entry = b"" if child is None else _TREE + b" " + name + b"\0" + bytes.fromhex(child)
        if m is not None:
            edits.append((m.start(), m.end(), entry))
        elif entry:
            inserts.append((_sort_key(name, entry.split(b" ", 1)[0]), entry))
    if inserts:
        keys = [(_sort_key(m.group(2), m.group(1)), m.start()) for m in _ENTRY.finditer(data)]
        import bisect
        for key, entry in inserts:
            i = bisect.bisect_left(keys, (key, -1))
            pos = keys[i][1] if i < len(keys) else len(data)
            edits.append((pos, pos, entry))
    edits.sort(key=lambda e: (e[0], e[1]))
    out, at = [], 0
    for start, end, entry in edits:
        out += [data[at:start], entry]
        at = end
    out.append(data[at:])
    new = b"".join(out)
    if not new:
        return None
    return _git(root, "hash-object", "-t", "tree", "-w", "--stdin", input=new)
