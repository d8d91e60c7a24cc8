"""Supplier lists: derivation, manual listing, appeals, the supplier record, CC105 in check."""
import json
import subprocess

import pytest

from conftest import run


BLACK = "91440303MA57AALD4Y"       # demo: black-listed 2019-04-01..2020-03-31 after an evaluation of 55


def test_recorded_black_listing_and_record(repo):
    res = run(repo, "suppliers", "--list", "black", "--format", "json")
    rows = json.loads(res.output)
    assert [r["supplier"] for r in rows] == [BLACK] and rows[0]["cause"] == "evaluation-below-60"
    assert run(repo, "suppliers", "--list", "black", "--as-of", "2020-04-01").output.strip().endswith("nothing to show")
    rec = json.loads(run(repo, "supplier", BLACK, "--format", "json").output)
    assert rec["black_now"] and rec["average_score"] == "55.00" and len(rec["contracts"]) == 2
    # signing with it is an error in cctk check (rule CC105, reused)
    res = run(repo, "check", "--format", "json")
    assert any(d["code"] == "CC105" and d["contract"] == "LHHT-2019-000022" for d in json.loads(res.output))


def test_failed_inspection_derives_black_listing_and_apply(repo):
    res = run(repo, "inspect", "record", "LHHT-2019-000015", "--kind", "performance", "--result", "fail",
              "--findings", "驻场人员不足", "--on", "2020-01-10", "--as", "zeng.gang")
    assert res.exit_code == 0, res.output
    res = run(repo, "suppliers", "--list", "black", "--format", "json")
    derived = [r for r in json.loads(res.output) if r["source"] == "derived"]
    assert len(derived) == 1 and derived[0]["cause"] == "inspection-failed"
    assert derived[0]["start"] == "2020-01-10" and derived[0]["end"] == "2021-01-09"
    assert derived[0]["evidence"] == "inspections/2020.yaml#2020-001" and derived[0]["authority"]
    # only an authorised person may record it
    assert run(repo, "suppliers", "--apply", "--as", "zeng.gang").exit_code == 1
    res = run(repo, "suppliers", "--apply", "--as", "liu.yang")
    assert res.exit_code == 0, res.output
    log = subprocess.run(["git", "-C", str(repo), "log", "-1", "--format=%an%n%B"], capture_output=True, text=True).stdout
    assert "Cctk-Action: supplier-list" in log and "Cctk-Listing: black:inspection-failed" in log
    rows = json.loads(run(repo, "suppliers", "--list", "black", "--format", "json").output)
    assert {r["source"] for r in rows} == {"recorded"} and len(rows) == 2      # nothing derived twice


def test_manual_listing_and_appeal(repo):
    res = run(repo, "supplier", BLACK, "--appeal", "1", "--decision", "lifted", "--text", "复核撤销", "--as", "liu.yang")
    assert res.exit_code == 0, res.output
    rows = json.loads(run(repo, "suppliers", "--list", "black", "--format", "json").output)
    assert rows == []                    # lifted on 2020-01-15: ends 2020-01-14
    rec = json.loads(run(repo, "supplier", BLACK, "--format", "json").output)
    assert rec["listings"][0]["end"] == "2020-01-14" and rec["listings"][0]["appeals"][0]["decision"] == "lifted"
    res = run(repo, "supplier", BLACK, "--add", "red", "--reason", "x", "--as", "liu.yang")
    assert res.exit_code == 1 and "evidence" in res.output
    res = run(repo, "supplier", BLACK, "--add", "black", "--reason", "提供虚假材料", "--evidence", "罗财决〔2020〕3号",
              "--months", "6", "--as", "liu.yang")
    assert res.exit_code == 0, res.output
    rows = json.loads(run(repo, "suppliers", "--list", "black", "--format", "json").output)
    assert rows[0]["cause"] == "manual" and rows[0]["end"] == "2020-07-14" and rows[0]["by"] == "liu.yang"


def test_rubric():
    from cctk.suppliers import compute_score
    from decimal import Decimal as D
    score, _ = compute_score({"quality": 90, "timeliness": 80, "service": 70, "compliance": 100}, {})
    assert score == D("86.00")                           # 0.4·90 + 0.2·(80+70+100)
    score, notes = compute_score({"quality": 90, "timeliness": 80, "service": 70, "compliance": 100}, {},
                                 failures=("inspection-failed",))
    assert score == D("59.00") and notes
    with pytest.raises(ValueError):
        compute_score({"quality": 90}, {})
