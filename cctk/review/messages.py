"""Bilingual messages of the text review: one message and one suggested fix per category."""

from cctk.i18n import register

register({
    # findings
    "review.amount-words-mismatch": (
        "Uppercase amount {words} is {upper} yuan but the figures say {figure} yuan",
        "大写金额“{words}”为 {upper} 元，与小写金额 {figure} 元不一致"),
    "review.payment-schedule-sum": (
        "The instalments add up to {total}, not {expected}",
        "各期付款合计 {total}，与应付的 {expected} 不符"),
    "review.prepayment-excessive": (
        "{share}% of the price is paid before delivery/acceptance (limit {limit}%)",
        "交付/验收前支付合同价款的 {share}%，超过 {limit}% 的上限"),
    "review.prepayment-earnest": (
        "Earnest money (定金) of {share}% exceeds the legal limit of {limit}% of the price",
        "定金为合同价款的 {share}%，超过法定的 {limit}%"),
    "review.payment-term-late": (
        "Payment is due {days} days after delivery, acceptance or invoice, beyond the {limit}-day limit",
        "付款期限为交付、验收或收到发票后 {days} 日，超过 {limit} 日的上限"),
    "review.payment-term-conditional": (
        "Payment depends on the buyer's funds arriving — an open-ended payment term",
        "付款以采购人资金到位为条件，付款期限实际不确定"),
    "review.performance-bond-excessive": (
        "Performance bond of {share}% exceeds {limit}% of the contract amount",
        "履约保证金为合同金额的 {share}%，超过 {limit}%"),
    "review.penalty-excessive": (
        "Liquidated damages of {share}% of the price exceed {limit}%",
        "违约金为合同价款的 {share}%，超过 {limit}%"),
    "review.penalty-daily-uncapped": (
        "A daily rate of {rate}% with no cap on the total",
        "按日 {rate}% 计算违约金且未设总额上限"),
    "review.liability-asymmetric": (
        "Only the buyer bears liability for breach; the supplier's breach has no consequence",
        "违约责任仅约定采购人一方，供应商违约无相应责任"),
    "review.liability-cap": (
        "The supplier's total liability is capped at {cap}, a trivial share of the price",
        "供应商的赔偿责任上限仅为 {cap}，明显过低"),
    "review.liability-excluded": (
        "The supplier is released from liability for its own breach",
        "免除供应商自身违约的责任"),
    "review.exemption-invalid": (
        "Excludes liability for personal injury or for intentional/grossly negligent damage — void",
        "排除人身损害或故意、重大过失造成财产损失的责任，该免责条款无效"),
    "review.dispute-clause-missing": (
        "No dispute-resolution clause (court or arbitration)",
        "缺少争议解决条款（未约定诉讼或仲裁）"),
    "review.jurisdiction-unfavorable": (
        "Disputes go to {forum}, a forum on the supplier's side or away from the buyer",
        "争议提交{forum}，管辖地对采购人不利"),
    "review.jurisdiction-supplier": (
        "Disputes go to the supplier's court or a forum it chooses",
        "争议由供应商所在地法院管辖或由供应商选择机构，对采购人不利"),
    "review.auto-renewal": (
        "The contract renews automatically, bypassing a new procurement",
        "合同自动续期，规避重新采购"),
    "review.acceptance-missing": (
        "No acceptance provision for the deliverables",
        "未约定交付成果的验收条款"),
    "review.final-interpretation": (
        "A 'final right of interpretation' clause",
        "约定“最终解释权”条款"),
    "review.rights-waiver": (
        "The buyer waives statutory rights (claims, defences or termination)",
        "采购人放弃法定权利（索赔、抗辩或解除）"),
    "review.confidentiality-missing": (
        "Work on government information or data without a confidentiality clause",
        "涉及政府信息或数据的服务未约定保密条款"),
    "review.ip-unfavorable": (
        "The IP in commissioned deliverables stays with the supplier",
        "委托成果的知识产权归供应商所有"),
    "review.term-excessive": (
        "Purchased-service term of {months} months exceeds {limit} months",
        "购买服务期限 {months} 个月，超过 {limit} 个月"),
    "review.date-inconsistent": (
        "Dates contradict: {detail}",
        "日期矛盾：{detail}"),
    "review.date.range-reversed": ("the end {end} is before the start {start}", "截止日 {end} 早于起始日 {start}"),
    "review.date.duration": ("{start} to {end} is not the stated {stated}", "{start} 至 {end} 与约定的{stated}不符"),
    "review.date.invalid": ("{date} does not exist", "{date} 不是有效日期"),
    "review.placeholder-unfilled": (
        "A blank is left in a substantive term: {blank}",
        "实质性条款留有空白：{blank}"),
    "review.unilateral-change": (
        "The supplier may change price, scope or terms on its own",
        "供应商可单方变更价格、范围或条款"),
    "review.subcontracting": (
        "The work may be transferred or subcontracted without the buyer's written consent",
        "允许未经采购人书面同意转包或分包"),
    "review.credit-code-invalid": (
        "Credit code {code} fails its check ({problem})",
        "统一社会信用代码 {code} 校验不通过（{problem}）"),
    "review.cc.check": ("wrong check character", "校验位错误"),
    "review.cc.length": ("not 18 characters", "长度不是18位"),
    "review.cc.charset": ("characters outside GB 32100", "含GB 32100以外的字符"),
    "review.cc.type": ("not text", "不是文本"),
    # suggested fixes (replacement wording in Chinese, as the contract is Chinese)
    "review.amount-words-mismatch.fix": (
        "Make the words match the figures: {words}", "大写金额应为：{words}"),
    "review.payment-schedule-sum.fix": (
        "Make the instalments add up to 100% of the price (e.g. state the last one as the balance)",
        "各期付款比例合计应为 100%（末期可写作“支付剩余全部款项”）"),
    "review.prepayment-excessive.fix": (
        "Limit the advance to {limit}% and tie the rest to acceptance",
        "预付款不超过合同价款的 {limit}%，其余款项于验收合格后支付"),
    "review.payment-term-late.fix": (
        "甲方应于验收合格并收到发票之日起30日内支付 (pay within 30 days of acceptance, never beyond 60)",
        "改为“甲方应于验收合格并收到合法有效发票之日起30日内支付”（最长不超过60日）"),
    "review.performance-bond-excessive.fix": (
        "Set the bond at no more than {limit}% of the contract amount, in non-cash form",
        "履约保证金不超过合同金额的 {limit}%，可以银行保函等非现金形式提交"),
    "review.penalty-excessive.fix": (
        "Cap liquidated damages, e.g. 每逾期一日按合同总价的0.5‰支付违约金，累计不超过合同总价的10%",
        "改为“每逾期一日按合同总价的0.5‰支付违约金，违约金累计不超过合同总价的10%”"),
    "review.liability-asymmetric.fix": (
        "Add the supplier's liability: 乙方违约的，应承担违约责任并赔偿甲方因此遭受的损失",
        "增加“乙方违约的，应当承担违约责任，并赔偿甲方因此遭受的全部损失”"),
    "review.exemption-invalid.fix": (
        "Delete the exclusion or carve out: 但造成人身损害或因故意、重大过失造成财产损失的除外",
        "删除该免责约定，或增加“但造成对方人身损害的，或因故意、重大过失造成对方财产损失的除外”"),
    "review.dispute-clause-missing.fix": (
        "Add: 因本合同引起的争议，协商不成的，向甲方所在地人民法院提起诉讼",
        "增加“因本合同引起的争议，双方协商解决；协商不成的，向甲方所在地人民法院提起诉讼”"),
    "review.jurisdiction-unfavorable.fix": (
        "Use the buyer's court: 向甲方所在地人民法院提起诉讼", "改为“向甲方所在地人民法院提起诉讼”"),
    "review.auto-renewal.fix": (
        "Replace with: 合同期满需继续采购的，应依法重新履行采购程序",
        "改为“合同期满后如需继续采购，应当依法重新履行政府采购程序”"),
    "review.acceptance-missing.fix": (
        "Add an acceptance article: 甲方应在交付后X个工作日内按约定标准组织验收并出具验收报告",
        "增加验收条款：“甲方应于交付后10个工作日内按采购文件及投标文件的要求组织验收，并出具书面验收意见”"),
    "review.final-interpretation.fix": (
        "Delete it; disputes over meaning are resolved under 民法典 arts. 142 and 466",
        "删除该条；条款理解有争议的，依民法典第一百四十二条、第四百六十六条确定"),
    "review.rights-waiver.fix": (
        "Delete the waiver; the buyer keeps its statutory rights", "删除该约定，甲方依法享有的权利不因本合同而放弃"),
    "review.confidentiality-missing.fix": (
        "Add: 乙方对履约中知悉的甲方信息和数据负有保密义务，未经书面同意不得披露或用于其他目的",
        "增加保密条款：“乙方对履行本合同中知悉的甲方信息和数据负有保密义务，未经甲方书面同意不得向第三方披露或用于本合同以外的目的，保密义务不因合同终止而免除”"),
    "review.ip-unfavorable.fix": (
        "Give the buyer the IP: 本合同项下委托开发成果的知识产权归甲方所有",
        "改为“本合同项下形成的成果及其知识产权归甲方所有，乙方原有知识产权除外”"),
    "review.term-excessive.fix": (
        "Limit the term to {limit} months and procure again after it", "服务期限不超过 {limit} 个月，期满后重新采购"),
    "review.date-inconsistent.fix": (
        "Correct the dates so they agree with each other and with the stated duration",
        "核对并更正日期，使起止日期与约定期限一致"),
    "review.placeholder-unfilled.fix": (
        "Fill in the blank before signing", "签订前补全该空白内容"),
    "review.unilateral-change.fix": (
        "Replace with: 合同的变更须经双方协商一致并签订书面补充协议",
        "改为“任何一方不得擅自变更合同；确需变更的，应经双方协商一致并签订书面补充协议”"),
    "review.subcontracting.fix": (
        "Replace with: 乙方不得转包；经甲方书面同意，可将非主体、非关键性工作分包，乙方对全部工作负责",
        "改为“乙方不得转包；经甲方书面同意，乙方可将非主体、非关键性工作分包，并就全部工作向甲方负责”"),
    "review.credit-code-invalid.fix": (
        "Check the code against the business licence", "按营业执照核对统一社会信用代码"),
    # CLI
    "review.cli.missing": ("No such file or contract: {name}", "找不到文件或合同：{name}"),
    "review.cli.unreadable": ("Cannot read {name}: {error}", "无法读取 {name}：{error}"),
    "review.cli.quote": ("quote", "原文"),
    "review.cli.basis": ("basis", "依据"),
    "review.cli.fix": ("fix", "建议"),
    "review.cli.summary": ("{files} file(s), {findings} finding(s), {errors} error(s)",
                           "共 {files} 个文件，{findings} 项发现，其中错误 {errors} 项"),
})
