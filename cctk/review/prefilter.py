"""Literal prefilters for regular expressions: the words one of which every match must contain.

A playbook rule such as ``{SUPPLIER}[^。；]{0,10}(享有|保留)[^。；]{0,20}(知识产权|著作权)`` can only
match a sentence holding one of 乙方/供应商/…; a sentence with none of a rule's required words is
ruled out by one cheap search of a plain word alternation, without running the rule. Derived from
the parsed pattern (re's own parser), so a rule a repository adds to its playbook gets one too.

Sound by construction: only what every match consumes counts (literal runs, groups, repeats of at
least one, char classes of a few literal characters, and alternations whose every branch requires
something); anything else (lookarounds, anchors, classes with ranges, case-insensitive parts)
contributes nothing, and a pattern with no requirement gets no prefilter (None).
"""

from __future__ import annotations

import re
from functools import lru_cache

try:  # Python 3.11+
    import re._parser as _sre_parse
    from re import _constants as _c
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

_MAX_CLASS = 12     # a char class of up to this many literal characters counts as "one of these"


def _score(words: frozenset[str]) -> tuple[int, int]:
    # prefer sets of longer (rarer) words, then smaller sets
    return (min(len(w) for w in words), -len(words))


def _seq(items) -> frozenset[str] | None:
    """One set of words one of which every match of the sequence ``items`` contains, or None.
    Consecutive literals and small classes multiply out ('到' then [位账] -> 到位, 到账: re's parser
    factors common prefixes out of alternations like that)."""
    found: list[frozenset[str]] = []
    run: set[str] = {""}
    for op, av in list(items) + [(None, None)]:
        chars = _chars(op, av)
        if chars is not None and len(run) * len(chars) <= 64:
            run = {w + c for w in run for c in chars}
            continue
        if run != {""}:
            found.append(frozenset(run))
        run = {""}
        if chars is not None:       # too many combinations: the class alone
            run = set(chars)
            continue
        if op is None:
            break
        r = _item(op, av)
        if r is not None:
            found.append(r)
    return max(found, key=_score) if found else None


def _chars(op, av) -> frozenset[str] | None:
    """The characters a LITERAL or a small literal class matches, else None."""
    if op is _c.LITERAL:
        return frozenset((chr(av),))
    if op is _c.IN:
        chars = set()
        for o, a in av:
            if o is not _c.LITERAL:
                return None
            chars.add(chr(a))
        return frozenset(chars) if 0 < len(chars) <= _MAX_CLASS else None
    return None


def _item(op, av) -> frozenset[str] | None:
    name = getattr(op, "name", str(op))
    if op is _c.LITERAL:
        return frozenset((chr(av),))
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        if add_flags & re.IGNORECASE:
            return None
        return _seq(sub)
    if name == "ATOMIC_GROUP":
        return _seq(av)
    if op is _c.BRANCH:
        out: set[str] = set()
        for branch in av[1]:
            r = _seq(branch)
            if r is None:
                return None
            out |= r
        return frozenset(out)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) or name == "POSSESSIVE_REPEAT":
        low, _high, sub = av
        return _seq(sub) if low >= 1 else None
    if op is _c.IN:
        chars = set()
        for o, a in av:
            if o is not _c.LITERAL:
                return None
            chars.add(chr(a))
        return frozenset(chars) if 0 < len(chars) <= _MAX_CLASS else None
    return None


def _minimal(words: frozenset[str]) -> frozenset[str]:
    """Drop words containing another word of the set (the shorter one already finds them)."""
    ordered = sorted(words, key=len)
    keep: list[str] = []
    for w in ordered:
        if not any(k in w for k in keep):
            keep.append(w)
    return frozenset(keep)


@lru_cache(1024)
def required_words(pattern: re.Pattern) -> frozenset[str] | None:
    """Words one of which every match of ``pattern`` contains; None when nothing can be said."""
    if pattern.flags & re.IGNORECASE:
        return None
    try:
        words = _seq(_sre_parse.parse(pattern.pattern, pattern.flags))
    except Exception:   # noqa: BLE001 - an unusual pattern: no prefilter, never a wrong one
        return None
    if not words or "" in words:
        return None
    return _minimal(words)


def words_pattern(words) -> re.Pattern:
    """A search for any of ``words``."""
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w))))


@lru_cache(1024)
def prefilter(pattern: re.Pattern) -> re.Pattern | None:
    """A cheap search that fails wherever ``pattern`` cannot match, or None."""
    words = required_words(pattern)
    return words_pattern(words) if words else None


def union_prefilter(patterns) -> re.Pattern | None:
    """A search that fails wherever none of ``patterns`` can match, or None when one has no prefilter."""
    words: set[str] = set()
    for p in patterns:
        w = required_words(p)
        if w is None:
            return None
        words |= w
    return words_pattern(_minimal(frozenset(words))) if words else None
