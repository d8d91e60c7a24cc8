"""Build a realistic demo district repository whose history is real git history.

How it works, in three passes:

1. **Plan** (pure Python, seeded ``random.Random``): the organisation, the suppliers and, for
   every contract, its whole life as a list of dated actions (create, submit, approve…,
   archive), each with the person who performs it. Planted problems are applied to the plan.
2. **Replay**: all actions of all contracts are sorted by time and replayed on in-memory
   records; each action renders the contract's ``contract.md`` afresh.
3. **Write**: one ``git fast-import`` process receives the stream (one commit per action,
   author/committer date = when it happened), then the work tree is checked out.

Identical seed -> identical bytes and timestamps -> identical commit ids.

Scale note (measured, see docs/demo.md): git stores ``contracts/<year>`` as one tree object,
and every commit rewrites it, so a commit costs time proportional to the number of contracts
of that year. Full per-action history is therefore used up to ``FULL_HISTORY_MAX_EVENTS``
actions; beyond that (``history="auto"``) the older part of the history is collapsed into one
``Cctk-Action: import`` commit (a district migrating its legacy register) and only the last
``TAIL_EVENTS`` actions are individual commits. ``history="full"`` forces full history.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from cctk.demo import messages  # noqa: F401  (registers the catalog)
from cctk.demo import names as N
from cctk.demo.pdfs import PKI, FiledPdfs, office_yaml, targets
from cctk.demo.text import amendment_text, contract_body
from cctk.i18n import t
from cctk.model.ids import ALPHABET, make_credit_code
from cctk.model.money import FEN
from cctk.model.workdays import add_workdays, is_workday
from cctk.suppliers import compute_score

AS_OF = dt.date(2020, 1, 15)
FIRST_DAY = dt.date(2018, 1, 2)
LAST_DRAFT_DAY = dt.date(2020, 1, 10)
FILING_MIN = Decimal("50000")
MAJOR_AMOUNT = Decimal("10000000")
TZ = "+0800"
FULL_HISTORY_MAX_EVENTS = 50_000
TAIL_EVENTS = 3_000
PDF_CHOICES = ("none", "recent", "all")
HISTORY_CHOICES = ("auto", "full")


class DemoError(Exception):
    """A problem the user can fix (``key`` is a catalog key); the CLI exits 2."""

    def __init__(self, key: str, **args):
        super().__init__(t(key, **args))
        self.key = key
        self.args_ = args


@dataclass
class DemoSummary:
    path: Path
    seed: int
    as_of: dt.date
    units: int
    people: int
    suppliers: int
    contracts: int
    by_status: dict[str, int]
    total_amount: Decimal
    commits: int
    head: str
    history: str
    pdfs: str
    planted: list[dict] = field(default_factory=list)
    seconds: float = 0.0


# --- organisation ---------------------------------------------------------------------------

@dataclass
class Person:
    id: str
    name: str
    roles: list[str]
    units: list[str]

    @property
    def email(self) -> str:
        return f"{self.id}@luohu.example"


@dataclass
class Unit:
    code: str
    name: str
    name_en: str
    kind: str                      # bureau | street | school | hospital | legal | finance
    clerks: list[str] = field(default_factory=list)
    admin: str = ""
    head: str = ""


# The project's sample people: their ids are kept in the demo (and never given to anyone else).
_RESERVED = {"wang.fang": "王芳", "li.qiang": "李强", "zhang.wei": "张伟", "chen.jing": "陈静", "liu.yang": "刘洋"}


class Org:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.units: list[Unit] = []
        self.people: dict[str, Person] = {}
        self._taken_names: set[str] = set()
        self._build()

    def _person(self, roles, unit, fixed=None) -> str:
        if fixed:
            pid, name = fixed
        else:
            while True:
                (s, sp), (g, gp) = self.rng.choice(N.SURNAMES), self.rng.choice(N.GIVEN)
                if s + g not in self._taken_names and s + g not in _RESERVED.values():
                    break
            name = s + g
            pid = f"{sp}.{gp}"
            n = 2
            while pid in self.people or pid in _RESERVED:
                pid = f"{sp}.{gp}{n}"
                n += 1
        self._taken_names.add(name)
        self.people[pid] = Person(pid, name, list(roles), [unit])
        return pid

    def _build(self):
        rng = self.rng
        raw = [(zh, en, "bureau") for zh, en in N.BUREAUS]
        raw += [(f"深圳市罗湖区{s}{u}", f"{sp} {ue}, Luohu District", "street")
                for s, sp in N.STREETS for u, ue in N.STREET_UNITS]
        raw += [(zh, en, "hospital") for zh, en in N.HOSPITALS]
        schools = [(f"深圳市罗湖区{p}{k}", f"Luohu {pp} {ke}") for p, pp in N.PLACES for k, ke in N.SCHOOL_KINDS]
        raw += [(zh, en, "school") for zh, en in sorted(rng.sample(schools, 195 - len(raw)))]
        for i, (zh, en, kind) in enumerate(raw, 1):
            self.units.append(Unit(f"LH{i:03d}", zh, en, kind))
        self.units.append(Unit("LHSF", "深圳市罗湖区司法局", "Luohu District Justice Bureau (legal office)", "legal"))
        self.units.append(Unit("LHCZ", "深圳市罗湖区财政局", "Luohu District Finance Bureau", "finance"))
        # The project's sample people keep their ids so sample and demo agree.
        fixed = {"LH001": [("wang.fang", "王芳"), ("li.qiang", "李强"), ("zhang.wei", "张伟")]}
        for u in self.units:
            f = fixed.get(u.code, [None, None, None])
            n_clerks = 2 if u.kind in ("bureau", "hospital") else 1
            u.clerks = [self._person(["clerk"], u.code, f[0])]
            u.clerks += [self._person(["clerk"], u.code) for _ in range(n_clerks - 1)]
            u.admin = self._person(["contract-admin"], u.code, f[1])
            u.head = self._person(["unit-head"], u.code, f[2])
        self.legal = [self._person(["legal-reviewer"], "LHSF", ("chen.jing", "陈静"))]
        self.legal += [self._person(["legal-reviewer"], "LHSF") for _ in range(2)]
        self.finance = [self._person(["finance"], "LHCZ", ("liu.yang", "刘洋"))]
        self.finance += [self._person(["finance"], "LHCZ") for _ in range(3)]
        audit_unit = next(u.code for u in self.units if u.name.endswith("审计局"))
        self.auditors = [self._person(["auditor"], audit_unit) for _ in range(2)]
        self.inspectors = [self._person(["inspector"], "LHCZ") for _ in range(3)]
        # The register's migration clerk: authors the `import` commit of collapsed history (only there).
        # `cctk audit` checks an import commit record by record as a 'create' (policy/workflow.yaml: clerk
        # or contract-admin of the contract's unit), so this finance-bureau clerk acts for every unit —
        # clerk being the least role that may create. In every demo, so full and collapsed history end
        # in the same policy/org.yaml.
        self.registrar = self._person(["clerk"], "LHCZ")
        self.people[self.registrar].units = [u.code for u in self.units]

    def unit(self, code) -> Unit:
        return next(u for u in self.units if u.code == code)


# --- suppliers ------------------------------------------------------------------------------

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_code(rng: random.Random, prefix: str = "") -> str:
    """A 9-character organisation code with its GB 11714 check character."""
    body = prefix + "".join(rng.choice(ALPHABET[:10] if not prefix else ALPHABET) for _ in range(8 - len(prefix)))
    total = sum(w * int(c, 36) for w, c in zip(_ORG_WEIGHTS, body))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


REGIONS = ["440303"] * 5 + ["440304", "440305", "440306", "440307", "440300"]


@dataclass
class Supplier:
    credit_code: str
    name: str
    sme: bool
    region: str
    industry: str
    listings: list[dict] = field(default_factory=list)


def build_suppliers(rng: random.Random) -> list[Supplier]:
    out: list[Supplier] = []
    names: set[str] = set()
    trade = list(N.TRADE_NAMES)
    rng.shuffle(trade)

    def add(first2, region, name, industry, sme, org_prefix="MA5"):
        if name in names:
            return
        names.add(name)
        code = make_credit_code(first2 + region + _org_code(rng, org_prefix))
        out.append(Supplier(code, name, sme, region, industry))

    industries = list(N.INDUSTRIES)
    i = 0
    while len(out) < 68:
        ind = industries[i % len(industries)]
        region = rng.choice(REGIONS)
        city = "深圳市" if region != "440300" or rng.random() < 0.7 else "广东"
        add("91", region, f"{city}{trade[i % len(trade)]}{N.INDUSTRIES[ind][0]}" if i < len(trade)
            else f"深圳市{trade[i % len(trade)]}{rng.choice(['创新', '智慧', '恒通', '联合'])}{N.INDUSTRIES[ind][0]}",
            ind, rng.random() < 0.72)
        i += 1
    # Law firms are registered by the justice administration (authority 3, type 1).
    for tn in trade[:4]:
        add("31", "440000", f"广东{tn}律师事务所", "law", rng.random() < 0.5, org_prefix="")
    # Private non-enterprise units (民办非企业单位, authority 5 type 2) run training.
    for tn in trade[4:7]:
        add("52", "440303", f"深圳市罗湖区{tn}职业培训学校", "training", True, org_prefix="")
    # Collective economic organisations (authority N) and others (Y, A) rent state premises.
    for place, _ in N.PLACES[:3]:
        add("N2", "440303", f"深圳市罗湖区{place}股份合作公司", "lessee", False, org_prefix="")
    add("Y1", "440303", "深圳市罗湖区商业联合会", "lessee", False, org_prefix="")
    add("A1", "440300", "深圳警备区后勤服务中心", "lessee", False, org_prefix="")
    return out


# --- the plan of one contract ---------------------------------------------------------------

@dataclass
class Event:
    when: dt.datetime
    order: int                     # contract index: ties broken by creation order
    action: str
    actor: str
    data: dict


@dataclass
class Plan:
    idx: int
    year: int
    code: str = ""
    record: dict = field(default_factory=dict)
    body: str = ""
    events: list[Event] = field(default_factory=list)
    subject: str = ""
    industry: str = ""
    supplier: Supplier | None = None
    cache: dict = field(default_factory=dict)   # rendered YAML of the keys frozen since creation


def _workday_on_or_after(day: dt.date) -> dt.date:
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


def _add_months(day: dt.date, months: int) -> dt.date:
    m = day.month - 1 + months
    y, m = day.year + m // 12, m % 12 + 1
    last = [31, 29 if y % 4 == 0 and (y % 100 or y % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
    return dt.date(y, m, min(day.day, last))


def _money(x: Decimal) -> str:
    return f"{x.quantize(FEN)}"


def _amount(rng: random.Random, lo: int, hi: int) -> Decimal:
    """Long-tailed: log-uniform skewed towards the low end; steers clear of 'just under a threshold'."""
    lo, hi = max(lo, 5_000), min(hi, 50_000_000)
    u = rng.random() ** 2.4
    value = math.exp(math.log(lo) + (math.log(hi) - math.log(lo)) * u)
    for limit in (50_000, 10_000_000, 1_000_000, 4_000_000):
        if limit * 0.9 <= value < limit:
            value = limit * rng.uniform(1.0, 1.15)
    if value < 100_000:
        amount = Decimal(round(value / 10) * 10)
        if rng.random() < 0.25:
            amount += Decimal(rng.randrange(1, 100)) / 100
    else:
        amount = Decimal(round(value / 100) * 100)
    return max(Decimal(lo), min(Decimal(hi), amount)).quantize(FEN)


def _method(rng, amount: Decimal, category: str) -> str:
    if category == "lease-out":
        return "open-tender"
    if amount < 100_000:
        return rng.choice(["direct", "direct", "direct", "inquiry", "inquiry", "framework"])
    if amount < 1_000_000:
        return rng.choice(["inquiry", "competitive-consultation", "competitive-negotiation", "competitive-consultation",
                           "single-source" if rng.random() < 0.3 else "inquiry"])
    if amount < 4_000_000:
        return rng.choice(["competitive-consultation", "open-tender", "competitive-negotiation"])
    return "invited-tender" if rng.random() < 0.08 else "open-tender"


SUBJECT_UNITS = {  # subjects that only some kinds of unit buy
    "医疗设备采购": ("hospital",), "教学设备采购": ("school",), "校舍维修改造工程": ("school",),
    "城市更新片区基础设施工程": ("urban",), "招商引资合作协议": ("urban",), "老旧小区综合整治工程": ("street",),
    "市政道路维修工程": ("works",), "办公场所装修改造工程": ("bureau", "street", "hospital", "works"), "食堂餐饮服务": ("school", "hospital", "bureau"),
}


class Planner:
    def __init__(self, rng: random.Random, org: Org, suppliers: list[Supplier], n: int):
        self.rng, self.org, self.suppliers, self.n = rng, org, suppliers, n
        self.by_industry: dict[str, list[Supplier]] = {}
        for s in suppliers:
            self.by_industry.setdefault(s.industry, []).append(s)
        weights = {"bureau": 4, "street": 2, "hospital": 3, "school": 1, "legal": 2, "finance": 2}
        self.units = org.units
        self.unit_weights = [weights[u.kind] for u in org.units]
        self.urban_units = [u for u in org.units if "城市更新" in u.name or "投资推广" in u.name or u.name.endswith("街道办事处")]
        self.works_units = [u for u in org.units if any(w in u.name for w in ("住房", "交通", "水务", "工务", "城市管理"))]
        days = (LAST_DRAFT_DAY - FIRST_DAY).days
        self.draft_days = sorted(_workday_on_or_after(FIRST_DAY + dt.timedelta(days=rng.randrange(days + 1)))
                                 for _ in range(n))
        self.seq: dict[int, int] = {}

    def plan(self, i: int) -> Plan:
        rng = self.rng
        drafted = self.draft_days[i]
        p = Plan(i, drafted.year)
        self.seq[p.year] = self.seq.get(p.year, 0) + 1
        p.code = f"LHHT-{p.year}-{self.seq[p.year]:06d}"
        cat = rng.choices(list(N.CATEGORY_WEIGHTS), weights=list(N.CATEGORY_WEIGHTS.values()))[0]
        industry, stem, template, lo, hi, tmin, tmax = rng.choice(N.SUBJECTS[cat])
        kinds = SUBJECT_UNITS.get(stem)
        if kinds == ("urban",):
            unit = rng.choice(self.urban_units)
        else:
            while True:
                unit = rng.choices(self.units, weights=self.unit_weights)[0]
                if kinds is None or unit.kind in kinds or ("works" in kinds and unit in self.works_units):
                    break
        if stem == "法律顾问服务":
            industry = "law"
        if cat == "lease-out":
            industry = rng.choice([industry, "lessee", "lessee"])
        if stem == "业务培训服务" and rng.random() < 0.5:
            industry = "training"
        supplier = rng.choice(self.by_industry.get(industry) or self.suppliers)
        p.subject, p.industry, p.supplier = stem, industry, supplier
        amount = _amount(rng, lo, hi)
        method = _method(rng, amount, cat)
        key = []
        if cat == "lease-out":
            key.append("state-assets")
        if kinds == ("urban",):
            key.append("urban-renewal")
        if amount >= MAJOR_AMOUNT:
            key.append("major-amount")
        short = unit.name.replace("深圳市", "").replace("罗湖区", "罗湖区", 1)
        prefix = f"{drafted.year}年度" if tmax >= 12 and rng.random() < 0.4 else ""
        title = f"{short}{prefix}{stem}合同"
        if cat == "lease-out":
            title = f"{short}{stem}合同（{rng.choice(N.PLACES)[0]}片区）"
        clerk = rng.choice(unit.clerks)

        # --- the timeline, planned in full now and replayed later
        award = None
        if method != "direct":
            award = drafted - dt.timedelta(days=rng.randrange(0, 3))
        submitted = add_workdays(drafted, rng.randrange(0, 3))
        steps = [("unit-review", "contract-admin", unit.admin)]
        if key:
            steps.append(("legality-review", "legal-reviewer", rng.choice(self.org.legal)))
        steps.append(("unit-head", "unit-head", unit.head))
        day = submitted
        approvals = []
        for step, role, who in steps:
            day = add_workdays(day, rng.randrange(1, 3))
            approvals.append((step, role, who, day))
        signed = add_workdays(day, rng.randrange(1, 4))
        start = signed + dt.timedelta(days=rng.choice([0, 0, 0, 1, 3, 7]))
        months = rng.randint(tmin, tmax)
        end = _add_months(start, months) - dt.timedelta(days=1)
        # Filing scope as `cctk file` decides it (numbering.in_scope): the amount, or key supervision.
        filing_required = amount >= FILING_MIN or bool(key)
        filing_on = None
        if amount >= FILING_MIN:
            filing_on = add_workdays(signed, rng.randrange(1, 7))
        elif filing_required:       # key supervision below 50,000: in filing scope too (numbering.in_scope)
            filing_on = add_workdays(signed, 1 + i % 6)
        bond = None
        if amount >= 100_000 and cat != "lease-out" and rng.random() < 0.6:
            bond = (amount * Decimal(rng.choice([2, 3, 5, 5, 10])) / 100).quantize(FEN)
        schedule = self._schedule(cat, months, filing_required, start, end)
        p.record = {
            "code": p.code, "title": title, "category": cat, "procurement_method": method, "key_supervision": key,
            "template": f"{template}@2018.1" if template else None, "unit": unit.code, "clerk": clerk,
            "counterparty": {"name": supplier.name, "credit_code": supplier.credit_code, "sme": supplier.sme},
            "amount": _money(amount), "currency": "CNY",
        }
        if not template:
            del p.record["template"]      # a subject no model text covers names none
        if bond is not None:
            p.record["performance_bond"] = _money(bond)
        if schedule:
            p.record["payment_schedule"] = schedule
        dates = {"drafted": drafted}
        if award:
            dates["award"] = award
        dates.update(start=start, end=end)
        p.record["dates"] = {k: v.isoformat() for k, v in dates.items()}
        p.record["status"] = "drafting"
        p._plan = dict(amount=amount, signed=signed, start=start, end=end, months=months, approvals=approvals,
                       submitted=submitted, filing_on=filing_on, filing_required=filing_required, unit=unit,
                       clerk=clerk, cat=cat)
        self._events(p)
        return p

    def _schedule(self, cat, months, filing_required, start, end) -> list[dict]:
        rng = self.rng
        first = "filing" if filing_required else "signing"
        if cat == "lease-out":
            return []
        if cat == "services" and months >= 12:
            out = [{"id": "1", "share": "25%", "trigger": first, "days": 15}]
            for q in (1, 2):
                out.append({"id": str(q + 1), "share": "25%", "trigger": "date", "on": _add_months(start, 3 * q).isoformat(),
                            "days": 15})
            out.append({"id": "4", "share": "25%", "trigger": "acceptance", "days": 15, "final": True})
            return out
        if cat == "works":
            mid = start + (end - start) / 2
            return [{"id": "1", "share": "30%", "trigger": first, "days": 14, "advance": True},
                    {"id": "2", "share": "40%", "trigger": "date", "on": mid.isoformat(), "days": 14},
                    {"id": "3", "share": "30%", "trigger": "acceptance", "days": 30, "final": True}]
        shape = rng.choice([(30, 70), (40, 60), (100,), (50, 50), (30, 70)])
        if len(shape) == 1:
            return [{"id": "1", "share": "100%", "trigger": "acceptance", "days": rng.choice([15, 30]), "final": True}]
        return [{"id": "1", "share": f"{shape[0]}%", "trigger": first, "days": rng.choice([10, 15, 20]), "advance": True},
                {"id": "2", "share": f"{shape[1]}%", "trigger": "acceptance", "days": rng.choice([15, 30]), "final": True}]

    def _events(self, p: Plan):
        """Turn the planned dates into actions (done once; planted problems edit the list afterwards)."""
        rng, q = self.rng, p._plan
        unit, clerk = q["unit"], q["clerk"]
        ev = p.events

        def add(day, action, actor, **data):
            ev.append(Event(dt.datetime.combine(day, dt.time(9)) + dt.timedelta(minutes=rng.randrange(0, 480)),
                            p.idx, action, actor, data))

        add(dt.date.fromisoformat(p.record["dates"]["drafted"]), "create", clerk)
        add(q["submitted"], "submit", clerk)
        for step, role, who, day in q["approvals"]:
            add(day, "approve", who, step=step, role=role,
                opinion=rng.choice(N.OPINIONS[step]))
        signed = q["signed"]
        add(signed, "sign", clerk)
        filing_on = q["filing_on"]
        if filing_on:
            add(filing_on, "file", rng.choice(self.org.finance))
        else:
            # `cctk sign` always leaves the contract 'signed'; `cctk file` then records that it needs no
            # filing (filing: {required: false, on, by}) and moves it to 'performing' — here the unit's
            # contract administrator, on the signing day.
            filing_on = signed
            sign_ev = ev[-1]
            ev.append(Event(sign_ev.when + dt.timedelta(minutes=20), p.idx, "file", unit.admin, {"required": False}))
        amount, cat = q["amount"], q["cat"]
        end = q["end"]
        # Termination cuts a few lives short; amendments change a few.
        terminate_on = None
        if rng.random() < 0.015 and q["months"] >= 6:
            terminate_on = _workday_on_or_after(q["start"] + dt.timedelta(days=rng.randrange(60, (end - q["start"]).days)))
        if cat in ("goods", "works"):
            delivered = max(q["start"] + dt.timedelta(days=7), end - dt.timedelta(days=rng.randrange(0, 20)))
        else:
            delivered = None
        accept_on = add_workdays(delivered or end, rng.randrange(2, 9))
        evaluate_on = add_workdays(accept_on, rng.randrange(3, 12))
        archive_on = add_workdays(evaluate_on, rng.randrange(5, 20))
        amend_change = Decimal(0)
        if q["months"] >= 6 and rng.random() < 0.05 and cat != "lease-out":
            a_on = _workday_on_or_after(q["start"] + dt.timedelta(days=rng.randrange(30, max(31, (end - q["start"]).days - 30))))
            pct = Decimal(rng.choice([-5, 2, 3, 5, 8, 9]))
            rng.randrange(0, 480)       # (a draw the former single amend commit made; harmless, kept)
            amend_change = (amount * pct / 100).quantize(Decimal("100"))
            ev += _amendment_events(p, self.org, a_on, amend_change)
        # Payments: instalment values exact to the fen, the final one takes the remainder — of the amount
        # lowered by a signed amendment that reduces it (`cctk pay` refuses paying beyond the ceiling).
        sched = p.record.get("payment_schedule", [])
        paid = Decimal(0)
        ceiling = amount + min(amend_change, Decimal(0))
        for k, inst in enumerate(sched):
            share = Decimal(inst["share"][:-1]) / 100
            value = ceiling - paid if k == len(sched) - 1 else (amount * share).quantize(FEN)
            paid += value
            trig = inst["trigger"]
            base = {"signing": signed, "filing": filing_on, "acceptance": accept_on,
                    "date": dt.date.fromisoformat(inst["on"]) if "on" in inst else None}[trig]
            pay_on = base + dt.timedelta(days=rng.randrange(2, inst["days"] + 1))
            if pay_on <= filing_on:           # `cctk pay` refuses before filing
                pay_on = filing_on + dt.timedelta(days=1)
            add(pay_on, "pay", rng.choice(self.org.finance), amount=value, instalment=inst["id"])
        add(accept_on, "accept", clerk, delivered=delivered,
            members=[clerk, unit.admin])
        # Evaluation needs contract-admin or unit-head (policy/workflow.yaml); archiving waits for the
        # last payment (`cctk pay` refuses on an archived contract).
        add(evaluate_on, "evaluate", unit.admin, **self._score())
        last_pay = max((e.when.date() for e in ev if e.action == "pay"), default=archive_on)
        add(max(archive_on, add_workdays(last_pay, 1)), "archive", unit.admin)
        # Order by time; actions after acceptance-dependent ones keep their logical order.
        ev.sort(key=lambda e: (e.when.date(), _ACTION_RANK[e.action], e.when))
        if terminate_on:
            cut = [e for e in ev if e.when.date() < terminate_on and e.action not in ("accept", "evaluate", "archive")
                   and not (e.action == "pay" and e.data.get("instalment") == sched[-1]["id"] if sched else False)]
            ev[:] = cut
            add(terminate_on, "terminate", unit.head, reason=rng.choice(
                ["经双方协商一致解除合同。", "因项目调整，经协商提前终止合同。", "乙方申请提前解除，甲方同意。"]))
        # Strictly increasing timestamps per contract (same-day actions keep their order).
        last = None
        for e in ev:
            if last and e.when <= last:
                e.when = last + dt.timedelta(minutes=rng.randrange(5, 40))
            last = e.when

    def _score(self) -> dict:
        rng = self.rng
        parts = {k: rng.randint(72, 100) for k in ("quality", "timeliness", "service", "compliance")}
        score = (Decimal(parts["quality"]) * 4 + (parts["timeliness"] + parts["service"] + parts["compliance"]) * 2) / 10
        return {"score": int(score.to_integral_value()), "scores": parts}


_ACTION_RANK = {a: i for i, a in enumerate(
    ["create", "submit", "approve", "sign", "file", "amend", "pay", "accept", "evaluate", "archive", "terminate"])}


# --- planted problems -----------------------------------------------------------------------

def _done_before(p: Plan, action: str, day: dt.date = AS_OF) -> Event | None:
    return next((e for e in p.events if e.action == action and e.when.date() < day), None)


def plant(rng: random.Random, plans: list[Plan], suppliers: list[Supplier], org: Org) -> list[dict]:
    planted: list[dict] = []
    used: set[int] = set()
    order = list(range(len(plans)))
    rng.shuffle(order)

    def pick(cond):
        for i in order:
            if i not in used and cond(plans[i]):
                used.add(i)
                return plans[i]
        return None

    # 1. late filing: filed 9-12 working days after signing; payments that wait for filing move too.
    p = pick(lambda p: _done_before(p, "file", dt.date(2019, 11, 1)) is not None and not p.record["key_supervision"]
             and p._plan["filing_required"])
    if p:
        sign = next(e for e in p.events if e.action == "sign")
        f = next(e for e in p.events if e.action == "file")
        late = add_workdays(sign.when.date(), rng.randrange(9, 13))
        shift = late - f.when.date()
        f.when += shift
        f.data["late"] = True
        for e in p.events:
            if e.action == "pay" and e.when <= f.when + dt.timedelta(days=1):
                e.when = f.when + dt.timedelta(days=1, minutes=rng.randrange(0, 300))
        _archive_last(p)
        planted.append({"contract": p.code, "problem": "late-filing",
                        "detail": f"signed {sign.when.date()}, filed {late} (deadline 7 working days)"})
    # 2. key-supervision contract signed without the legal office's review.
    p = pick(lambda p: bool(p.record["key_supervision"]) and _done_before(p, "sign") is not None)
    if p:
        p.events[:] = [e for e in p.events if e.data.get("step") != "legality-review"]
        planted.append({"contract": p.code, "problem": "missing-legal-review",
                        "detail": f"key supervision {', '.join(p.record['key_supervision'])}; no legality-review approval"})
    # 3. supplementary agreements adding more than 10% in total.
    p = pick(lambda p: p._plan["months"] >= 6 and p.record["category"] != "lease-out"
             and p._plan["filing_required"] and _done_before(p, "file", dt.date(2019, 6, 1)) is not None
             and not any(e.action in ("amend", "terminate") for e in p.events))
    if p:
        amount = p._plan["amount"]
        changes = [(amount * Decimal(6) / 100).quantize(Decimal("100")), (amount * Decimal(7) / 100).quantize(Decimal("100"))]
        start = p._plan["start"]
        span = max(40, (p._plan["end"] - start).days)
        for k, c in enumerate(changes):
            day = _workday_on_or_after(start + dt.timedelta(days=span * (k + 1) // 4))
            p.events += _amendment_events(p, org, day, c)
        _archive_last(p)
        planted.append({"contract": p.code, "problem": "amendment-over-10pct",
                        "detail": f"amendments +{changes[0]} and +{changes[1]} on {amount} "
                                  f"({(sum(changes) * 100 / amount).quantize(Decimal('0.1'))}%)"})
    # 4. a payment beyond the amount: the final instalment paid twice.
    p = pick(lambda p: p.record.get("payment_schedule") and _done_before(p, "archive", dt.date(2019, 12, 1)) is not None)
    if p:
        last_pay = [e for e in p.events if e.action == "pay"][-1]
        dup = Event(last_pay.when + dt.timedelta(days=3), p.idx, "pay", last_pay.actor,
                    dict(last_pay.data, note="重复支付"))
        p.events.append(dup)
        _archive_last(p)
        planted.append({"contract": p.code, "problem": "payment-beyond-amount",
                        "detail": f"instalment {last_pay.data['instalment']} ({last_pay.data['amount']}) paid twice"})
    # 5. a supplier black-listed, and one contract signed with it while the listing was in force.
    companies = [s for s in suppliers if s.credit_code.startswith("91")]
    bad = companies[rng.randrange(len(companies))]
    start, end = dt.date(2019, 4, 1), dt.date(2020, 3, 31)
    # earlier evaluated contract of the supplier becomes the evidence (score below 60)
    evidence = pick(lambda p: p.supplier is bad and _done_before(p, "evaluate", start) is not None)
    if evidence is None:
        evidence = pick(lambda p: _done_before(p, "evaluate", start) is not None
                        and p.record["category"] not in ("lease-out",) and not p.record["key_supervision"])
        if evidence:
            _set_supplier(evidence, bad)
    if evidence:
        ev = next(e for e in evidence.events if e.action == "evaluate")
        ev.data = {"score": 55, "scores": {"quality": 50, "timeliness": 55, "service": 60, "compliance": 60}}
        start = _workday_on_or_after(max(start, ev.when.date() + dt.timedelta(days=10)))
        cause, reason, proof = "evaluation-below-60", "履约评价得分低于60分", f"contracts/{evidence.year}/{evidence.code}"
    else:
        cause, reason, proof = "proven-breach", "经查实存在严重违约行为", "罗湖区财政局调查报告"
    bad.listings.append({"list": "black", "start": start.isoformat(), "end": end.isoformat(),
                         "authority": "深圳市罗湖区财政局", "cause": cause, "reason": reason, "evidence": proof,
                         "scope": "罗湖区政府采购及政府合同", "by": org.finance[0], "appeals": []})
    # everyone else stays clean: no other contract with the supplier is signed during the listing
    others = [s for s in suppliers if s.industry == bad.industry and s is not bad] or [s for s in companies if s is not bad]
    for p in plans:
        sign = next((e for e in p.events if e.action == "sign"), None)
        if p.supplier is bad and sign and start <= sign.when.date() <= end:
            _set_supplier(p, others[p.idx % len(others)])
    p = pick(lambda p: (s := _done_before(p, "sign")) is not None and start < s.when.date() < AS_OF
             and not p.record["key_supervision"])
    if p:
        _set_supplier(p, bad)
        sign = next(e for e in p.events if e.action == "sign")
        planted.append({"contract": p.code, "problem": "blacklisted-supplier",
                        "detail": f"signed {sign.when.date()} with {bad.credit_code} {bad.name}, "
                                  f"black-listed {start}..{end}"})
    # a red listing, for contrast (manual, by the finance bureau)
    good = companies[(companies.index(bad) + 7) % len(companies)]
    good.listings.append({"list": "red", "start": "2019-01-01", "end": "2019-12-31", "authority": "深圳市罗湖区财政局",
                          "cause": "manual", "reason": "履约评价连续优秀", "evidence": "2018年度履约评价汇总",
                          "scope": "罗湖区政府采购", "by": org.finance[0], "appeals": []})
    return planted


AMENDMENT_STEPS = [("amendment-review", "contract-admin"), ("amendment-legality-review", "legal-reviewer"),
                   ("amendment-head", "unit-head")]
_AMEND_OPINION = {"amendment-review": "经审核，补充协议内容与履约情况相符，同意。",
                  "amendment-legality-review": "经合法性审查，补充协议条款合法，同意签订。",
                  "amendment-head": "同意签订补充协议。"}


def _amendment_events(p: Plan, org: Org, day: dt.date, change: Decimal) -> list[Event]:
    """A supplementary agreement as the verbs make it (policy/workflow.yaml amendment_steps): the clerk
    drafts it (`cctk amend`, status review), the steps approve it one working day apart (`cctk approve
    --amendment`; the legal office for key supervision), and the clerk signs it (`cctk amend --sign`)."""
    q = p._plan
    n = sum(1 for e in p.events if e.action == "amend" and e.data.get("stage") == "draft") + 1
    aid = f"A{n}"
    clock = dt.time(10, (p.idx * 7 + n * 13) % 60)
    who = {"contract-admin": q["unit"].admin, "unit-head": q["unit"].head,
           "legal-reviewer": org.legal[p.idx % len(org.legal)]}
    out = [Event(dt.datetime.combine(day, clock), p.idx, "amend", q["clerk"], {"stage": "draft", "id": aid, "change": change})]
    for step, role in AMENDMENT_STEPS:
        if role == "legal-reviewer" and not p.record["key_supervision"]:
            continue
        day = add_workdays(day, 1)
        out.append(Event(dt.datetime.combine(day, clock), p.idx, "approve", who[role],
                         {"step": step, "role": role, "amendment": aid, "opinion": _AMEND_OPINION[step],
                          "last": step == "amendment-head"}))
    day = add_workdays(day, 1)
    out.append(Event(dt.datetime.combine(day, clock), p.idx, "amend", q["clerk"], {"stage": "sign", "id": aid}))
    return out


def _archive_last(p: Plan):
    """Re-sort a plan whose events moved, keeping the archive after every payment (``cctk pay`` refuses
    on an archived contract) and timestamps strictly increasing."""
    p.events.sort(key=lambda e: e.when)
    arch = next((e for e in p.events if e.action == "archive"), None)
    pays = [e.when for e in p.events if e.action == "pay"]
    if arch is not None and pays and arch.when <= max(pays):
        arch.when = dt.datetime.combine(add_workdays(max(pays).date(), 1), arch.when.time())
        p.events.sort(key=lambda e: e.when)
    for a, b in zip(p.events, p.events[1:]):
        if b.when <= a.when:
            b.when = a.when + dt.timedelta(minutes=7)


def _set_supplier(p: Plan, s: Supplier):
    p.supplier = s
    p.record["counterparty"] = {"name": s.name, "credit_code": s.credit_code, "sme": s.sme}


# --- rendering ------------------------------------------------------------------------------

_PLAIN_KEYS = {"category", "procurement_method", "currency", "status", "trigger", "step", "by", "role", "result",
               "clerk", "kind", "list", "cause"}
KEY_ORDER = ["code", "title", "category", "procurement_method", "key_supervision", "template", "unit", "clerk",
             "counterparty", "amount", "currency", "performance_bond", "payment_schedule", "dates", "status",
             "approvals", "filing", "acceptance", "payments", "evaluation", "amendments", "attachments"]


def _scalar(key, value) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if key in _PLAIN_KEYS:
        return str(value)
    text = str(value)
    if '"' in text or "\\" in text or not text.isprintable():
        return json.dumps(text, ensure_ascii=False)
    return '"' + text + '"'



def _emit(out: list[str], key, value, indent: str):
    if isinstance(value, dict):
        if not value:
            out.append(f"{indent}{key}: {{}}")
            return
        out.append(f"{indent}{key}:")
        for k, v in value.items():
            _emit(out, k, v, indent + "  ")
    elif isinstance(value, list):
        if not value or not isinstance(value[0], dict):
            out.append(f"{indent}{key}: [{', '.join(_scalar(key, v) for v in value)}]")
            return
        out.append(f"{indent}{key}:")
        for item in value:
            first = True
            for k, v in item.items():
                sub: list[str] = []
                _emit(sub, k, v, indent + "    ")
                if first:
                    sub[0] = indent + "  - " + sub[0][len(indent) + 4:]
                    first = False
                out.extend(sub)
    else:
        out.append(f"{indent}{key}: {_scalar(key, value)}")


def render_yaml(record: dict, order=None) -> str:
    out: list[str] = []
    keys = [k for k in order if k in record] if order else list(record)
    for k in keys:
        _emit(out, k, record[k], "")
    return "\n".join(out) + "\n"


_FROZEN = KEY_ORDER[:KEY_ORDER.index("dates")]   # set at creation, never changed by a later action


def render_contract(record: dict, body: str, seed: int, cache: dict | None = None) -> bytes:
    if cache is None:
        cache = {}
    if "head" not in cache:
        cache["head"] = (f"---\n# {N.CATEGORY_ZH[record['category']]}合同 — cctk demo (seed {seed})\n"
                         + render_yaml(record, _FROZEN))
    rest = render_yaml(record, KEY_ORDER[len(_FROZEN):])
    return (cache["head"] + rest + "---\n" + body).encode("utf-8")


# --- replay ---------------------------------------------------------------------------------

_SUMMARY = {
    "create": "起草", "submit": "提交审核", "approve": "审批通过", "sign": "签订", "file": "备案", "pay": "付款",
    "accept": "验收", "evaluate": "履约评价", "archive": "归档", "terminate": "终止", "amend": "补充协议",
}
_STEP_ZH = {"unit-review": "单位审核", "legality-review": "合法性审查", "unit-head": "单位负责人审批",
            "amendment-review": "补充协议审核", "amendment-legality-review": "补充协议合法性审查",
            "amendment-head": "补充协议负责人审批"}


class Replayer:
    """Applies one action to a contract's record, as the matching cctk verb would."""

    def __init__(self, org: Org, seed: int):
        self.org, self.seed = org, seed
        self.filing_seq: dict[int, int] = {}
        self.pdf_hook = None      # (plan, event, record) -> files: the filed PDF (cctk/demo/pdfs.py)

    def apply(self, p: Plan, e: Event, render: bool = True) -> tuple[str, list[tuple[str, bytes]]]:
        r, d, a = p.record, e.data, e.action
        day = e.when.date().isoformat()
        files: list[tuple[str, bytes]] = []
        extra = ""
        if a == "submit":
            r["dates"] = _dates(r, submitted=day)
            r["status"] = "review"
        elif a == "approve":                     # cctk.lifecycle.actions.approve (amendment=...)
            aid = d.get("amendment")
            r.setdefault("approvals", []).append({"step": f"{aid}:{d['step']}" if aid else d["step"], "by": e.actor,
                                                  "role": d["role"], "on": day, "result": "approved",
                                                  "opinion": d["opinion"]})
            if aid and d["last"]:
                next(x for x in r["amendments"] if x["id"] == aid)["status"] = "approved"
            elif d["step"] == "unit-head":
                r["status"] = "approved"
            extra = (f"{aid} " if aid else "") + _STEP_ZH[d["step"]]
        elif a == "sign":                        # cctk.lifecycle.actions.sign
            r["dates"] = _dates(r, signed=day, published=day)
            r["status"] = "signed"
        elif a == "file":                        # cctk.lifecycle.actions.file
            r["status"] = "performing"
            if not p._plan["filing_required"]:
                r["filing"] = {"required": False, "on": day, "by": e.actor}
                extra = "无需备案"
            else:
                year = e.when.year
                self.filing_seq[year] = self.filing_seq.get(year, 0) + 1
                r["filing"] = {"number": f"罗财合备〔{year}〕{self.filing_seq[year]}号", "on": day, "by": e.actor,
                               "required": True}
                if d.get("late"):
                    r["filing"]["late"] = True
                if self.pdf_hook is not None and (pdf := self.pdf_hook(p, e, r)):
                    files += pdf                 # the hook sets sha256, pdf_sha256 and the attachment
                else:
                    r["filing"]["sha256"] = content_sha256(r, p.body)
        elif a == "pay":
            item = {"on": day, "amount": _money(d["amount"]), "instalment": d["instalment"], "by": e.actor}
            if d.get("note"):
                item["note"] = d["note"]
            r.setdefault("payments", []).append(item)
            extra = f"第{d['instalment']}期 ¥{_money(d['amount'])}"
        elif a == "amend":                       # cctk.lifecycle.actions.amend / amend_sign
            ams = r.setdefault("amendments", [])
            if d["stage"] == "draft":
                n = len(ams) + 1
                path = f"amendments/{d['id']}.md"
                ams.append({"id": d["id"], "title": f"{r['title']}补充协议（{n}）", "amount_change": _money(d["change"]),
                            "path": path, "status": "review"})
                files.append((f"contracts/{p.year}/{p.code}/{path}", amendment_text(r, n, d["change"]).encode("utf-8")))
                extra = f"{d['id']} 起草"
            else:
                am = next(x for x in ams if x["id"] == d["id"])
                am["status"], am["signed"] = "signed", day
                extra = f"{d['id']} 签订"
        elif a == "accept":
            if d.get("delivered"):
                r["dates"] = _dates(r, delivered=d["delivered"].isoformat())
            r["acceptance"] = {"on": day, "result": "pass", "members": d["members"]}
            r["status"] = "accepted"
        elif a == "evaluate":
            # cctk.lifecycle.actions.evaluate with --scores: the rubric's weighted score (policy defaults:
            # the demo ships no policy/evaluation.yaml), as strings
            score, _ = compute_score(d["scores"], {})
            r["evaluation"] = {"on": day, "score": str(score), "by": e.actor,
                               "scores": {k: str(v) for k, v in d["scores"].items()}}
            r["status"] = "evaluated"
        elif a == "archive":
            r["status"] = "archived"
        elif a == "terminate":
            r["status"] = "terminated"
            extra = d["reason"]
        if not render:
            return "", []
        files.insert(0, (f"contracts/{p.year}/{p.code}/contract.md", render_contract(r, p.body, self.seed, p.cache)))
        summary = f"{_SUMMARY[a]} {p.code} {r['title']}" + (f"（{extra}）" if extra else "")
        trailers = f"Cctk-Action: {a}\nCctk-Contract: {p.code}\n"
        if a == "approve":
            trailers += f"Cctk-Step: {d['step']}\n"
        elif a == "file" and r["filing"].get("number"):
            trailers += f"Cctk-Filing-Number: {r['filing']['number']}\n"      # as `cctk file` writes it
        if d.get("amendment") or (a == "amend" and d.get("id")):
            trailers += f"Cctk-Amendment: {d.get('amendment') or d['id']}\n"
        return f"{summary}\n\n{trailers}", files


