"""Listing records and their derivation.

A listing (suppliers/<credit code>.yaml ``listings:``) is modelled on mature exclusion registers (the US
SAM.gov exclusions, the World Bank's debarred firms list): who excluded (``authority``), why (``cause``
from a fixed vocabulary, ``reason`` in words, ``evidence`` — the record it rests on), from when to when
(``start``, ``end``; open-ended when empty), what it bars (``scope``), who recorded it (``by``), and the
appeals against it (``appeals: [{on, by, text, decision: pending|upheld|lifted, decided}]``). A lifted
listing keeps its history: ``end`` becomes the day before the decision and ``original_end`` keeps the
period first imposed, so every reader of ``start``/``end`` (e.g. rule CC105) sees the lifting.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from cctk.i18n import register
from cctk.model import Contract
from cctk.supervision.policy import policy_section

register({
    "sup.role": ("{person} may not do this: it needs one of the roles {roles} (has {has})",
                 "{person} 无权执行此操作：需要角色 {roles}（现有 {has}）"),
    "sup.no_supplier": ("no supplier with credit code '{code}' in suppliers/", "suppliers/ 中找不到统一社会信用代码为“{code}”的供应商"),
    "sup.list_kind": ("list must be 'black' or 'red', not '{value}'", "名单类型须为 black 或 red，而非“{value}”"),
    "sup.reason": ("a manual listing needs a reason (--reason) and evidence (--evidence)",
                   "手工列入名单须写明理由（--reason）和依据（--evidence）"),
    "sup.no_listing": ("{code} has no listing number {n} (it has {count})", "{code} 没有第 {n} 条名单记录（共 {count} 条）"),
    "sup.decision": ("decision must be pending, upheld or lifted, not '{value}'",
                     "复核结论须为 pending、upheld 或 lifted，而非“{value}”"),
    "sup.dates": ("the listing's end {end} is before its start {start}", "名单结束日期 {end} 早于开始日期 {start}"),
    "sup.nothing": ("no new listings to record", "没有需要登记的新名单"),
})

CAUSES = ("inspection-failed", "evaluation-below", "evaluation-below-60", "acceptance-failed", "breach", "manual",
          "red-evaluation")


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _d(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


@dataclass
class Listing:
    supplier: str
    list: str                         # black | red
    start: dt.date | None
    end: dt.date | None
    cause: str
    reason: str = ""
    evidence: str = ""
    authority: str = ""
    scope: str = ""
    by: str | None = None
    appeals: list = field(default_factory=list)
    source: str = "recorded"          # recorded (in suppliers/…yaml) or derived (computed, not yet recorded)
    index: int | None = None          # position in the file's listings (recorded ones)
    original_end: dt.date | None = None

    @classmethod
    def from_dict(cls, supplier: str, raw: dict, index: int | None = None) -> "Listing":
        return cls(supplier=supplier, list=str(raw.get("list") or ""), start=_d(raw.get("start")),
                   end=_d(raw.get("end")), cause=str(raw.get("cause") or ""), reason=str(raw.get("reason") or ""),
                   evidence=str(raw.get("evidence") or ""), authority=str(raw.get("authority") or ""),
                   scope=str(raw.get("scope") or ""), by=raw.get("by"), appeals=list(raw.get("appeals") or []),
                   index=index, original_end=_d(raw.get("original_end")))

    def in_force(self, day: dt.date) -> bool:
        if self.start and day < self.start:
            return False
        if self.end and day > self.end:
            return False
        return True

    def to_record(self) -> dict:
        out = {"list": self.list, "start": self.start, "end": self.end, "authority": self.authority,
               "cause": self.cause, "reason": self.reason, "evidence": self.evidence, "scope": self.scope,
               "by": self.by, "appeals": list(self.appeals)}
        return {k: v for k, v in out.items() if v is not None}

    def to_json(self) -> dict:
        out = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.to_record().items()}
        out["appeals"] = [{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in a.items()}
                          for a in self.appeals if isinstance(a, dict)]
        out.update(supplier=self.supplier, source=self.source)
        return out


def in_force(listing: dict | Listing, day: dt.date) -> bool:
    if isinstance(listing, dict):
        listing = Listing.from_dict("", listing)
    return listing.in_force(day)


def policy_for(policy: dict) -> dict:
    return policy_section(policy, "suppliers")


def recorded(snap) -> list[Listing]:
    out = []
    for code, sup in sorted(snap.suppliers.items()):
        for i, raw in enumerate(sup.listings or []):
            if isinstance(raw, dict):
                out.append(Listing.from_dict(code, raw, i))
    return out


def _evidence(c: Contract) -> str:
    return c.path.rsplit("/", 1)[0] if c.path else f"contracts/{c.year}/{c.code}"


def derive(snap, as_of: dt.date, *, inspections: list[dict] | None = None, feedback: dict | None = None,
           contracts=None) -> list[Listing]:
    """Listings the rules of policy/suppliers.yaml call for on ``as_of`` that are not recorded yet.
    ``contracts``: instead of snap.contracts, objects with the same code, supplier, path, acceptance (on,
    result) and evaluation (on, score) — e.g. cctk.supervision.alerts.AlertFacts, read without full records."""
    contracts = snap.contracts if contracts is None else contracts
    pol = policy_for(snap.policy)
    authority, scope = pol.get("authority", ""), pol.get("scope", "")
    rules = {r["cause"]: r for r in pol.get("black") or []}
    have = {(l.supplier, l.list, l.cause.replace("evaluation-below-60", "evaluation-below"), l.evidence)
            for l in recorded(snap)}
    events: list[Listing] = []

    def black(supplier, cause, day, evidence, detail=""):
        rule = rules.get(cause)
        if rule is None or day is None or day > as_of:
            return
        reason = rule.get("reason", cause) + (f"（{detail}）" if detail else "")
        events.append(Listing(supplier=supplier, list="black", start=day,
                              end=add_months(day, int(rule.get("months", 12))) - dt.timedelta(days=1), cause=cause,
                              reason=reason, evidence=evidence, authority=authority, scope=scope, source="derived"))

    floor = Decimal(str((rules.get("evaluation-below") or {}).get("below", 60)))
    by_code = {}
    for c in contracts:
        by_code[c.code] = c
        if c.evaluation is not None and c.evaluation.score < floor:
            black(c.supplier, "evaluation-below", c.evaluation.on, _evidence(c), f"{c.code} {c.evaluation.score}")
        if c.acceptance is not None and c.acceptance.result == "fail":
            black(c.supplier, "acceptance-failed", c.acceptance.on, _evidence(c), c.code)
    for rec in inspections or []:
        if rec.get("result") == "fail" and rec.get("contract") in by_code:
            c = by_code[rec["contract"]]
            black(c.supplier, "inspection-failed", _d(rec.get("on")),
                  f"inspections/{_d(rec.get('on')).year}.yaml#{rec.get('id')}", f"{c.code} {rec.get('kind', '')}")
    for code, items in (feedback or {}).items():
        c = by_code.get(code)
        for item in items:
            if c is not None and item.get("breach") and item.get("resolved"):
                black(c.supplier, "breach", _d(item["resolved"].get("on")),
                      f"{_evidence(c)}/feedback.yaml#{item.get('n')}", code)
    out = [e for e in events if (e.supplier, e.list, e.cause, e.evidence) not in have]

    red = pol.get("red") or {}
    if red:
        window_start = add_months(as_of, -12 * int(red.get("window_years", 3)))
        failed = {e.supplier for e in events} | {l.supplier for l in recorded(snap) if l.list == "black"}
        scores: dict[str, list[tuple[dt.date, Decimal, str]]] = {}
        for c in contracts:
            ev = c.evaluation
            if ev is not None and ev.on and window_start <= ev.on <= as_of:
                scores.setdefault(c.supplier, []).append((ev.on, ev.score, c.code))
        current_red = {l.supplier for l in recorded(snap) if l.list == "red" and l.in_force(as_of)}
        for supplier, items in sorted(scores.items()):
            if supplier in failed or supplier in current_red or len(items) < int(red.get("min_contracts", 3)):
                continue
            avg = (sum((s for _, s, _ in items), Decimal(0)) / len(items)).quantize(Decimal("0.01"))
            if avg < Decimal(str(red.get("min_average", 90))):
                continue
            start = max(d for d, _, _ in items)
            evidence = ", ".join(code for _, _, code in sorted(items))
            key = (supplier, "red", "red-evaluation", evidence)
            if key in have:
                continue
            out.append(Listing(supplier=supplier, list="red", start=start,
                               end=add_months(start, int(red.get("months", 12))) - dt.timedelta(days=1),
                               cause="red-evaluation", reason=f"{red.get('reason', '')}（平均 {avg} 分，{len(items)} 份合同）",
                               evidence=evidence, authority=authority, scope=scope, source="derived"))
    out.sort(key=lambda l: (l.start or dt.date.min, l.supplier, l.list))
    return out


def effective_listings(snap, as_of: dt.date, *, derived: bool = True, inspections=None, feedback=None,
                       contracts=None) -> list[Listing]:
    out = recorded(snap)
    if derived:
        out += derive(snap, as_of, inspections=inspections, feedback=feedback, contracts=contracts)
    return out


def listed(listings: list[Listing], kind: str, as_of: dt.date) -> list[Listing]:
    return [l for l in listings if l.list == kind and l.in_force(as_of)]


# --- writing ----------------------------------------------------------------------------------

def _commit(root: Path, supplier_path: str, data: bytes, subject: str, person, code: str, extra_trailers=None):
    from cctk.lifecycle import txn

    trailers = {"Cctk-Action": "supplier-list", "Cctk-Supplier": code}
    trailers.update(extra_trailers or {})
    return txn.commit_files(root, {supplier_path: data}, subject, trailers=trailers,
                            author=(person.name, person.email), action="supplier-list")


def _edit(root: Path, code: str):
    from cctk.store.yamlio import load_roundtrip

    path = f"suppliers/{code}.yaml"
    file = root / path
    if not file.is_file():
        from cctk.lifecycle.workflow import Refused
        raise Refused("sup.no_supplier", code=code)
    original = file.read_bytes()
    return path, original, load_roundtrip(original.decode("utf-8"))


def _save(root: Path, path: str, original: bytes, data) -> bytes:
    from cctk.lifecycle.workflow import Refused
    from cctk.store.repo import parse_supplier
    from cctk.store.yamlio import dump_roundtrip

    text = dump_roundtrip(data)
    head = original.decode("utf-8").split("\n", 1)[0]
    if head.startswith("#") and not text.startswith("#"):
        text = head + "\n" + text
    new = text.encode("utf-8")
    supplier, diags = parse_supplier(path, new)
    if supplier is None:
        raise Refused("act.result_invalid", detail="; ".join(d.text() for d in diags))
    if (root / path).read_bytes() != original:           # hash-guarded save
        raise Refused("act.changed", path=path)
    return new


def _person(root, snap, person_id, roles):
    from cctk.supervision.policy import git_email, person_with_role
    return person_with_role(snap.org, person_id, None if person_id else git_email(root), roles)


def _append(data, entry: dict):
    from cctk.lifecycle.record import q
    if data.get("listings") is None:
        data["listings"] = q([entry])
    else:
        data["listings"].append(q(entry))


def apply_derived(root, as_of: dt.date, *, person: str | None = None, inspections=None, feedback=None) -> list[tuple[Listing, str]]:
    """Record every derived listing (one commit per supplier); returns [(listing, commit)]."""
    from cctk.lifecycle import txn
    from cctk.lifecycle.workflow import Refused
    from cctk.store.loader import load

    root = Path(root).resolve()
    txn.recover(root)
    snap = load(root)
    who = _person(root, snap, person, policy_for(snap.policy).get("authorised_roles") or ["finance"])
    new = derive(snap, as_of, inspections=inspections, feedback=feedback)
    if not new:
        raise Refused("sup.nothing")
    out = []
    for code in sorted({l.supplier for l in new}):
        path, original, data = _edit(root, code)
        mine = [l for l in new if l.supplier == code]
        for l in mine:
            l.by = who.id
            _append(data, l.to_record())
        body = _save(root, path, original, data)
        kinds = ", ".join(f"{'黑名单' if l.list == 'black' else '红名单'} {l.cause}" for l in mine)
        commit = _commit(root, path, body, f"供应商名单 {code}：{kinds}", who, code,
                         {"Cctk-Listing": ", ".join(f"{l.list}:{l.cause}" for l in mine)})
        out += [(l, commit) for l in mine]
    return out


def add_listing(root, code: str, kind: str, *, reason: str, evidence: str, start=None, end=None, months=None,
                scope: str | None = None, person: str | None = None, as_of: dt.date | None = None) -> tuple[Listing, str]:
    """A manual listing by an authorised person (cause: manual)."""
    from cctk.lifecycle import txn
    from cctk.lifecycle.workflow import Refused
    from cctk.store.loader import load

    root = Path(root).resolve()
    txn.recover(root)
    snap = load(root, contracts="registers")
    if kind not in ("black", "red"):
        raise Refused("sup.list_kind", value=kind)
    if not (reason or "").strip() or not (evidence or "").strip():
        raise Refused("sup.reason")
    pol = policy_for(snap.policy)
    who = _person(root, snap, person, pol.get("authorised_roles") or ["finance"])
    day = _d(start) or as_of or dt.date.today()
    stop = _d(end) or (add_months(day, int(months)) - dt.timedelta(days=1) if months else None)
    if stop and stop < day:
        raise Refused("sup.dates", start=day.isoformat(), end=stop.isoformat())
    listing = Listing(supplier=code, list=kind, start=day, end=stop, cause="manual", reason=reason.strip(),
                      evidence=evidence.strip(), authority=pol.get("authority", ""), scope=scope or pol.get("scope", ""),
                      by=who.id, source="recorded")
    path, original, data = _edit(root, code)
    _append(data, listing.to_record())
    body = _save(root, path, original, data)
    commit = _commit(root, path, body, f"供应商名单 {code}：手工列入{'黑名单' if kind == 'black' else '红名单'}", who, code,
                     {"Cctk-Listing": f"{kind}:manual"})
    return listing, commit


def appeal(root, code: str, n: int, text: str, *, decision: str = "pending", on=None, person: str | None = None,
           as_of: dt.date | None = None) -> tuple[dict, str]:
    """Record an appeal against listing number ``n`` (1-based) or decide it (upheld / lifted)."""
    from cctk.lifecycle import txn
    from cctk.lifecycle.record import q
    from cctk.lifecycle.workflow import Refused
    from cctk.store.loader import load

    root = Path(root).resolve()
    txn.recover(root)
    snap = load(root, contracts="registers")
    if decision not in ("pending", "upheld", "lifted"):
        raise Refused("sup.decision", value=decision)
    who = _person(root, snap, person, policy_for(snap.policy).get("authorised_roles") or ["finance"])
    path, original, data = _edit(root, code)
    items = data.get("listings") or []
    if not 1 <= n <= len(items):
        raise Refused("sup.no_listing", code=code, n=n, count=len(items))
    day = _d(on) or as_of or dt.date.today()
    entry = {"on": day, "by": who.id, "text": text, "decision": decision}
    if decision != "pending":
        entry["decided"] = day
    listing = items[n - 1]
    if listing.get("appeals") is None:
        listing["appeals"] = q([entry])
    else:
        listing["appeals"].append(q(entry))
    if decision == "lifted":
        if "original_end" not in listing and listing.get("end"):
            listing["original_end"] = q(_d(listing.get("end")))
        listing["end"] = q(day - dt.timedelta(days=1))
    body = _save(root, path, original, data)
    commit = _commit(root, path, body, f"供应商名单 {code}：第{n}条复核 {decision}", who, code,
                     {"Cctk-Appeal": f"{n}:{decision}"})
    return entry, commit


# --- the supplier's record --------------------------------------------------------------------

def supplier_record(snap, code: str, as_of: dt.date, *, settings: dict | None = None, inspections=None,
                    feedback=None, listings: list[Listing] | None = None) -> dict:
    """``listings``: effective_listings(snap, as_of, …) already computed by the caller (a screen showing many
    suppliers derives them once instead of once per supplier); computed here when None."""
    from cctk.payments import schedule_state

    sup = snap.suppliers.get(code)
    contracts = sorted((c for c in snap.contracts if c.supplier == code), key=lambda c: c.code)
    rows, scores = [], []
    overdue = Decimal(0)
    for c in contracts:
        states = schedule_state(c, as_of=as_of, settings=settings)
        overdue += sum((s.outstanding for s in states if s.status == "overdue"), Decimal(0))
        rows.append({"code": c.code, "title": c.title, "unit": c.unit, "amount": f"{c.amount:.2f}",
                     "status": c.status, "signed": c.dates["signed"].isoformat() if c.dates.get("signed") else None,
                     "paid": f"{c.paid:.2f}",
                     "score": str(c.evaluation.score) if c.evaluation else None,
                     "acceptance": c.acceptance.result if c.acceptance else None})
        if c.evaluation:
            scores.append(c.evaluation.score)
    if listings is None:
        listings = effective_listings(snap, as_of, inspections=inspections, feedback=feedback)
    listings = [l for l in listings if l.supplier == code]
    return {
        "credit_code": code, "name": sup.name if sup else (contracts[0].counterparty.name if contracts else ""),
        "sme": sup.sme if sup else None, "registered": sup is not None, "contracts": rows,
        "total": f"{sum((c.amount for c in contracts), Decimal(0)):.2f}",
        "paid": f"{sum((c.paid for c in contracts), Decimal(0)):.2f}", "overdue": f"{overdue:.2f}",
        "average_score": f"{(sum(scores, Decimal(0)) / len(scores)).quantize(Decimal('0.01'))}" if scores else None,
        "listings": [l.to_json() for l in listings],
        "black_now": any(l.list == "black" and l.in_force(as_of) for l in listings),
        "red_now": any(l.list == "red" and l.in_force(as_of) for l in listings),
    }
