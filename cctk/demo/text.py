"""The Markdown text of demo contracts and supplementary agreements (varied wording, same structure)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from cctk.model.money import FEN, format_amount, to_uppercase

NUMS = "一二三四五六七八九十"


def _num(n: int) -> str:
    if n <= 10:
        return NUMS[n - 1]
    return "十" + NUMS[n - 11] if n < 20 else NUMS[n // 10 - 1] + "十" + (NUMS[n % 10 - 1] if n % 10 else "")


def _yuan(x: Decimal) -> str:
    return f"人民币{to_uppercase(x)}（¥{format_amount(x)}）"


def _cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


SUBJECT_TEXT = {
    "goods": ["乙方按附件一《货物清单》向甲方供应{stem}项下货物，并负责运输、安装、调试及培训。",
              "乙方向甲方提供{stem}所列货物，品牌、规格、数量及技术参数以附件一为准。"],
    "services": ["乙方为甲方提供{stem}，服务范围、内容及标准详见附件一《服务需求书》。",
                 "甲方委托乙方承担{stem}，乙方应按附件一约定的服务标准和人员配置履行。"],
    "works": ["乙方承建{stem}，工程内容以施工图纸、工程量清单及招标文件为准。",
              "甲方将{stem}发包给乙方施工，承包范围为施工图及工程量清单所列全部内容。"],
    "lease-out": ["甲方将其管理的国有物业出租给乙方使用，房屋坐落、面积及现状详见附件一《租赁物业清单》。",
                  "甲方依法通过公开招租将国有物业出租给乙方，租赁物业情况详见附件一。"],
    "other": ["双方就{stem}事宜达成如下协议，具体工作内容详见附件一。",
              "甲方委托乙方开展{stem}相关工作，工作方案详见附件一。"],
}
TRIGGER_TEXT = {
    "signing": "合同签订后 {days} 日内", "filing": "合同备案后 {days} 日内", "acceptance": "经甲方验收合格后 {days} 日内",
    "delivery": "货物交付后 {days} 日内",
}
BREACH = [
    ["乙方逾期履行的，每逾期一日按合同总价的 0.5‰ 支付违约金，违约金总额不超过合同总价的 10%。",
     "甲方逾期付款的，每逾期一日按应付未付款项的 0.5‰ 支付违约金。",
     "任何一方违约给对方造成损失的，应赔偿对方的实际损失。"],
    ["乙方未按约定标准履行的，应在甲方书面通知后 5 日内整改；逾期未整改的，甲方有权按合同总价的 1% 扣减费用。",
     "甲方无正当理由逾期付款的，应按同期贷款市场报价利率向乙方支付逾期利息。",
     "一方违约致使合同目的不能实现的，守约方有权解除合同并要求赔偿损失。"],
]
DISPUTE = [
    "因本合同发生的争议，双方协商解决；协商不成的，向甲方所在地人民法院提起诉讼。",
    "双方因履行本合同发生争议的，应友好协商；协商不成的，任何一方均可向甲方住所地有管辖权的人民法院起诉。",
    "本合同适用中华人民共和国法律。争议协商不成的，由甲方所在地人民法院管辖。",
]


def contract_body(r: dict, unit_name: str, plan: dict, rng: random.Random) -> str:
    amount = Decimal(r["amount"])
    cat = r["category"]
    stem = r["title"]
    lease = cat == "lease-out"
    buyer, seller = ("出租方", "承租方") if lease else (("发包人", "承包人") if cat == "works" else ("采购人", "供应商"))
    arts: list[tuple[str, list[str]]] = []
    arts.append(("合同标的", [rng.choice(SUBJECT_TEXT[cat]).format(stem=stem.removesuffix("合同"))]))
    price = "租金总额" if lease else "合同总价"
    arts.append(("合同金额", [f"{price}为{_yuan(amount)}" + ("，按季度预付，乙方应于每季度首月 10 日前支付当季租金。" if lease
                                                            else "，已包含履行本合同所需的全部费用。")]))
    sched = r.get("payment_schedule") or []
    if sched:
        lines, paid = [], Decimal(0)
        for k, inst in enumerate(sched):
            share = Decimal(inst["share"][:-1]) / 100
            value = amount - paid if k == len(sched) - 1 else (amount * share).quantize(FEN)
            paid += value
            if inst["trigger"] == "date":
                when = f"{_cn_date(dt.date.fromisoformat(inst['on']))}后 {inst['days']} 日内"
            else:
                when = TRIGGER_TEXT[inst["trigger"]].format(days=inst["days"])
            kind = "预付款" if inst.get("advance") else ("尾款" if inst.get("final") else "进度款")
            lines.append(f"{k + 1}. {when}，甲方支付{kind}即合同总价的 {inst['share']}，{_yuan(value)}；")
        lines[-1] = lines[-1][:-1] + "。"
        arts.append(("付款方式", lines))
    start, end = plan["start"], plan["end"]
    if cat == "goods":
        arts.append(("交付与验收", [f"乙方应于{_cn_date(end)}前将货物交付至甲方指定地点。甲方在交付后 10 个工作日内组织验收，"
                                    "验收标准为采购文件及响应文件载明的技术要求。"]))
    elif cat == "works":
        arts.append(("工期与竣工验收", [f"计划开工日期为{_cn_date(start)}，计划竣工日期为{_cn_date(end)}。",
                                     "工程竣工后，甲方按国家及深圳市有关规定组织竣工验收。"]))
    elif lease:
        arts.append(("租赁期限", [f"租赁期限自{_cn_date(start)}起至{_cn_date(end)}止。期满后乙方应按原状返还租赁物业，"
                                  "甲方进行交接验收。", "未经甲方书面同意，乙方不得转租、分租或改变租赁用途。"]))
    else:
        arts.append(("服务期限与考核", [f"服务期限自{_cn_date(start)}起至{_cn_date(end)}止。",
                                    "甲方按月对服务质量进行考核，服务期满后组织验收。"]))
    if r.get("performance_bond"):
        bond = Decimal(r["performance_bond"])
        pct = (bond * 100 / amount).quantize(Decimal("1"))
        arts.append(("履约保证金", [f"乙方在签订合同前提交合同金额 {pct}% 的履约保证金（¥{format_amount(bond)}），"
                                    f"{rng.choice(['以银行保函形式提交', '以转账方式缴纳'])}，验收合格后无息退还。"]))
    if cat == "goods":
        arts.append(("质量保证", [f"乙方保证货物为全新原装正品，质保期为验收合格之日起{rng.choice(['一', '两', '三'])}年。"]))
    elif cat in ("services", "other"):
        arts.append(("人员与安全", ["乙方应配备满足需求的合格人员，并对其人员的安全与劳动报酬负责。"]))
    arts.append(("违约责任", [f"{i + 1}. {line}" for i, line in enumerate(rng.choice(BREACH))]))
    confidential = rng.random() < 0.7
    arts.append(("争议解决", [rng.choice(DISPUTE)]))
    arts.append(("其他", [f"本合同一式{rng.choice(['肆', '陆'])}份，甲乙双方各执贰份，其余报财政部门备案及存档，"
                         "自双方签字盖章之日起生效。"]))
    parties = [f"# {r['title']}", "", f"甲方（{buyer}）：{unit_name}", f"乙方（{seller}）：{r['counterparty']['name']}", ""]
    # Work the text review (cctk review, CR015) holds to a confidentiality clause always carries one;
    # other texts carry it as drawn (about 70%). Decided on the text without it, as the review reads it.
    if confidential or needs_confidentiality(r["title"], _render(parties, arts)):
        arts.insert(len(arts) - 2, ("保密", [CONFIDENTIALITY]))
    return _render(parties, arts)


# The clause the text review suggests (cctk/review/messages.py, review.confidentiality-missing.fix).
CONFIDENTIALITY = ("乙方对履行本合同中知悉的甲方信息和数据负有保密义务，未经甲方书面同意不得向第三方披露或用于本合同以外的目的，"
                   "保密义务不因合同终止而免除。")


def _render(head: list[str], arts: list[tuple[str, list[str]]]) -> str:
    out = list(head)
    for i, (title, paras) in enumerate(arts, 1):
        out += [f"## 第{_num(i)}条 {title}", ""]
        out += paras
        out.append("")
    out += ["甲方（盖章）：                 乙方（盖章）：", "代表签字：                     代表签字：",
            "日期：                         日期：", ""]
    return "\n".join(out)


def needs_confidentiality(title: str, text: str) -> bool:
    """Whether the text review requires a confidentiality clause of this contract: the kind of work it
    reads from the title, else from the text's first 600 characters (cctk.review.engine.Review._kind),
    against the default playbook's ``applies: confidentiality-missing`` (the demo ships no policy/review.yaml)."""
    from cctk.review.playbook import default

    pb = default()
    kind = (next((k for k, pat in pb.kinds if pat.search(title)), None)
            or next((k for k, pat in pb.kinds if pat.search(text[:600])), None) or "other")
    return pb.applies("confidentiality-missing", kind)


def amendment_text(r: dict, n: int, change: Decimal) -> str:
    """The supplementary agreement's text, drafted before it is reviewed and signed (no date yet)."""
    change = Decimal(change)
    verb = "增加" if change >= 0 else "减少"
    new_total = Decimal(r["amount"])
    return "\n".join([
        f"# {r['title']}补充协议（{n}）", "",
        f"原合同编号：{r['code']}", "",
        "## 第一条 变更内容", "",
        f"因实际需要，双方同意在原合同基础上{verb}合同价款{_yuan(abs(change))}。", "",
        "## 第二条 其他", "",
        f"原合同金额为{_yuan(new_total)}，其余条款不变。本补充协议自双方签字盖章之日起生效，与原合同具有同等效力。", "",
    ])
