"""Dashboard aggregates: pure functions from the snapshot's contracts to numbers, each with the
query that lists the contracts behind it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from cctk.model import LIVE_STATUSES, STATUSES, Contract, Supplier

from tui.data.index import Row, schedule_status


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
    total: Item


def _parse_day(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


def active_listing(supplier: Supplier, kind: str, today: dt.date) -> dict | None:
    """The supplier's listing of ``kind`` (black/red) in force on ``today``, if any."""
    for listing in supplier.listings:
        if not isinstance(listing, dict) or listing.get("list") != kind:
            continue
        start, end = _parse_day(listing.get("start")), _parse_day(listing.get("end"))
        if (start is None or start <= today) and (end is None or today < end):
            return listing
    return None


def overdue_codes(contracts: list[Contract], today: dt.date) -> set[str]:
    out = set()
    for c in contracts:
        if c.status not in LIVE_STATUSES and c.status != "accepted":
            continue
        for _, value, paid, due in schedule_status(c):
            if due and due < today and paid < value:
                out.add(c.code)
                break
    return out


def _group(rows: list[Row], attr: str, order: list | None = None) -> list[Item]:
    groups: dict = {}
    for r in rows:
        g = groups.setdefault(getattr(r, attr), [0, Decimal(0)])
        g[0] += 1
        g[1] += r.amount
    keys = [k for k in order if k in groups] if order else sorted(groups, key=lambda k: -groups[k][1])
    facet = "stage" if attr == "stage" else attr
    return [Item(str(k), groups[k][0], groups[k][1], {facet: k}) for k in keys]


def _item(label: str, rows: list[Row], codes: set[str] | None, facets: dict) -> Item:
    chosen = rows if codes is None else [r for r in rows if r.code in codes]
    return Item(label, len(chosen), sum((r.amount for r in chosen), Decimal(0)), facets)


def build(contracts: list[Contract], rows: list[Row], suppliers: dict[str, Supplier], today: dt.date) -> Dashboard:
    month = (today.year, today.month)
    filed = {c.code for c in contracts
             if c.filing and c.filing.on and (c.filing.on.year, c.filing.on.month) == month}
    black = {code for code, s in suppliers.items() if active_listing(s, "black", today)}
    black_live = {c.code for c in contracts if c.supplier in black and c.status in LIVE_STATUSES}
    overdue = overdue_codes(contracts, today)
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
        total=_item("total", rows, None, {}),
    )
