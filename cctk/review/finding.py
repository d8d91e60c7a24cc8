"""A review finding: what, where, why (the law), and what to write instead."""

from __future__ import annotations

from dataclasses import dataclass, field

from cctk import i18n
from cctk.model import Diagnostic, Severity

# The taxonomy (issue 5), in a stable order; CODES give each a diagnostic code for `cctk check`.
CATEGORIES = (
    "amount-words-mismatch", "payment-schedule-sum", "prepayment-excessive", "payment-term-late",
    "performance-bond-excessive", "penalty-excessive", "liability-asymmetric", "exemption-invalid",
    "dispute-clause-missing", "jurisdiction-unfavorable", "auto-renewal", "acceptance-missing",
    "final-interpretation", "rights-waiver", "confidentiality-missing", "ip-unfavorable", "term-excessive",
    "date-inconsistent", "placeholder-unfilled", "unilateral-change", "subcontracting", "credit-code-invalid",
)
CODES = {cat: f"CR{i:03d}" for i, cat in enumerate(CATEGORIES, 1)}


@dataclass(slots=True)
class Basis:
    law: str            # the law's name in Chinese, e.g. 中华人民共和国民法典
    law_en: str
    article: str        # e.g. 第五百零六条
    text: str           # the article quoted (or a marked summary)

    def to_json(self) -> dict:
        return {"law": self.law, "law_en": self.law_en, "article": self.article, "text": self.text}

    def cite(self) -> str:
        return f"{self.law} {self.article}"


@dataclass(slots=True)
class Finding:
    category: str
    severity: Severity
    line: int                    # 1-based, in the file
    col: int                     # 1-based
    quote: str                   # the sentence the finding is about (trimmed)
    message: str                 # catalog key
    args: dict = field(default_factory=dict)
    basis: Basis | None = None
    suggestion: str | None = None   # catalog key
    suggestion_args: dict = field(default_factory=dict)
    path: str = ""
    rule: str = ""               # the check or playbook rule that fired

    @property
    def code(self) -> str:
        return CODES[self.category]

    def text(self, lang: str | None = None) -> str:
        return i18n.t(self.message, lang, **self.args)

    def fix(self, lang: str | None = None) -> str | None:
        return i18n.t(self.suggestion, lang, **self.suggestion_args) if self.suggestion else None

    def to_json(self) -> dict:
        return {
            "category": self.category,
            "code": self.code,
            "severity": self.severity.label,
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "quote": self.quote,
            "message": i18n.both(self.message, **self.args),
            "key": self.message,
            "args": self.args,
            "basis": self.basis.to_json() if self.basis else None,
            "suggestion": i18n.both(self.suggestion, **self.suggestion_args) if self.suggestion else None,
            "rule": self.rule,
        }

    def to_diagnostic(self, contract: str | None = None) -> Diagnostic:
        """The finding as a cctk Diagnostic (code CRnnn), for `cctk check`."""
        return Diagnostic(code=self.code, severity=self.severity, path=self.path, message=self.message,
                          args=dict(self.args), line=self.line, col=self.col, contract=contract,
                          suggestion=self.suggestion, suggestion_args=dict(self.suggestion_args))

    def sort_key(self):
        return (self.path, self.line, self.col, self.category)
