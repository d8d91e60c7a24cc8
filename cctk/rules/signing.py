"""Rules about approvals, signing and publication (CC101–CC105)."""

from __future__ import annotations

from cctk.model import Severity
from cctk.model.workdays import add_workdays, workday_info
from cctk.rules.base import Doc, Quote, Rule, rule

GPL = ("中华人民共和国政府采购法", "government-procurement-law-2014.md")
GPR = ("中华人民共和国政府采购法实施条例", "government-procurement-law-regulations-2015.md")
PAST_REVIEW = ("approved", "signed", "performing", "accepted", "evaluated", "archived")
SIGNED = ("signed", "performing", "accepted", "evaluated", "archived")


def is_key_supervision(c, ctx) -> bool:
    return bool(c.key_supervision) or c.amount >= ctx.money("key_supervision.major_amount")


def approved_steps(c) -> dict[str, object]:
    return {a.step: a for a in c.approvals if a.result == "approved"}


@rule
class LegalityReviewMissing(Rule):
    code, slug, severity = "CC101", "legality-review-missing", Severity.ERROR
    summary = ("Key-supervision contract approved or signed without the legal office's legality review",
               "重点监管类合同未经区法制机构合法性审查即通过审批或签订")
    messages = {"main": ("key-supervision contract ({classes}) has no approved '{step}' step",
                         "重点监管类合同（{classes}）缺少已通过的“{step}”审查")}
    fix = ("add the legal office's approved legality review under approvals (step: legality-review)",
           "在 approvals 中补充区法制机构已通过的合法性审查（step: legality-review）")
    doc = Doc(
        what="A contract in a key-supervision class (state assets, urban renewal and investment promotion, a major "
             "amount at or above `key_supervision.major_amount`, or others the district names) that has passed "
             "review or been signed, but has no approved approval step named `approvals.legality_step`.",
        why="The district's scheme sends these contracts to the legal office (司法局) for a legality review before "
            "signing; signing without it is the failure the scheme exists to prevent.",
        legal=(Quote("深圳市罗湖区政府合同监督管理办法（罗府规〔2018〕6号）", "",
                     "重点监管类合同（国有资产使用处置，城市更新、棚户区改造、招商引资等，重大金额，区政府指定的其他合同）"
                     "在签订前须经区法制机构合法性审查。", summary=True),),
        failing='key_supervision: [state-assets]\nstatus: signed\napprovals:\n  - {step: unit-head, by: zhang.wei, on: "2024-03-01"}',
        passing='key_supervision: [state-assets]\nstatus: signed\napprovals:\n  - {step: legality-review, by: chen.jing, on: "2024-02-28"}\n'
                '  - {step: unit-head, by: zhang.wei, on: "2024-03-01"}',
        fix="Have the legal office review the contract and record its approval (`cctk approve --step legality-review`), "
            "or correct `key_supervision` if the contract is not in a key class.",
        settings=("key_supervision.major_amount", "approvals.legality_step"),
    )

    def check(self, c, ctx):
        if c.status not in PAST_REVIEW or not is_key_supervision(c, ctx):
            return
        step = ctx.setting("approvals.legality_step")
        if step in approved_steps(c):
            return
        classes = ", ".join(c.key_supervision) or "major-amount"
        yield self.finding(c, ("approvals",) if c.approvals else ("key_supervision",), classes=classes, step=step)


