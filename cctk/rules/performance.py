"""Rules about performance, acceptance, evaluation, terms and dates (CC401–CC405)."""

from __future__ import annotations

import datetime as dt

from cctk.model import Severity
from cctk.rules.base import Doc, Quote, Rule, rule

LIVE = ("signed", "performing")


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:          # 29 February
        return day.replace(year=day.year + years, day=28)


@rule
class AcceptanceOverdue(Rule):
    code, slug, severity = "CC401", "acceptance-overdue", Severity.WARNING
    summary = ("No acceptance recorded after the contract term ended", "合同期满后未记录验收")
    messages = {"main": ("term ended on {end}, {days} days ago, and no acceptance is recorded",
                         "合同期限已于 {end} 届满（{days} 日前），仍未记录验收")}
    fix = ("organise the acceptance and record it (cctk accept)", "组织验收并记录结果（cctk accept）")
    doc = Doc(
        what="A contract still signed or performing whose `dates.end` is more than `acceptance.grace_days` days "
             "before the evaluation date, with no `acceptance`.",
        why="An acceptance that never happens leaves quality unverified and, for SMEs, starts the payment clock "
            "anyway when the agreed acceptance period ends.",
        legal=(Quote("中华人民共和国民法典", "第六百二十条", "买受人收到标的物时应当在约定的检验期限内检验。没有约定检验期限的，应当及时检验。",
                     "civil-code-book3-contracts.md"),),
        failing='status: performing\ndates: {end: "2024-01-31"}   # checked in June, no acceptance',
        passing='status: accepted\ndates: {end: "2024-01-31"}\nacceptance: {on: "2024-02-10", result: pass}',
        fix="Record the acceptance, or update `dates.end` if the term was extended by a signed amendment.",
        settings=("acceptance.grace_days",),
    )

    def check(self, c, ctx):
        end = c.dates.get("end")
        if c.status not in LIVE or c.acceptance is not None or end is None:
            return
        # Compare before counting: the comparison alone lets the cached result serve other dates.
        if ctx.as_of > end + dt.timedelta(days=int(ctx.setting("acceptance.grace_days"))):
            yield self.finding(c, ("dates", "end"), end=end.isoformat(), days=(ctx.as_of - end).days)


@rule
class EvaluationMissing(Rule):
    code, slug, severity = "CC402", "evaluation-missing", Severity.WARNING
    summary = ("No performance evaluation after acceptance", "验收后未进行履约评价")
    messages = {"main": ("accepted on {accepted}, {days} days ago, with no performance evaluation",
                         "已于 {accepted} 验收（{days} 日前），尚未进行履约评价")}
    fix = ("evaluate the supplier's performance (cctk evaluate)", "对供应商履约情况进行评价（cctk evaluate）")
    doc = Doc(
        what="A passed acceptance more than `evaluation.deadline_days` days before the evaluation date and no "
             "`evaluation` in the record.",
        why="Evaluations feed the supplier red and black lists; a missing one hides poor performance.",
        legal=(Quote("深圳市罗湖区政府合同监督管理办法（罗府规〔2018〕6号）", "",
                     "合同履行完毕后，承办单位应当对相对人履约情况进行评价，评价结果纳入供应商诚信管理。", summary=True),),
        failing='acceptance: {on: "2024-02-10", result: pass}\n# no evaluation, checked in June',
        passing='acceptance: {on: "2024-02-10", result: pass}\nevaluation: {on: "2024-02-20", score: 92}',
        fix="Record the evaluation with `cctk evaluate CODE`.",
        settings=("evaluation.deadline_days",),
    )

    def check(self, c, ctx):
        a = c.acceptance
        if a is None or a.result != "pass" or a.on is None or c.evaluation is not None:
            return
        if c.status in ("rejected", "terminated"):
            return
        if ctx.as_of > a.on + dt.timedelta(days=int(ctx.setting("evaluation.deadline_days"))):
            yield self.finding(c, ("acceptance", "on"), accepted=a.on.isoformat(), days=(ctx.as_of - a.on).days)


SERVICE_TERM = Quote("政府购买服务管理办法（财政部令第102号）", "第二十四条",
                     "政府购买服务合同履行期限一般不超过1年；在预算保障的前提下，对于购买内容相对固定、连续性强、经费来源稳定、价格变化幅度小的政府购买服务项目，可以签订履行期限不超过3年的政府购买服务合同。",
                     summary=True)


def _term(c):
    start, end = c.dates.get("start") or c.dates.get("signed"), c.dates.get("end")
    if c.category != "services" or not (start and end):
        return None
    return start, end


@rule
class ServiceTermTooLong(Rule):
    code, slug, severity = "CC403", "service-term-too-long", Severity.ERROR
    summary = ("Purchased-service contract longer than 3 years", "政府购买服务合同履行期限超过3年")
    messages = {"main": ("service term {start} to {end} is longer than {years} years",
                         "服务期限 {start} 至 {end} 超过 {years} 年")}
    fix = ("shorten the term and procure again when it ends", "缩短履行期限，期满后重新采购")
    doc = Doc(
        what="A `services` contract whose term (`dates.start`, or signing, to `dates.end`) is longer than "
             "`services.term_max_years` years.",
        why="Multi-year service contracts lock out competition; the ceiling is 3 years even for stable services.",
        legal=(SERVICE_TERM,),
        failing='category: services\ndates: {start: "2024-01-01", end: "2027-06-30"}',
        passing='category: services\ndates: {start: "2024-01-01", end: "2026-12-31"}',
        fix="Amend the term down to the ceiling, or split into a new procurement for the remaining period.",
        settings=("services.term_max_years",),
    )

    def check(self, c, ctx):
        term = _term(c)
        years = int(ctx.setting("services.term_max_years"))
        if term and term[1] >= add_years(term[0], years):
            yield self.finding(c, ("dates", "end"), start=term[0].isoformat(), end=term[1].isoformat(), years=years)


