"""Alerts (系统提示): what needs attention at key points and risk points, each naming the contract, the
deadline and the person responsible. Pure function over a loaded snapshot plus the inspection records
and problem reports; the CLI and the TUI print the same list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

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


def compute(snap, as_of: dt.date, *, settings: dict, unit: str | None = None, inspections=(), feedback=None,
            listings=None, soon_days: int = 30, due_days: int = 7) -> list[Alert]:
    from cctk.lifecycle import numbering
    from cctk.payments import payment_settings, schedule_state

    ps = payment_settings(settings)
    grace = int((settings.get("acceptance") or {}).get("grace_days", 30))
    eval_days = int((settings.get("evaluation") or {}).get("deadline_days", 30))
    black = {}
    for l in listings or []:
        if l.list == "black" and l.in_force(as_of):
            black.setdefault(l.supplier, l)
    failed = {}
    for r in inspections:
        if r.get("result") == "fail":
            failed.setdefault(r.get("contract"), []).append(r)
    out: list[Alert] = []
    for c in snap.contracts:
        if unit and c.unit != unit:
            continue
        if c.status in ("drafting", "review", "approved", "rejected", "terminated", "archived"):
            continue

        def add(_kind, _due_on, **args):      # underscored: an alert's own args include "kind" (inspections)
            out.append(Alert(_kind, c.code, c.unit, _due_on, c.clerk, args))

        signed = c.dates.get("signed")
        if c.status == "signed" and signed and numbering.in_scope(c, snap.policy) and not (c.filing and c.filing.number):
            due, _ = numbering.deadline(signed, snap.policy)
            if as_of > due:
                add("filing-overdue", due, deadline=due.isoformat(), days=(as_of - due).days)
            else:
                add("filing-due", due, deadline=due.isoformat(), days=(due - as_of).days)
        for s in schedule_state(c, as_of=as_of, settings=ps):
            if s.status == "overdue":
                add("payment-overdue", s.due, id=s.id, outstanding=f"{s.outstanding:,.2f}", deadline=s.due.isoformat(),
                    days=s.days_late, interest=f"{s.interest:,.2f}")
            elif s.status == "due" and s.due and (s.due - as_of).days <= due_days:
                add("payment-due", s.due, id=s.id, outstanding=f"{s.outstanding:,.2f}", deadline=s.due.isoformat())
        end = c.dates.get("end")
        if c.status in ("signed", "performing") and end:
            if c.acceptance is None and as_of > end + dt.timedelta(days=grace):
                add("acceptance-overdue", end + dt.timedelta(days=grace), end=end.isoformat(),
                    deadline=(end + dt.timedelta(days=grace)).isoformat())
            elif as_of <= end <= as_of + dt.timedelta(days=soon_days):
                add("ending-soon", end, deadline=end.isoformat(), days=(end - as_of).days)
        a = c.acceptance
        if a and a.result == "pass" and c.evaluation is None and a.on + dt.timedelta(days=eval_days) < as_of:
            add("evaluation-missing", a.on + dt.timedelta(days=eval_days), accepted=a.on.isoformat(),
                deadline=(a.on + dt.timedelta(days=eval_days)).isoformat())
        if c.status in ("signed", "performing", "accepted") and c.supplier in black:
            l = black[c.supplier]
            add("supplier-blacklisted", l.end, supplier=c.counterparty.name, start=l.start.isoformat() if l.start else "…",
                reason=l.reason or l.cause)
        for item in (feedback or {}).get(c.code, []):
            if not item.get("resolved"):
                add("feedback-open", None, n=item.get("n"), severity=item.get("severity", ""),
                    since=item.get("on", ""), text=str(item.get("text", ""))[:60])
        for r in failed.get(c.code, []):
            add("inspection-failed", None, id=r.get("id"), kind=r.get("kind"), since=r.get("on"),
                text=str(r.get("findings", ""))[:60])
    out.sort(key=lambda a: (KINDS.index(a.kind), a.deadline or dt.date.max, a.code))
    return out


def totals(alerts: list[Alert]) -> dict[str, int]:
    out: dict[str, int] = {}
    for a in alerts:
        out[a.kind] = out.get(a.kind, 0) + 1
    return out


def overdue_interest(alerts: list[Alert]) -> Decimal:
    return sum((Decimal(a.args["interest"].replace(",", "")) for a in alerts if a.kind == "payment-overdue"), Decimal(0))