@rule
class ApprovalsMissing(Rule):
    code, slug, severity = "CC102", "approvals-missing", Severity.ERROR
    summary = ("Contract signed without the required approvals", "合同未经规定审批即签订")
    messages = {"main": ("signed without the required approval '{step}'", "签订前缺少规定的审批“{step}”"),
                "after": ("approval '{step}' is dated {on}, after signing on {signed}",
                          "审批“{step}”日期为 {on}，晚于签订日期 {signed}")}
    fix = ("record the missing approval, or explain with an ignore entry", "补充缺失的审批记录，或以忽略条目说明原因")
    doc = Doc(
        what="A signed contract (status signed or later, or a signing date) lacks an approved step from "
             "`approvals.required`, or that approval is dated after the signing date.",
        why="The unit's internal review and the unit head's decision are the control that a contract is needed, "
            "affordable and lawful; approval after the fact is no control.",
        legal=(Quote("深圳市罗湖区政府合同监督管理办法（罗府规〔2018〕6号）", "",
                     "合同经承办部门起草、单位合同管理机构审核、单位负责人批准后方可签订。", summary=True),),
        failing='status: performing\ndates: {signed: "2024-03-12"}\napprovals:\n  - {step: unit-review, by: li.qiang, on: "2024-03-06"}',
        passing='status: performing\ndates: {signed: "2024-03-12"}\napprovals:\n  - {step: unit-review, by: li.qiang, on: "2024-03-06"}\n'
                '  - {step: unit-head, by: zhang.wei, on: "2024-03-07"}',
        fix="Record the approval that was given (with its real date); if it was not given, the contract needs to be "
            "ratified by the unit head and the lapse explained.",
        settings=("approvals.required",),
    )

    def check(self, c, ctx):
        signed = c.dates.get("signed")
        if c.status not in SIGNED and not signed:
            return
        have = approved_steps(c)
        for step in ctx.setting("approvals.required") or []:
            a = have.get(step)
            if a is None:
                yield self.finding(c, ("approvals",) if c.approvals else ("status",), step=step)
            elif signed and a.on and a.on > signed:
                i = c.approvals.index(a)
                yield self.finding(c, ("approvals", i, "on"), "after", step=step, on=a.on.isoformat(),
                                   signed=signed.isoformat())


@rule
class SigningLate(Rule):
    code, slug, severity = "CC103", "signing-late", Severity.ERROR
    summary = ("Contract signed more than 30 days after the award notice", "中标、成交通知书发出后超过30日才签订合同")
    messages = {"main": ("signed {days} days after the award notice of {award} (limit {limit} days)",
                         "中标、成交通知书发出于 {award}，{days} 日后才签订（期限 {limit} 日）")}
    fix = ("sign within the limit; if it was missed, record the reason in an ignore entry",
           "应在期限内签订；已逾期的，在忽略条目中说明原因")
    doc = Doc(
        what="The signing date is more than `signing.deadline_days` calendar days after the award date.",
        why="A late signature lets terms drift from the procurement documents and is a common audit finding.",
        legal=(Quote(GPL[0], "第四十六条", "采购人与中标、成交供应商应当在中标、成交通知书发出之日起三十日内，按照采购文件确定的事项签订政府采购合同。",
                     GPL[1]),),
        failing='dates: {award: "2024-01-02", signed: "2024-02-20"}',
        passing='dates: {award: "2024-01-02", signed: "2024-01-25"}',
        fix="Nothing can undo a late signature: record why in `ignore` (reason required) so reviewers see it.",
        settings=("signing.deadline_days",),
    )

    def check(self, c, ctx):
        award, signed = c.dates.get("award"), c.dates.get("signed")
        if not (award and signed):
            return
        limit = int(ctx.setting("signing.deadline_days"))
        days = (signed - award).days
        if days > limit:
            yield self.finding(c, ("dates", "signed"), days=days, award=award.isoformat(), limit=limit)


