"""Plain git, run the fast way: one ``ls-tree``/``ls-files`` listing and one ``cat-file --batch``
stream for any number of blobs (GitPython starts a process per call for several of these)."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from pathlib import Path


class GitError(Exception):
    def __init__(self, key: str, **args):
        super().__init__(f"{key} {args}")
        self.key = key
        self.args_ = args


def git(root: Path | str, *args: str, input: bytes | None = None, check: bool = True) -> bytes:
    proc = subprocess.run(["git", "-C", str(root), *args], input=input, capture_output=True)
    if check and proc.returncode != 0:
        raise GitError("git.error", error=proc.stderr.decode("utf-8", "replace").strip() or " ".join(args))
    return proc.stdout


def is_git_repo(root: Path) -> bool:
    return (root / ".git").exists()


def git_dir(root: Path) -> Path | None:
    if not is_git_repo(root):
        return None
    out = git(root, "rev-parse", "--absolute-git-dir", check=False).strip()
    return Path(out.decode()) if out else None


def resolve(root: Path, rev: str) -> str:
    proc = subprocess.run(["git", "-C", str(root), "rev-parse", "--verify", "--quiet", rev + "^{commit}"],
                          capture_output=True)
    if proc.returncode != 0:
        raise GitError("git.rev", rev=rev)
    return proc.stdout.decode().strip()


def blob_oid(data: bytes) -> str:
    """The id git gives these bytes as a blob (so work-tree files and revisions share cache keys)."""
    h = hashlib.sha1(b"blob %d\0" % len(data))
    h.update(data)
    return h.hexdigest()


def ls_tree(root: Path, rev: str, paths: list[str]) -> list[tuple[str, str, str]]:
    """(path, oid, mode) of every blob under ``paths`` at ``rev``."""
    out = git(root, "ls-tree", "-r", "-z", "--full-tree", rev, "--", *paths)
    entries = []
    for item in out.split(b"\0"):
        if not item:
            continue
        meta, _, path = item.partition(b"\t")
        mode, kind, oid = meta.split()
        if kind == b"blob":
            entries.append((path.decode("utf-8", "surrogateescape"), oid.decode(), mode.decode()))
    return entries


_LS_ENTRY = re.compile(r"(\d+) ([0-9a-f]+) \d\t([^\0]*)\0")
_TRACKED_FOLDER = re.compile(r"\tcontracts/([^/\0]+/[^/\0]+)/")
_TRACKED_CONTRACT = re.compile(r"\tcontracts/([^/\0]+/[^/\0]+)/contract\.md\0")


def _popen(root: Path | str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(["git", "-C", str(root), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _finish(proc: subprocess.Popen, what: str) -> bytes:
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise GitError("git.error", error=err.decode("utf-8", "replace").strip() or what)
    return out


def worktree_oids(root: Path, paths: list[str], symlinks: set[str] | None = None) -> tuple[dict[str, str], set[str]]:
    """Index blob ids of tracked files whose work-tree copy git says is unchanged, plus the set of
    paths that must be read and hashed (modified or untracked). Uses git's stat cache, so an
    unchanged repository costs two listings rather than reading every file. ``symlinks``, when
    given, receives the paths that are symbolic links (from the index mode, or the file system
    for changed paths).

    At 100,000 contracts every per-entry Python step costs a tenth of a second, so the listings run
    concurrently (git stats the work tree on its own threads while Python scans for new folders)
    and the listing is parsed with regular expressions over one decoded string.
    """
    listing = _popen(root, "ls-files", "-s", "-z", "--", *paths)
    changed = _popen(root, "diff-files", "--name-only", "-z", "--", *paths)
    small = [p for p in paths if p != "contracts"]
    others = _popen(root, "ls-files", "-o", "--exclude-standard", "-z", "--", *small) if small else None
    text = _finish(listing, "ls-files").decode("utf-8", "surrogateescape")
    entries = _LS_ENTRY.findall(text)
    known: dict[str, str] = {path: oid for _, oid, path in entries}
    links = {path for mode, _, path in entries if mode == "120000"}
    dirty: set[str] = set()
    if "contracts" in paths:
        dirty |= _untracked_contract_files(root, text)
    for item in _finish(changed, "diff-files").split(b"\0"):
        if item:
            dirty.add(item.decode("utf-8", "surrogateescape"))
    if others is not None:
        for item in _finish(others, "ls-files -o").split(b"\0"):
            if item:
                dirty.add(item.decode("utf-8", "surrogateescape"))
    for path in dirty:
        known.pop(path, None)
    if symlinks is not None:
        symlinks.update(links - dirty)
        symlinks.update(p for p in dirty if os.path.islink(os.path.join(root, p)))
    return known, dirty


def _untracked_contract_files(root: Path, listing: str) -> set[str]:
    """Files under contracts/ that git does not track.

    ``git ls-files -o`` walks every one of 100,000 contract folders (1.7 s); the layout
    contracts/<year>/<code>/ lets one directory listing per year find the folders git does not
    know, and only those are walked. (New attachments beside a tracked contract are not listed:
    the reference checks ask the file system about the attachments a record names.)
    """
    # "year/name" strings straight from the regex engine, compared as sets: no Python loop over 100,000
    # folders (each step of one costs a tenth of a second at this size).
    tracked = set(_TRACKED_FOLDER.findall(listing))
    with_contract = set(_TRACKED_CONTRACT.findall(listing))
    out: set[str] = set()
    base = os.path.join(root, "contracts")
    try:
        years = list(os.scandir(base))
    except OSError:
        return out
    present: set[str] = set()
    for year in years:
        if year.is_dir(follow_symlinks=False):
            present.update(map(f"{year.name}/".__add__, os.listdir(year.path)))
        elif year.is_file():
            out.add(f"contracts/{year.name}")
    for rel in present - tracked:
        full = os.path.join(base, rel)
        if os.path.isdir(full) and not os.path.islink(full):
            for dirpath, _, files in os.walk(full):
                for f in files:
                    out.add(os.path.relpath(os.path.join(dirpath, f), root))
        elif f"\tcontracts/{rel}\0" not in listing:       # a stray file in a year folder, untracked
            out.add(f"contracts/{rel}")
    for rel in tracked - with_contract:
        # A tracked folder without a tracked contract.md may hold a new one.
        if os.path.isfile(os.path.join(base, rel, "contract.md")):
            out.add(f"contracts/{rel}/contract.md")
    return out


class CatFile:
    """One ``git cat-file --batch`` process streaming many blobs."""

    def __init__(self, root: Path):
        self.proc = subprocess.Popen(["git", "-C", str(root), "cat-file", "--batch"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def read_many(self, oids: list[str]):
        """Yield (oid, bytes) in order; writes requests from a thread so large batches don't deadlock."""
        import threading

        def feed():
            try:
                for oid in oids:
                    self.proc.stdin.write(oid.encode() + b"\n")
                self.proc.stdin.flush()
            except BrokenPipeError:  # pragma: no cover
                pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        out = self.proc.stdout
        for oid in oids:
            header = out.readline().split()
            if len(header) < 3 or header[1] == b"missing":
                yield oid, None
                continue
            size = int(header[2])
            data = out.read(size)
            out.read(1)
            yield oid, data
        writer.join()

    def close(self):
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def read_worktree(root: Path, rel: str) -> bytes:
    with open(os.path.join(root, rel), "rb") as fh:
        return fh.read()


