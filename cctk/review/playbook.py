"""The review playbook: thresholds, severities, legal bases and per-clause unacceptable terms,
as data. Defaults ship in cctk/data/review_playbook.yaml; a repository's policy/review.yaml is
merged over them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from cctk.model import Severity
from cctk.review.finding import CATEGORIES, Basis
from cctk.review import laws


@dataclass(slots=True)
class Rule:
    id: str
    clause: str
    category: str
    match: str
    unless: str | None
    unless_near: int | None
    kinds: tuple[str, ...] | None
    message: str
    suggestion: str
    compiled: dict = field(default_factory=dict)   # (buyer, supplier) -> (match_re, unless_re)

    def regexes(self, buyer: str, supplier: str):
        key = (buyer, supplier)
        found = self.compiled.get(key)
        if found is None:
            def sub(p):
                return re.compile(p.replace("{BUYER}", f"(?:{buyer})").replace("{SUPPLIER}", f"(?:{supplier})"))
            found = (sub(self.match), sub(self.unless) if self.unless else None)
            if len(self.compiled) > 64:
                self.compiled.clear()
            self.compiled[key] = found
        return found


@dataclass(slots=True)
class Playbook:
    data: dict
    rules: list[Rule]
    kinds: list[tuple[str, re.Pattern]]
    source: str = "default"
    # derived values the review asks for on every contract (thresholds, rule plans, kinds of titles)
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    def threshold(self, name: str) -> Decimal:
        found = self.cache.get(name)
        if found is None:
            value = self.data["thresholds"][name]
            text = str(value).strip()
            found = self.cache[name] = Decimal(text[:-1]) if text.endswith("%") else Decimal(text)
        return found

    def severity(self, category: str) -> Severity:
        return Severity.parse(self.data.get("severity", {}).get(category, "warning"))

    def applies(self, category: str, kind: str) -> bool:
        kinds = self.data.get("applies", {}).get(category)
        return kinds is None or kind in kinds

    def basis(self, category: str) -> Basis | None:
        return _basis(self, category)


def _basis(pb: Playbook, category: str) -> Basis | None:
    entry = pb.data.get("basis", {}).get(category)
    if not entry:
        return None
    law, art = entry["law"], entry["article"]
    if law in laws.LAWS:
        return Basis(laws.law_name(law, "zh"), laws.law_name(law, "en"), art, entry.get("summary") or laws.article(law, art))
    return Basis(law, entry.get("law_en", law), art, entry.get("summary", ""))


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


class PlaybookError(ValueError):
    pass


def build(data: dict, source: str = "default") -> Playbook:
    rules = []
    for clause, spec in (data.get("clauses") or {}).items():
        for r in (spec or {}).get("unacceptable") or []:
            cat = r.get("category")
            if cat not in CATEGORIES:
                raise PlaybookError(f"{source}: clauses.{clause}: unknown category {cat!r}")
            rule = Rule(id=r.get("id", cat), clause=clause, category=cat, match=r["match"], unless=r.get("unless"),
                        unless_near=r.get("unless_near"), kinds=tuple(r["kinds"]) if r.get("kinds") else None,
                        message=r.get("message", f"review.{cat}"), suggestion=r.get("suggestion", f"review.{cat}.fix"))
            try:
                rule.regexes("甲方", "乙方")
            except re.error as exc:
                raise PlaybookError(f"{source}: clauses.{clause}.{rule.id}: bad pattern: {exc}") from None
            rules.append(rule)
    kinds = [(k, re.compile(p)) for k, p in (data.get("kinds") or {}).items()]
    return Playbook(data, rules, kinds, source)


@lru_cache(maxsize=1)
def default_data() -> dict:
    text = resources.files("cctk").joinpath("data/review_playbook.yaml").read_text("utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@lru_cache(maxsize=1)
def default() -> Playbook:
    return build(default_data())


_REPO_CACHE: dict[str, tuple[float, Playbook]] = {}


def for_repository(root: str | Path | None) -> Playbook:
    """The playbook of the repository at ``root``: defaults merged with policy/review.yaml if present."""
    if root is None:
        return default()
    path = Path(root) / "policy" / "review.yaml"
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return default()
    cached = _REPO_CACHE.get(str(path))
    if cached and cached[0] == mtime:
        return cached[1]
    try:
        over = yaml.load(path.read_text("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise PlaybookError(f"{path}: {exc}") from None
    if not isinstance(over, dict):
        raise PlaybookError(f"{path}: not a mapping")
    pb = build(_merge(default_data(), over), str(path))
    _REPO_CACHE[str(path)] = (mtime, pb)
    return pb


def find_root(start: str | Path) -> Path | None:
    """The nearest directory at or above ``start`` holding cctk.yaml."""
    p = Path(start).resolve()
    if p.is_file():
        p = p.parent
    for d in (p, *p.parents):
        if (d / "cctk.yaml").is_file():
            return d
    return None
