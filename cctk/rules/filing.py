"""Rules about filing with the finance department (CC201–CC204)."""

from __future__ import annotations

import re
from collections import defaultdict

from cctk.model import Severity
from cctk.model.workdays import add_workdays, workday_info
from cctk.rules.base import RELATED_LIMIT, Doc, Quote, Rule, rule

GPL = ("中华人民共和国政府采购法", "government-procurement-law-2014.md")
IN_FORCE = ("signed", "performing", "accepted", "evaluated", "archived")


def filing_required(c, ctx) -> bool:
    """In filing scope: at or above the amount, signed, and not marked exempt."""
    if c.filing is not None and c.filing.required is False:
        return False
    return c.status in IN_FORCE and c.amount >= ctx.money("filing.min_amount") and "signed" in c.dates


def filing_due(c, ctx):
    return add_workdays(c.dates["signed"], int(ctx.setting("filing.deadline_workdays")))


@rule
class FilingOverdue(Rule):
    code, slug, severity = "CC201", "filing-overdue", Severity.ERROR
    summary = ("Contract in filing scope not filed within 7 working days of signing",
               "属备案范围的合同未在签订之日起7个工作日内备案")
    messages = {"missing": ("not filed; due by {due} ({days} working days after signing on {signed}; calendar: {source})",
                            "未备案；应于 {due} 前备案（签订日 {signed} 后 {days} 个工作日；日历：{source}）"),
                "late": ("filed on {filed}, after the deadline {due} (calendar: {source})",
                         "备案日期 {filed} 晚于期限 {due}（日历：{source}）")}
    fix = ("file the contract now with 'cctk file'", "立即使用“cctk file”办理备案")
    doc = Doc(
        what="A signed contract of `filing.min_amount` yuan or more (and not marked `filing.required: false`) "
             "with no filing date after the deadline, or filed after it. The deadline is "
             "`filing.deadline_workdays` working days after signing, the signing day not counted, on China's "
             "official calendar with make-up working days (chinesecalendar; holidays as fallback — the message "
             "names the calendar used).",
        why="Filing is how the finance department sees the contract before it pays; an unfiled contract is "
            "outside supervision.",
        legal=(Quote(GPL[0], "第四十七条", "政府采购项目的采购合同自签订之日起七个工作日内，采购人应当将合同副本报同级政府采购监督管理部门和有关部门备案。",
                     GPL[1]),
               Quote("中华人民共和国民法典", "第二百零一条", "按照年、月、日计算期间的，开始的当日不计入，自下一日开始计算。",
                     "civil-code-book1-general.md")),
        failing='amount: "86500.00"\nstatus: performing\ndates: {signed: "2024-03-12"}\nfiling: {number: "罗财合备〔2024〕1号", on: "2024-03-29"}',
        passing='amount: "86500.00"\nstatus: performing\ndates: {signed: "2024-03-12"}\nfiling: {number: "罗财合备〔2024〕1号", on: "2024-03-15"}',
        fix="File now (`cctk file CODE`); a late filing stays visible — explain it with an `ignore` entry if the "
            "delay was justified.",
        settings=("filing.min_amount", "filing.deadline_workdays"),
    )

    def check(self, c, ctx):
        if not filing_required(c, ctx):
            return
        due = filing_due(c, ctx)
        source = workday_info(due)[1]
        filed = c.filing.on if c.filing else None
        if filed is None:
            if ctx.as_of > due:
                yield self.finding(c, ("filing",) if c.filing else ("dates", "signed"), "missing", due=due.isoformat(),
                                   days=ctx.setting("filing.deadline_workdays"), signed=c.dates["signed"].isoformat(),
                                   source=source)
        elif filed > due:
            yield self.finding(c, ("filing", "on"), "late", filed=filed.isoformat(), due=due.isoformat(), source=source)


@rule
class PaymentUnfiled(Rule):
    code, slug, severity = "CC202", "payment-unfiled", Severity.ERROR
    summary = ("Payment recorded for a contract not yet filed", "合同未备案即付款")
    messages = {"main": ("payment of {amount} on {on} before the contract was filed{filed}",
                         "合同备案前于 {on} 付款 {amount}{filed}")}
    fix = ("file the contract before paying; the finance system pays filed contracts only",
           "先备案后付款；支付系统只应支付已备案合同")
    doc = Doc(
        what="A contract in filing scope has a payment dated before its filing date, or has payments and no "
             "filing at all.",
        why="In the district's scheme the filed contract is pushed to the payment system: a payment without "
            "filing bypassed that control.",
        legal=(Quote(GPL[0], "第四十七条", "政府采购项目的采购合同自签订之日起七个工作日内，采购人应当将合同副本报同级政府采购监督管理部门和有关部门备案。",
                     GPL[1]),
               Quote("深圳市罗湖区政府合同监督管理办法（罗府规〔2018〕6号）", "",
                     "备案后的合同推送至支付系统，未备案合同不得支付。", summary=True)),
        failing='filing: {number: "罗财合备〔2024〕1号", on: "2024-03-15"}\npayments:\n  - {on: "2024-03-14", amount: "25950.00"}',
        passing='filing: {number: "罗财合备〔2024〕1号", on: "2024-03-15"}\npayments:\n  - {on: "2024-03-20", amount: "25950.00"}',
        fix="Check how the payment was made without filing; record the filing, and explain with an `ignore` "
            "entry when the payment was lawful (e.g. the contract was below scope at the time).",
        settings=("filing.min_amount",),
    )

    def check(self, c, ctx):
        if not c.payments or not filing_required(c, ctx):
            return
        filed = c.filing.on if c.filing else None
        for i, p in enumerate(c.payments):
            if p.on and (filed is None or p.on < filed):
                suffix = f" ({filed.isoformat()})" if filed else ""
                yield self.finding(c, ("payments", i, "on"), amount=f"{p.amount:,.2f}", on=p.on.isoformat(),
                                   filed=suffix)