def content_sha256(r: dict, body: str) -> str:
    """numbering.content_sha256 of the record, without parsing contract.md: the frozen fields built as
    the model holds them (``cctk audit`` recomputes it from the parsed record: LC020 on any mismatch)."""
    from types import SimpleNamespace

    from cctk.lifecycle.numbering import content_sha256 as sha
    from cctk.model import Instalment, Party

    cp = r["counterparty"]
    schedule = [Instalment(id=i["id"], trigger=i["trigger"], days=i.get("days", 0),
                           share=Decimal(i["share"][:-1]) / 100 if "share" in i else None,
                           amount=Decimal(i["amount"]) if "amount" in i else None, advance=i.get("advance", False),
                           on=dt.date.fromisoformat(i["on"]) if "on" in i else None, final=i.get("final", False))
                for i in r.get("payment_schedule", [])]
    bond = r.get("performance_bond")
    return sha(SimpleNamespace(code=r["code"], unit=r["unit"], currency=r["currency"], amount=Decimal(r["amount"]),
                               counterparty=Party(cp["name"], cp["credit_code"], cp.get("sme")),
                               payment_schedule=schedule, performance_bond=Decimal(bond) if bond else None,
                               body=body))


def _dates(r: dict, **new) -> dict:
    merged = dict(r["dates"], **new)
    order = ["drafted", "submitted", "award", "signed", "published", "start", "end", "delivered"]
    return {k: merged[k] for k in order if k in merged}


