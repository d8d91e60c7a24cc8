"""A repository's own rules: declarative conditions in policy/rules.yaml (``custom:``) and
Python modules in policy/*.py defining Rule subclasses.

A declarative rule reports a contract when all of its ``when`` conditions hold:

    custom:
      - code: CC901
        slug: bond-required
        severity: warning
        summary: {en: "Large contract without a performance bond", zh: "大额合同未约定履约保证金"}
        message: {en: "amount {amount} and no performance bond", zh: "合同金额 {amount}，未约定履约保证金"}
        when:
          - {field: amount, op: ge, value: "1000000"}
          - {field: performance_bond, op: missing}

Operators: eq ne gt ge lt le in not_in missing present matches contains. Field values are compared
as their model types (amounts as Decimal, dates as dates). Messages may use {code}, {amount},
{value} (the first condition's field value) and {field}.

Python rules run code from the repository, as conftest and ruff plugins do: only check
repositories you trust (``--no-local-rules`` turns them off).
"""

from __future__ import annotations

import datetime as dt
import re
import types
from decimal import Decimal, InvalidOperation

from cctk.i18n import register
from cctk.model import Diagnostic, Severity
from cctk.rules.base import Doc, Rule, register_messages

OPS = ("eq", "ne", "gt", "ge", "lt", "le", "in", "not_in", "missing", "present", "matches", "contains")
CODE_RE = re.compile(r"^[A-Z]+[0-9]+$")
_MISSING = object()

register({
    "rules.custom_invalid": ("policy rule {index} ({code}): {detail}", "策略规则 {index}（{code}）：{detail}"),
    "rules.module_failed": ("policy rule module {path} failed to load: {error}", "策略规则模块 {path} 加载失败：{error}"),
})


def resolve(obj, dotted: str):
    for part in dotted.split("."):
        if obj is None:
            return _MISSING
        if isinstance(obj, dict):
            obj = obj.get(part, _MISSING)
        elif isinstance(obj, list):
            try:
                obj = obj[int(part)]
            except (ValueError, IndexError):
                return _MISSING
        else:
            obj = getattr(obj, part, _MISSING)
        if obj is _MISSING:
            return _MISSING
    return obj


def _coerce(value, like):
    if isinstance(like, bool):
        return bool(value)
    if isinstance(like, Decimal):
        return Decimal(str(value).replace(",", ""))
    if isinstance(like, dt.date):
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    if isinstance(like, int):
        return int(value)
    return value if isinstance(value, (list, dict)) else str(value)


def holds(cond: dict, contract) -> bool:
    actual = resolve(contract, cond["field"])
    op = cond.get("op", "eq")
    absent = actual is _MISSING or actual is None or actual == [] or actual == ""
    if op == "missing":
        return absent
    if op == "present":
        return not absent
    if absent:
        return False
    value = cond.get("value")
    if op in ("in", "not_in"):
        values = [_coerce(v, actual) for v in (value or [])]
        return (actual in values) == (op == "in")
    if op == "contains":
        return value in actual
    if op == "matches":
        return re.search(str(value), str(actual)) is not None
    other = _coerce(value, actual)
    return {"eq": actual == other, "ne": actual != other, "gt": actual > other, "ge": actual >= other,
            "lt": actual < other, "le": actual <= other}[op]


def _text(entry, key) -> tuple[str, str] | None:
    value = entry.get(key)
    if isinstance(value, str):
        return (value, value)
    if isinstance(value, dict) and "en" in value and "zh" in value:
        return (str(value["en"]), str(value["zh"]))
    return None


