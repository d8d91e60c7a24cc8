"""The engine around the rules: suppressions, settings, repository rules, caches, pull-request mode,
output formats (SARIF validated against its schema, JUnit parsed back) and the CLI's exit codes."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
from click.testing import CliRunner

from cctk.cli.main import cli
from cctk.rules import run
from cctk.rules.report import to_sarif
from cctk.store.loader import load
from tests.rules_helpers import ROOT, base_record, git_run, make_repo, patch, write_contract

AS_OF = dt.date(2024, 6, 30)
LATE = {"filing": {"on": "2024-03-29"},                 # CC201 error (due 2024-03-21)
        "payments": [{"on": "2024-04-02", "amount": "25950.00", "instalment": "1"},
                     {"on": "2024-05-06", "amount": "60550.00", "instalment": "2"}]}
BIG_BOND = {"performance_bond": "9000.00"}              # CC301 error


def rec(n: int, **changes) -> dict:
    r = patch(base_record(), {"code": f"LHHT-2024-{n:06d}", "filing": {"number": f"罗财合备〔2024〕{n}号"}})
    return patch(r, changes)


def invoke(repo: Path, *args):
    import os
    old = os.getcwd()
    os.chdir(repo)
    try:
        return CliRunner().invoke(cli, ["--lang", "en", *args], catch_exceptions=False)
    finally:
        os.chdir(old)


def test_suppression_needs_code_and_shows_reason(tmp_path):
    r = rec(1, **LATE, ignore=[{"code": "CC201", "reason": "系统故障延迟备案，已报财政局"}])
    r2 = rec(2, ignore=[{"code": "CC999", "reason": "no such rule"}])
    repo = make_repo(tmp_path / "r", [r, r2], git=True)
    result = run(load(repo), as_of=AS_OF)
    assert not [d for d in result.diagnostics if d.code == "CC201"]
    assert [(s.diagnostic.code, s.reason) for s in result.suppressed] == [("CC201", "系统故障延迟备案，已报财政局")]
    unknown = [d for d in result.diagnostics if d.code == "CC022"]
    assert unknown and unknown[0].contract == "LHHT-2024-000002"
    out = invoke(repo, "check", "--as-of", "2024-06-30")
    assert "CC201 suppressed: 系统故障延迟备案，已报财政局" in out.output
    assert out.exit_code == 1 or out.exit_code == 0
    sarif = json.loads(invoke(repo, "check", "--as-of", "2024-06-30", "--format", "sarif").output)
    sup = [x for x in sarif["runs"][0]["results"] if "suppressions" in x]
    assert sup[0]["suppressions"][0]["justification"] == "系统故障延迟备案，已报财政局"


def test_settings_come_from_policy_not_code(tmp_path):
    repo = make_repo(tmp_path / "a", [rec(1)], rules_yaml={"bond": {"max_share": "3%"}})
    assert [d.code for d in run(load(repo, use_cache=False), as_of=AS_OF, use_cache=False).diagnostics] == ["CC301"]
    repo = make_repo(tmp_path / "b", [rec(1, **BIG_BOND)], rules_yaml={"severity": {"CC301": "warning"}})
    [d] = run(load(repo, use_cache=False), as_of=AS_OF, use_cache=False).diagnostics
    assert d.code == "CC301" and d.severity.label == "warning"
    repo = make_repo(tmp_path / "c", [rec(1, **BIG_BOND)], rules_yaml={"disable": ["CC301"]})
    assert run(load(repo, use_cache=False), as_of=AS_OF, use_cache=False).diagnostics == []


def test_repository_rules_declarative_and_python(tmp_path):
    custom = [{"code": "CC901", "slug": "big-without-legal-opinion", "severity": "error",
               "summary": {"en": "Large goods contract", "zh": "大额货物合同"},
               "message": {"en": "amount {amount} needs the board", "zh": "金额 {amount} 须经集体决策"},
               "when": [{"field": "amount", "op": "ge", "value": "80000"}, {"field": "category", "op": "eq", "value": "goods"}]},
              {"code": "CC902", "summary": "bad", "message": "x", "when": "nonsense"}]
    repo = make_repo(tmp_path / "r", [rec(1), rec(2, amount="60000.00", performance_bond=None,
                                                  payments=[{"on": "2024-03-20", "amount": "18000.00", "instalment": "1"}])],
                     rules_yaml={"custom": custom})
    (repo / "policy" / "local_rules.py").write_text('''
from cctk.model import Severity
from cctk.rules import Rule

class NoClerk(Rule):
    code, slug, severity = "CC950", "clerk-is-wang", Severity.WARNING
    summary = ("Clerk is wang.fang", "承办人为王芳")
    messages = {"main": ("clerk {clerk}", "承办人 {clerk}")}
    fix = ("rotate clerks", "轮换承办人")

    def check(self, c, ctx):
        if c.clerk == "wang.fang":
            yield self.finding(c, ("clerk",), clerk=c.clerk)
''', "utf-8")
    result = run(load(repo, use_cache=False), as_of=AS_OF, use_cache=False)
    by = {}
    for d in result.diagnostics:
        by.setdefault(d.code, []).append(d)
    assert [d.contract for d in by["CC901"]] == ["LHHT-2024-000001"]
    assert "86,500.00" in by["CC901"][0].text("en") and by["CC901"][0].line
    assert len(by["CC950"]) == 2 and by["CC950"][0].field == "clerk"
    assert by["CC099"][0].path == "policy/rules.yaml"              # CC902 is malformed
    listed = json.loads(invoke(repo, "rules", "--format", "json").output)
    assert {"CC901", "CC950"} <= {r["code"] for r in listed}
    assert "CC950" not in {r["code"] for r in json.loads(invoke(repo, "rules", "--format", "json",
                                                                 "--no-local-rules").output)}


def test_cache_warm_equals_cold_and_as_of_changes_the_key(tmp_path):
    repo = make_repo(tmp_path / "r", [rec(1, **LATE), rec(2, **BIG_BOND), rec(3)], git=True)
    cold = run(load(repo), as_of=AS_OF)
    warm = run(load(repo), as_of=AS_OF)
    assert [d.to_json() for d in cold.diagnostics] == [d.to_json() for d in warm.diagnostics]
    assert {d.code for d in cold.diagnostics} == {"CC201", "CC301"}
    earlier = run(load(repo), as_of=dt.date(2024, 3, 13))   # before the events: future dates
    assert "CC405" in {d.code for d in earlier.diagnostics}


def test_changed_mode_matches_full_run_for_changed_contracts(tmp_path):
    splitting = dict(amount="48000.00", performance_bond=None, payment_schedule=None, payments=None, filing=None)
    records = [rec(i) for i in range(1, 6)] + [rec(6, **splitting)]
    repo = make_repo(tmp_path / "r", records, git=True)
    git_run(repo, "checkout", "-q", "-b", "pr")
    write_contract(repo, rec(2, **LATE))                       # change one
    write_contract(repo, rec(7, **splitting))                  # add one that splits with LHHT-2024-000006
    git_run(repo, "add", "-A")
    git_run(repo, "commit", "-q", "-m", "pr")
    full = run(load(repo), as_of=AS_OF)
    changed = {"contracts/2024/LHHT-2024-000002/contract.md", "contracts/2024/LHHT-2024-000007/contract.md"}
    from cctk.rules import changed_contracts
    assert changed_contracts(repo, "main") == changed
    pr = run(load(repo), as_of=AS_OF, changed=changed)
    key = lambda ds: sorted((d.path, d.code, d.line) for d in ds)  # noqa: E731
    assert key(pr.diagnostics) == key(d for d in full.diagnostics if d.path in changed or
                                      (d.code == "CC501" and d.contract == "LHHT-2024-000006"))
    assert {d.code for d in pr.diagnostics} >= {"CC201", "CC501"}
    assert "LHHT-2024-000006" in {d.contract for d in pr.diagnostics if d.code == "CC501"}
    out = invoke(repo, "check", "--changed", "main", "--as-of", "2024-06-30", "--format", "json")
    assert {d["contract"] for d in json.loads(out.output)} <= {"LHHT-2024-000002", "LHHT-2024-000006", "LHHT-2024-000007"}
    # a policy change re-checks everything
    (repo / "policy" / "rules.yaml").write_text("bond: {max_share: '3%'}\n", "utf-8")
    assert changed_contracts(repo, "main") is None


def _result(tmp_path):
    repo = make_repo(tmp_path / "r", [rec(1, **LATE), rec(2, **BIG_BOND, ignore=[{"code": "CC301", "reason": "保函已退还超出部分"}]),
                                      rec(3)], git=True)
    return repo, run(load(repo), as_of=AS_OF)


def test_sarif_is_valid_against_the_schema(tmp_path):
    repo, result = _result(tmp_path)
    doc = json.loads(to_sarif(result, repo.as_uri() + "/"))
    schema = json.loads((ROOT / "tests/data/sarif-2.1.0/sarif-schema-2.1.0.json").read_text("utf-8"))
    jsonschema.Draft4Validator(schema).validate(doc)
    run0 = doc["runs"][0]
    rules = run0["tool"]["driver"]["rules"]
    res = next(r for r in run0["results"] if r["ruleId"] == "CC201")
    assert rules[res["ruleIndex"]]["id"] == "CC201" and "第四十七条" in rules[res["ruleIndex"]]["help"]["markdown"]
    assert res["locations"][0]["physicalLocation"]["region"]["startLine"] > 1
    # via the CLI too, into a file
    out = invoke(repo, "check", "--as-of", "2024-06-30", "--format", "sarif", "-o", str(tmp_path / "x.sarif"))
    assert out.exit_code == 1
    jsonschema.Draft4Validator(schema).validate(json.loads((tmp_path / "x.sarif").read_text("utf-8")))


def test_junit_parses_back(tmp_path):
    repo, _ = _result(tmp_path)
    out = invoke(repo, "check", "--as-of", "2024-06-30", "--format", "junit")
    root = ET.fromstring(out.output.encode())
    cases = root.findall(".//testcase")
    assert len(cases) == 3 and root.get("failures") == "1"
    failed = [c for c in cases if c.find("failure") is not None]
    assert failed[0].get("classname") == "LHHT-2024-000001" and "CC201" in failed[0].find("failure").text


def test_github_annotations_and_summary(tmp_path):
    repo, _ = _result(tmp_path)
    summary = tmp_path / "summary.md"
    import os
    os.environ["GITHUB_STEP_SUMMARY"] = str(summary)
    try:
        out = invoke(repo, "check", "--as-of", "2024-06-30", "--format", "github")
    finally:
        del os.environ["GITHUB_STEP_SUMMARY"]
    lines = out.output.strip().splitlines()
    assert lines[0].startswith("::error file=contracts/2024/LHHT-2024-000001/contract.md,line=")
    assert "title=CC201 filing-overdue::" in lines[0]
    table = summary.read_text("utf-8")
    assert "| CC201 | filing-overdue | error | 1 |" in table and "| CC301 | bond-excessive |" in table


def test_cli_options_and_exit_codes(tmp_path):
    repo = make_repo(tmp_path / "r", [rec(1, **LATE), rec(3)], git=True)
    assert invoke(repo, "check", "--as-of", "2024-06-30").exit_code == 1
    assert invoke(repo, "check", "--as-of", "2024-06-30", "--ignore", "CC201").exit_code == 0
    assert invoke(repo, "check", "--as-of", "2024-06-30", "--select", "CC3").exit_code == 0
    assert invoke(repo, "check", "--as-of", "2024-03-01").exit_code == 1          # dates in the future
    assert invoke(repo, "check", "--as-of", "yesterday").exit_code == 2
    assert invoke(repo, "check", "--format", "nope").exit_code == 2
    warn = make_repo(tmp_path / "w", [rec(1, status="accepted", evaluation=None)], git=True)
    assert invoke(warn, "check", "--as-of", "2024-06-30").exit_code == 0
    assert invoke(warn, "check", "--as-of", "2024-06-30", "--fail-on", "warning").exit_code == 1
    assert "CC402" not in invoke(warn, "check", "--as-of", "2024-06-30", "--severity", "error").output
    text = invoke(repo, "check", "--as-of", "2024-06-30").output
    assert "== LHHT-2024-000001" in text and "CC201 filing-overdue error: filed on 2024-03-29" in text


def test_rules_command(tmp_path):
    repo = make_repo(tmp_path / "r", [rec(1)])
    listed = json.loads(invoke(repo, "rules", "--format", "json").output)
    assert all({"code", "slug", "severity", "summary"} <= set(r) for r in listed)
    assert len(listed) >= 22
    doc = invoke(repo, "rules", "CC201")
    assert doc.exit_code == 0 and "第四十七条" in doc.output and "**Fails:**" in doc.output
    assert invoke(repo, "rules", "CC000").exit_code == 2
    assert "filing-overdue" in invoke(repo, "rules").output
