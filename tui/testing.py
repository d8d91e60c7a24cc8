"""Build small deterministic repositories for the UI's tests, snapshots and benchmark.

The demo generator (cctk.demo) is another team's; this builder exists so the UI can be
tested and measured on fixed data whatever state the demo is in. Records follow the
sample's format (contracts/2019/LHHT-2019-000001/contract.md).
"""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

UNITS = [
    ("LH001", "深圳市罗湖区人民政府办公室", "General Office"),
    ("LH002", "深圳市罗湖区教育局", "Education Bureau"),
    ("LH003", "深圳市罗湖区卫生健康局", "Health Commission"),
    ("LH004", "深圳市罗湖区城市更新和土地整备局", "Urban Renewal Bureau"),
    ("LHSF", "深圳市罗湖区司法局", "Justice Bureau"),
    ("LHCZ", "深圳市罗湖区财政局", "Finance Bureau"),
]
PEOPLE = [
    ("wang.fang", "王芳", "clerk", "LH001"),
    ("li.qiang", "李强", "contract-admin", "LH001"),
    ("zhang.wei", "张伟", "unit-head", "LH001"),
    ("chen.jing", "陈静", "legal-reviewer", "LHSF"),
    ("liu.yang", "刘洋", "finance", "LHCZ"),
]
SUPPLIER_NAMES = ["罗湖信息技术", "鹏城物业管理", "深南建设工程", "东门文化传播", "莲塘环境科技",
                  "翠竹医疗器械", "笋岗物流", "黄贝教育咨询", "清水河电子", "桂园餐饮服务"]
SUBJECTS = [("goods", "办公设备采购合同"), ("services", "物业管理服务合同"), ("works", "校舍维修工程合同"),
            ("services", "法律顾问服务合同"), ("goods", "医疗设备采购合同"), ("lease-out", "国有房产出租合同"),
            ("other", "信息化运维合同")]
STATUSES = ["drafting", "review", "approved", "signed", "performing", "performing", "performing",
            "accepted", "evaluated", "archived", "rejected", "terminated"]
_ALNUM = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code(n: int) -> str:
    """A unified social credit code with a valid check character (GB 32100-2015)."""
    digits = []
    for _ in range(11):
        n, r = divmod(n, 31)
        digits.append(_ALNUM[r])
    body = "914403" + "MA" + "".join(reversed(digits))[2:]
    total = sum(_ALNUM.index(ch) * w for ch, w in zip(body, _WEIGHTS))
    return body + _ALNUM[(31 - total % 31) % 31]


def _org_yaml() -> str:
    lines = ["roles:", "  clerk: {name: 承办人, name_en: Clerk}", "  contract-admin: {name: 合同管理员, name_en: Contract administrator}",
             "  unit-head: {name: 单位负责人, name_en: Unit head}", "  legal-reviewer: {name: 法制机构审查人, name_en: Legal reviewer}",
             "  finance: {name: 财政, name_en: Finance}", "units:"]
    for code, name, en in UNITS:
        lines += [f'  - code: "{code}"', f'    name: "{name}"', f'    name_en: "{en}"']
    lines.append("people:")
    for pid, name, role, unit in PEOPLE:
        lines += [f"  - id: {pid}", f"    name: {name}", f"    email: {pid}@luohu.example",
                  f"    roles: [{role}]", f"    units: [{unit}]"]
    return "\n".join(lines) + "\n"


def supplier_list(count: int = 10) -> list[tuple[str, str]]:
    return [(credit_code(i), f"深圳市{SUPPLIER_NAMES[i % len(SUPPLIER_NAMES)]}有限公司"
             + (f"（{i // len(SUPPLIER_NAMES)}）" if i >= len(SUPPLIER_NAMES) else "")) for i in range(count)]


def contract_text(seq: int, rng: random.Random, suppliers, year: int) -> tuple[str, str]:
    category, subject = SUBJECTS[seq % len(SUBJECTS)]
    unit = UNITS[seq % 4 if seq % 9 else 4][0]
    status = STATUSES[rng.randrange(len(STATUSES))] if seq > 3 else ["performing", "review", "drafting", "signed"][seq]
    sup_code, sup_name = suppliers[seq % len(suppliers)]
    if seq == 4:                                  # a draft of unit LH001, whose clerk is wang.fang
        status = "drafting"
    if seq % len(suppliers) == 1 and seq > 3:   # the black-listed supplier keeps live contracts
        status = "performing"
    amount = (seq * 7919 % 2_000_000) + 30_000 if seq > 3 else [86500, 1250000, 48000, 320000][seq]
    code = f"LHHT-{year}-{seq:06d}"
    month = 1 + seq % 12
    key = "[major-amount]" if amount > 1_900_000 else ("[urban-renewal]" if unit == "LH004" else "[]")
    lines = [
        "---", f'code: "{code}"', f'title: "{UNITS[[u[0] for u in UNITS].index(unit)][1][6:]}{subject}（{seq}）"',
        f"category: {category}", "procurement_method: inquiry", f"key_supervision: {key}", f'unit: "{unit}"',
        "clerk: wang.fang", "counterparty:", f'  name: "{sup_name}"', f'  credit_code: "{sup_code}"', "  sme: true",
        f'amount: "{amount}.00"', "currency: CNY", "payment_schedule:",
        '  - id: "1"', '    share: "30%"', "    trigger: signing", "    days: 10", "    advance: true",
        '  - id: "2"', '    share: "70%"', "    trigger: acceptance", "    days: 15", "    final: true",
        "dates:", f'  drafted: "{year}-{month:02d}-02"',
    ]
    signed = status not in ("drafting", "review", "approved", "rejected")
    if status != "drafting":
        lines.append(f'  submitted: "{year}-{month:02d}-03"')
    if signed:
        lines += [f'  signed: "{year}-{month:02d}-12"', f'  start: "{year}-{month:02d}-12"',
                  f'  end: "{year + 1}-{month:02d}-10"']
    lines.append(f"status: {status}")
    if signed:
        lines += ["approvals:", "  - step: unit-review", "    by: li.qiang", f'    on: "{year}-{month:02d}-05"',
                  "    result: approved", '    opinion: "同意。"']
        if amount >= 50000:
            lines += ["filing:", f'  number: "罗财合备〔{year}〕{seq}号"', f'  on: "{year}-{month:02d}-15"', "  by: liu.yang"]
        if seq % 3:
            first = f"{amount * 3 // 10}.{amount * 3 % 10}0"      # exactly 30%
            lines += ["payments:", f'  - on: "{year}-{month:02d}-20"', f'    amount: "{first}"',
                      '    instalment: "1"', "    by: liu.yang"]
    lines.append("---")
    body = (f"# {subject}\n\n甲方（采购人）：{UNITS[0][1]}\n乙方（供应商）：{sup_name}\n\n"
            f"## 第一条 合同标的\n\n乙方向甲方提供{subject[:-2]}。\n\n"
            f"## 第二条 合同金额\n\n合同总价为人民币{amount}.00元。\n\n"
            "## 第三条 付款方式\n\n1. 合同签订后 10 日内，甲方支付合同总价的 30%；\n"
            "2. 验收合格后 15 日内，甲方支付合同总价的 70%。\n")
    return code, "\n".join(lines) + "\n" + body


