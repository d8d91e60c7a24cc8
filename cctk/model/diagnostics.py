"""Problems as data: every finding carries its file, line, column, a stable code and a message key."""

from __future__ import annotations

from dataclasses import dataclass, field as _field
from enum import IntEnum

from cctk import i18n


class Severity(IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        return cls[text.upper()]


@dataclass(slots=True)
class Diagnostic:
    code: str                      # stable, e.g. "CC004"
    severity: Severity
    path: str                      # repository-relative path
    message: str                   # catalog key
    args: dict = _field(default_factory=dict)
    line: int | None = None        # 1-based
    col: int | None = None         # 1-based
    field: str | None = None       # dotted field path in the record, e.g. "payment_schedule.1.share"
    contract: str | None = None    # contract code, when known
    suggestion: str | None = None  # catalog key of a suggested fix
    suggestion_args: dict = _field(default_factory=dict)

    def text(self, lang: str | None = None) -> str:
        return i18n.t(self.message, lang, **self.args)

    def fix(self, lang: str | None = None) -> str | None:
        if not self.suggestion:
            return None
        return i18n.t(self.suggestion, lang, **self.suggestion_args)

    def location(self) -> str:
        loc = self.path
        if self.line:
            loc += f":{self.line}"
            if self.col:
                loc += f":{self.col}"
        return loc

    def to_json(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity.label,
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "field": self.field,
            "contract": self.contract,
            "message": i18n.both(self.message, **self.args),
            "suggestion": i18n.both(self.suggestion, **self.suggestion_args) if self.suggestion else None,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Diagnostic":
        # Cached diagnostics keep their key and args so they can be re-rendered in any language.
        return cls(
            code=data["code"], severity=Severity.parse(data["severity"]), path=data["path"],
            message=data["key"], args=data.get("args", {}), line=data.get("line"), col=data.get("col"),
            field=data.get("field"), contract=data.get("contract"),
            suggestion=data.get("suggestion"), suggestion_args=data.get("suggestion_args", {}),
        )

    def to_cache(self) -> dict:
        return {
            "code": self.code, "severity": self.severity.label, "path": self.path, "key": self.message,
            "args": self.args, "line": self.line, "col": self.col, "field": self.field,
            "contract": self.contract, "suggestion": self.suggestion, "suggestion_args": self.suggestion_args,
        }

    def sort_key(self):
        return (self.path, self.line or 0, self.col or 0, self.code)
