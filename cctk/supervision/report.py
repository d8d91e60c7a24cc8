"""The yearly supervision report (年度监管报告): data first (``build``), then HTML (Jinja2) and PDF (Typst,
fonts from cctk.render). Every figure carries the contract codes behind it (``codes``), listed in the
HTML under each table so a reader can trace it."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal

from cctk.supervision.charts import bar_chart, trend_chart


def _pct(a: int, b: int) -> str:
    return f"{(Decimal(a) / b * 100).quantize(Decimal('0.1'))}%" if b else "–"


def build(snap, year: int, *, settings: dict, inspections: list[dict], sample: dict | None, listings) -> dict:
    from cctk.inspections.records import report as insp_report
    from cctk.lifecycle import numbering
    from cctk.payments import payment_settings, schedule_state
    from cctk.rules import run

    signed = [c for c in snap.contracts if c.dates.get("signed") and c.dates["signed"].year == year]
    by_unit, by_cat = defaultdict(lambda: [0, Decimal(0), []]), defaultdict(lambda: [0, Decimal(0), []])
    months = defaultdict(int)
    for c in signed:
        for table, key in ((by_unit, c.unit), (by_cat, c.category)):
            table[key][0] += 1
            table[key][1] += c.amount
            table[key][2].append(c.code)
        months[c.dates["signed"].month] += 1
    scope = [c for c in signed if numbering.in_scope(c, snap.policy)]
    filed = [c for c in scope if c.filing and c.filing.number]
    filed_ids = {id(c) for c in filed}   # `c not in filed` compared records field by field: quadratic at 100k
    late = [c for c in filed if c.filing.late or (c.filing.on and c.filing.on > numbering.deadline(c.dates["signed"], snap.policy)[0])]
    year_end = dt.date(year, 12, 31)
    result = run(snap, as_of=min(year_end, dt.date.fromisoformat(str(snap.config["as_of"]))) if snap.config.get("as_of") else year_end,
                 use_cache=True)
    codes_in_year = {c.code for c in signed}
    by_code = {c.code: c for c in snap.contracts}
    rules, units, people = defaultdict(list), defaultdict(list), defaultdict(list)
    for d in result.diagnostics:
        if d.contract in codes_in_year and d.code.startswith("CC") and int(d.severity) >= 2:
            c = by_code[d.contract]
            rules[d.code].append(d.contract)
            units[c.unit].append(d.contract)
            people[c.clerk or "-"].append(d.contract)
    ps = payment_settings(settings)
    sme_on_time, sme_late, interest = [], [], Decimal(0)
    for c in snap.contracts:
        if not c.counterparty.sme:
            continue
        for s in schedule_state(c, as_of=year_end, settings=ps):
            if s.paid_on and s.paid_on.year == year and s.status in ("paid", "paid-late"):
                (sme_late if s.status == "paid-late" else sme_on_time).append(c.code)
                interest += s.interest
            elif s.status == "overdue":
                sme_late.append(c.code)
                interest += s.interest
    in_force = [l for l in listings if l.in_force(year_end)]
    new = [l for l in listings if l.start and l.start.year == year]
    unit_name = lambda u: (snap.org.units[u].name if u in snap.org.units else u)  # noqa: E731
    data = {
        "year": year, "district": snap.config.get("district", ""),
        "contracts": {"count": len(signed), "amount": f"{sum((c.amount for c in signed), Decimal(0)):.2f}",
                      "codes": sorted(codes_in_year)},
        "by_unit": sorted(([u, unit_name(u), n, f"{a:.2f}", sorted(cs)] for u, (n, a, cs) in by_unit.items()),
                          key=lambda r: -Decimal(r[3])),
        "by_category": sorted(([k, n, f"{a:.2f}", sorted(cs)] for k, (n, a, cs) in by_cat.items()),
                              key=lambda r: -Decimal(r[2])),
        "filing": {"in_scope": len(scope), "filed": len(filed), "late": len(late), "rate": _pct(len(filed), len(scope)),
                   "late_rate": _pct(len(late), len(filed)), "late_codes": sorted(c.code for c in late),
                   "unfiled_codes": sorted(c.code for c in scope if id(c) not in filed_ids)},
        "findings_by_rule": sorted(([k, len(v), sorted(set(v))] for k, v in rules.items()), key=lambda r: -r[1]),
        "findings_by_unit": sorted(([k, unit_name(k), len(v), sorted(set(v))] for k, v in units.items()),
                                   key=lambda r: -r[2]),
        "findings_by_person": sorted(([k, (snap.org.people[k].name if k in snap.org.people else k), len(v),
                                       sorted(set(v))] for k, v in people.items()), key=lambda r: -r[2]),
        "inspections": insp_report(snap, year, inspections, sample),
        "listings": {"in_force_black": sorted({l.supplier for l in in_force if l.list == "black"}),
                     "in_force_red": sorted({l.supplier for l in in_force if l.list == "red"}),
                     "new": [l.to_json() for l in new]},
        "sme_payments": {"on_time": len(sme_on_time), "late": len(sme_late),
                         "timely_rate": _pct(len(sme_on_time), len(sme_on_time) + len(sme_late)),
                         "interest": f"{interest:.2f}", "late_codes": sorted(set(sme_late))},
        "monthly": [[m, months.get(m, 0)] for m in range(1, 13)],
    }
    data["charts"] = {
        "category": bar_chart(f"{year} 合同金额（按类别，万元）/ amount by category", [(r[0], float(Decimal(r[2]) / 10000)) for r in data["by_category"]]),
        "units": bar_chart(f"{year} 合同金额前十单位（万元）/ top units", [(r[1], float(Decimal(r[3]) / 10000)) for r in data["by_unit"][:10]]),
        "trend": trend_chart(f"{year} 每月签订合同数 / contracts signed per month", [(str(m), float(n)) for m, n in data["monthly"]]),
    }
    return data


def to_html(data: dict) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("cctk", "data/publish"), autoescape=select_autoescape(["html", "j2"]))
    return env.get_template("report.html.j2").render(d=data)


def to_pdf(data: dict, repo_root=None) -> bytes:
    """Typst: the data go in as JSON and the charts as SVG files; no value is spliced into Typst source."""
    import typst

    from cctk.render.fonts import find_fonts

    fonts = find_fonts(None, repo_root)
    slim = {k: v for k, v in data.items() if k != "charts"}
    src = """#let d = json("data.json")