def declarative_rules(defs, builtin_codes, path="policy/rules.yaml") -> tuple[list[Rule], list[Diagnostic]]:
    rules, diags = [], []

    def bad(i, code, detail):
        diags.append(Diagnostic(code="CC099", severity=Severity.ERROR, path=path, message="rules.custom_invalid",
                                args={"index": i + 1, "code": code, "detail": detail}))

    if not isinstance(defs, list):
        bad(0, "custom", "'custom' must be a list")
        return rules, diags
    seen = set(builtin_codes)
    for i, entry in enumerate(defs):
        code = str(entry.get("code", "?")) if isinstance(entry, dict) else "?"
        if not isinstance(entry, dict):
            bad(i, code, "each rule is a mapping")
            continue
        if not CODE_RE.match(code) or code in seen:
            bad(i, code, "code must look like CC901 and not repeat a known rule")
            continue
        summary, message = _text(entry, "summary"), _text(entry, "message")
        conds = entry.get("when")
        if summary is None or message is None:
            bad(i, code, "summary and message need 'en' and 'zh'")
            continue
        if not isinstance(conds, list) or not conds or not all(
                isinstance(c, dict) and isinstance(c.get("field"), str) and c.get("op", "eq") in OPS for c in conds):
            bad(i, code, "'when' is a list of {field, op, value} with op one of " + " ".join(OPS))
            continue
        try:
            severity = Severity.parse(str(entry.get("severity", "warning")))
        except KeyError:
            bad(i, code, "severity is error, warning or info")
            continue
        seen.add(code)
        rules.append(_make_declarative(code, str(entry.get("slug") or code.lower()), severity, summary, message,
                                       _text(entry, "fix") or ("", ""), conds, path, entry.get("doc")))
    return rules, diags


def _make_declarative(code, slug, severity, summary, message, fix, conds, path, doc_text):
    def check(self, c, ctx):
        if all(holds(cond, c) for cond in conds):
            first = resolve(c, conds[0]["field"])
            value = "" if first is _MISSING or first is None else str(first)
            at = tuple(int(p) if p.isdigit() else p for p in conds[0]["field"].split("."))
            yield self.finding(c, at, code=c.code, amount=f"{c.amount:,.2f}", value=value, field=conds[0]["field"])

    when = "\n".join(f"- {c['field']} {c.get('op', 'eq')} {c.get('value', '')}".rstrip() for c in conds)
    doc = Doc(what=(doc_text or summary[0]) + "\n\nConditions (all must hold):\n" + when,
              why=doc_text or "", fix=fix[0], failing="", passing="")
    cls = type(f"Custom{code}", (Rule,), {
        "code": code, "slug": slug, "severity": severity, "summary": summary, "messages": {"main": message},
        "fix": fix, "doc": doc, "origin": path, "check": check,
    })
    register_messages(cls)
    return cls()


def module_rules(path: str, source: str, builtin_codes) -> tuple[list[Rule], list[Diagnostic]]:
    """Execute a policy/*.py module and collect the Rule subclasses it defines."""
    name = "cctk_policy_" + re.sub(r"\W", "_", path)
    module = types.ModuleType(name)
    module.__file__ = path
    try:
        exec(compile(source, path, "exec"), module.__dict__)
    except Exception as exc:  # a broken repository rule is a finding, not a crash
        return [], [Diagnostic(code="CC099", severity=Severity.ERROR, path=path, message="rules.module_failed",
                               args={"path": path, "error": f"{type(exc).__name__}: {exc}"})]
    rules, diags = [], []
    for obj in list(module.__dict__.values()):
        if isinstance(obj, type) and issubclass(obj, Rule) and obj.__module__ == name and obj.code:
            if obj.code in builtin_codes or not CODE_RE.match(obj.code):
                diags.append(Diagnostic(code="CC099", severity=Severity.ERROR, path=path,
                                        message="rules.module_failed",
                                        args={"path": path, "error": f"rule code {obj.code!r} is invalid or taken"}))
                continue
            obj.origin = path
            register_messages(obj)
            rules.append(obj())
    return rules, diags


def source_version(defs, modules: dict[str, str]) -> list:
    """What of the repository's rules goes into the cache key."""
    return [defs, sorted(modules.items())]


__all__ = ["declarative_rules", "module_rules", "holds", "resolve", "InvalidOperation"]
