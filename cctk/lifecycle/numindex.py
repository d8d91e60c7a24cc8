"""Filing numbers in use at a commit, without loading the contracts.

``cctk file`` needs every number of the year to draw the next one, and the server hook every number
on every branch tip to refuse a duplicate. Loading 100,000 records for that costs seconds; instead the
numbers of one commit are kept in ``<git dir>/cctk/filing-numbers.json`` and brought to any other
commit by ``git diff-tree`` between the two (only the records that changed are read). A first run
reads every record blob once, with a cheap scan of the front matter rather than a full parse.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import msgspec

from cctk.store import gitio

ZERO = "0" * 40
_BLOCK = re.compile(r"^filing:[ \t]*(?:#.*)?\n((?:[ \t]+.*\n|[ \t]*\n)*)", re.M)
_NUMBER = re.compile(r"^([ \t]+)number:[ \t]*(.*?)[ \t]*(?:#.*)?$", re.M)


def filing_number(data: bytes | None) -> str | None:
    """The filing.number of a contract.md, read from the front matter (a YAML parse only for
    unusual layouts, e.g. a flow mapping)."""
    if not data or b"filing:" not in data:
        return None
    text = data.decode("utf-8", "replace")
    end = text.find("\n---\n", 3)
    fm = text[4:end + 1] if text.startswith("---\n") and end != -1 else None
    if fm is None or "filing:" not in fm:
        return None
    m = _BLOCK.search(fm)
    if m:
        block = m.group(1)
        first = re.match(r"[ \t]*", block).group(0) if block else ""
        for n in _NUMBER.finditer(block):
            if n.group(1) == first:
                value = n.group(2)
                if value[:1] in "\"'" and value[-1:] == value[:1] and len(value) >= 2:
                    return value[1:-1] or None
                return None if value in ("", "~", "null", "Null", "NULL") else value
        if block.strip():
            return None
    # Anything else (flow style, anchors …): parse it.
    from cctk.store.yamlio import YamlProblem, load_fast
    try:
        record = load_fast(fm)
    except YamlProblem:
        return None
    filing = record.get("filing") if isinstance(record, dict) else None
    number = filing.get("number") if isinstance(filing, dict) else None
    return str(number) if number else None


def _is_record(path: str) -> bool:
    return path.startswith("contracts/") and path.endswith("/contract.md") and path.count("/") == 3


class Index(msgspec.Struct):
    commit: str
    numbers: dict[str, str]           # contract.md path -> filing number (filed contracts only)


def _store(root: Path) -> Path:
    gd = gitio.git_dir(root) or Path(root)
    return Path(gd) / "cctk" / "filing-numbers.msgpack"


def _load(path: Path) -> Index | None:
    try:
        return msgspec.msgpack.decode(path.read_bytes(), type=Index)
    except (OSError, msgspec.DecodeError, msgspec.ValidationError):
        return None


def _save(path: Path, index: Index) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(msgspec.msgpack.encode(index))
        os.replace(tmp, path)
    except OSError:          # a read-only repository: the next run starts again from scratch
        pass


def _read_numbers(root: Path, items: list[tuple[str, str]], numbers: dict[str, str]) -> None:
    wanted = [(p, o) for p, o in items if o != ZERO]
    for path, oid in items:
        if oid == ZERO:
            numbers.pop(path, None)
    if not wanted:
        return
    with gitio.CatFile(root) as cat:
        for (path, _), (_, data) in zip(wanted, cat.read_many([o for _, o in wanted])):
            number = filing_number(data)
            if number:
                numbers[path] = number
            else:
                numbers.pop(path, None)


def numbers_at(root: Path | str, rev: str = "HEAD") -> dict[str, str]:
    """contract.md path -> filing number for every filed contract at ``rev``."""
    root = Path(root)
    commit = gitio.resolve(root, rev)
    store = _store(root)
    index = _load(store)
    if index is not None and index.commit == commit:
        return dict(index.numbers)
    numbers: dict[str, str]
    proc = None
    if index is not None:
        proc = subprocess.run(["git", "-C", str(root), "-c", "core.quotePath=false", "diff-tree", "-r", "-z",
                               "--no-renames", "--raw", "--no-abbrev", index.commit, commit, "--", "contracts"],
                              capture_output=True)
    if proc is not None and proc.returncode == 0:
        numbers = dict(index.numbers)
        items, parts = [], proc.stdout.decode("utf-8", "surrogateescape").split("\0")
        for meta, path in zip(parts[0::2], parts[1::2]):
            if _is_record(path):
                items.append((path, meta.split()[3]))
        _read_numbers(root, items, numbers)
    else:                                  # first run, or the cached commit is gone
        numbers = {}
        _read_numbers(root, [(p, o) for p, o, _ in gitio.ls_tree(root, commit, ["contracts"]) if _is_record(p)],
                      numbers)
    _save(store, Index(commit, numbers))
    return numbers


def in_use(root: Path | str, rev: str = "HEAD", exclude_path: str | None = None) -> dict[str, str]:
    """filing number -> contract code at ``rev`` (numbering.numbers_in_use without loading records)."""
    return {n: p.split("/")[2] for p, n in numbers_at(root, rev).items() if p != exclude_path}
