"""What a rule is: a stable code and slug, a severity, bilingual messages and a documentation block.

A rule is a small class registered in ``REGISTRY``. Contract rules look at one record
(``check``) and, when ``cacheable``, their findings are cached by the record's blob id;
repository rules (``scope = "repository"``) look across all records (``check_all``).
Rules import only the model and this module (see pyproject's import-linter contracts).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Iterator

from cctk.i18n import register
from cctk.model import Contract, Diagnostic, Org, Severity, Supplier


@dataclass(frozen=True)
class Quote:
    """A legal basis quoted verbatim (tests check the text against cctk/data/laws/)."""

    law: str                 # e.g. "中华人民共和国政府采购法"
    article: str             # e.g. "第四十七条"
    text: str                # verbatim, or a summary when ``summary`` is set
    file: str | None = None  # law file under cctk/data/laws/ holding the text
    summary: bool = False    # True when the source text is not shipped (quoted as a summary)


@dataclass(frozen=True)
class Doc:
    what: str
    why: str
    fix: str
    failing: str             # a YAML front-matter excerpt that fails
    passing: str             # and one that passes
    legal: tuple[Quote, ...] = ()
    settings: tuple[str, ...] = ()   # dotted setting names used (policy/rules.yaml or thresholds.yaml)


@dataclass
class Context:
    """What rules may read besides the record: settings, the evaluation date, registers."""

    settings: dict
    as_of: dt.date
    suppliers: dict[str, Supplier] = field(default_factory=dict)
    org: Org = field(default_factory=Org)
    config: dict = field(default_factory=dict)
    inspections: dict[str, list[dict]] = field(default_factory=dict)  # contract code -> inspection records
    root: Path | None = None     # the repository (model templates are read from its templates/)
    memo: dict = field(default_factory=dict)   # per-run caches rules may share (e.g. the model texts)

    def setting(self, dotted: str, default=None):
        node = self.settings
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    def money(self, dotted: str) -> Decimal:
        return Decimal(str(self.setting(dotted)).replace(",", ""))

    def share(self, dotted: str) -> Decimal:
        """A share setting such as "10%" (or 0.1) as a fraction."""
        value = str(self.setting(dotted)).strip()
        if value.endswith("%"):
            return Decimal(value[:-1]) / 100
        return Decimal(value)


@dataclass
class Finding:
    """A rule's raw result before it becomes a located Diagnostic."""

    contract: Contract
    at: tuple                            # field path in the record, e.g. ("dates", "signed")
    key: str                             # message key
    args: dict
    code: str
    severity: Severity
    related: tuple[str, ...] = ()        # other contract codes involved (cross-contract rules)

    def to_diagnostic(self) -> Diagnostic:
        field_name = ".".join(str(p) for p in self.at) if self.at else None
        return Diagnostic(code=self.code, severity=self.severity, path=self.contract.path, message=self.key,
                          args=self.args, field=field_name, contract=self.contract.code,
                          suggestion=f"rule.{self.code}.fix")


class Rule:
    code: str = ""
    slug: str = ""
    severity: Severity = Severity.ERROR
    scope: str = "contract"              # "contract" or "repository"
    cacheable: bool = True               # findings depend only on the record, settings and as_of
    summary: tuple[str, str] = ("", "")  # (en, zh) one line
    messages: dict[str, tuple[str, str]] = {}   # suffix -> (en, zh); "main" is the default
    fix: tuple[str, str] = ("", "")      # (en, zh) one line, shown under each finding
    doc: Doc | None = None
    origin: str = "cctk"                 # "cctk", or the repository file that defined it
    # Repository rules whose findings only relate contracts sharing this key (e.g. the unit) let
    # pull-request mode look at the changed contracts' partitions only.
    partition = None                     # staticmethod(contract -> hashable) or None
    # Reads only what cctk.model.facts.ContractFacts holds: rules run on every check (live and
    # repository rules) then see the light facts instead of full records (a warm run at 100k).
    facts: bool = False


    def __init__(self, severity: Severity | None = None):
        if severity is not None:
            self.severity = severity

    # -- for subclasses -------------------------------------------------------------------
    def check(self, contract: Contract, ctx: Context) -> Iterable[Finding]:
        return ()

    def check_all(self, contracts: list[Contract], ctx: Context) -> Iterable[Finding]:
        return ()

    def finding(self, contract: Contract, at: tuple, suffix: str = "main", *, related: Iterable[str] = (),
                severity: Severity | None = None, **args) -> Finding:
        return Finding(contract=contract, at=at, key=f"rule.{self.code}.{suffix}", args=args, code=self.code,
                       severity=severity or self.severity, related=tuple(related))

    # -- metadata -----------------------------------------------------------------------------
    def summary_text(self, lang: str = "en") -> str:
        return self.summary[0] if lang == "en" else self.summary[1]

    def to_json(self) -> dict:
        out = {"code": self.code, "slug": self.slug, "severity": self.severity.label, "scope": self.scope,
               "summary": self.summary[0], "summary_zh": self.summary[1], "origin": self.origin}
        if self.doc:
            out["doc"] = {
                "what": self.doc.what, "why": self.doc.why, "fix": self.doc.fix,
                "failing": self.doc.failing, "passing": self.doc.passing, "settings": list(self.doc.settings),
                "legal": [{"law": q.law, "article": q.article, "text": q.text, "summary": q.summary}
                          for q in self.doc.legal],
            }
        return out


REGISTRY: dict[str, type[Rule]] = {}


def register_messages(cls: type[Rule]) -> None:
    entries = {f"rule.{cls.code}.{k}": v for k, v in cls.messages.items()}
    entries[f"rule.{cls.code}.fix"] = cls.fix
    entries[f"rule.{cls.code}.summary"] = cls.summary
    register(entries)


def rule(cls: type[Rule]) -> type[Rule]:
    """Class decorator: add a built-in rule to the registry and its messages to the catalog."""
    if cls.code in REGISTRY and REGISTRY[cls.code] is not cls:
        raise ValueError(f"duplicate rule code {cls.code}")
    REGISTRY[cls.code] = cls
    register_messages(cls)
    return cls


def fmt_money(value: Decimal) -> str:
    return f"{value:,.2f}"


def first_date(*days: dt.date | None) -> dt.date | None:
    days = [d for d in days if d]
    return min(days) if days else None


def iter_paid_after(contract: Contract, day: dt.date) -> Iterator:
    for i, p in enumerate(contract.payments):
        if p.on and p.on > day:
            yield i, p


RELATED_LIMIT = 10

