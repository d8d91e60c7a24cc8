"""Due dates, paid vs due, overdue instalments and late-payment interest. Exact Decimal arithmetic.

The algorithm (docs/supervision.md, "Payments"):

* trigger date: signing → ``dates.signed``; delivery → ``dates.delivered``; acceptance → a *passed*
  ``acceptance.on``; filing → ``filing.on``; date → the instalment's ``on``. For an SME and an acceptance
  trigger with no passed acceptance, art. 10 starts the clock when the agreed acceptance period ends:
  delivery (or the term's end) plus ``acceptance.grace_days``.
* due date: trigger + ``days`` calendar days; for an SME and a delivery/acceptance trigger (not an
  advance) the term is capped at ``sme_payment.default_days`` (30), or ``sme_payment.max_days`` (60)
  when ``agreed_days`` is set (art. 9). A due date on a holiday moves to the next working day
  (民法典 art. 203).
* payments are matched to instalments by their ``instalment`` id; payments without one fill the
  instalments in schedule order (what is left after the named ones).
* interest (SMEs only, art. 17): the outstanding balance × the daily rate (0.05% unless the repository
  sets ``payments.late_interest_daily``), for every day after the due date until the day paid (the day of
  payment counts, the due date does not: 民法典 art. 201), summed per balance segment and rounded once
  to the fen, half up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from cctk.model import Contract
from cctk.model.workdays import is_workday

DAILY_RATE = Decimal("0.0005")          # art. 17: 万分之五 per day when no rate was agreed
CENT = Decimal("0.01")
TRIGGER_ZH = {"signing": "签订", "delivery": "交付", "acceptance": "验收合格", "filing": "备案", "date": "约定日期"}
STATUSES = ("pending", "due", "overdue", "paid", "paid-late")


@dataclass
class InstalmentState:
    code: str
    unit: str
    clerk: str | None
    supplier: str
    supplier_name: str
    sme: bool
    id: str
    trigger: str
    days: int
    value: Decimal
    trigger_date: dt.date | None
    deemed: bool                      # trigger date deemed by art. 10 (acceptance not held in time)
    due: dt.date | None
    paid: Decimal
    paid_on: dt.date | None           # the day the instalment was paid in full (or last paid)
    outstanding: Decimal
    status: str                       # one of STATUSES
    days_late: int
    interest: Decimal
    advance: bool = False
    final: bool = False
    payments: list[tuple[dt.date, Decimal]] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "contract": self.code, "unit": self.unit, "clerk": self.clerk, "supplier": self.supplier,
            "supplier_name": self.supplier_name, "sme": self.sme, "instalment": self.id, "trigger": self.trigger,
            "days": self.days, "value": f"{self.value:.2f}",
            "trigger_date": self.trigger_date.isoformat() if self.trigger_date else None, "deemed": self.deemed,
            "due": self.due.isoformat() if self.due else None, "paid": f"{self.paid:.2f}",
            "paid_on": self.paid_on.isoformat() if self.paid_on else None,
            "outstanding": f"{self.outstanding:.2f}", "status": self.status, "days_late": self.days_late,
            "interest": f"{self.interest:.2f}",
        }


def payment_settings(settings: dict | None) -> dict:
    """The few settings this module reads, with the statutory defaults."""
    s = settings or {}
    sme = s.get("sme_payment") or {}
    pay = s.get("payments") or {}
    acc = s.get("acceptance") or {}
    return {
        "default_days": int(sme.get("default_days", 30)),
        "max_days": int(sme.get("max_days", 60)),
        "rate": Decimal(str(pay.get("late_interest_daily", DAILY_RATE))),
        "grace_days": int(acc.get("grace_days", 30)),
        "holiday_shift": bool(pay.get("holiday_shift", True)),
    }


def as_of_date(config: dict, override: str | dt.date | None = None) -> dt.date:
    if isinstance(override, dt.date):
        return override
    if override:
        return dt.date.fromisoformat(str(override))
    if config.get("as_of"):
        return dt.date.fromisoformat(str(config["as_of"]))
    return dt.date.today()


def next_workday(day: dt.date) -> dt.date:
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


def interest(balances: list[tuple[dt.date, Decimal]], due: dt.date, until: dt.date, rate: Decimal = DAILY_RATE,
             opening: Decimal | None = None) -> Decimal:
    """Interest on a balance that is paid down by ``balances`` [(day, amount paid)] after ``due``.

    ``opening`` is the balance outstanding at the due date; each payment after ``due`` ends a segment.
    Days of a segment: from the day after its start to its end day inclusive.
    """
    if opening is None or opening <= 0 or until <= due:
        return Decimal("0.00")
    total = Decimal(0)
    balance = opening
    start = due
    for day, amount in sorted(balances):
        if day <= due:
            continue
        end = min(day, until)
        if end > start:
            total += balance * rate * (end - start).days
            start = end
        balance -= amount
        if balance <= 0 or day >= until:
            break
    if balance > 0 and until > start:
        total += balance * rate * (until - start).days
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def instalment_values(c: Contract) -> dict[str, Decimal]:
    """Each instalment's amount; when the shares add up to 100% the last one takes the rounding remainder."""
    out = {i.id: i.value(c.amount) for i in c.payment_schedule}
    sched = c.payment_schedule
    if sched and sched[-1].amount is None and all(i.amount is None for i in sched) \
            and sum((i.share or Decimal(0) for i in sched), Decimal(0)) == 1:
        out[sched[-1].id] = c.amount - sum((out[i.id] for i in sched[:-1]), Decimal(0))
    return out


