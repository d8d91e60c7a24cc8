"""Writing files safely: atomic replace, hash-guarded saves, record text from data."""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
from pathlib import Path

from cctk.store.yamlio import roundtrip_yaml

_PLAIN = re.compile(r"^[a-z][a-z0-9-]*$")


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write all or nothing: a temp file in the same directory, fsync, then rename over."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=".cctk-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _quoted(value):
    """Quote text that YAML could read as something else (dates, numbers, codes); keep ids plain."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if isinstance(value, dict):
        out = CommentedMap()
        for k, v in value.items():
            out[k] = _quoted(v)
        return out
    if isinstance(value, list):
        seq = CommentedSeq(_quoted(v) for v in value)
        return seq
    if isinstance(value, str) and not _PLAIN.match(value):
        return DoubleQuotedScalarString(value)
    return value


def record_text(record: dict, body: str) -> str:
    """A new contract.md from a record dict (plain values) and a Markdown body."""
    buf = io.StringIO()
    roundtrip_yaml().dump(_quoted(record), buf)
    return "---\n" + buf.getvalue() + "---\n" + body