@rule
class ServiceTermOverOneYear(Rule):
    code, slug, severity = "CC404", "service-term-over-one-year", Severity.WARNING
    summary = ("Purchased-service contract longer than 1 year", "政府购买服务合同履行期限超过1年")
    messages = {"main": ("service term {start} to {end} is longer than {years} year(s); allowed only for stable, "
                         "funded services", "服务期限 {start} 至 {end} 超过 {years} 年；仅适用于经费稳定、内容固定的服务")}
    fix = ("confirm the budget is secured and the service is stable, or shorten the term",
           "确认预算有保障且服务内容稳定，否则缩短期限")
    doc = Doc(
        what="A `services` contract whose term is longer than `services.term_warning_years` but within "
             "`services.term_max_years` years.",
        why="Terms over a year are the exception and need the conditions of the rule to hold.",
        legal=(SERVICE_TERM,),
        failing='category: services\ndates: {start: "2024-01-01", end: "2025-06-30"}',
        passing='category: services\ndates: {start: "2024-01-01", end: "2024-12-31"}',
        fix="Suppress with the reason (budget secured, stable service) or shorten the term.",
        settings=("services.term_warning_years", "services.term_max_years"),
    )

    def check(self, c, ctx):
        term = _term(c)
        warn, most = int(ctx.setting("services.term_warning_years")), int(ctx.setting("services.term_max_years"))
        if term and add_years(term[0], warn) <= term[1] < add_years(term[0], most):
            yield self.finding(c, ("dates", "end"), start=term[0].isoformat(), end=term[1].isoformat(), years=warn)


@rule
class DatesInconsistent(Rule):
    code, slug, severity = "CC405", "dates-inconsistent", Severity.ERROR
    summary = ("Dates of lifecycle events are out of order or in the future", "生命周期日期顺序矛盾或晚于当前日期")
    messages = {"order": ("{second} ({second_value}) is before {first} ({first_value})",
                          "{second}（{second_value}）早于 {first}（{first_value}）"),
                "future": ("{name} ({value}) is after the evaluation date {as_of}",
                           "{name}（{value}）晚于评估日期 {as_of}")}
    fix = ("correct the mistyped date", "更正填写错误的日期")
    doc = Doc(
        what="Orders the record-level schema check (CC017) does not cover: acceptance after delivery, evaluation "
             "after acceptance, amendments signed after the contract; and events (signing, publication, delivery, "
             "filing, acceptance, payments, evaluation) dated after the evaluation date.",
        why="Deadlines are computed from these dates: one wrong date hides or invents a breach.",
        legal=(Quote("中华人民共和国民法典", "第五百零九条", "当事人应当按照约定全面履行自己的义务。", "civil-code-book3-contracts.md"),),
        failing='dates: {delivered: "2024-04-20"}\nacceptance: {on: "2024-04-10", result: pass}',
        passing='dates: {delivered: "2024-04-20"}\nacceptance: {on: "2024-04-25", result: pass}',
        fix="Correct the date from the signed documents.",
    )

    def check(self, c, ctx):
        d = c.dates
        acc = c.acceptance.on if c.acceptance else None
        ev = c.evaluation.on if c.evaluation else None
        pairs = [(("acceptance", "on"), "dates.delivered", d.get("delivered"), "acceptance.on", acc),
                 (("evaluation", "on"), "acceptance.on", acc, "evaluation.on", ev)]
        for i, a in enumerate(c.amendments):
            pairs.append((("amendments", i, "signed"), "dates.signed", d.get("signed"), f"amendments.{i}.signed",
                          a.signed))
        for at, first, v1, second, v2 in pairs:
            if v1 and v2 and v2 < v1:
                yield self.finding(c, at, "order", first=first, first_value=v1.isoformat(), second=second,
                                   second_value=v2.isoformat())
        events = [(("dates", k), f"dates.{k}", d.get(k)) for k in ("signed", "published", "delivered")]
        events += [(("filing", "on"), "filing.on", c.filing.on if c.filing else None),
                   (("acceptance", "on"), "acceptance.on", acc), (("evaluation", "on"), "evaluation.on", ev)]
        events += [(("payments", i, "on"), f"payments.{i}.on", p.on) for i, p in enumerate(c.payments)]
        # One comparison with the evaluation date when no date is after it (nearly every contract): it narrows
        # the cached findings' validity window exactly as comparing each date would (from the latest on).
        latest = max((value for _at, _name, value in events if value), default=None)
        if latest is None or not latest > ctx.as_of:
            return
        for at, name, value in events:
            if value and value > ctx.as_of:
                yield self.finding(c, at, "future", name=name, value=value.isoformat(), as_of=ctx.as_of.isoformat())