#set page(paper: "a4", margin: 20mm)
#set text(font: (FONT,), size: 10pt, lang: "zh")
#align(center, text(16pt, weight: "bold")[#d.district #str(d.year) 年度合同监管报告])
#align(center)[Supervision report #str(d.year)]
== 合同总体 / Contracts
#str(d.contracts.count) 份，合同金额 #d.contracts.amount 元。
#image("category.svg", width: 100%)
#image("units.svg", width: 100%)
#image("trend.svg", width: 100%)
== 备案 / Filing
应备案 #str(d.filing.in_scope) 份，已备案 #str(d.filing.filed) 份（#d.filing.rate），逾期备案 #str(d.filing.late) 份（#d.filing.late_rate）。
== 问题（按规则）/ Findings by rule
#table(columns: 3, [规则], [数量], [合同], ..d.findings_by_rule.map(r => (r.at(0), str(r.at(1)), r.at(2).join(", "))).flatten())
== 问题（按单位）/ Findings by unit
#table(columns: 3, [单位], [数量], [合同], ..d.findings_by_unit.map(r => (r.at(1), str(r.at(2)), r.at(3).join(", "))).flatten())
== 问题（按承办人）/ Findings by person
#table(columns: 3, [承办人], [数量], [合同], ..d.findings_by_person.map(r => (r.at(1), str(r.at(2)), r.at(3).join(", "))).flatten())
== 履约检查 / Inspections
抽检总体 #str(d.inspections.population) 份，样本 #str(d.inspections.sample_size) 份，已检查 #str(d.inspections.inspected) 份（覆盖率 #d.inspections.coverage），合格 #str(d.inspections.passed)，不合格 #str(d.inspections.failed)。
== 供应商名单 / Supplier lists
黑名单（年末有效）：#d.listings.in_force_black.join(", ")；红名单：#d.listings.in_force_red.join(", ")。
== 中小企业付款 / SME payments
按时 #str(d.sme_payments.on_time) 笔，逾期 #str(d.sme_payments.late) 笔（及时率 #d.sme_payments.timely_rate），逾期利息 #d.sme_payments.interest 元。
""".replace("FONT", json.dumps(fonts.sans if hasattr(fonts, "sans") else fonts.serif))
    files = {"main.typ": src.encode(), "data.json": json.dumps(slim, ensure_ascii=False).encode(),
             **{f"{k}.svg": v.encode() for k, v in data["charts"].items()}}
    return typst.Compiler(font_paths=list(fonts.font_paths)).compile(input=files, format="pdf")
