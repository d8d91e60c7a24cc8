"""contract.md bytes -> Contract + diagnostics, never an exception.

The fast path validates with a schema compiled by fastjsonschema (microseconds per
record); only a record that fails it is re-validated with jsonschema to list every
problem, each located by re-parsing that one file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from decimal import Decimal
from functools import lru_cache
from importlib import resources

import fastjsonschema

from cctk.model import (
    Acceptance, Amendment, Approval, Attachment, Contract, Diagnostic, Evaluation, Filing, Instalment,
    Party, Payment, Severity, Suppression,
)
from cctk.model.ids import credit_code_problem
from cctk.model.money import AmountError, parse_amount
from cctk.store import messages  # noqa: F401  (registers the catalog)
from cctk.store import suppressions
from cctk.store.yamlio import YamlProblem, load_fast, locate

MAX_FILE_BYTES = 5 * 1024 * 1024

# Stable diagnostic codes of the loading layer.
CODES = {
    "file.encoding": "CC001", "file.bom": "CC002", "file.crlf": "CC002", "file.too_large": "CC003",
    "file.unreadable": "CC001", "file.conflict": "CC009",
    "fm.missing": "CC004", "fm.unclosed": "CC004", "fm.not_mapping": "CC004",
    "yaml.syntax": "CC005", "yaml.duplicate_key": "CC006", "yaml.alias": "CC007",
    "schema.required": "CC010", "schema.type": "CC010", "schema.enum": "CC010", "schema.invalid": "CC010",
    "schema.unknown": "CC011",
    "amount.float": "CC012", "amount.syntax": "CC012", "amount.precision": "CC012", "amount.nan": "CC012",
    "amount.negative": "CC012", "amount.type": "CC012",
    "date.invalid": "CC013",
    "creditcode.type": "CC014", "creditcode.length": "CC014", "creditcode.charset": "CC014", "creditcode.check": "CC014",
    "ref.unit": "CC015", "ref.supplier": "CC016", "ref.supplier_name": "CC016", "ref.person": "CC015",
    "dates.order": "CC017",
    "schedule.sum": "CC018", "schedule.share_and_amount": "CC018", "schedule.no_value": "CC018",
    "schedule.date_missing": "CC018",
    "attachment.unsafe": "CC019", "attachment.symlink": "CC019", "attachment.missing": "CC019",
    "code.pattern": "CC020", "code.folder": "CC020", "code.duplicate": "CC021",
    "suppression.unknown": "CC022", "suppression.no_reason": "CC023", "suppression.syntax": "CC023",
    "suppression.unclosed": "CC023",
    "supplier.file": "CC030", "config.invalid": "CC031", "config.missing": "CC031",
}
WARNINGS = {"schema.unknown", "file.bom", "file.crlf", "ref.supplier_name", "suppression.unknown",
            "suppression.no_reason", "suppression.syntax", "suppression.unclosed"}


def diag(key: str, path: str, *, line=None, col=None, severity=None, **args) -> Diagnostic:
    """A diagnostic of the loading layer; a ``field`` argument also names the record field."""
    sev = severity or (Severity.WARNING if key in WARNINGS else Severity.ERROR)
    return Diagnostic(code=CODES[key], severity=sev, path=path, message=key, args=args,
                      line=line, col=col, field=args.get("field"))


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(resources.files("cctk").joinpath("data/contract.schema.json").read_text("utf-8"))


@lru_cache(maxsize=1)
def _fast_validator():
    """The schema compiled to Python; the committed pre-compiled module when it matches the schema."""
    import hashlib

    text = resources.files("cctk").joinpath("data/contract.schema.json").read_bytes()
    try:
        from cctk.store import _contract_validator as pre

        if pre.SCHEMA_SHA256 == hashlib.sha256(text).hexdigest():
            return pre.validate
    except ImportError:  # pragma: no cover
        pass
    return fastjsonschema.compile(schema())


@lru_cache(maxsize=1)
def _full_validator():
    import jsonschema  # only for records that fail the fast check; importing it costs ~0.2 s

    return jsonschema.Draft202012Validator(schema())


class Source:
    """The text of one file split into front matter and body, remembering line offsets."""

    __slots__ = ("path", "text", "fm", "fm_line", "body", "body_line")

    def __init__(self, path, text, fm, fm_line, body, body_line):
        self.path, self.text, self.fm, self.fm_line, self.body, self.body_line = path, text, fm, fm_line, body, body_line

    def position(self, field_path: tuple) -> tuple[int | None, int | None]:
        """1-based (line, col) in the file of a field, found by re-parsing this one front matter."""
        found = locate(self.fm, field_path)
        if found is None:
            return self.fm_line, 1
        return found[0] + self.fm_line, found[1] + 1


def decode(path: str, data: bytes) -> tuple[str | None, list[Diagnostic]]:
    diags: list[Diagnostic] = []
    if len(data) > MAX_FILE_BYTES:
        return None, [diag("file.too_large", path, line=1, col=1, size=len(data), limit=MAX_FILE_BYTES)]
    if data.startswith(b"\xef\xbb\xbf"):
        diags.append(diag("file.bom", path, line=1, col=1))
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, diags + [diag("file.encoding", path, line=line, col=col, offset=exc.start)]
    if "\r\n" in text:
        diags.append(diag("file.crlf", path, line=text[: text.index("\r\n")].count("\n") + 1))
        text = text.replace("\r\n", "\n")
    return text, diags


def split(path: str, text: str) -> tuple[Source | None, list[Diagnostic]]:
    if not (text.startswith("---\n") or text == "---"):
        return None, [diag("fm.missing", path, line=1, col=1)]
    end = text.find("\n---\n", 3)
    if end == -1:
        if text.endswith("\n---"):
            end = len(text) - 4
        else:
            return None, [diag("fm.unclosed", path, line=text.count("\n") + 1, col=1)]
    fm = text[4:end + 1]
    body_start = end + 5
    body_line = fm.count("\n") + 3
    return Source(path, text, fm, 2, text[body_start:], body_line), []


def conflict_line(text: str) -> int | None:
    """1-based line of the first git conflict marker, when the text holds a whole conflict block
    ("<<<<<<< " … ">>>>>>> "; "=======" alone is also a Markdown heading underline)."""
    if "<<<<<<<" not in text:
        return None
    first = None
    for n, line in enumerate(text.split("\n"), 1):
        if first is None and (line.startswith("<<<<<<< ") or line == "<<<<<<<"):
            first = n
        elif first is not None and (line.startswith(">>>>>>> ") or line == ">>>>>>>"):
            return first
    return None


def parse_contract(path: str, data: bytes, *, oid: str | None = None) -> tuple[Contract | None, list[Diagnostic]]:
    """Parse one contract.md. Returns the contract (None when unusable) and its diagnostics."""
    text, diags = decode(path, data)
    if text is None:
        return None, diags
    line = conflict_line(text)
    if line is not None:   # an unresolved git merge: say so, rather than report the markers as bad YAML
        return None, diags + [diag("file.conflict", path, line=line, col=1)]
    src, more = split(path, text)
    diags += more
    if src is None:
        return None, diags
    try:
        record = load_fast(src.fm)
    except YamlProblem as exc:
        line = exc.line + src.fm_line if exc.line is not None else src.fm_line
        col = exc.col + 1 if exc.col is not None else None
        return None, diags + [diag(exc.key, path, line=line, col=col, **exc.args_)]
    if not isinstance(record, dict):
        return None, diags + [diag("fm.not_mapping", path, line=src.fm_line, col=1)]
    problems = validate(record, src)
    diags += problems
    if any(d.severity == Severity.ERROR for d in problems):
        return None, diags
    contract, more = build(record, src)
    diags += more
    if contract is not None:
        if suppressions.has_directives(text):
            diags += comments(contract, src)
        contract.oid = oid
        for d in diags:
            d.contract = contract.code
    return contract, diags


# --- schema -------------------------------------------------------------------------------

_TYPE_NAMES = {"string": "text", "integer": "an integer", "boolean": "true/false", "array": "a list",
               "object": "a mapping", "number": "a number", "null": "empty"}


def _type_name(value) -> str:
    return {bool: "true/false", int: "an integer", float: "a decimal number", str: "text", list: "a list",
            dict: "a mapping", type(None): "empty"}.get(type(value), type(value).__name__)


def validate(record: dict, src: Source) -> list[Diagnostic]:
    try:
        _fast_validator()(record)
        return []
    except fastjsonschema.JsonSchemaException:
        pass
    out = []
    for err in sorted(_full_validator().iter_errors(record), key=lambda e: list(map(str, e.absolute_path))):
        out.extend(_explain(err, record, src))
    return out


def _field(path) -> str:
    return ".".join(str(p) for p in path)


def _explain(err, record, src: Source) -> list[Diagnostic]:
    path = tuple(err.absolute_path)
    dotted = _field(path)
    if err.validator == "additionalProperties":
        allowed = list(err.schema.get("properties", {}))
        extra = [k for k in err.instance if k not in allowed]
        out = []
        for name in extra:
            line, col = src.position(path + (("key", name),))
            full = _field(path + (name,))
            d = diag("schema.unknown", src.path, line=line, col=col, field=full)
            close = difflib.get_close_matches(str(name), allowed, n=1, cutoff=0.6)
            if close:
                d.suggestion, d.suggestion_args = "schema.did_you_mean", {"name": close[0]}
            out.append(d)
        return out
    line, col = src.position(path)
    if err.validator == "required":
        name = err.message.split("'")[1] if "'" in err.message else err.message
        full = _field(path + (name,))
        return [diag("schema.required", src.path, line=line, col=col, field=full)]
    kind = err.schema.get("x-kind")
    if kind == "money":
        try:
            parse_amount(err.instance, allow_negative=True)
            reason = "amount.negative"
        except AmountError as exc:
            reason = exc.reason
        hint = f"{err.instance:.2f}" if isinstance(err.instance, float) and err.instance == err.instance else "1234.50"
        return [diag(reason, src.path, line=line, col=col, field=dotted, value=err.instance, hint=hint)]
    if kind == "date":
        return [diag("date.invalid", src.path, line=line, col=col, field=dotted, value=err.instance)]
    if err.validator == "enum":
        allowed = ", ".join(map(str, err.validator_value))
        return [diag("schema.enum", src.path, line=line, col=col, field=dotted, value=err.instance, allowed=allowed)]
    if err.validator == "type":
        expected = err.validator_value
        expected = " or ".join(_TYPE_NAMES.get(t, t) for t in (expected if isinstance(expected, list) else [expected]))
        return [diag("schema.type", src.path, line=line, col=col, field=dotted, expected=expected, got=_type_name(err.instance))]
    return [diag("schema.invalid", src.path, line=line, col=col, field=dotted, detail=err.message)]


# --- record -> model ----------------------------------------------------------------------

class _Builder:
    def __init__(self, src: Source):
        self.src = src
        self.diags: list[Diagnostic] = []

    def error(self, key, path: tuple, **args):
        line, col = self.src.position(path)
        dotted = _field(path)
        self.diags.append(diag(key, self.src.path, line=line, col=col, field=dotted, **args))

    def date(self, value, path) -> dt.date | None:
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            self.error("date.invalid", path, value=value)
            return None

    def money(self, value, path, *, negative=False) -> Decimal | None:
        if value is None:
            return None
        try:
            return parse_amount(value, allow_negative=negative)
        except AmountError as exc:
            self.error(exc.reason, path, value=value, hint="1234.50")
            return None


def _share(text: str | None) -> Decimal | None:
    return Decimal(text[:-1]) / 100 if text else None


def _score(value) -> Decimal:
    return Decimal(str(value))


# A district has a few hundred suppliers and 100,000 contracts: the check character is computed once per code.
_credit_code_problem = lru_cache(maxsize=8192)(credit_code_problem)


def build(r: dict, src: Source) -> tuple[Contract | None, list[Diagnostic]]:
    b = _Builder(src)
    cp = r["counterparty"]
    problem = _credit_code_problem(cp["credit_code"])
    if problem:
        b.error(problem, ("counterparty", "credit_code"), value=cp["credit_code"])
    amount = b.money(r["amount"], ("amount",))
    dates = {}
    for key, value in (r.get("dates") or {}).items():
        day = b.date(value, ("dates", key))
        if day:
            dates[key] = day
    schedule = []
    for i, inst in enumerate(r.get("payment_schedule") or []):
        schedule.append(Instalment(
            id=str(inst["id"]), trigger=inst["trigger"], days=inst.get("days", 0), share=_share(inst.get("share")),
            amount=b.money(inst.get("amount"), ("payment_schedule", i, "amount")),
            advance=inst.get("advance", False), on=b.date(inst.get("on"), ("payment_schedule", i, "on")),
            final=inst.get("final", False), agreed_days=inst.get("agreed_days", False)))
    approvals = [Approval(step=a["step"], by=a["by"], on=b.date(a["on"], ("approvals", i, "on")),
                          result=a.get("result", "approved"), opinion=a.get("opinion", ""), role=a.get("role"))
                 for i, a in enumerate(r.get("approvals") or [])]
    filing = None
    if (f := r.get("filing")) is not None:
        filing = Filing(number=f.get("number"), on=b.date(f.get("on"), ("filing", "on")), by=f.get("by"),
                        required=f.get("required", True), late=f.get("late", False), sha256=f.get("sha256"),
                        pdf_sha256=f.get("pdf_sha256"))
    acceptance = None
    if (a := r.get("acceptance")) is not None:
        acceptance = Acceptance(on=b.date(a["on"], ("acceptance", "on")), result=a["result"],
                                members=list(a.get("members") or []), report=a.get("report"))
    payments = [Payment(on=b.date(p["on"], ("payments", i, "on")), amount=b.money(p["amount"], ("payments", i, "amount")),
                        instalment=p.get("instalment"), by=p.get("by"), note=p.get("note", ""))
                for i, p in enumerate(r.get("payments") or [])]
    evaluation = None
    if (e := r.get("evaluation")) is not None:
        evaluation = Evaluation(on=b.date(e["on"], ("evaluation", "on")), score=_score(e["score"]), by=e.get("by"),
                                scores={k: _score(v) for k, v in (e.get("scores") or {}).items()})
    amendments = [Amendment(id=str(m["id"]), title=m["title"],
                            amount_change=b.money(m.get("amount_change", 0), ("amendments", i, "amount_change"),
                                                  negative=True) or Decimal(0),
                            signed=b.date(m.get("signed"), ("amendments", i, "signed")), path=m.get("path"),
                            status=m.get("status", "drafting"))
                  for i, m in enumerate(r.get("amendments") or [])]
    if any(d.severity == Severity.ERROR for d in b.diags):
        return None, b.diags
    contract = Contract(
        code=r["code"], title=r["title"], category=r["category"], unit=r["unit"],
        counterparty=Party(name=cp["name"], credit_code=cp["credit_code"], sme=cp.get("sme"), contact=cp.get("contact")),
        amount=amount, status=r["status"], procurement_method=r.get("procurement_method"),
        key_supervision=list(r.get("key_supervision") or []), template=r.get("template"),
        currency=r.get("currency", "CNY"),
        performance_bond=b.money(r.get("performance_bond"), ("performance_bond",)),
        payment_schedule=schedule, dates=dates, approvals=approvals, filing=filing, acceptance=acceptance,
        payments=payments, evaluation=evaluation, amendments=amendments,
        attachments=[Attachment(path=x["path"], kind=x.get("kind", "other"), sha256=x.get("sha256"))
                     for x in r.get("attachments") or []],
        ignore=[Suppression(code=s["code"], reason=s["reason"], field=s.get("field"),
                            scope="field" if s.get("field") else "contract") for s in r.get("ignore") or []],
        secret=r.get("secret", False), clerk=r.get("clerk"),
        body=src.body, path=src.path, body_line=src.body_line,
    )
    consistency(contract, r, b)
    return contract, b.diags


# Pairs (earlier, later) that must not be reversed.
DATE_ORDER = (("award", "signed"), ("drafted", "submitted"), ("submitted", "signed"), ("drafted", "signed"),
              ("signed", "published"), ("start", "end"), ("signed", "delivered"))


def consistency(c: Contract, r: dict, b: _Builder) -> None:
    """Checks inside one record that need no other file: date order, schedule totals."""
    for first, second in DATE_ORDER:
        d1, d2 = c.dates.get(first), c.dates.get(second)
        if d1 and d2 and d1 > d2:
            b.error("dates.order", ("dates", second), first=first, second=second,
                    first_value=d1.isoformat(), second_value=d2.isoformat())
    signed = c.dates.get("signed")
    if signed:
        later = [(("filing", "on"), c.filing.on if c.filing else None, "filing.on"),
                 (("acceptance", "on"), c.acceptance.on if c.acceptance else None, "acceptance.on")]
        later += [(("payments", i, "on"), p.on, f"payments.{i}.on") for i, p in enumerate(c.payments)]
        for path, day, name in later:
            if day and day < signed:
                b.error("dates.order", path, first="signed", second=name,
                        first_value=signed.isoformat(), second_value=day.isoformat())
    if c.payment_schedule:
        complete = True
        for i, inst in enumerate(c.payment_schedule):
            if inst.share is not None and inst.amount is not None:
                b.error("schedule.share_and_amount", ("payment_schedule", i), id=inst.id)
                complete = False
            elif inst.share is None and inst.amount is None:
                b.error("schedule.no_value", ("payment_schedule", i), id=inst.id)
                complete = False
            if inst.trigger == "date" and inst.on is None:
                b.error("schedule.date_missing", ("payment_schedule", i), id=inst.id)
        if complete:
            total = sum((inst.value(c.amount) for inst in c.payment_schedule), Decimal(0))
            # Shares are rounded to the fen per instalment; allow one fen per instalment of rounding.
            if abs(total - c.amount) > Decimal("0.01") * len(c.payment_schedule):
                b.error("schedule.sum", ("payment_schedule",), total=f"{total:,.2f}", amount=f"{c.amount:,.2f}")


# --- suppression comments (``# cctk: ignore CODE because …``, see cctk/store/suppressions.py) -------

def comments(contract: Contract, src: Source) -> list[Diagnostic]:
    """Add the record's suppression comments to ``contract.ignore``; located warnings for bad ones."""
    found, problems = suppressions.front_matter(src.fm, src.fm_line)
    more, more_problems = suppressions.body(src.body, src.body_line)
    out = [diag(key, src.path, line=line, col=col, **args) for key, line, col, args in problems + more_problems]
    store_codes = set(CODES.values()) | {"CC099"}
    for s in found + more:
        if s.code.startswith("CC0") and s.code not in store_codes:
            out.append(diag("suppression.unknown", src.path, line=s.line, value=s.code))
        else:
            contract.ignore.append(s)
    return out