def commit(root: Path, paths: list[str], message: str, *, trailers: dict[str, str] | None = None,
           author: str | None = None, date: str | None = None, env: dict | None = None) -> str:
    """Stage exactly ``paths`` and commit them; on failure the index is put back as it was."""
    body = message.rstrip("\n") + "\n"
    if trailers:
        body += "\n" + "".join(f"{k}: {v}\n" for k, v in trailers.items())
    run_env = dict(os.environ, **(env or {}))
    if date:
        run_env["GIT_AUTHOR_DATE"] = run_env["GIT_COMMITTER_DATE"] = date
    had_head = subprocess.run(["git", "-C", str(root), "rev-parse", "--verify", "-q", "HEAD"],
                              capture_output=True).returncode == 0
    try:
        git(root, "add", "--", *paths)
        args = ["commit", "-q", "--only", "-F", "-", "--", *paths]
        if author:
            args[1:1] = ["--author", author]
        proc = subprocess.run(["git", "-C", str(root), *args], input=body.encode("utf-8"),
                              capture_output=True, env=run_env)
        if proc.returncode != 0:
            raise GitError("git.error", error=(proc.stderr or proc.stdout).decode("utf-8", "replace").strip())
    except BaseException:
        if had_head:
            subprocess.run(["git", "-C", str(root), "reset", "-q", "HEAD", "--", *paths], capture_output=True)
        else:
            subprocess.run(["git", "-C", str(root), "rm", "-q", "--cached", "--", *paths], capture_output=True)
        raise
    return git(root, "rev-parse", "HEAD").decode().strip()
