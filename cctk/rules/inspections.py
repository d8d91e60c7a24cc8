"""Rules over the inspection records (履约检查, inspections/<year>.yaml) the engine puts in the context (CC406)."""

from __future__ import annotations

from cctk.model import Severity
from cctk.rules.base import Doc, Quote, Rule, rule


@rule
class InspectionFailed(Rule):
    code, slug, severity = "CC406", "inspection-failed", Severity.ERROR
    facts = True
    cacheable = False                      # depends on inspections/*.yaml, not only the record
    summary = ("A performance inspection of the contract failed", "合同履约检查不合格")
    messages = {"main": ("inspection {id} ({kind}) on {on} failed: {findings}",
                         "{on} 履约检查 {id}（{kind}）不合格：{findings}")}
    fix = ("have the supplier remedy the findings, then record a passing re-inspection (cctk inspect record)",
           "督促供应商整改，复查合格后登记检查结果（cctk inspect record）")
    doc = Doc(
        what="An inspection recorded in `inspections/<year>.yaml` (`cctk inspect record CODE --result fail`) on or "
             "before the evaluation date whose result is `fail`, with no later passing inspection of the same "
             "contract. The record itself is fine; the finding sits on its counterparty.",
        why="A failed inspection means the supplier is not performing as agreed: it caps the performance "
            "evaluation, feeds the supplier black list and must be followed up until a re-inspection passes.",
        legal=(Quote("中华人民共和国民法典", "第五百零九条", "当事人应当按照约定全面履行自己的义务。",
                     "civil-code-book3-contracts.md"),
               Quote("中华人民共和国民法典", "第五百七十七条",
                     "当事人一方不履行合同义务或者履行合同义务不符合约定的，应当承担继续履行、采取补救措施或者赔偿损失等违约责任。",
                     "civil-code-book3-contracts.md")),
        failing='# inspections/2024.yaml\nrecords:\n  - {id: 2024-001, contract: LHHT-2024-000001, kind: performance,\n'
                '     result: fail, findings: "保洁人员不足", on: "2024-05-10"}',
        passing='records:\n  - {id: 2024-001, contract: LHHT-2024-000001, kind: performance, result: fail, on: "2024-05-10"}\n'
                '  - {id: 2024-002, contract: LHHT-2024-000001, kind: performance, result: pass, on: "2024-06-01"}',
        fix="Record the re-inspection with `cctk inspect record CODE --result pass` once the supplier has remedied "
            "the findings; terminate the contract (`cctk terminate`) if it cannot be remedied.",
    )

    def check(self, c, ctx):
        records = [r for r in ctx.inspections.get(c.code, ()) if str(r.get("on") or "") <= ctx.as_of.isoformat()]
        if not records:
            return
        key = lambda r: (str(r.get("on") or ""), str(r.get("id") or ""))  # noqa: E731
        last_pass = max((key(r) for r in records if r.get("result") == "pass"), default=("", ""))
        for r in sorted(records, key=key):
            if r.get("result") == "fail" and key(r) > last_pass:
                findings = " ".join(str(r.get("findings") or "-").split())
                yield self.finding(c, ("counterparty",), id=r.get("id") or "?", kind=r.get("kind") or "?",
                                   on=r.get("on") or "?", findings=findings[:80])