@rule
class PublicationOverdue(Rule):
    code, slug, severity = "CC104", "publication-overdue", Severity.ERROR
    summary = ("Contract not published within 2 working days of signing", "合同未在签订之日起2个工作日内公告")
    messages = {"missing": ("not published; due by {due} (2 working days after signing on {signed}; calendar: {source})",
                            "未公告；应于 {due} 前公告（签订日 {signed} 后 2 个工作日；日历：{source}）"),
                "late": ("published on {published}, after the deadline {due} (calendar: {source})",
                         "公告日期 {published} 晚于期限 {due}（日历：{source}）")}
    fix = ("publish the contract on the designated media and record dates.published",
           "在指定媒体公告合同并填写 dates.published")
    doc = Doc(
        what="A signed government-procurement contract (a procurement method other than `direct`, not secret) "
             "without `dates.published` after the deadline, or published after it. The deadline counts "
             "`publication.deadline_workdays` working days after signing on China's official calendar.",
        why="Publication is how the public and losing bidders can check the contract matches the award.",
        legal=(Quote(GPR[0], "第五十条", "采购人应当自政府采购合同签订之日起2个工作日内，将政府采购合同在省级以上人民政府财政部门指定的媒体上公告，但政府采购合同中涉及国家秘密、商业秘密的内容除外。",
                     GPR[1]),),
        failing='procurement_method: inquiry\ndates: {signed: "2024-03-12"}   # no published date, checked in April',
        passing='procurement_method: inquiry\ndates: {signed: "2024-03-12", published: "2024-03-13"}',
        fix="Publish and record the date; a contract with secret content sets `secret: true` (the redacted version "
            "is still published).",
        settings=("publication.deadline_workdays",),
    )

    def check(self, c, ctx):
        signed = c.dates.get("signed")
        if not signed or c.secret or c.procurement_method in (None, "direct"):
            return
        due = add_workdays(signed, int(ctx.setting("publication.deadline_workdays")))
        source = workday_info(due)[1]
        published = c.dates.get("published")
        if published is None:
            if ctx.as_of > due:
                yield self.finding(c, ("dates", "signed"), "missing", due=due.isoformat(), signed=signed.isoformat(),
                                   source=source)
        elif published > due:
            yield self.finding(c, ("dates", "published"), "late", published=published.isoformat(), due=due.isoformat(),
                               source=source)


def active_listing(supplier, day):
    for listing in (supplier.listings if supplier else []) or []:
        if not isinstance(listing, dict) or listing.get("list") != "black":
            continue
        start, end = str(listing.get("start") or ""), str(listing.get("end") or "")
        iso = day.isoformat()
        if start and iso < start:
            continue
        if end and iso > end:
            continue
        return listing
    return None


@rule
class BlacklistedSupplier(Rule):
    code, slug, severity = "CC105", "blacklisted-supplier", Severity.ERROR
    facts = True
    cacheable = False                      # depends on the supplier register, not only the record
    summary = ("Contract signed with a black-listed supplier while the listing was in force",
               "在供应商被列入黑名单期间与其签订合同")
    messages = {"main": ("signed on {signed} with {supplier}, black-listed from {start} to {end} ({reason})",
                         "于 {signed} 与 {supplier} 签订合同，该供应商在 {start} 至 {end} 期间被列入黑名单（{reason}）")}
    fix = ("do not sign with a black-listed supplier; review how it passed qualification",
           "不得与黑名单供应商签约；核查其如何通过资格审查")
    doc = Doc(
        what="The counterparty's register entry (suppliers/<credit code>.yaml) has a black-list listing whose "
             "period (start..end, open-ended when end is empty) contains the signing date.",
        why="A supplier barred from government procurement does not meet the qualification conditions; a "
            "contract with it is an audit finding and may be invalid.",
        legal=(Quote(GPL[0], "第二十二条", "（五）参加政府采购活动前三年内，在经营活动中没有重大违法记录；", GPL[1]),
               Quote(GPL[0], "第七十七条", "供应商有下列情形之一的，处以采购金额千分之五以上千分之十以下的罚款，列入不良行为记录名单，在一至三年内禁止参加政府采购活动",
                     GPL[1])),
        failing='# suppliers/91440303MA5F0A1B22.yaml\nlistings: [{list: black, start: "2024-01-01", end: "2026-12-31"}]\n'
                '# contract\ndates: {signed: "2024-05-01"}',
        passing='listings: [{list: black, start: "2021-01-01", end: "2023-12-31"}]\ndates: {signed: "2024-05-01"}',
        fix="Stop performance and report to the finance department; if the listing was lifted on appeal, record "
            "that in the supplier's listing (end date or appeals).",
    )

    def check(self, c, ctx):
        signed = c.dates.get("signed")
        if not signed:
            return
        supplier = ctx.suppliers.get(c.counterparty.credit_code)
        listing = active_listing(supplier, signed)
        if listing:
            yield self.finding(c, ("counterparty", "credit_code"), signed=signed.isoformat(),
                               supplier=c.counterparty.name, start=listing.get("start") or "…",
                               end=listing.get("end") or "…",
                               reason=listing.get("reason") or listing.get("cause") or "")
