"""Model contract texts (示范文本): versioned Jinja2 templates rendered in the sandbox.

A template is two files in ``templates/contracts/``: ``<id>@<version>.md.j2`` (the
Markdown text) and ``<id>@<version>.yaml`` (metadata: title, category, source and the
clause variables with their types, defaults and options). A repository's own
``templates/`` comes first; the copy shipped in the package fills in the rest.

Templates are untrusted input (anyone with write access to a repository can change
them), so they run in Jinja2's ``SandboxedEnvironment`` with ``StrictUndefined``.

The record and the text are filled from the same data: an amount is parsed once into
a Decimal and the text shows that Decimal in figures and in uppercase words, so the
two can never disagree. The clause variables are kept at the end of the text in an
HTML comment (invisible in every rendering) so that ``template_deviation`` can
re-render exactly the text the contract started from.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path

from cctk.model import Contract
from cctk.model.contract import CATEGORIES, KEY_SUPERVISION, PROCUREMENT_METHODS, TRIGGERS
from cctk.model.ids import credit_code_problem
from cctk.model.money import AmountError, format_amount, parse_amount, to_uppercase
from cctk.render.errors import RenderError
from cctk.render.repo import unit_name
from cctk.store.yamlio import YamlProblem, load_fast

CONTRACTS_DIR = "contracts"
VARS_RE = re.compile(r"\n*<!-- cctk:template-vars (\{.*?\}) -->\s*\Z", re.S)
_NAME_RE = re.compile(r"^([a-z0-9-]+)@([0-9A-Za-z.]+)$")
VAR_TYPES = ("text", "integer", "boolean", "date", "option", "amount", "list")

METHOD_ZH = {
    "open-tender": "公开招标", "invited-tender": "邀请招标", "competitive-negotiation": "竞争性谈判",
    "competitive-consultation": "竞争性磋商", "single-source": "单一来源采购", "inquiry": "询价",
    "framework": "框架协议采购", "direct": "直接采购",
}
TRIGGER_ZH = {"signing": "合同签订后", "delivery": "交付后", "acceptance": "验收合格后",
              "filing": "合同备案后", "date": "于约定日期"}
CATEGORY_ZH = {"goods": "货物", "services": "服务", "works": "工程", "lease-out": "国有资产出租", "other": "其他"}
# Record fields a template's data may carry (everything else must be a declared variable).
RECORD_FIELDS = ("code", "title", "category", "procurement_method", "key_supervision", "unit", "clerk",
                 "counterparty", "amount", "currency", "performance_bond", "payment_schedule", "dates",
                 "status", "secret")
EXTRA_FIELDS = ("buyer",)   # context only, not stored in the record


def package_templates_dir() -> Path:
    """The default templates shipped with cctk (what `cctk init` copies)."""
    return Path(str(resources.files("cctk").joinpath("data/templates")))


def _dirs(repo_root) -> list[Path]:
    dirs = []
    if repo_root is not None:
        own = Path(repo_root) / "templates" / CONTRACTS_DIR
        if own.is_dir():
            dirs.append(own)
    dirs.append(package_templates_dir() / CONTRACTS_DIR)
    return dirs


@dataclass(slots=True)
class Variable:
    name: str
    type: str
    label: str = ""
    default: object = None
    required: bool = False
    options: list = field(default_factory=list)
    help: str = ""


@dataclass(slots=True)
class Template:
    id: str
    version: str
    title: str
    category: str
    path: Path                       # the .md.j2 file
    title_en: str = ""
    source: str = ""
    description: str = ""
    variables: dict[str, Variable] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"


def _meta_error(path: Path, problem: str) -> RenderError:
    return RenderError("tpl.meta", file=str(path), problem=problem)


def _load_meta(meta_path: Path, text_path: Path) -> Template:
    try:
        meta = load_fast(meta_path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, YamlProblem) as exc:
        raise _meta_error(meta_path, str(exc)) from None
    if not isinstance(meta, dict):
        raise _meta_error(meta_path, "not a mapping")
    m = _NAME_RE.match(text_path.name.removesuffix(".md.j2"))
    if not m:
        raise _meta_error(meta_path, "file name must be <id>@<version>.md.j2")
    tid, version = m.groups()
    if str(meta.get("id", tid)) != tid or str(meta.get("version", version)) != version:
        raise _meta_error(meta_path, f"id/version must match the file name ({tid}@{version})")
    category = meta.get("category")
    if category not in CATEGORIES:
        raise _meta_error(meta_path, f"category must be one of {', '.join(CATEGORIES)}")
    variables = {}
    for name, spec in (meta.get("variables") or {}).items():
        if not isinstance(spec, dict) or spec.get("type") not in VAR_TYPES:
            raise _meta_error(meta_path, f"variable {name}: type must be one of {', '.join(VAR_TYPES)}")
        if name in RECORD_FIELDS or name in EXTRA_FIELDS or not re.fullmatch(r"[a-z_][a-z0-9_]*", str(name)):
            raise _meta_error(meta_path, f"variable {name}: invalid or reserved name")
        var = Variable(name=name, type=spec["type"], label=str(spec.get("label", name)),
                       default=spec.get("default"), required=bool(spec.get("required", False)),
                       options=list(spec.get("options") or []), help=str(spec.get("help", "")))
        if var.type == "option" and not var.options:
            raise _meta_error(meta_path, f"variable {name}: an option needs options:")
        variables[name] = var
    return Template(id=tid, version=version, title=str(meta.get("title", tid)), category=category,
                    path=text_path, title_en=str(meta.get("title_en", "")), source=str(meta.get("source", "")),
                    description=str(meta.get("description", "")), variables=variables)


@lru_cache(maxsize=256)
def _load_meta_cached(meta_path: Path, text_path: Path, meta_mtime: int, text_mtime: int) -> Template:
    # `cctk check` (rule CC601) asks for a template per contract: parse each metadata file once per change
    return _load_meta(meta_path, text_path)


def list_templates(repo_root=None) -> list[Template]:
    """Every template (repository first, then the shipped defaults), sorted by id and version."""
    found: dict[str, Template] = {}
    for folder in _dirs(repo_root):
        for text_path in sorted(folder.glob("*@*.md.j2")):
            if text_path.name.startswith("_"):
                continue
            meta_path = text_path.with_name(text_path.name.removesuffix(".md.j2") + ".yaml")
            if not meta_path.is_file():
                raise _meta_error(meta_path, "missing metadata file")
            tpl = _load_meta_cached(meta_path, text_path, meta_path.stat().st_mtime_ns, text_path.stat().st_mtime_ns)
            found.setdefault(tpl.ref, tpl)
    return sorted(found.values(), key=lambda t: (t.id, _version_key(t.version)))


def _version_key(version: str):
    return [int(p) if p.isdigit() else p for p in version.split(".")]


def get_template(template_id: str, repo_root=None) -> Template:
    """``goods@2018.1``, or ``goods`` for its newest version."""
    templates = list_templates(repo_root)
    if "@" in template_id:
        hits = [t for t in templates if t.ref == template_id]
    else:
        hits = [t for t in templates if t.id == template_id][-1:]
    if not hits:
        raise RenderError("tpl.unknown", id=template_id, available=", ".join(t.ref for t in templates))
    return hits[0]


# --- the sandbox ---------------------------------------------------------------------------

def _money(value) -> str:
    return "¥" + format_amount(_dec(value))


def _upper(value) -> str:
    return "人民币" + to_uppercase(_dec(value))


def _dec(value) -> Decimal:
    return value if isinstance(value, Decimal) else parse_amount(value, allow_negative=True)


def _cn_count(value) -> str:
    """4 -> 肆: counts of copies are written in uppercase numerals in contracts."""
    return to_uppercase(Decimal(int(value))).removesuffix("元整")


def _cn_date(value) -> str:
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return f"{day.year}年{day.month}月{day.day}日"


@lru_cache(maxsize=16)
def _environment(dirs: tuple[str, ...]) -> SandboxedEnvironment:
    # Jinja2 is imported here, not with the module: cctk.render.pdf needs only this module's tables
    # (and ``cctk file`` renders no model text), and jinja2 costs 25 ms to import.
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment
    env = SandboxedEnvironment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(d) for d in dirs]),
        undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True,
        trim_blocks=True, lstrip_blocks=True, auto_reload=True)
    env.filters.update(money=_money, upper=_upper, cn_date=_cn_date, cn_count=_cn_count)
    return env


def _template_location(exc: BaseException, default: Path) -> tuple[str, int | None]:
    """The template file and line an exception was raised at (Jinja maps frames to template lines)."""
    file, line = str(default), None
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(".j2"):
            file, line = name, tb.tb_lineno
        tb = tb.tb_next
    return file, line


def _render(tpl: Template, context: dict, repo_root) -> str:
    import jinja2
    from jinja2.sandbox import SecurityError
    env = _environment(tuple(str(d) for d in _dirs(repo_root)))
    try:
        jt = env.get_template(tpl.path.name)
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError("tpl.syntax", file=exc.filename or str(tpl.path), line=exc.lineno,
                          problem=exc.message) from None
    except jinja2.TemplateNotFound as exc:
        raise RenderError("tpl.runtime", file=str(tpl.path), line="?", problem=f"template not found: {exc}") from None
    try:
        return jt.render(context)
    except SecurityError as exc:
        file, line = _template_location(exc, tpl.path)
        raise RenderError("tpl.security", file=file, line=line or "?", problem=str(exc)) from None
    except jinja2.UndefinedError as exc:
        file, line = _template_location(exc, tpl.path)
        raise RenderError("tpl.undefined", file=file, line=line or "?", problem=exc.message) from None
    except jinja2.TemplateSyntaxError as exc:   # from an included/extended template
        raise RenderError("tpl.syntax", file=exc.filename or str(tpl.path), line=exc.lineno,
                          problem=exc.message) from None
    except RecursionError:
        raise RenderError("tpl.runtime", file=str(tpl.path), line="?", problem="recursion too deep") from None
    except Exception as exc:  # anything a template can provoke (ZeroDivisionError, TypeError, AmountError...)
        file, line = _template_location(exc, tpl.path)
        raise RenderError("tpl.runtime", file=file, line=line or "?", problem=f"{type(exc).__name__}: {exc}") from None


# --- data -> record + context ----------------------------------------------------------------

def _field_error(name: str, problem: str) -> RenderError:
    return RenderError("tpl.field", field=name, problem=problem)


def _amount(value, name: str, *, negative=False) -> Decimal:
    try:
        return parse_amount(value, allow_negative=negative)
    except AmountError as exc:
        raise _field_error(name, f"{exc.reason}: {value!r}") from None


def _date(value, name: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise _field_error(name, f"not a date YYYY-MM-DD: {value!r}") from None


def _share(value, name: str) -> Decimal:
    if isinstance(value, Decimal):
        return value
    text = str(value).strip()
    try:
        share = Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)
    except ArithmeticError:
        raise _field_error(name, f"not a share like 30%: {value!r}") from None
    if not (0 < share <= 1):
        raise _field_error(name, f"share must be between 0% and 100%: {value!r}")
    return share


def _pct(share: Decimal) -> str:
    return f"{(share * 100).normalize():f}%"


def _coerce_var(tpl: Template, var: Variable, value):
    def bad():
        return RenderError("tpl.var_type", id=tpl.ref, name=var.name, type=var.type, value=value)
    if var.type == "text":
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise bad()
        return str(value)
    if var.type == "integer":
        if isinstance(value, bool):
            raise bad()
        try:
            return int(str(value))
        except ValueError:
            raise bad() from None
    if var.type == "boolean":
        if not isinstance(value, bool):
            raise bad()
        return value
    if var.type == "date":
        try:
            return (value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))).isoformat()
        except ValueError:
            raise bad() from None
    if var.type == "amount":
        try:
            return str(parse_amount(value))
        except AmountError:
            raise bad() from None
    if var.type == "list":
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise bad()
        return list(value)
    if var.type == "option":
        if value not in var.options:
            raise RenderError("tpl.var_option", id=tpl.ref, name=var.name, options=", ".join(map(str, var.options)),
                              value=value)
        return value
    raise bad()


def _variables(tpl: Template, data: dict) -> dict:
    values = {}
    for key in data:
        if key not in RECORD_FIELDS and key not in EXTRA_FIELDS and key not in tpl.variables:
            raise RenderError("tpl.var_unknown", id=tpl.ref, name=key, known=", ".join(tpl.variables) or "-")
    for name, var in tpl.variables.items():
        value = data.get(name, var.default)
        if value is None:
            if var.required:
                raise RenderError("tpl.var_missing", id=tpl.ref, name=name, label=var.label)
            values[name] = None
            continue
        values[name] = _coerce_var(tpl, var, value)
    return values


def _record(tpl: Template, data: dict) -> tuple[dict, dict]:
    """The record fields (as stored: quoted strings) and their typed counterparts for the context."""
    for name in ("code", "title", "unit", "counterparty", "amount"):
        if data.get(name) in (None, ""):
            raise _field_error(name, "required")
    cp = data["counterparty"]
    if not isinstance(cp, dict) or not cp.get("name") or not cp.get("credit_code"):
        raise _field_error("counterparty", "needs name and credit_code")
    if (problem := credit_code_problem(cp["credit_code"])):
        raise _field_error("counterparty.credit_code", f"{problem}: {cp['credit_code']!r}")
    amount = _amount(data["amount"], "amount")
    method = data.get("procurement_method")
    if method is not None and method not in PROCUREMENT_METHODS:
        raise _field_error("procurement_method", f"one of {', '.join(PROCUREMENT_METHODS)}")
    for k in data.get("key_supervision") or []:
        if k not in KEY_SUPERVISION:
            raise _field_error("key_supervision", f"one of {', '.join(KEY_SUPERVISION)}")
    record: dict = {"code": str(data["code"]), "title": str(data["title"]),
                    "category": data.get("category") or tpl.category}
    if method:
        record["procurement_method"] = method
    record["key_supervision"] = list(data.get("key_supervision") or [])
    record["template"] = tpl.ref
    record["unit"] = str(data["unit"])
    if data.get("clerk"):
        record["clerk"] = str(data["clerk"])
    party = {"name": str(cp["name"]), "credit_code": str(cp["credit_code"])}
    if cp.get("sme") is not None:
        party["sme"] = bool(cp["sme"])
    if cp.get("contact"):
        party["contact"] = str(cp["contact"])
    record["counterparty"] = party
    record["amount"] = str(amount)
    record["currency"] = data.get("currency") or "CNY"
    bond = None
    if data.get("performance_bond") not in (None, ""):
        bond = _amount(data["performance_bond"], "performance_bond")
        record["performance_bond"] = str(bond)
    schedule, instalments = [], []
    for i, inst in enumerate(data.get("payment_schedule") or []):
        where = f"payment_schedule.{i}"
        if not isinstance(inst, dict) or inst.get("trigger") not in TRIGGERS:
            raise _field_error(where, f"needs trigger: one of {', '.join(TRIGGERS)}")
        item: dict = {"id": str(inst.get("id", i + 1))}
        share = value = None
        if inst.get("share") is not None:
            share = _share(inst["share"], where + ".share")
            item["share"] = _pct(share)
            value = (amount * share).quantize(Decimal("0.01"))
        if inst.get("amount") is not None:
            if share is not None:
                raise _field_error(where, "give share or amount, not both")
            value = _amount(inst["amount"], where + ".amount")
            item["amount"] = str(value)
        if value is None:
            raise _field_error(where, "needs share or amount")
        item["trigger"] = inst["trigger"]
        days = int(inst.get("days", 0))
        item["days"] = days
        on = None
        if inst.get("on") is not None:
            on = _date(inst["on"], where + ".on")
            item["on"] = on.isoformat()
        for flag in ("advance", "final", "agreed_days"):
            if inst.get(flag):
                item[flag] = True
        schedule.append(item)
        instalments.append({**item, "value": value, "value_figures": _money(value), "value_words": _upper(value),
                            "share_text": item.get("share", ""), "trigger_text": TRIGGER_ZH[item["trigger"]],
                            "on_text": _cn_date(on) if on else "", "advance": bool(inst.get("advance")),
                            "final": bool(inst.get("final"))})
    if schedule:
        total = sum((x["value"] for x in instalments), Decimal(0))
        if total != amount:
            raise _field_error("payment_schedule", f"instalments add up to {total}, not the amount {amount}")
        record["payment_schedule"] = schedule
    dates = {}
    for key, value in (data.get("dates") or {}).items():
        dates[key] = _date(value, f"dates.{key}")
    if dates:
        record["dates"] = {k: v.isoformat() for k, v in dates.items()}
    record["status"] = data.get("status") or "drafting"
    if data.get("secret"):
        record["secret"] = True
    ctx = {
        **record, "amount": amount, "amount_figures": _money(amount), "amount_words": _upper(amount),
        "performance_bond": bond, "bond_figures": _money(bond) if bond is not None else "",
        "bond_words": _upper(bond) if bond is not None else "",
        "bond_share": _pct((bond / amount).quantize(Decimal("0.0001"))) if bond is not None and amount else "",
        "instalments": instalments, "dates": {k: v for k, v in dates.items()},
        "dates_text": {k: _cn_date(v) for k, v in dates.items()},
        "supplier": party["name"], "sme": party.get("sme"), "method_text": METHOD_ZH.get(method or "", ""),
        "category_text": CATEGORY_ZH.get(record["category"], ""),
        "clerk": record.get("clerk"), "procurement_method": method,
    }
    return record, ctx


def render_contract_text(template_id: str, data: dict, repo_root=None) -> tuple[dict, str]:
    """Fill a model text: ``data`` holds record fields (code, title, unit, counterparty,
    amount, payment_schedule, dates, ...) and the template's clause variables.

    Returns ``(record, body)``: the record as it is stored (amounts and dates as strings,
    ``template: "goods@2018.1"``) and the Markdown body ending with the clause variables
    in an HTML comment. Raises RenderError on bad data or a bad template.
    """
    tpl = get_template(template_id, repo_root)
    if not isinstance(data, dict):
        raise _field_error("-", "data must be a mapping")
    values = _variables(tpl, data)
    record, ctx = _record(tpl, data)
    buyer = data.get("buyer") or unit_name(repo_root, record["unit"])
    context = {**ctx, **values, "buyer": buyer, "template_ref": tpl.ref, "template_title": tpl.title,
               "vars": values}
    body = tidy_markdown(_render(tpl, context, repo_root))
    blob = json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # "--" would end the comment early; JSON never needs it unescaped.
    blob = blob.replace("--", "-\\u002d")
    return record, body + f"\n<!-- cctk:template-vars {blob} -->\n"


_HEADING = re.compile(r"^#{1,6}\s")
_ITEM = re.compile(r"^(\d+[.)]|[-*+])\s")


def tidy_markdown(text: str) -> str:
    """Blank lines around headings and after a list, whatever the template's whitespace control
    did: a paragraph right after a list item would otherwise be read as part of that item."""
    out: list[str] = []
    for line in text.strip("\n").splitlines():
        line = line.rstrip()
        prev = out[-1] if out else ""
        if line and prev and (_HEADING.match(line) or _HEADING.match(prev)
                              or (_ITEM.match(prev) and not _ITEM.match(line))):
            out.append("")
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n") + "\n"


def split_vars(body: str) -> tuple[str, dict]:
    """The body without the trailing clause-variables comment, and the variables."""
    m = VARS_RE.search(body)
    if not m:
        return body, {}
    try:
        values = json.loads(m.group(1))
    except ValueError:
        values = {}
    return body[:m.start()] + "\n", values if isinstance(values, dict) else {}


def data_from_contract(contract: Contract) -> dict:
    """The render data a contract's record implies (the inverse of ``_record``)."""
    cp = contract.counterparty
    party = {"name": cp.name, "credit_code": cp.credit_code}
    if cp.sme is not None:
        party["sme"] = cp.sme
    if cp.contact:
        party["contact"] = cp.contact
    data: dict = {"code": contract.code, "title": contract.title, "category": contract.category,
                  "unit": contract.unit, "counterparty": party, "amount": str(contract.amount),
                  "key_supervision": list(contract.key_supervision), "status": contract.status}
    if contract.procurement_method:
        data["procurement_method"] = contract.procurement_method
    if contract.clerk:
        data["clerk"] = contract.clerk
    if contract.performance_bond is not None:
        data["performance_bond"] = str(contract.performance_bond)
    schedule = []
    for inst in contract.payment_schedule:
        item = {"id": inst.id, "trigger": inst.trigger, "days": inst.days}
        if inst.share is not None:
            item["share"] = _pct(inst.share)
        if inst.amount is not None:
            item["amount"] = str(inst.amount)
        if inst.on:
            item["on"] = inst.on.isoformat()
        for flag in ("advance", "final", "agreed_days"):
            if getattr(inst, flag):
                item[flag] = True
        schedule.append(item)
    if schedule:
        data["payment_schedule"] = schedule
    if contract.dates:
        data["dates"] = {k: v.isoformat() for k, v in contract.dates.items()}
    return data