def _inspections(root: Path, year: int, texts: dict[str, str]) -> None:
    """inspections/<year>.yaml: the year's sample drawn by cctk.inspections with a fixed seed (as
    `cctk inspect sample --seed tui-testing --save` writes it), one failed and one passed inspection."""
    import yaml

    from cctk.inspections import draw
    from cctk.store.records import parse_contract

    contracts = [c for c in (parse_contract(p, t.encode("utf-8"))[0] for p, t in sorted(texts.items())) if c]
    sample = draw(contracts, year, "tui-testing", {}, seed_source="--seed")
    if not sample.codes:
        return
    js = sample.to_json()
    records = [{"id": f"{year}-001", "contract": sample.codes[0], "kind": "performance", "result": "fail",
                "findings": "驻场人员不足", "on": f"{year}-05-20", "by": "wang.fang", "sampled": True}]
    if len(sample.codes) > 1:
        records.append({"id": f"{year}-002", "contract": sample.codes[1], "kind": "performance", "result": "pass",
                        "findings": "", "on": f"{year}-05-21", "by": "wang.fang", "sampled": True})
    data = {"year": year, "sample": {k: js[k] for k in ("algorithm", "seed", "seed_source", "rate", "population",
                                                        "size", "codes")}, "records": records}
    (root / "inspections").mkdir(exist_ok=True)
    (root / "inspections" / f"{year}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                                                       "utf-8")


def make_repo(root: Path | str, contracts: int = 12, *, suppliers: int = 10, seed: int = 7,
              git: bool = True, year: int = 2024, inspections: bool = True) -> Path:
    """Write a repository with ``contracts`` records (and the year's inspection sample) and commit it."""
    root = Path(root)
    rng = random.Random(seed)
    (root / "policy").mkdir(parents=True, exist_ok=True)
    (root / "suppliers").mkdir(exist_ok=True)
    (root / "cctk.yaml").write_text(
        'district: "深圳市罗湖区"\ndistrict_en: "Luohu District, Shenzhen"\nlocale: zh\n'
        'code_format: "LHHT-{year}-{seq:06d}"\ncode_pattern: \'^LHHT-\\d{4}-\\d{6}$\'\n'
        'filing_number_format: "罗财合备〔{year}〕{seq}号"\n', "utf-8")
    (root / "policy" / "org.yaml").write_text(_org_yaml(), "utf-8")
    sups = supplier_list(suppliers)
    for i, (code, name) in enumerate(sups):
        listing = "listings: []\n"
        if i == 1:
            listing = ("listings:\n  - list: black\n    start: \"2024-01-01\"\n    end: \"2027-01-01\"\n"
                       "    reason: \"提供虚假材料谋取中标\"\n")
        elif i == 2:
            listing = ("listings:\n  - list: red\n    start: \"2023-06-01\"\n    end: \"2025-06-01\"\n"
                       "    reason: \"履约评价优秀\"\n")
        (root / "suppliers" / f"{code}.yaml").write_text(
            f'credit_code: "{code}"\nname: "{name}"\nsme: true\nregion: "440303"\n{listing}', "utf-8")
    texts = {}
    for seq in range(1, contracts + 1):
        y = year - (seq % 3)
        code, text = contract_text(seq, rng, sups, y)
        folder = root / "contracts" / str(y) / code
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "contract.md").write_text(text, "utf-8")
        texts[f"contracts/{y}/{code}/contract.md"] = text
    if inspections:
        _inspections(root, year, texts)
    if git:
        env = dict(os.environ, GIT_AUTHOR_NAME="王芳", GIT_AUTHOR_EMAIL="wang.fang@luohu.example",
                   GIT_COMMITTER_NAME="王芳", GIT_COMMITTER_EMAIL="wang.fang@luohu.example",
                   GIT_AUTHOR_DATE="2024-03-01T10:00:00+08:00", GIT_COMMITTER_DATE="2024-03-01T10:00:00+08:00")
        run = lambda *a: subprocess.run(["git", "-C", str(root), *a], check=True, env=env,  # noqa: E731
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not (root / ".git").exists():
            run("init", "-q", "-b", "main")
        run("add", "-A")
        run("commit", "-q", "-m", "Initial records", "--no-verify")
    return root
