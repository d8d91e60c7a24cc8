"""Dashboard aggregates: pure functions from the index rows and the library's alerts to numbers,
each with the query that lists the contracts behind it.

What needs action comes from ``cctk.supervision.alerts.compute`` (the list `cctk alerts` prints):
overdue payments and black-listed suppliers' live contracts are the contracts of those alerts, so
the dashboard and the CLI never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from cctk.model import STATUSES, Contract

from tui.data.index import Row


@dataclass
class Item:
    label: str                 # already a display label (stage/unit/category id or name)
    count: int
    amount: Decimal
    facets: dict = field(default_factory=dict)   # the contracts list's query behind the number


@dataclass
class Dashboard:
    by_stage: list[Item]
    by_unit: list[Item]
    by_category: list[Item]
    filings_month: Item
    findings: Item
    overdue: Item
    blacklisted: Item
    alerted: Item              # contracts with an error-level alert
    total: Item


def alert_codes(alerts, *kinds: str) -> set[str]:
    return {a.code for a in alerts if a.kind in kinds}


def _group(rows: list[Row], attr: str, order: list | None = None) -> list[Item]:
    groups: dict = {}
    for r in rows:
        g = groups.setdefault(getattr(r, attr), [0, Decimal(0)])
        g[0] += 1
        g[1] += r.amount
    keys = [k for k in order if k in groups] if order else sorted(groups, key=lambda k: -groups[k][1])
    return [Item(str(k), groups[k][0], groups[k][1], {attr: k}) for k in keys]


def _item(label: str, rows: list[Row], codes: set[str] | None, facets: dict) -> Item:
    chosen = rows if codes is None else [r for r in rows if r.code in codes]
    return Item(label, len(chosen), sum((r.amount for r in chosen), Decimal(0)), facets)


def build(contracts: list[Contract], rows: list[Row], alerts: list, today: dt.date) -> Dashboard:
    month = (today.year, today.month)
    # rows carry filing.on (light and stored rows too: no record needed); ``contracts`` is kept for callers
    filed = {r.code for r in rows if r.filed and (r.filed.year, r.filed.month) == month}
    overdue = alert_codes(alerts, "payment-overdue")
    black_live = alert_codes(alerts, "supplier-blacklisted")
    errors = {a.code for a in alerts if a.level == "error"}
    with_findings = [r for r in rows if r.errors]
    return Dashboard(
        by_stage=_group(rows, "stage", list(STATUSES)),
        by_unit=_group(rows, "unit"),
        by_category=_group(rows, "category"),
        filings_month=_item("filings", rows, filed, {"codes": frozenset(filed)}),
        findings=Item("findings", len(with_findings), sum((r.amount for r in with_findings), Decimal(0)),
                      {"findings": True}),
        overdue=_item("overdue", rows, overdue, {"codes": frozenset(overdue)}),
        blacklisted=_item("blacklisted", rows, black_live, {"codes": frozenset(black_live)}),
        alerted=_item("alerted", rows, errors, {"codes": frozenset(errors)}),
        total=_item("total", rows, None, {}),
    )
