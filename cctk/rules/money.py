"""Rules about amounts and payments (CC301–CC306)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cctk.model import Severity
from cctk.rules.base import Doc, Quote, Rule, fmt_money, rule

GPL = ("中华人民共和国政府采购法", "government-procurement-law-2014.md")
GPR = ("中华人民共和国政府采购法实施条例", "government-procurement-law-regulations-2015.md")
SME = ("保障中小企业款项支付条例", "sme-payment-regulation-2025.md")


def _effective_amendments(c) -> Decimal:
    """Signed amendments change what may be paid."""
    return sum((a.amount_change for a in c.amendments if a.status == "signed" or a.signed), Decimal(0))


@rule
class BondExcessive(Rule):
    code, slug, severity = "CC301", "bond-excessive", Severity.ERROR
    summary = ("Performance bond above 10% of the contract amount", "履约保证金超过合同金额的10%")
    messages = {"main": ("performance bond {bond} is {share} of the amount {amount} (limit {limit})",
                         "履约保证金 {bond} 占合同金额 {amount} 的 {share}（上限 {limit}）")}
    fix = ("reduce the bond to the limit", "将履约保证金降至上限以内")
    doc = Doc(
        what="`performance_bond` is more than `bond.max_share` of `amount`.",
        why="An excessive bond ties up suppliers' (often SMEs') cash and is prohibited.",
        legal=(Quote(GPR[0], "第四十八条", "履约保证金的数额不得超过政府采购合同金额的10%。", GPR[1]),),
        failing='amount: "100000.00"\nperformance_bond: "15000.00"',
        passing='amount: "100000.00"\nperformance_bond: "5000.00"',
        fix="Amend the contract to lower the bond and refund the excess.",
        settings=("bond.max_share",),
    )

    def check(self, c, ctx):
        if c.performance_bond is None or c.amount <= 0:
            return
        limit = ctx.share("bond.max_share")
        if c.performance_bond > c.amount * limit:
            yield self.finding(c, ("performance_bond",), bond=fmt_money(c.performance_bond),
                               share=f"{c.performance_bond / c.amount:.1%}", amount=fmt_money(c.amount),
                               limit=f"{limit:.0%}")


@rule
class AmendmentsOverLimit(Rule):
    code, slug, severity = "CC302", "amendments-over-limit", Severity.ERROR
    summary = ("Supplementary contracts add more than 10% of the original amount", "补充合同累计金额超过原合同金额的10%")
    messages = {"main": ("supplements add {added} in total, {share} of the original {amount} (limit {limit})",
                         "补充合同累计增加 {added}，占原合同金额 {amount} 的 {share}（上限 {limit}）")}
    fix = ("procure the extra quantity separately instead of amending", "超出部分应另行采购，不得以补充合同追加")
    doc = Doc(
        what="The price increases of all amendments that are not rejected add up to more than "
             "`amendments.max_share` of the original `amount`.",
        why="Beyond the limit an amendment is a new procurement that escaped competition.",
        legal=(Quote(GPL[0], "第四十九条", "政府采购合同履行中，采购人需追加与合同标的相同的货物、工程或者服务的，在不改变合同其他条款的前提下，可以与供应商协商签订补充合同，但所有补充合同的采购金额不得超过原合同采购金额的百分之十。",
                     GPL[1]),),
        failing='amount: "100000.00"\namendments:\n  - {id: "1", title: 增购, amount_change: "6000.00", status: signed}\n'
                '  - {id: "2", title: 再增购, amount_change: "5000.00", status: signed}',
        passing='amount: "100000.00"\namendments:\n  - {id: "1", title: 增购, amount_change: "6000.00", status: signed}',
        fix="Withdraw the amendment that crosses the limit and run a procurement for the extra quantity.",
        settings=("amendments.max_share",),
    )

    def check(self, c, ctx):
        added = sum((a.amount_change for a in c.amendments if a.status != "rejected" and a.amount_change > 0),
                    Decimal(0))
        limit = ctx.share("amendments.max_share")
        if c.amount > 0 and added > c.amount * limit:
            yield self.finding(c, ("amendments",), added=fmt_money(added), share=f"{added / c.amount:.1%}",
                               amount=fmt_money(c.amount), limit=f"{limit:.0%}")


@rule
class PaymentsExceedAmount(Rule):
    code, slug, severity = "CC303", "payments-exceed-amount", Severity.ERROR
    summary = ("Payments exceed the contract amount", "累计付款超过合同金额")
    messages = {"main": ("payments total {paid}, more than the amount {allowed} by {excess}",
                         "累计付款 {paid}，超过合同金额 {allowed} 共 {excess}")}
    fix = ("recover the overpayment or record the signed amendment that raised the amount",
           "追回超付款项，或补录提高金额的已签补充合同")
    doc = Doc(
        what="The sum of `payments` exceeds `amount` plus the changes of signed amendments (OCP red flag R068).",
        why="Paying beyond the contract is paying without a legal basis.",
        legal=(Quote(GPR[0], "第五十一条", "采购人应当按照政府采购合同规定，及时向中标或者成交供应商支付采购资金。", GPR[1]),),
        failing='amount: "86500.00"\npayments:\n  - {on: "2024-03-20", amount: "50000.00"}\n  - {on: "2024-06-20", amount: "40000.00"}',
        passing='amount: "86500.00"\npayments:\n  - {on: "2024-03-20", amount: "50000.00"}\n  - {on: "2024-06-20", amount: "36500.00"}',
        fix="Correct a mistyped payment, record the signed amendment, or recover the excess.",
    )

    def check(self, c, ctx):
        if not c.payments:
            return
        allowed = c.amount + _effective_amendments(c)
        paid = c.paid
        if paid > allowed:
            yield self.finding(c, ("payments", len(c.payments) - 1, "amount"), paid=fmt_money(paid),
                               allowed=fmt_money(allowed), excess=fmt_money(paid - allowed))


@rule
class FinalPaymentBeforeAcceptance(Rule):
    code, slug, severity = "CC304", "final-payment-before-acceptance", Severity.ERROR
    summary = ("Final payment made before a passed acceptance", "验收合格前支付尾款")
    messages = {"main": ("final payment of {amount} on {on} before acceptance{accepted}",
                         "验收合格前于 {on} 支付尾款 {amount}{accepted}")}
    fix = ("accept the deliverable (record acceptance) before paying the balance", "先组织验收并记录结果，再支付尾款")
    doc = Doc(
        what="A payment against an instalment marked `final: true` or triggered by `acceptance` is dated before a "
             "passed acceptance (or there is none); a payment bringing the total to the full amount without a "
             "passed acceptance counts as final too.",
        why="Acceptance is the buyer's only leverage over quality; paying the balance first gives it away.",
        legal=(Quote("中华人民共和国民法典", "第六百二十条", "买受人收到标的物时应当在约定的检验期限内检验。没有约定检验期限的，应当及时检验。",
                     "civil-code-book3-contracts.md"),
               Quote(SME[0], "第十条", "机关、事业单位和大型企业与中小企业约定以货物、工程、服务交付后经检验或者验收合格作为支付中小企业款项条件的，付款期限应当自检验或者验收合格之日起算。",
                     SME[1])),
        failing='payment_schedule:\n  - {id: "2", share: "70%", trigger: acceptance, days: 15, final: true}\n'
                'payments:\n  - {on: "2024-04-01", amount: "60550.00", instalment: "2"}\n# no acceptance',
        passing='acceptance: {on: "2024-03-25", result: pass}\npayments:\n  - {on: "2024-04-01", amount: "60550.00", instalment: "2"}',
        fix="Record the acceptance that took place; if none did, organise it and withhold further payment.",
    )

    def check(self, c, ctx):
        accepted = c.acceptance.on if c.acceptance and c.acceptance.result == "pass" else None
        finals = {i.id for i in c.payment_schedule if i.final or i.trigger == "acceptance"}
        running = Decimal(0)
        for idx, p in sorted(enumerate(c.payments), key=lambda ip: ip[1].on or dt.date.min):
            running += p.amount or 0
            is_final = (p.instalment in finals) if p.instalment else running >= c.amount > 0
            if is_final and p.on and (accepted is None or p.on < accepted):
                yield self.finding(c, ("payments", idx, "on"), amount=fmt_money(p.amount), on=p.on.isoformat(),
                                   accepted=f" ({accepted.isoformat()})" if accepted else "")
                return


@rule
class SmePaymentLate(Rule):
    code, slug, severity = "CC305", "sme-payment-late", Severity.ERROR
    summary = ("SME paid later than 30 days after delivery/acceptance (60 days when agreed)",
               "向中小企业付款超过交付或验收后30日（有约定的60日）")
    messages = {"term": ("instalment {id}: term of {days} days after {trigger} exceeds {limit} days{agreed}",
                         "第 {id} 期：{trigger}后 {days} 日付款，超过 {limit} 日{agreed}"),
                "paid": ("instalment {id} paid on {on}, {days} days after {trigger} on {start} (limit {limit} days)",
                         "第 {id} 期于 {on} 支付，距{trigger}（{start}）{days} 日（上限 {limit} 日）"),
                "unpaid": ("instalment {id} unpaid {days} days after {trigger} on {start} (limit {limit} days)",
                           "第 {id} 期在{trigger}（{start}）后 {days} 日仍未支付（上限 {limit} 日）")}
    fix = ("pay within the statutory term; terms beyond 30 days need express agreement and never exceed 60",
           "应在法定期限内付款；超过30日须明确约定，且最长不超过60日")
    doc = Doc(
        what="For an SME counterparty (`counterparty.sme: true`), each instalment triggered by delivery or "
             "acceptance: its term may not exceed `sme_payment.default_days` unless `agreed_days: true`, and "
             "never `sme_payment.max_days`; payments recorded against it (by `instalment` id) must come within "
             "that limit of the delivery date or the passed acceptance; an unpaid instalment past the limit as of "
             "the evaluation date is reported too. Days are calendar days.",
        why="Late payment of SMEs by public bodies is the abuse the regulation targets; interest accrues at "
            "0.05% a day when nothing else was agreed.",
        legal=(Quote(SME[0], "第九条", "机关、事业单位从中小企业采购货物、工程、服务，应当自货物、工程、服务交付之日起30日内支付款项；合同另有约定的，从其约定，但付款期限最长不得超过60日。",
                     SME[1]),
               Quote(SME[0], "第十条", "机关、事业单位和大型企业与中小企业约定以货物、工程、服务交付后经检验或者验收合格作为支付中小企业款项条件的，付款期限应当自检验或者验收合格之日起算。",
                     SME[1])),
        failing='counterparty: {sme: true}\npayment_schedule:\n  - {id: "1", share: "100%", trigger: acceptance, days: 45}',
        passing='counterparty: {sme: true}\npayment_schedule:\n  - {id: "1", share: "100%", trigger: acceptance, days: 45, agreed_days: true}',
        fix="Pay now (interest is due); amend the schedule to a lawful term for future instalments.",
        settings=("sme_payment.default_days", "sme_payment.max_days"),
    )
    TRIGGER_NAMES = {"delivery": "delivery", "acceptance": "acceptance"}

    def check(self, c, ctx):
        if not c.counterparty.sme:
            return
        default, maximum = int(ctx.setting("sme_payment.default_days")), int(ctx.setting("sme_payment.max_days"))
        for idx, inst in enumerate(c.payment_schedule):
            if inst.trigger not in ("delivery", "acceptance") or inst.advance:
                continue
            limit = maximum if inst.agreed_days else default
            if inst.days > limit:
                yield self.finding(c, ("payment_schedule", idx, "days"), "term", id=inst.id, days=inst.days,
                                   trigger=inst.trigger, limit=limit,
                                   agreed="" if inst.agreed_days else " (no agreement / 未约定)")
            if inst.trigger == "delivery":
                start = c.dates.get("delivered")
            else:
                start = c.acceptance.on if c.acceptance and c.acceptance.result == "pass" else None
            if start is None:
                continue
            paid = [(i, p) for i, p in enumerate(c.payments) if p.instalment == inst.id and p.on]
            if paid:
                i, last = max(paid, key=lambda ip: ip[1].on)
                days = (last.on - start).days
                if days > limit:
                    yield self.finding(c, ("payments", i, "on"), "paid", id=inst.id, on=last.on.isoformat(),
                                       days=days, trigger=inst.trigger, start=start.isoformat(), limit=limit)
            elif c.status not in ("terminated", "rejected") and ctx.as_of > start + dt.timedelta(days=limit):
                yield self.finding(c, ("payment_schedule", idx), "unpaid", id=inst.id, days=(ctx.as_of - start).days,
                                   trigger=inst.trigger, start=start.isoformat(), limit=limit)


@rule
class RepeatedPriceIncrease(Rule):
    code, slug, severity = "CC306", "repeated-price-increase", Severity.WARNING
    summary = ("Repeated amendments increasing the price", "多次签订增加价款的补充合同")
    messages = {"main": ("{count} amendments increase the price (by {added} in total)",
                         "{count} 份补充合同增加价款（共 {added}）")}
    fix = ("review whether the original procurement under-specified the need", "核查原采购是否有意压低需求")
    doc = Doc(
        what="At least `amendments.repeated_increases` amendments (not rejected) raise the price — OCP red flags "
             "R064 (contract has modifications) and R069 (amendments increase price).",
        why="Winning low and recovering the margin through amendments is a classic way to defeat competition, "
            "even when each amendment stays under the 10% limit.",
        legal=(Quote(GPL[0], "第四十九条", "所有补充合同的采购金额不得超过原合同采购金额的百分之十。", GPL[1]),
               Quote("中华人民共和国政府采购法", "第五十条", "政府采购合同的双方当事人不得擅自变更、中止或者终止合同。", GPL[1])),
        failing='amendments:\n  - {id: "1", title: 增购, amount_change: "3000.00"}\n  - {id: "2", title: 增购, amount_change: "2000.00"}',
        passing='amendments:\n  - {id: "1", title: 增购, amount_change: "3000.00"}',
        fix="Review the procurement file; suppress with the reason when the increases were unforeseeable.",
        settings=("amendments.repeated_increases",),
    )

    def check(self, c, ctx):
        ups = [a for a in c.amendments if a.status != "rejected" and a.amount_change > 0]
        if len(ups) >= int(ctx.setting("amendments.repeated_increases")):
            yield self.finding(c, ("amendments",), count=len(ups),
                               added=fmt_money(sum((a.amount_change for a in ups), Decimal(0))))