@dataclass(slots=True)
class Deviation:
    template: str
    added: int
    removed: int
    hunks: int
    diff: list[str]

    @property
    def same(self) -> bool:
        return not self.diff

    def summary(self, lang: str | None = None) -> str:
        from cctk import i18n
        if self.same:
            return i18n.t("tpl.same", lang, template=self.template)
        return i18n.t("tpl.deviates", lang, template=self.template, added=self.added, removed=self.removed,
                      hunks=self.hunks)


def _lines(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.strip("\n").splitlines()]
    return lines


def template_deviation(contract: Contract, repo_root=None, *, variables: dict | None = None) -> Deviation:
    """How the contract's text deviates from its template version re-rendered with its own data.

    The clause variables come from the comment ``render_contract_text`` left in the body
    (or ``variables``); record fields (amounts, schedule, dates) from the record, so a
    changed amount shows up as changed text too.
    """
    if not contract.template:
        raise RenderError("tpl.no_template", code=contract.code)
    body, stored = split_vars(contract.body)
    tpl = get_template(contract.template, repo_root)
    data = data_from_contract(contract)
    for name, value in {**stored, **(variables or {})}.items():
        if name in tpl.variables and value is not None:
            data[name] = value
    _, expected = render_contract_text(tpl.ref, data, repo_root)
    expected, _ = split_vars(expected)
    a, b = _lines(expected), _lines(body)
    diff = list(difflib.unified_diff(a, b, fromfile=tpl.ref, tofile=contract.path or contract.code, lineterm="", n=1))
    added = sum(1 for d in diff if d.startswith("+") and not d.startswith("+++"))
    removed = sum(1 for d in diff if d.startswith("-") and not d.startswith("---"))
    hunks = sum(1 for d in diff if d.startswith("@@"))
    return Deviation(template=tpl.ref, added=added, removed=removed, hunks=hunks, diff=diff)

