"""The settings an action or a trail question needs — cctk.yaml, policy/org.yaml and the rest of
policy/ — read alone, from the work tree or from a revision.

``cctk.store.loader.load(contracts=False)`` lists the whole repository (100,000 contract files:
seconds), which a one-contract action has no use for; this reads a dozen small files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from cctk.store import gitio

PATHS = ["cctk.yaml", "policy"]


@dataclass
class Settings:
    config: dict
    org: object
    policy: dict
    rev: str | None = None
    contracts: list = field(default_factory=list)     # for code written against a Snapshot


def is_setting(path: str) -> bool:
    return path == "cctk.yaml" or (path.startswith("policy/") and path.count("/") == 1
                                   and path.endswith((".yaml", ".yml")))


def parse(files: dict[str, bytes | None], rev: str | None = None) -> Settings:
    from cctk.store.repo import parse_config, parse_org, parse_policy

    config, _ = parse_config(files.get("cctk.yaml"))
    org, _ = parse_org(files.get("policy/org.yaml"))
    policy, _ = parse_policy({p: d for p, d in files.items()
                              if p.startswith("policy/") and p != "policy/org.yaml" and d is not None})
    return Settings(config, org, policy, rev)


def read(root: Path | str, rev: str | None = None, cat: gitio.CatFile | None = None) -> Settings:
    """Settings in the work tree (``rev`` None) or at a revision (no work tree needed: a server)."""
    root = Path(root)
    if rev is None:
        files: dict[str, bytes | None] = {}
        names = ["cctk.yaml"]
        try:
            names += [f"policy/{n}" for n in os.listdir(root / "policy")]
        except OSError:
            pass
        for path in names:
            if is_setting(path):
                try:
                    files[path] = (root / path).read_bytes()
                except OSError:
                    pass
        return _memo(root, {p: gitio.blob_oid(d) for p, d in files.items()}, None, lambda: files)
    oids = oids_at(root, rev)
    return _memo(root, oids, rev, lambda: _read_oids(root, oids, cat))


def _memo(root: Path, oids: dict[str, str], rev: str | None, files) -> Settings:
    """parse(files()), remembered in the git dir by the files' blob ids (the same key for the work
    tree and a revision holding the same files): a district's org.yaml lists hundreds of people, and building them from YAML is a
    tenth of a verb's time budget."""
    import hashlib
    import pickle

    from importlib.util import find_spec

    gd = root / ".git" if (root / ".git").is_dir() else root if (root / "objects").is_dir() else None
    if gd is None:
        return parse(files(), rev)
    h = hashlib.sha256()
    for mod in ("cctk.store.repo", "cctk.model.contract"):   # a change to the parsing code or the model
        h.update(str(os.stat(find_spec(mod).origin).st_mtime_ns).encode())   # (located, not imported)
    for path in sorted(oids):
        h.update(f"{path}\0{oids[path]}\n".encode())
    key = h.hexdigest()
    memo = gd / "cctk" / "settings.pickle"
    try:
        stored_key, value = pickle.loads(memo.read_bytes())
        if stored_key == key:
            value.rev = rev
            return value
    except Exception:                     # missing, unreadable or from another version: parse again
        pass
    value = parse(files(), rev)
    try:
        memo.parent.mkdir(exist_ok=True)
        tmp = memo.with_name(f"settings.{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, memo)
    except OSError:
        pass
    return value


def _read_oids(root: Path, oids: dict[str, str], cat: gitio.CatFile | None) -> dict[str, bytes | None]:
    if cat is None:
        with gitio.CatFile(root) as own:
            return dict(zip(oids, (d for _, d in own.read_many(list(oids.values())))))
    return dict(zip(oids, (d for _, d in cat.read_many(list(oids.values())))))


def oids_at(root: Path, rev: str) -> dict[str, str]:
    return {p: o for p, o, _ in gitio.ls_tree(root, rev, PATHS) if is_setting(p)}


def files_at(root: Path, rev: str, cat: gitio.CatFile | None = None) -> dict[str, bytes | None]:
    return _read_oids(root, oids_at(root, rev), cat)
