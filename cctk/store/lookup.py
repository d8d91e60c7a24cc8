"""One contract by its code, without listing or loading the others.

A contract lives at ``contracts/<year>/<code>/contract.md``, so its code names its folder: a few year
folders are looked in, not 100,000 records (``cctk show``, the lifecycle verbs, rendering). At 100,000
contracts loading every record to pick one took 5.5 s; this takes milliseconds.
"""

from __future__ import annotations

from pathlib import Path

from cctk.store import gitio

RECORD = "contract.md"


def _plausible(code: str) -> bool:
    # a code is one path component: nothing that could walk elsewhere in the tree
    return bool(code) and "/" not in code and "\\" not in code and not code.startswith(".") and "\0" not in code


def worktree_path(root: Path, code: str) -> str | None:
    """The repository-relative path of CODE's record in the work tree (the first year holding it), or None."""
    contracts = Path(root) / "contracts"
    if not _plausible(code) or not contracts.is_dir():
        return None
    for year in sorted(contracts.iterdir()):
        candidate = year / code / RECORD
        if candidate.is_file():
            return candidate.relative_to(root).as_posix()
    return None


def record(root: Path, code: str, rev: str | None = None) -> tuple[str, bytes] | None:
    """(path, bytes) of CODE's record in the work tree, or at revision ``rev`` (read from git, no work tree
    needed); None when there is none. Raises gitio.GitError for a bad revision."""
    root = Path(root)
    if rev is None:
        path = worktree_path(root, code)
        return (path, (root / path).read_bytes()) if path is not None else None
    if not _plausible(code):
        return None
    commit = gitio.resolve(root, rev)
    years = gitio.git(root, "ls-tree", "--name-only", "-z", commit, "contracts/").split(b"\0")
    names = [f"{commit}:{y.decode('utf-8', 'surrogateescape')}/{code}/{RECORD}" for y in sorted(years) if y]
    if not names:
        return None
    cat = gitio.CatFile(root)
    try:
        for name, data in cat.read_many(names):
            if data is not None:
                return name.split(":", 1)[1], data
    finally:
        cat.close()
    return None


def contract(root: Path, code: str, rev: str | None = None):
    """(Contract or None, the diagnostics of CODE's record file): the record from its folder, parsed alone;
    when no folder holds a record with that code (a folder named otherwise), every record is read and the
    code looked up. Raises gitio.GitError for a bad revision."""
    from cctk.store.loader import load
    from cctk.store.records import parse_contract

    found = record(root, code, rev)
    diags: list = []
    if found is not None:
        c, diags = parse_contract(*found)
        if c is not None and c.code == code:
            return c, diags
    c = load(root, rev).contract(code)
    return c, ([] if c is not None else diags)
