"""Intelligent review (智能审核) of contract text: legal traps found in milliseconds, each located,
explained in zh/en, grounded in a quoted law article, with a suggested fix.

    review_text(text, *, path="", line_offset=0, amount=None, playbook=None) -> list[Finding]
    review_file(path, *, playbook=None) -> list[Finding]

A cctk contract (front matter + body) is reviewed on its body, cross-checked with the record's
amount, with lines counted in the whole file; any other Markdown or text file is reviewed whole.
"""

from __future__ import annotations

import re

from decimal import Decimal
from pathlib import Path

from cctk.model import Severity  # noqa: F401
from cctk.review.finding import CATEGORIES, CODES, Basis, Finding  # noqa: F401
from cctk.review.playbook import Playbook, PlaybookError, find_root, for_repository  # noqa: F401
from cctk.review import playbook as _playbook

__all__ = ["review_text", "review_file", "review_contract", "Finding", "Basis", "CATEGORIES", "CODES",
           "Playbook", "PlaybookError", "load_playbook"]


def load_playbook(root: str | Path | None = None) -> Playbook:
    """The default playbook, or a repository's (defaults merged with ROOT/policy/review.yaml)."""
    return _playbook.for_repository(root) if root is not None else _playbook.default()


def review_text(text: str, *, path: str = "", line_offset: int = 0, amount: Decimal | None = None,
                playbook: Playbook | None = None) -> list[Finding]:
    """Review contract text. ``line_offset`` is added to every line (the body's position in its file);
    ``amount`` (the recorded contract price) is used for share computations when given."""
    from cctk.review.engine import Review
    return Review(_blank_comments(text), playbook or _playbook.default(), path=path, line_offset=line_offset,
                  amount=amount).run()


_COMMENT = re.compile(r"<!--.*?-->", re.S)


def _blank_comments(text: str) -> str:
    """HTML comments (e.g. the template variables cctk new records) are not contract text: blank them,
    keeping every line and column where it was."""
    if "<!--" not in text:
        return text
    return _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)


def review_contract(contract, *, playbook: Playbook | None = None) -> list[Finding]:
    """Review a parsed cctk Contract's body (contract.body, contract.body_line, contract.amount)."""
    return review_text(contract.body, path=contract.path, line_offset=contract.body_line - 1,
                       amount=contract.amount, playbook=playbook)


def review_file(path: str | Path, *, playbook: Playbook | None = None, display_path: str | None = None) -> list[Finding]:
    """Review one file: a cctk contract or a plain Markdown/text contract. Raises OSError if unreadable
    and UnicodeDecodeError if not UTF-8 text."""
    p = Path(path)
    data = p.read_bytes()
    shown = display_path if display_path is not None else str(path)
    if playbook is None:
        playbook = load_playbook(find_root(p))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith(b"---\n") or data.startswith(b"---\r\n"):
        from cctk.store.records import parse_contract
        contract, _diags = parse_contract(shown, data)
        if contract is not None:
            return review_text(contract.body, path=shown, line_offset=contract.body_line - 1,
                               amount=contract.amount, playbook=playbook)
        # not a valid record: still review the text after the front matter, lines as in the file
        text = data.decode("utf-8").replace("\r\n", "\n")
        end = text.find("\n---\n", 3)
        if end != -1:
            body = text[end + 5:]
            return review_text(body, path=shown, line_offset=text[:end + 5].count("\n"), playbook=playbook)
        return review_text(text, path=shown, playbook=playbook)
    text = data.decode("utf-8").replace("\r\n", "\n")
    return review_text(text, path=shown, playbook=playbook)
