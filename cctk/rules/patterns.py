"""Procurement patterns across contracts: splitting and supplier concentration (CC501–CC502)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from cctk.model import Severity
from cctk.rules.base import RELATED_LIMIT, Doc, Quote, Rule, fmt_money, rule

GPL = ("中华人民共和国政府采购法", "government-procurement-law-2014.md")
GPR = ("中华人民共和国政府采购法实施条例", "government-procurement-law-regulations-2015.md")
COUNTED = ("approved", "signed", "performing", "accepted", "evaluated", "archived")


def _day(c) -> dt.date | None:
    return c.dates.get("signed") or c.dates.get("award") or c.dates.get("drafted")


@rule
class ContractSplitting(Rule):
    code, slug, severity, scope = "CC501", "contract-splitting", Severity.WARNING, "repository"
    facts = True
    partition = staticmethod(lambda c: (c.unit, c.counterparty.credit_code))   # a group: one unit, one supplier
    summary = ("Possible contract splitting: several contracts just under a threshold that together exceed it",
               "疑似化整为零：多份略低于限额的合同合计超过限额")
    messages = {"main": ("{count} contracts with {supplier} for {category} within {window} days, each just under "
                         "{threshold}, total {total}: {others}",
                         "{window} 日内与 {supplier} 签订 {count} 份{category}合同，均略低于 {threshold}，合计 {total}：{others}")}
    fix = ("if the need was one purchase, it should have been procured as one", "如属同一需求，应合并按规定方式采购")
    doc = Doc(
        what="Contracts of one unit with one supplier in one category, signed within `splitting.window_days` of "
             "each other, each between `splitting.near_share` of a threshold and the threshold (thresholds from "
             "`splitting.thresholds`), at least `splitting.min_contracts` of them, whose total reaches the "
             "threshold (OCP red flags R002/R011). Each contract in such a window is reported once per threshold. "
             "Contracts are grouped by unit, category and supplier, sorted by date and swept with a moving window, "
             "so the cost is O(n log n).",
        why="Splitting a purchase to stay under the filing, procurement or public-tender threshold evades the "
            "controls those thresholds trigger.",
        legal=(Quote(GPL[0], "第二十八条", "采购人不得将应当以公开招标方式采购的货物或者服务化整为零或者以其他任何方式规避公开招标采购。",
                     GPL[1]),
               Quote(GPR[0], "第二十八条", "在一个财政年度内，采购人将一个预算项目下的同一品目或者类别的货物、服务采用公开招标以外的方式多次采购，累计资金数额超过公开招标数额标准的，属于以化整为零方式规避公开招标，但项目预算调整或者经批准采用公开招标以外方式采购除外。",
                     GPR[1])),
        failing='# same unit, supplier and category, signed 2024-03-01 and 2024-03-20\namount: "48000.00"\n---\namount: "49500.00"',
        passing='# the same two purchases as one contract, filed\namount: "97500.00"',
        fix="Explain with an `ignore` entry (reason shown in reports) when the purchases were genuinely separate "
            "needs; otherwise report to the finance department.",
        settings=("splitting.thresholds", "splitting.near_share", "splitting.window_days", "splitting.min_contracts"),
    )

    def check_all(self, contracts, ctx):
        thresholds = [Decimal(str(t).replace(",", "")) for t in ctx.setting("splitting.thresholds") or []]
        near = ctx.share("splitting.near_share")
        window = dt.timedelta(days=int(ctx.setting("splitting.window_days")))
        least = max(2, int(ctx.setting("splitting.min_contracts")))
        bands = [(t * near, t) for t in thresholds]
        groups = defaultdict(list)
        for c in contracts:
            if c.status not in COUNTED:
                continue
            day = _day(c)
            if day is None:
                continue
            for low, high in bands:
                if low <= c.amount < high:
                    groups[(c.unit, c.category, c.counterparty.credit_code, high)].append((day, c))
        for (unit, category, supplier, threshold), items in groups.items():
            if len(items) < least:
                continue
            items.sort(key=lambda dc: (dc[0], dc[1].code))
            windows: list[tuple[int, int, Decimal]] = []    # qualifying windows (lo, hi, total)
            lo, total = 0, Decimal(0)
            for hi, (day, c) in enumerate(items):       # two pointers: each item enters and leaves once
                total += c.amount
                while items[lo][0] < day - window:
                    total -= items[lo][1].amount
                    lo += 1
                if hi - lo + 1 >= least and total >= threshold:
                    windows.append((lo, hi, total))
            # Each contract is reported with the last qualifying window that holds it. Windows' starts
            # never decrease, so walking them backwards assigns every contract once (linear, where
            # re-assigning whole windows was quadratic in a large group).
            assigned: dict[int, tuple[int, int, Decimal]] = {}
            first = len(items)
            for lo, hi, total in reversed(windows):
                for k in range(lo, min(hi + 1, first)):
                    assigned[k] = (lo, hi, total)
                first = min(first, lo)
            for k in sorted(assigned):
                lo, hi, total = assigned[k]
                m = items[k][1]
                others = []
                for _, x in items[lo:hi + 1]:
                    if x is not m:
                        others.append(x.code)
                        if len(others) > RELATED_LIMIT:
                            break
                more = (hi - lo) - RELATED_LIMIT
                text = ", ".join(others[:RELATED_LIMIT]) + (f" … (+{more})" if more > 0 else "")
                yield self.finding(m, ("amount",), count=hi - lo + 1, supplier=m.counterparty.name,
                                   category=category, window=window.days, threshold=fmt_money(threshold),
                                   total=fmt_money(total), others=text, related=others[:RELATED_LIMIT])


@rule
class SupplierConcentration(Rule):
    code, slug, severity, scope = "CC502", "supplier-concentration", Severity.WARNING, "repository"
    facts = True
    partition = staticmethod(lambda c: (c.unit, c.year))     # year of signing when signed (unsigned: not counted)
    summary = ("One supplier holds more than the set share of a unit's contracts in a year",
               "单一供应商占某单位年度合同金额比例过高")
    messages = {"main": ("{supplier} holds {share} of {unit}'s contract value in {year} ({amount} of {total}; "
                         "limit {limit})",
                         "{supplier} 占 {unit} {year} 年合同金额的 {share}（{amount} / {total}；上限 {limit}）")}
    fix = ("review whether competition was real; diversify future procurements", "核查竞争是否充分，今后采购应分散供应商")
    doc = Doc(
        what="For each unit and year (of signing), the share of the contract value going to one supplier is above "
             "`supplier_concentration.max_share`, when the unit signed at least "
             "`supplier_concentration.min_contracts` contracts worth at least `supplier_concentration.min_unit_total` "
             "in that year. Reported once, on that supplier's latest contract in the year.",
        why="Persistent concentration is a red flag for favouritism or captured procurement (OCP guide).",
        legal=(Quote(GPL[0], "第二十二条", "供应商参加政府采购活动应当具备下列条件:", GPL[1]),
               Quote("深圳市罗湖区政府合同监督管理办法（罗府规〔2018〕6号）", "",
                     "监督检查应关注供应商集中度等风险指标。", summary=True)),
        failing='# LH002 in 2024: 3 contracts, 2,400,000 of 3,000,000 with one supplier (80%)',
        passing='# LH002 in 2024: 3 contracts, the largest supplier 1,200,000 of 3,000,000 (40%)',
        fix="Review the unit's procurements of the year; suppress with the reason when the supplier is the only "
            "one able to supply (e.g. a utility).",
        settings=("supplier_concentration.max_share", "supplier_concentration.min_unit_total",
                  "supplier_concentration.min_contracts"),
    )

    def check_all(self, contracts, ctx):
        limit = ctx.share("supplier_concentration.max_share")
        min_total = ctx.money("supplier_concentration.min_unit_total")
        min_count = int(ctx.setting("supplier_concentration.min_contracts"))
        units = defaultdict(lambda: [Decimal(0), 0, defaultdict(list)])
        for c in contracts:
            day = c.dates.get("signed")
            if c.status not in COUNTED or day is None:
                continue
            entry = units[(c.unit, day.year)]
            entry[0] += c.amount
            entry[1] += 1
            entry[2][c.counterparty.credit_code].append(c)
        for (unit, year), (total, count, by_supplier) in units.items():
            if count < min_count or total < min_total or total <= 0:
                continue
            for supplier, group in by_supplier.items():
                amount = sum((c.amount for c in group), Decimal(0))
                if amount > total * limit:
                    latest = max(group, key=lambda c: (c.dates["signed"], c.code))
                    # Every contract of the unit's year moves the share, so all of them are related.
                    related = [c.code for g in by_supplier.values() for c in g if c is not latest]
                    yield self.finding(latest, ("counterparty", "credit_code"), supplier=latest.counterparty.name,
                                       share=f"{amount / total:.1%}", unit=unit, year=year, amount=fmt_money(amount),
                                       total=fmt_money(total), limit=f"{limit:.0%}", related=related)