def _trigger_date(c: Contract, trigger: str, inst, sme: bool, grace_days: int) -> tuple[dt.date | None, bool]:
    if trigger == "signing":
        return c.dates.get("signed"), False
    if trigger == "delivery":
        return c.dates.get("delivered"), False
    if trigger == "filing":
        return (c.filing.on if c.filing else None), False
    if trigger == "date":
        return inst.on, False
    if trigger == "acceptance":
        if c.acceptance and c.acceptance.result == "pass":
            return c.acceptance.on, False
        if sme and c.status not in ("terminated", "rejected"):
            base = c.dates.get("delivered") or c.dates.get("end")
            if base is not None:        # art. 10: a delayed acceptance starts the clock when its period ends
                return base + dt.timedelta(days=grace_days), True
    return None, False


def schedule_state(c: Contract, *, as_of: dt.date, settings: dict | None = None) -> list[InstalmentState]:
    """The state of every instalment of ``c`` on ``as_of``."""
    ps = settings if settings and "rate" in settings else payment_settings(settings)
    sme = bool(c.counterparty.sme)
    payments = sorted((p for p in c.payments if p.on and p.on <= as_of), key=lambda p: p.on)
    ids = {i.id for i in c.payment_schedule}
    named: dict[str, list[tuple[dt.date, Decimal]]] = {}
    loose: list[list] = []
    for p in payments:
        if p.instalment in ids:
            named.setdefault(p.instalment, []).append((p.on, p.amount))
        else:
            loose.append([p.on, p.amount])
    out: list[InstalmentState] = []
    values = instalment_values(c)
    for inst in c.payment_schedule:
        value = values[inst.id]
        got = list(named.get(inst.id, []))
        need = value - sum((a for _, a in got), Decimal(0))
        for item in loose:                      # unlabelled payments fill instalments in order
            if need <= 0:
                break
            if item[1] <= 0:
                continue
            take = min(need, item[1])
            got.append((item[0], take))
            item[1] -= take
            need -= take
        got.sort()
        paid = sum((a for _, a in got), Decimal(0))
        trig, deemed = _trigger_date(c, inst.trigger, inst, sme, ps["grace_days"])
        term = inst.days
        if sme and inst.trigger in ("delivery", "acceptance") and not inst.advance:
            term = min(term, ps["max_days"] if inst.agreed_days else ps["default_days"])
        due = None
        if trig is not None:
            due = trig + dt.timedelta(days=term)
            if ps["holiday_shift"]:
                due = next_workday(due)
        outstanding = max(value - paid, Decimal(0))
        paid_on = None
        running = Decimal(0)
        for day, amount in got:
            running += amount
            paid_on = day
            if running >= value:
                break
        if outstanding <= 0 and value > 0 or (value == 0 and got):
            late = due is not None and paid_on is not None and paid_on > due
            status = "paid-late" if late else "paid"
            days_late = (paid_on - due).days if late else 0
            until = paid_on
        elif due is None:
            status, days_late, until = "pending", 0, None
        elif as_of > due:
            status, days_late, until = "overdue", (as_of - due).days, as_of
        else:
            status, days_late, until = "due", 0, None
        owed = Decimal("0.00")
        if sme and due is not None and until is not None and until > due:
            before = sum((a for d, a in got if d <= due), Decimal(0))
            owed = interest(got, due, until, ps["rate"], opening=value - before)
        out.append(InstalmentState(
            code=c.code, unit=c.unit, clerk=c.clerk, supplier=c.counterparty.credit_code,
            supplier_name=c.counterparty.name, sme=sme, id=inst.id, trigger=inst.trigger, days=term,
            value=value, trigger_date=trig, deemed=deemed, due=due, paid=paid, paid_on=paid_on,
            outstanding=outstanding, status=status, days_late=days_late, interest=owed, advance=inst.advance,
            final=inst.final, payments=got))
    return out


def next_due(states: list[InstalmentState]) -> dt.date | None:
    """The earliest due date of an instalment still owed (status due or overdue): the contract's next
    payment deadline, or None when nothing has fallen due unpaid (pending triggers have no date yet)."""
    dues = [s.due for s in states if s.due is not None and s.outstanding > 0]
    return min(dues) if dues else None


def repository_states(contracts, *, as_of: dt.date, settings: dict | None = None, unit: str | None = None,
                      overdue: bool = False, include_ended: bool = False) -> list[InstalmentState]:
    ps = payment_settings(settings)
    out = []
    for c in contracts:
        if unit and c.unit != unit:
            continue
        if c.status in ("drafting", "review", "approved", "rejected") or (
                c.status == "terminated" and not include_ended):
            continue
        for s in schedule_state(c, as_of=as_of, settings=ps):
            if overdue and s.status != "overdue":
                continue
            out.append(s)
    return out
