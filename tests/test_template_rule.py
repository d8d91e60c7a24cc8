"""CC601 template-deviation on real template-drawn contracts in a real repository."""

from __future__ import annotations

import datetime as dt

from cctk.render.templates import render_contract_text
from cctk.rules import run
from cctk.store.loader import load
from tests.rules_helpers import make_repo, write_contract

DATA = dict(code="LHHT-2024-000007", title="罗湖区政府办公室办公设备采购合同", unit="LH001",
            counterparty={"name": "深圳市罗湖信息技术有限公司", "credit_code": "91440303MA5F0A1B22", "sme": True},
            amount="86500.00", performance_bond="4325.00", procurement_method="inquiry",
            payment_schedule=[{"id": "1", "share": "30%", "trigger": "signing", "days": 10, "advance": True},
                              {"id": "2", "share": "70%", "trigger": "acceptance", "days": 15, "final": True}],
            dates={"drafted": "2024-03-04"}, subject="台式计算机20台、激光打印机5台", delivery_date="2024-04-30")


def _check(repo):
    result = run(load(repo, use_cache=False), as_of=dt.date(2024, 6, 30), select=["CC601"], use_cache=False)
    return [d for d in result.diagnostics if d.code == "CC601"]


def test_template_drawn_text_matches_then_deviates(tmp_path, monkeypatch):
    repo = tmp_path / "r"
    make_repo(repo, [])
    record, body = render_contract_text("goods@2018.1", DATA, repo)
    record["status"] = "drafting"
    path = write_contract(repo, record, body)
    monkeypatch.chdir(repo)
    assert _check(repo) == []
    edited = body.replace("乙方向甲方供应", "乙方向甲方提供", 1)
    assert edited != body
    path.write_text(path.read_text("utf-8").replace(body, edited), "utf-8")
    found = _check(repo)
    assert len(found) == 1
    d = found[0]
    assert d.field == "template" and d.line > 1
    en, zh = d.text("en"), d.text("zh")
    assert "goods@2018.1" in en and "1 line(s) added, 1 removed in 1 place(s)" in en and "乙方向甲方提供" in en
    assert "增加 1 行，删除 1 行" in zh
