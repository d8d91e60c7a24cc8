"""Alerts (系统提示): what needs attention at key points and risk points, each naming the contract, the
deadline and the person responsible. Pure function over a loaded snapshot plus the inspection records
and problem reports; the CLI and the TUI print the same list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import msgspec

from cctk.i18n import register, t

register({
    "alert.filing-overdue": ("filing overdue: due {deadline}, {days} days late", "备案逾期：应于 {deadline} 前备案，已逾期 {days} 天"),
    "alert.filing-due": ("filing due by {deadline} ({days} days left)", "即将到期备案：应于 {deadline} 前备案（剩 {days} 天）"),
    "alert.payment-overdue": ("instalment {id} ({outstanding} yuan) overdue since {deadline}, {days} days; interest {interest} yuan",
                              "第 {id} 期款（{outstanding} 元）自 {deadline} 起逾期 {days} 天；应付逾期利息 {interest} 元"),
    "alert.payment-due": ("instalment {id} ({outstanding} yuan) due by {deadline}", "第 {id} 期款（{outstanding} 元）应于 {deadline} 前支付"),
    "alert.acceptance-overdue": ("term ended {end}; acceptance expected by {deadline}, none recorded",
                                 "合同已于 {end} 到期；应于 {deadline} 前验收，尚无验收记录"),
    "alert.ending-soon": ("term ends on {deadline} ({days} days)", "合同将于 {deadline} 到期（{days} 天后）"),
    "alert.evaluation-missing": ("accepted {accepted}; evaluation was due by {deadline}", "已于 {accepted} 验收；应于 {deadline} 前完成履约评价"),
    "alert.supplier-blacklisted": ("supplier {supplier} black-listed from {start} ({reason}) while this contract is live",
                                   "供应商 {supplier} 自 {start} 起被列入黑名单（{reason}），本合同仍在履行"),
    "alert.feedback-open": ("problem report {n} ({severity}) open since {since}: {text}", "第 {n} 号问题反馈（{severity}）自 {since} 起未处理：{text}"),
    "alert.inspection-failed": ("inspection {id} ({kind}) failed on {since}: {text}", "{since} 检查 {id}（{kind}）不合格：{text}"),
})

KINDS = ("filing-overdue", "filing-due", "payment-overdue", "payment-due", "acceptance-overdue", "ending-soon",
         "evaluation-missing", "supplier-blacklisted", "feedback-open", "inspection-failed")
LEVEL = {"filing-overdue": "error", "payment-overdue": "error", "supplier-blacklisted": "error",
         "inspection-failed": "error", "acceptance-overdue": "warning", "evaluation-missing": "warning",
         "feedback-open": "warning"}


@dataclass
class Alert:
    kind: str
    code: str
    unit: str
    deadline: dt.date | None
    responsible: str | None           # person id (the contract's clerk 承办人)
    args: dict

    @property
    def level(self) -> str:
        return LEVEL.get(self.kind, "info")

    def text(self, lang: str | None = None) -> str:
        return t(f"alert.{self.kind}", lang, **self.args)

    def to_json(self) -> dict:
        return {"kind": self.kind, "level": self.level, "contract": self.code, "unit": self.unit,
                "deadline": self.deadline.isoformat() if self.deadline else None, "responsible": self.responsible,
                "message": self.text("en"), "message_zh": self.text("zh")}


# --- what an alert needs of a contract, computed once per record (blob) -----------------------------------

class AccFacts(msgspec.Struct, array_like=True, gc=False):
    on: dt.date
    result: str


class EvalFacts(msgspec.Struct, array_like=True, gc=False):
    on: dt.date
    score: Decimal


class InstFacts(msgspec.Struct, array_like=True, gc=False):
    id: str
    due: dt.date | None
    outstanding: Decimal
    settled: bool                      # paid in full (status paid / paid-late whatever the date)
    opening: Decimal                   # balance outstanding at the due date (interest)
    got: list[tuple[dt.date, Decimal]] = []


class AlertFacts(msgspec.Struct, array_like=True, gc=False):
    """The date-independent part of a contract's alerts (and what supplier listings read of it). Valid for
    every evaluation date on or after ``upto`` (the last payment recorded: earlier dates count fewer
    payments, and are computed from the full record)."""
    code: str
    unit: str
    status: str
    clerk: str | None
    counterparty_name: str
    credit_code: str
    sme: bool
    filing_due: dt.date | None = None  # signed, in filing scope and not filed: the last day to file
    end: dt.date | None = None
    acceptance: AccFacts | None = None
    evaluation: EvalFacts | None = None
    upto: dt.date | None = None
    instalments: list[InstFacts] = []
    path: str = ""                     # set on use (a blob may sit at several paths)

    @property
    def supplier(self) -> str:
        return self.credit_code

    @property
    def year(self) -> int | None:      # cctk.suppliers.listings reads it when path is empty
        return None


QUIET = ("drafting", "review", "approved", "rejected", "terminated", "archived")   # statuses without alerts
FACTS_FORMAT = 1
_ENC = msgspec.msgpack.Encoder()
_DEC_MANY = msgspec.msgpack.Decoder(list[AlertFacts | None])


def facts_of(c, policy: dict, ps: dict, upto: dt.date | None = None) -> AlertFacts:
    """``upto``: count the payments made up to this day (default: all of them)."""
    from cctk.lifecycle import numbering
    from cctk.payments import schedule_state

    a, e = c.acceptance, c.evaluation
    f = AlertFacts(code=c.code, unit=c.unit, status=c.status, clerk=c.clerk, counterparty_name=c.counterparty.name,
                   credit_code=c.counterparty.credit_code, sme=bool(c.counterparty.sme), end=c.dates.get("end"),
                   acceptance=AccFacts(a.on, a.result) if a is not None else None,
                   evaluation=EvalFacts(e.on, e.score) if e is not None else None, path=c.path)
    if c.status in QUIET:
        return f
    signed = c.dates.get("signed")
    if c.status == "signed" and signed and numbering.in_scope(c, policy) and not (c.filing and c.filing.number):
        f.filing_due = numbering.deadline(signed, policy)[0]
    if upto is None:
        days = [p.on for p in c.payments if p.on]
        upto = max(days) if days else None
    f.upto = upto
    for s in schedule_state(c, as_of=upto or dt.date.min, settings=ps):
        settled = s.status in ("paid", "paid-late")
        before = sum((amt for d, amt in s.payments if s.due is not None and d <= s.due), Decimal(0))
        f.instalments.append(InstFacts(id=s.id, due=s.due, outstanding=s.outstanding, settled=settled,
                                       opening=s.value - before, got=list(s.payments) if not settled else []))
    return f


def facts_version(snap, ps: dict) -> str:
    from cctk.lifecycle import numbering, workflow
    from cctk.model import workdays
    from cctk.payments import schedule
    from cctk.supervision import blobcache

    return blobcache.version_of("alerts", FACTS_FORMAT, snap.policy, ps, blobcache.calendar_versions(),
                                modules=(__import__(__name__, fromlist=["x"]), numbering, workflow, schedule, workdays))


def alert_facts(snap, as_of: dt.date, *, settings: dict, use_cache: bool = True) -> list[AlertFacts]:
    """AlertFacts of every contract of the snapshot, in path order. A snapshot with full records computes
    them; one loaded with ``contracts="summary"`` reads them per blob from the cache (alert_facts table)
    and decodes full records only for new blobs and for contracts with payments after ``as_of``."""
    from cctk.payments import payment_settings
    from cctk.supervision import blobcache

    ps = payment_settings(settings)
    if snap.contracts or not snap.files:
        return [facts_of(c, snap.policy, ps, upto=as_of) for c in snap.contracts]
    paths, blob = blobcache.per_blob(
        snap, "alert_facts", facts_version(snap, ps),
        lambda records: [_ENC.encode(facts_of(c, snap.policy, ps)) for c in records], _ENC.encode(None),
        use_cache=use_cache)
    decoded = _DEC_MANY.decode(blob)
    out: list[AlertFacts] = []
    stale: list[int] = []
    for p, f in zip(paths, decoded):
        if f is None:
            continue
        f.path = p
        if f.upto is not None and f.upto > as_of:
            stale.append(len(out))
        out.append(f)
    if stale:       # payments after the evaluation date: those contracts are computed as of that date
        records = blobcache.records_for(snap, [out[i].path for i in stale])
        for i in stale:
            c = records.get(out[i].path)
            if c is not None:
                out[i] = facts_of(c, snap.policy, ps, upto=as_of)
    return out


def compute(snap, as_of: dt.date, *, settings: dict, unit: str | None = None, inspections=(), feedback=None,
            listings=None, soon_days: int = 30, due_days: int = 7, facts: list[AlertFacts] | None = None) -> list[Alert]:
    """Alerts on ``as_of``. ``facts``: alert_facts(snap, as_of, …) when the caller already has them (it
    needed them for the supplier listings); computed here otherwise."""
    from cctk.payments import interest, payment_settings

    ps = payment_settings(settings)
    rate = ps["rate"]
    grace = int((settings.get("acceptance") or {}).get("grace_days", 30))
    eval_days = int((settings.get("evaluation") or {}).get("deadline_days", 30))
    if facts is None:
        facts = alert_facts(snap, as_of, settings=settings)
    black = {}
    for l in listings or []:
        if l.list == "black" and l.in_force(as_of):
            black.setdefault(l.supplier, l)
    failed = {}
    for r in inspections:
        if r.get("result") == "fail":
            failed.setdefault(r.get("contract"), []).append(r)
    feedback = feedback or {}
    soon = dt.timedelta(days=soon_days)
    grace_td, eval_td = dt.timedelta(days=grace), dt.timedelta(days=eval_days)
    zero = Decimal("0.00")
    out: list[Alert] = []
    for c in facts:
        if unit and c.unit != unit:
            continue
        if c.status in QUIET:
            continue
        code, cunit, clerk = c.code, c.unit, c.clerk

        def add(_kind, _due_on, **args):      # underscored: an alert's own args include "kind" (inspections)
            out.append(Alert(_kind, code, cunit, _due_on, clerk, args))

        due = c.filing_due
        if due is not None:
            if as_of > due:
                add("filing-overdue", due, deadline=due.isoformat(), days=(as_of - due).days)
            else:
                add("filing-due", due, deadline=due.isoformat(), days=(due - as_of).days)
        for s in c.instalments:
            if s.settled or s.due is None:
                continue
            if as_of > s.due:
                owed = interest(s.got, s.due, as_of, rate, opening=s.opening) if c.sme else zero
                add("payment-overdue", s.due, id=s.id, outstanding=f"{s.outstanding:,.2f}", deadline=s.due.isoformat(),
                    days=(as_of - s.due).days, interest=f"{owed:,.2f}")
            elif (s.due - as_of).days <= due_days:
                add("payment-due", s.due, id=s.id, outstanding=f"{s.outstanding:,.2f}", deadline=s.due.isoformat())
        end = c.end
        if c.status in ("signed", "performing") and end:
            if c.acceptance is None and as_of > end + grace_td:
                add("acceptance-overdue", end + grace_td, end=end.isoformat(), deadline=(end + grace_td).isoformat())
            elif as_of <= end <= as_of + soon:
                add("ending-soon", end, deadline=end.isoformat(), days=(end - as_of).days)
        a = c.acceptance
        if a and a.result == "pass" and c.evaluation is None and a.on + eval_td < as_of:
            add("evaluation-missing", a.on + eval_td, accepted=a.on.isoformat(), deadline=(a.on + eval_td).isoformat())
        if c.status in ("signed", "performing", "accepted") and c.credit_code in black:
            l = black[c.credit_code]
            add("supplier-blacklisted", l.end, supplier=c.counterparty_name, start=l.start.isoformat() if l.start else "…",
                reason=l.reason or l.cause)
        for item in feedback.get(code, ()):
            if not item.get("resolved"):
                add("feedback-open", None, n=item.get("n"), severity=item.get("severity", ""),
                    since=item.get("on", ""), text=str(item.get("text", ""))[:60])
        for r in failed.get(code, ()):
            add("inspection-failed", None, id=r.get("id"), kind=r.get("kind"), since=r.get("on"),
                text=str(r.get("findings", ""))[:60])
    order = {k: i for i, k in enumerate(KINDS)}
    out.sort(key=lambda a: (order[a.kind], a.deadline or dt.date.max, a.code))
    return out


class _Run(msgspec.Struct, array_like=True, gc=False):
    kind: str
    code: str
    unit: str
    deadline: dt.date | None
    responsible: str | None
    args: dict[str, str | int | None]


_RUN_DEC = msgspec.msgpack.Decoder(list[_Run])


def run_key(snap, as_of: dt.date, *, settings: dict, inspections=(), feedback=None, soon_days: int = 30,
            due_days: int = 7) -> str:
    """What a whole run depends on: every contract path and blob id, the facts' version (code, policy,
    settings), the registers (recorded listings), inspection records, problem reports and the date."""
    import hashlib

    from cctk.payments import payment_settings
    from cctk.supervision import blobcache

    h = hashlib.sha1()
    for p in sorted(snap.files):
        h.update(f"{p}\0{snap.files[p]}\n".encode("utf-8", "surrogateescape"))
    if snap.contracts and not snap.files:
        h.update(repr([(c.path, c.oid) for c in snap.contracts]).encode())
    registers = {code: s.listings for code, s in sorted(snap.suppliers.items()) if s.listings}
    h.update(blobcache.version_of(facts_version(snap, payment_settings(settings)), settings, registers,
                                  list(inspections or ()), feedback or {}, as_of, soon_days, due_days).encode())
    return h.hexdigest()


def repository_alerts(snap, as_of: dt.date, *, settings: dict, inspections=(), feedback=None, unit: str | None = None,
                      use_cache: bool = True) -> list[Alert]:
    """``cctk alerts``: supplier listings (recorded and derived) and the alerts, from the whole-run cache when
    nothing they depend on changed (run_key), else from per-blob alert facts (alert_facts)."""
    from cctk.supervision import blobcache
    from cctk.suppliers import effective_listings

    key = run_key(snap, as_of, settings=settings, inspections=inspections, feedback=feedback)
    items = None
    with blobcache.BlobCache(snap.root, "alert_runs", "1") as runs:
        if use_cache:
            got = runs.get_many([key])
            if key in got:
                try:
                    items = [Alert(r.kind, r.code, r.unit, r.deadline, r.responsible, r.args)
                             for r in _RUN_DEC.decode(got[key])]
                except (msgspec.DecodeError, msgspec.ValidationError):
                    items = None
        if items is None:
            facts = alert_facts(snap, as_of, settings=settings, use_cache=use_cache)
            listings = effective_listings(snap, as_of, inspections=inspections, feedback=feedback, contracts=facts)
            items = compute(snap, as_of, settings=settings, inspections=inspections, feedback=feedback,
                            listings=listings, facts=facts)
            rows = [_Run(a.kind, a.code, a.unit, a.deadline, a.responsible, a.args) for a in items]
            if use_cache and all(v is None or type(v) in (str, int) for r in rows for v in r.args.values()):
                runs.replace_all(key, _ENC.encode(rows))
    return [a for a in items if a.unit == unit] if unit else items


def totals(alerts: list[Alert]) -> dict[str, int]:
    out: dict[str, int] = {}
    for a in alerts:
        out[a.kind] = out.get(a.kind, 0) + 1
    return out


def overdue_interest(alerts: list[Alert]) -> Decimal:
    return sum((Decimal(a.args["interest"].replace(",", "")) for a in alerts if a.kind == "payment-overdue"), Decimal(0))