@rule
class DuplicateFilingNumber(Rule):
    code, slug, severity, scope = "CC203", "duplicate-filing-number", Severity.ERROR, "repository"
    facts = True
    partition = staticmethod(lambda c: c.filing.number if c.filing else None)
    summary = ("Two contracts share one filing number", "多份合同使用同一备案号")
    messages = {"main": ("filing number {number} is also used by {others}", "备案号 {number} 同时被 {others} 使用")}
    fix = ("give each contract its own filing number (the finance department assigns them)",
           "每份合同应有唯一备案号（由财政部门分配）")
    doc = Doc(
        what="The same `filing.number` appears in more than one contract.",
        why="The filing number identifies the filed copy that the payment system pays against; a duplicate "
            "means one filing is being used for two contracts.",
        legal=(Quote(GPL[0], "第四十七条", "政府采购项目的采购合同自签订之日起七个工作日内，采购人应当将合同副本报同级政府采购监督管理部门和有关部门备案。",
                     GPL[1]),),
        failing='# LHHT-2024-000001\nfiling: {number: "罗财合备〔2024〕7号"}\n# LHHT-2024-000002\nfiling: {number: "罗财合备〔2024〕7号"}',
        passing='# LHHT-2024-000001\nfiling: {number: "罗财合备〔2024〕7号"}\n# LHHT-2024-000002\nfiling: {number: "罗财合备〔2024〕8号"}',
        fix="Find which contract the number was issued to (git log) and correct the other.",
    )

    def check_all(self, contracts, ctx):
        by_number = defaultdict(list)
        for c in contracts:
            if c.filing and c.filing.number:
                by_number[c.filing.number].append(c)
        for number, group in by_number.items():
            if len(group) > 1:
                codes = [c.code for c in group]
                for c in group:
                    others = [x for x in codes[:RELATED_LIMIT + 1] if x != c.code][:RELATED_LIMIT]
                    more = len(codes) - 1 - len(others)
                    text = ", ".join(others) + (f" … (+{more})" if more > 0 else "")
                    yield self.finding(c, ("filing", "number"), number=number, others=text, related=others)


def number_pattern(fmt: str) -> re.Pattern | None:
    """Turn a format like '罗财合备〔{year}〕{seq}号' into a regex with year and seq groups."""
    if "{year" not in fmt or "{seq" not in fmt:
        return None
    out, i = "", 0
    for m in re.finditer(r"\{(year|seq)(?::[^}]*)?\}", fmt):
        out += re.escape(fmt[i:m.start()]) + rf"(?P<{m[1]}>\d+)"
        i = m.end()
    return re.compile("^" + out + re.escape(fmt[i:]) + "$")


@rule
class FilingSequenceGap(Rule):
    code, slug, severity, scope = "CC204", "filing-sequence-gap", Severity.WARNING, "repository"
    facts = True
    summary = ("Gap in a year's filing number sequence", "年度备案号序列存在缺号")
    messages = {"main": ("filing numbers {first}–{last} of {year} are missing before {number}",
                         "{year} 年备案号 {first}–{last} 缺失（位于 {number} 之前）")}
    fix = ("find the missing filings (deleted or never recorded contracts) or note why they were voided",
           "查找缺失的备案（被删除或未录入的合同），或说明作废原因")
    doc = Doc(
        what="Filing numbers following `filing_number_format` in cctk.yaml are sequential per year; this rule "
             "reports each run of missing numbers below the year's highest number, on the contract after the gap.",
        why="A missing number may be a filed contract that was deleted from the repository, or a filing made "
            "outside the system.",
        legal=(Quote(GPL[0], "第四十二条", "采购人、采购代理机构对政府采购项目每项采购活动的采购文件应当妥善保存，不得伪造、变造、隐匿或者销毁。",
                     GPL[1]),),
        failing='# filing numbers in 2024: 1, 2, 5',
        passing='# filing numbers in 2024: 1, 2, 3',
        fix="Restore the missing contracts from history (`git log --diff-filter=D`) or suppress with the reason the "
            "numbers were voided.",
        settings=("filing_sequence.enabled",),
    )

    def check_all(self, contracts, ctx):
        if not ctx.setting("filing_sequence.enabled", True):
            return
        pattern = number_pattern(ctx.config.get("filing_number_format") or "")
        if pattern is None:
            return
        by_year = defaultdict(dict)
        for c in contracts:
            if c.filing and c.filing.number:
                m = pattern.match(c.filing.number)
                if m:
                    by_year[int(m["year"])].setdefault(int(m["seq"]), c)
        for year, seqs in by_year.items():
            prev = 0
            for seq in sorted(seqs):
                if seq > prev + 1:
                    c = seqs[seq]
                    yield self.finding(c, ("filing", "number"), year=year, first=prev + 1, last=seq - 1,
                                       number=c.filing.number)
                prev = seq
