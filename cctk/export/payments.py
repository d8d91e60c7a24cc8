"""The payment-system hand-off (财政支付系统推送): filed contracts and their payable instalments.

Format ``cctk-payments/1`` (docs/supervision.md, "Export to the payment system"):

JSON ``{"format", "generated", "as_of", "since", "contracts": [{code, filing_number, filed_on, unit, unit_name,
supplier: {credit_code, name, sme}, amount, ceiling, paid, instalments: [{id, trigger, trigger_date, due,
value, paid, outstanding, status, days_late, interest, payable}]}]}`` — amounts are strings with two decimals
(never floats). ``payable`` is true for an approved payment request: the contract is filed and the
instalment's trigger has happened (status due or overdue). CSV: one row per instalment with the columns
in ``CSV_COLUMNS``. Only filed contracts (with a filing number) appear; with ``since``, only those filed,
paid or triggered on or after that date.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

FORMAT = "cctk-payments/1"
CSV_COLUMNS = ("contract", "filing_number", "filed_on", "unit", "supplier_credit_code", "supplier_name", "sme",
               "contract_amount", "instalment", "trigger", "trigger_date", "due", "value", "paid", "outstanding",
               "status", "days_late", "interest", "payable")


def build(snap, *, as_of: dt.date, since: dt.date | None = None, settings: dict | None = None) -> dict:
    from cctk.lifecycle.actions import ceiling
    from cctk.payments import payment_settings, schedule_state

    ps = payment_settings(settings)
    out = []
    for c in sorted(snap.contracts, key=lambda c: c.code):
        if not (c.filing and c.filing.number) or c.status in ("rejected",):
            continue
        states = schedule_state(c, as_of=as_of, settings=ps)
        if since:
            days = [c.filing.on] + [p.on for p in c.payments] + [s.trigger_date for s in states]
            if not any(d and d >= since for d in days):
                continue
        unit = snap.org.units.get(c.unit)
        out.append({
            "code": c.code, "filing_number": c.filing.number,
            "filed_on": c.filing.on.isoformat() if c.filing.on else None, "unit": c.unit,
            "unit_name": unit.name if unit else None, "status": c.status,
            "supplier": {"credit_code": c.counterparty.credit_code, "name": c.counterparty.name,
                         "sme": c.counterparty.sme},
            "amount": f"{c.amount:.2f}", "ceiling": f"{ceiling(c):.2f}", "paid": f"{c.paid:.2f}",
            "instalments": [{
                "id": s.id, "trigger": s.trigger, "trigger_date": s.trigger_date.isoformat() if s.trigger_date else None,
                "due": s.due.isoformat() if s.due else None, "value": f"{s.value:.2f}", "paid": f"{s.paid:.2f}",
                "outstanding": f"{s.outstanding:.2f}", "status": s.status, "days_late": s.days_late,
                "interest": f"{s.interest:.2f}",
                "payable": s.status in ("due", "overdue") and c.status != "terminated",
            } for s in states],
        })
    return {"format": FORMAT, "generated": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
            "as_of": as_of.isoformat(), "since": since.isoformat() if since else None, "contracts": out}


def to_csv(doc: dict) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for c in doc["contracts"]:
        for i in c["instalments"]:
            w.writerow([c["code"], c["filing_number"], c["filed_on"], c["unit"], c["supplier"]["credit_code"],
                        c["supplier"]["name"], {True: "yes", False: "no"}.get(c["supplier"]["sme"], ""), c["amount"],
                        i["id"], i["trigger"], i["trigger_date"] or "", i["due"] or "", i["value"], i["paid"],
                        i["outstanding"], i["status"], i["days_late"], i["interest"], "yes" if i["payable"] else "no"])
    return buf.getvalue()


def total_payable(doc: dict) -> Decimal:
    return sum((Decimal(i["outstanding"]) for c in doc["contracts"] for i in c["instalments"] if i["payable"]),
               Decimal(0))
