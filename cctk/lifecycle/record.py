"""Editing one contract.md with the ruamel round trip, so clerks' comments and key order survive."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cctk.store.yamlio import dump_roundtrip, roundtrip_yaml

# Where a new top-level key goes: after the last present key that precedes it here.
ORDER = ("code", "title", "category", "procurement_method", "key_supervision", "template", "unit", "clerk",
         "counterparty", "amount", "currency", "performance_bond", "payment_schedule", "dates", "status",
         "secret", "approvals", "filing", "acceptance", "payments", "evaluation", "amendments", "attachments",
         "ignore")


def q(value):
    """Quote values YAML could misread (dates, amounts, numbers, codes) as the record format does."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if isinstance(value, dict):
        out = CommentedMap()
        for k, v in value.items():
            if v is not None:
                out[k] = q(v)
        return out
    if isinstance(value, (list, tuple)):
        return CommentedSeq(q(v) for v in value)
    if isinstance(value, dt.date):
        return DoubleQuotedScalarString(value.isoformat())
    if isinstance(value, Decimal):
        return DoubleQuotedScalarString(f"{value:.2f}")
    if isinstance(value, str):
        plain = value.replace("-", "").replace(".", "").isalnum() and value.isascii() and value[:1].isalpha()
        return value if plain and value not in ("true", "false", "null", "yes", "no") else DoubleQuotedScalarString(value)
    return value


class _Loaded:
    """Stands in for the YAML loader ruamel's indent guess calls after reading the lines: the record
    is already loaded (a second round-trip load was a tenth of a verb's Python time)."""

    @staticmethod
    def load(stream):
        return None


def _sequence_style(text: str) -> tuple[int, int]:
    """yamlio's (sequence indent, dash offset) guess, from the same ruamel line scan, without its load."""
    from ruamel.yaml.util import load_yaml_guess_indent

    try:
        _, ind, bsi = load_yaml_guess_indent(text, yaml=_Loaded())
    except Exception:                 # same fallback as cctk.store.yamlio
        return 4, 2
    if ind is None or bsi is None:
        return 4, 2
    return (ind, bsi) if ind >= bsi + 2 else (bsi + 2, bsi)


class RecordText:
    """contract.md split into the round-trip front matter (``data``) and the untouched body."""

    def __init__(self, data: bytes):
        text = data.decode("utf-8")
        end = text.find("\n---\n", 3)
        if not text.startswith("---\n") or end == -1:
            raise ValueError("no front matter")
        self.fm = text[4:end + 1]
        self.body = text[end + 5:]
        # yamlio.load_roundtrip, the document loaded once (dump_roundtrip reads the style back)
        self.data = roundtrip_yaml().load(self.fm)
        try:
            self.data._cctk_style = _sequence_style(self.fm)
        except AttributeError:  # a scalar document
            pass

    def set(self, key: str, value) -> None:
        if key in self.data:
            self.data[key] = q(value)
            return
        pos = 0
        for i, existing in enumerate(self.data):
            if existing in ORDER and ORDER.index(existing) < ORDER.index(key):
                pos = i + 1
        self.data.insert(pos, key, q(value))

    def set_in(self, key: str, sub: str, value) -> None:
        if key not in self.data or self.data[key] is None:
            self.set(key, {sub: value})
        else:
            self.data[key][sub] = q(value)

    def append(self, key: str, item) -> None:
        if key not in self.data or self.data[key] is None:
            self.set(key, [item])
        else:
            self.data[key].append(q(item))

    def text(self) -> str:
        return "---\n" + dump_roundtrip(self.data) + "---\n" + self.body

    def bytes(self) -> bytes:
        return self.text().encode("utf-8")