# --- fast-import stream ---------------------------------------------------------------------

class Stream:
    def __init__(self, repo: Path):
        # --cat-blob-fd=1: get-mark answers (commit ids, for the filed PDFs' base commit) come back on stdout
        self.proc = subprocess.Popen(["git", "fast-import", "--quiet", "--done", "--cat-blob-fd=1"], cwd=repo,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.buf: list[bytes] = []
        self.size = 0
        self.commits = 0

    def commit(self, who: Person, when: dt.datetime, message: str, files: list[tuple[str, bytes]]):
        ts = int(when.replace(tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp())
        ident = f"{who.name} <{who.email}> {ts} {TZ}".encode()
        msg = message.encode()
        self.commits += 1
        parts = [b"commit refs/heads/main\nmark :%d\nauthor " % self.commits, ident, b"\ncommitter ", ident,
                 b"\ndata %d\n" % len(msg), msg, b"\n"]
        for path, data in files:
            parts += [b"M 100644 inline ", path.encode(), b"\ndata %d\n" % len(data), data, b"\n"]
        self._write(parts)

    def last_id(self) -> str:
        """The id of the last commit written (fast-import computes it as it goes)."""
        self._write([b"get-mark :%d\n" % self.commits])
        self.flush()
        self.proc.stdin.flush()
        return self.proc.stdout.readline().decode().strip()

    def _write(self, parts):
        self.buf += parts
        self.size += sum(map(len, parts))
        if self.size > 1 << 20:
            self.flush()

    def flush(self):
        if self.buf:
            self.proc.stdin.write(b"".join(self.buf))
            self.buf, self.size = [], 0

    def close(self):
        self._write([b"done\n"])
        self.flush()
        self.proc.stdin.close()
        self.proc.stdout.read()
        err = self.proc.stderr.read().decode("utf-8", "replace")
        if self.proc.wait() != 0:
            raise DemoError("demo.git_failed", detail=err.strip()[-2000:])


def _git(repo: Path, *args) -> str:
    res = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
    if res.returncode != 0:
        raise DemoError("demo.git_failed", detail=(res.stderr or res.stdout).strip())
    return res.stdout.strip()


# --- static files ---------------------------------------------------------------------------

def _static_files(org: Org, suppliers: list[Supplier], seed: int, n: int, planted: list[dict], pdfs: str,
                  history: str) -> list[tuple[str, bytes]]:
    root = Path(__file__).resolve().parents[2]
    files = []
    cctk_yaml = (
        "# cctk repository settings (仓库设置) — generated by `cctk demo`\n"
        'district: "深圳市罗湖区"\ndistrict_en: "Luohu District, Shenzhen"\nlocale: zh\n'
        "# Unified contract code (统一合同编码)\n"
        'code_format: "LHHT-{year}-{seq:06d}"\n' "code_pattern: '^LHHT-\\d{4}-\\d{6}$'\n"
        "# Filing number (备案号), sequential per year.\n"
        'filing_number_format: "罗财合备〔{year}〕{seq}号"\n'
        "# The date the demo's deadline checks use by default (演示数据的基准日).\n"
        f'as_of: "{AS_OF.isoformat()}"\n'
        f"demo_seed: {seed}\n" + office_yaml())
    files.append(("cctk.yaml", cctk_yaml.encode()))
    org_lines = ["# Budget units, people and roles (预算单位、人员与角色) — generated by `cctk demo`", "roles:"]
    for rid, zh, en in [("clerk", "承办人", "Clerk"), ("contract-admin", "合同管理员", "Contract administrator"),
                        ("unit-head", "单位负责人", "Unit head"), ("legal-reviewer", "法制机构审查人", "Legal reviewer"),
                        ("finance", "财政", "Finance"), ("auditor", "审计", "Auditor"), ("inspector", "检查员", "Inspector")]:
        org_lines.append(f"  {rid}: {{name: {zh}, name_en: {en}}}")
    org_lines.append("units:")
    for u in org.units:
        org_lines += [f'  - code: "{u.code}"', f"    name: {json.dumps(u.name, ensure_ascii=False)}",
                      f"    name_en: {json.dumps(u.name_en)}"]
    org_lines.append("people:")
    for p in org.people.values():
        org_lines += [f"  - id: {p.id}", f"    name: {p.name}", f"    email: {p.email}",
                      f"    roles: [{', '.join(p.roles)}]", f"    units: [{', '.join(p.units)}]"]
    files.append(("policy/org.yaml", ("\n".join(org_lines) + "\n").encode()))
    thresholds = root / "policy" / "thresholds.yaml"
    files.append(("policy/thresholds.yaml", thresholds.read_bytes() if thresholds.exists() else _THRESHOLDS.encode()))
    files.append(("policy/rules.yaml", _RULES.encode()))
    for s in suppliers:
        rec = {"credit_code": s.credit_code, "name": s.name, "sme": s.sme, "region": s.region}
        # listings arrive later, each in its own commit on its start date
        text = "# Supplier register entry (供应商)\n" + render_yaml(rec) + "listings: []\n"
        files.append((f"suppliers/{s.credit_code}.yaml", text.encode()))
    files.append((".cctk/planted.yaml", (
        "# Problems planted on purpose by `cctk demo`, for checks to find (预置问题清单).\n"
        f"seed: {seed}\nas_of: \"{AS_OF.isoformat()}\"\nproblems:\n"
        + "".join(f"  - contract: \"{x['contract']}\"\n    problem: {x['problem']}\n"
                  f"    detail: {json.dumps(x['detail'], ensure_ascii=False)}\n" for x in planted)).encode()))
    files.append((".cctk/demo.yaml", (
        f"# How this demo was built (演示数据生成参数)\nseed: {seed}\ncontracts: {n}\npdfs: {pdfs}\nhistory: {history}\n").encode()))
    files.append(("README.md", _README.format(seed=seed, n=n, as_of=AS_OF.isoformat()).encode()))
    files.append((".gitignore", f"/.cctk/cache/\n/{PKI}/*.p12\n/{PKI}/*.key\n".encode()))
    return files


_README = """# 罗湖区合同监管演示仓库 / Luohu contract supervision demo

Generated by `cctk demo --seed {seed} --contracts {n}`. Every contract's life is git history:
one commit per lifecycle action with `Cctk-Action` / `Cctk-Contract` trailers.
Deadline checks in this repository default to the date `as_of: {as_of}` in `cctk.yaml`.

由 `cctk demo` 生成的演示仓库：每份合同的每个环节都是一次 git 提交。

    cctk ls --status performing
    cctk check
    git log --format='%h %ad %an %s' --date=short -- contracts/

Problems planted on purpose are listed in `.cctk/planted.yaml`.
"""

# The demo district's own rule settings (docs/demo.md, "Rule settings"): a unit signs a handful of contracts a
# year, so one works or property contract above half its yearly value is ordinary, not a sign of a captured
# supplier; concentration is reported once a unit's year has enough contracts to mean something.
_RULES = """# Rule settings for this repository (规则设置) — generated by `cctk demo`. Defaults ship with cctk
# (cctk/data/rules/defaults.yaml, listed by `cctk rules CODE`); set here only what differs.
#
# CC502 supplier concentration: a budget unit here signs 1-8 contracts a year, and one large works or
# property contract then holds more than half of its yearly value whoever the supplier is. The share is
# a signal of favouritism only over a real number of procurements: ten or more contracts in the year.
# 单位年度合同不足10份时，单笔大额合同即占半数以上金额，不据此判断供应商集中。
supplier_concentration:
  min_contracts: 10
custom: []
"""

_THRESHOLDS = """filing:
  min_amount: "50000"
  deadline_workdays: 7
key_supervision:
  major_amount: "10000000"
"""


# --- the entry point ------------------------------------------------------------------------

def generate(dest: Path, *, contracts: int = 600, seed: int = 2019, pdfs: str = "recent", progress=None,
             history: str = "auto") -> DemoSummary:
    """Build the demo repository in ``dest`` (must not exist or be empty). See the module docstring."""
    started = time.perf_counter()
    dest = Path(dest)
    if pdfs not in PDF_CHOICES:
        raise DemoError("demo.bad_pdfs", value=pdfs)
    if contracts < 1:
        raise DemoError("demo.bad_count", value=contracts)
    if history not in HISTORY_CHOICES:
        raise DemoError("demo.bad_pdfs", value=history)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise DemoError("demo.not_empty", path=str(dest))
    progress = progress or (lambda phase, done, total: None)

    rng = random.Random(seed)
    org = Org(random.Random(rng.random()))
    suppliers = build_suppliers(random.Random(rng.random()))
    planner = Planner(random.Random(rng.random()), org, suppliers, contracts)
    plans = []
    for i in range(contracts):
        plans.append(planner.plan(i))
        if i % 5000 == 0:
            progress("plan", i, contracts)
    planted = plant(random.Random(rng.random()), plans, suppliers, org)
    body_rng = random.Random(rng.random())
    for p in plans:
        p.body = contract_body(p.record, org.unit(p.record["unit"]).name, p._plan, body_rng)

    events = [e for p in plans for e in p.events if e.when.date() < AS_OF]
    events.sort(key=lambda e: (e.when, e.order))
    total = len(events)
    mode = "full" if history == "full" or total <= FULL_HISTORY_MAX_EVENTS else "import"
    cut = 0 if mode == "full" else total - TAIL_EVENTS

    created = not dest.exists()
    filed_pdfs = None
    try:
        dest.mkdir(parents=True, exist_ok=True)
        _git(dest, "init", "-q", "-b", "main")
        stream = Stream(dest)
        admin = org.people[org.unit("LHCZ").admin]
        importer = org.people[org.registrar]
        init_msg = ("初始化罗湖区合同监管仓库（单位、人员、供应商与规则）\n\n"
                    "Cctk-Action: init\n")
        static = _static_files(org, suppliers, seed, contracts, planted, pdfs, mode)
        filed_pdfs = FiledPdfs(dest, seed, static)       # the demo CA always: `cctk file` signs in the demo too
        static.append((f"{PKI}/district-ca.pem", filed_pdfs.ca_pem))
        stream.commit(admin, dt.datetime(2017, 12, 28, 9, 0), init_msg, static)
        wanted = targets(events, pdfs)
        collapsed = {"on": bool(cut), "files": [], "base": stream.last_id() if cut and wanted else ""}

        def pdf_hook(p, e, r):
            if id(e) not in wanted:
                return []
            path = f"contracts/{p.year}/{p.code}/contract.md"
            when = e.when.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
            base = collapsed["base"] if collapsed["on"] else stream.last_id()
            pdf = filed_pdfs.file(r, render_contract(r, p.body, seed, p.cache), path, when, base)
            item = (f"contracts/{p.year}/{p.code}/filed.pdf", pdf)
            if collapsed["on"]:
                collapsed["files"].append(item)     # into the import commit, whose parent is `base`
                return []
            return [item]
        replay = Replayer(org, seed)
        replay.pdf_hook = pdf_hook
        # Supplier listings are commits of their own, on their start date.
        listing_events = sorted(((dt.date.fromisoformat(x["start"]), s, x) for s in suppliers for x in s.listings
                                 if dt.date.fromisoformat(x["start"]) < AS_OF), key=lambda t_: (t_[0], t_[1].credit_code))
        by_idx = {p.idx: p for p in plans}
        pending = list(listing_events)
        if cut:
            for e in events[:cut]:
                replay.apply(by_idx[e.order], e, render=False)
            cut_when = events[cut].when - dt.timedelta(minutes=1)
            files = []
            for p in plans:
                if any(e.when <= cut_when for e in p.events[:1]):
                    files.append((f"contracts/{p.year}/{p.code}/contract.md", render_contract(p.record, p.body, seed, p.cache)))
                    for k, am in enumerate(p.record.get("amendments", []), 1):
                        files.append((f"contracts/{p.year}/{p.code}/{am['path']}",
                                      amendment_text(p.record, k, Decimal(am["amount_change"])).encode()))
            while pending and pending[0][0] <= cut_when.date():
                files.append(_listing_file(*pending.pop(0)[1:]))
            files += collapsed["files"]
            collapsed["on"] = False
            stream.commit(importer, cut_when, f"导入历史合同记录 {len(files)} 份（截至 {cut_when.date()}）\n\n"
                                           f"Cctk-Action: import\n", files)
        for k, e in enumerate(events[cut:], cut):
            while pending and pending[0][0] <= e.when.date():
                _commit_listing(stream, org, *pending.pop(0), seed)
            msg, files = replay.apply(by_idx[e.order], e)
            stream.commit(org.people[e.actor], e.when, msg, files)
            if k % 2000 == 0:
                progress("commits", k, total)
        while pending:
            _commit_listing(stream, org, *pending.pop(0), seed)
        progress("commits", total, total)
        stream.close()
        progress("checkout", 0, 1)
        _git(dest, "reset", "-q", "--hard")
        head = _git(dest, "rev-parse", "HEAD")
        filed_pdfs.close()
    except BaseException:
        if filed_pdfs is not None:
            filed_pdfs.close()
        if created:
            shutil.rmtree(dest, ignore_errors=True)
        else:
            for child in dest.iterdir():
                shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
        raise
    by_status: dict[str, int] = {}
    for p in plans:
        by_status[p.record["status"]] = by_status.get(p.record["status"], 0) + 1
    return DemoSummary(
        path=dest, seed=seed, as_of=AS_OF, units=len(org.units), people=len(org.people), suppliers=len(suppliers),
        contracts=contracts, by_status=dict(sorted(by_status.items())),
        total_amount=sum((Decimal(p.record["amount"]) for p in plans), Decimal(0)), commits=stream.commits,
        head=head, history=mode, pdfs=pdfs, planted=planted, seconds=time.perf_counter() - started)


def _commit_listing(stream: Stream, org: Org, day: dt.date, s: Supplier, listing: dict, seed: int):
    """Commit the supplier file as it reads once ``listing`` takes effect."""
    kind = "黑名单" if listing["list"] == "black" else "红名单"
    msg = (f"供应商 {s.credit_code} {s.name} 列入{kind}\n\n"
           f"Cctk-Action: supplier-list\nCctk-Supplier: {s.credit_code}\n")
    stream.commit(org.people[listing["by"]], dt.datetime.combine(day, dt.time(9, 0)), msg,
                  [_listing_file(s, listing)])


def _listing_file(s: Supplier, listing: dict) -> tuple[str, bytes]:
    text = "# Supplier register entry (供应商)\n" + render_yaml(
        {"credit_code": s.credit_code, "name": s.name, "sme": s.sme, "region": s.region})
    text += "listings:\n" + render_yaml({"x": [listing]}).split("\n", 1)[1]
    return f"suppliers/{s.credit_code}.yaml", text.encode()
