"""Suppression comments in records (`# cctk: ignore CODE because …`, `<!-- cctk: ignore … -->`):
parsing into Contract.ignore, located warnings for bad comments, scoping, and `cctk check` end to end."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cctk.cli.main import cli
from cctk.model import Diagnostic, Severity, Suppression
from cctk.store.cache import decode as cache_decode, encode as cache_encode
from cctk.store.records import parse_contract
from cctk.store.suppressions import covers, front_matter, parse_directive, reason_for, unknown_codes

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = "contracts/2019/LHHT-2019-000001/contract.md"
TEXT = (ROOT / SAMPLE).read_text("utf-8")


def edit(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def parse(text: str):
    contract, diags = parse_contract(SAMPLE, text.encode("utf-8"))
    assert contract is not None, [d.text("en") for d in diags]
    return contract, diags


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def sup(s: Suppression) -> tuple:
    return (s.code, s.reason, s.line, s.field, s.scope)


# --- the directive -------------------------------------------------------------------------------

def test_directive_forms():
    assert parse_directive(" ignore CC201 because 系统故障延迟备案 ") == (["CC201"], "系统故障延迟备案", None)
    assert parse_directive("ignore CC201, CC202 because late filing approved") == (
        ["CC201", "CC202"], "late filing approved", None)
    assert parse_directive("ignore CC305、CC306 因为 分期付款经批准") == (["CC305", "CC306"], "分期付款经批准", None)
    assert parse_directive("ignore CR013 理由：示范文本原文") == (["CR013"], "示范文本原文", None)
    assert parse_directive("IGNORE CC201 BECAUSE it is fine") == (["CC201"], "it is fine", None)
    assert parse_directive("ignore CC201") == (["CC201"], None, None)
    assert parse_directive("ignore because nothing")[2] == "no rule code"
    assert "not a rule code" in parse_directive("ignore cc201 because lower case")[2]
    assert "unknown directive" in parse_directive("disable CC201 because eslint habit")[2]


# --- front matter --------------------------------------------------------------------------------

def test_trailing_comment_scopes_to_its_field():
    text = edit(TEXT,
                ('performance_bond: "4325.00"', 'performance_bond: "4325.00"  # cctk: ignore CC301 because 经财政局同意'),
                ('    amount: "60550.00"', '    amount: "60550.00"   # cctk: ignore CC303 because 含质保金'),
                ('payment_schedule:', 'payment_schedule:  # cctk: ignore CC305 because 分期经批准'))
    c, diags = parse(text)
    assert not diags
    assert [sup(s) for s in c.ignore] == [
        ("CC301", "经财政局同意", line_of(text, "performance_bond:"), "performance_bond", "field"),
        ("CC305", "分期经批准", line_of(text, "payment_schedule:"), "payment_schedule", "field"),
        ("CC303", "含质保金", line_of(text, '    amount: "60550.00"'), "payments.1.amount", "field"),
    ]


def test_standalone_comment_covers_the_contract_and_several_codes():
    text = edit(TEXT, ("status: archived", "# cctk: ignore CC201, CC202 because 系统故障延迟备案，已报财政局\n"
                                           "  # cctk: ignore CC401 because indented still counts\nstatus: archived"))
    c, diags = parse(text)
    assert not diags
    n = line_of(text, "# cctk: ignore CC201")
    assert [sup(s) for s in c.ignore] == [
        ("CC201", "系统故障延迟备案，已报财政局", n, None, "contract"),
        ("CC202", "系统故障延迟备案，已报财政局", n, None, "contract"),
        ("CC401", "indented still counts", n + 1, None, "contract"),
    ]


def test_comment_on_a_list_item_and_in_a_flow_mapping():
    text = edit(TEXT,
                ('  - step: unit-head', '  - step: unit-head  # cctk: ignore CC103 because 口头授权已补签'),
                ('filing:\n  number: "罗财合备〔2019〕1号"\n  on: "2019-03-15"\n  by: liu.yang',
                 'filing: {number: "罗财合备〔2019〕1号", on: "2019-03-15", by: liu.yang}  '
                 '# cctk: ignore CC201 because 备案系统故障'))
    c, _ = parse(text)
    assert [(s.code, s.field) for s in c.ignore] == [("CC103", "approvals.1.step"), ("CC201", "filing")]


def test_hash_inside_strings_and_block_text_is_no_comment():
    text = edit(TEXT,
                ('title: "罗湖区政府办公室办公设备采购合同"', 'title: "采购合同 # cctk: ignore CC201 because in a string"'),
                ('    opinion: "同意。"', "    opinion: |  # cctk: ignore CC104 because 意见为手写扫描件\n"
                                       "      同意。\n      # cctk: ignore CC105 because block text, not a comment"))
    c, diags = parse(text)
    assert not diags
    assert [(s.code, s.field) for s in c.ignore] == [("CC104", "approvals.0.opinion")]
    assert c.title == "采购合同 # cctk: ignore CC201 because in a string"
    assert "block text, not a comment" in c.approvals[0].opinion


def test_missing_reason_and_malformed_comments_are_located_warnings():
    text = edit(TEXT, ("status: archived", "status: archived  # cctk: ignore CC201\n"
                                           "# cctk: ignore CC202 because ok\n"
                                           "# cctk: ignor CC203 because typo in the directive\n"
                                           "# cctk: ignore filing-overdue because slugs are not codes\n"
                                           "# cctk: ignore CC088 because no such record check"))
    c, diags = parse(text)
    assert c.ignore == []        # nothing is suppressed by a bad comment
    n = line_of(text, "status: archived")
    got = [(d.code, d.severity, d.line, d.col, d.contract) for d in diags]
    assert got == [("CC023", Severity.WARNING, n, 19, "LHHT-2019-000001"),
                   ("CC023", Severity.WARNING, n + 1, 1, "LHHT-2019-000001"),
                   ("CC023", Severity.WARNING, n + 2, 1, "LHHT-2019-000001"),
                   ("CC023", Severity.WARNING, n + 3, 1, "LHHT-2019-000001"),
                   ("CC022", Severity.WARNING, n + 4, None, "LHHT-2019-000001")]
    assert "has no reason" in diags[0].text("en") and "缺少理由" in diags[0].text("zh")
    assert "CC202" in diags[1].text("en")                     # "ok" is shorter than four characters
    assert "unknown directive 'ignor'" in diags[2].text("en") and "格式错误" in diags[2].text("zh")
    assert "'filing-overdue' is not a rule code" in diags[3].text("en")
    assert "CC088" in diags[4].text("en") and "未知规则" in diags[4].text("zh")


def test_record_without_marker_is_untouched_and_fast():
    c, diags = parse(TEXT)
    assert c.ignore == [] and diags == []
    assert front_matter("a: 1  # a comment, cctk is not addressed\n", 2) == ([], [])
    # the loader parses 100k records: the marker check must cost next to nothing
    data = TEXT.encode("utf-8")
    start = time.perf_counter()
    for _ in range(200):
        parse_contract(SAMPLE, data)
    plain = time.perf_counter() - start
    commented = edit(TEXT, ('amount: "86500.00"', 'amount: "86500.00"  # cctk: ignore CC301 because 经财政局同意')).encode()
    start = time.perf_counter()
    for _ in range(200):
        parse_contract(SAMPLE, commented)
    assert plain < 5 and time.perf_counter() - start < 10 * plain + 1


def test_ignore_entries_may_name_a_field():
    text = edit(TEXT, ("status: archived", "status: archived\nignore:\n"
                                           "  - {code: CC301, field: performance_bond, reason: 经区财政局书面同意}\n"
                                           "  - {code: CC201, reason: 系统故障延迟备案}"))
    c, diags = parse(text)
    assert not diags
    assert [sup(s) for s in c.ignore] == [("CC301", "经区财政局书面同意", None, "performance_bond", "field"),
                                          ("CC201", "系统故障延迟备案", None, None, "contract")]


# --- the Markdown text ---------------------------------------------------------------------------

def test_html_comments_in_the_text():
    text = edit(TEXT,
                ("## 第八条 保密", "<!-- cctk: ignore CR015 because 另签保密协议 -->\n\n## 第八条 保密"),
                ("## 第九条 争议解决", "## 第九条 争议解决 <!-- cctk: ignore CR010 because 管辖地经双方协商 -->"),
                ("## 第十条 其他", "<!--\n  cctk: ignore CR013\n  because 示范文本原文，法律顾问已确认\n-->\n## 第十条 其他"),
                ("日期：                         日期：", "日期： <!-- cctk: ignore CR001 -->\n<!-- cctk: ignore CR002 because x"))
    c, diags = parse(text)
    assert [sup(s) for s in c.ignore] == [
        ("CR015", "另签保密协议", line_of(text, "<!-- cctk: ignore CR015"), None, "contract"),
        ("CR010", "管辖地经双方协商", line_of(text, "## 第九条"), None, "line"),
        ("CR013", "示范文本原文，法律顾问已确认", line_of(text, "<!--\n  cctk: ignore CR013"), None, "contract"),
    ]
    assert [(d.code, d.message, d.line) for d in diags] == [
        ("CC023", "suppression.no_reason", line_of(text, "日期： <!--")),
        ("CC023", "suppression.unclosed", line_of(text, "<!-- cctk: ignore CR002")),
    ]


# --- matching findings ---------------------------------------------------------------------------

def _d(code, field=None, line=None):
    return Diagnostic(code=code, severity=Severity.ERROR, path=SAMPLE, message="x", field=field, line=line)


def test_field_scoped_versus_contract_wide_versus_line():
    on_field = Suppression("CC202", "先付后备经批准", line=60, field="payments.0", scope="field")
    assert covers(on_field, _d("CC202", "payments.0.on", 61))
    assert covers(on_field, _d("CC202", "payments.0", 60))
    assert not covers(on_field, _d("CC202", "payments.1.on", 65))
    assert not covers(on_field, _d("CC202", "payments.01", 66))      # a prefix of the text is not a parent
    assert not covers(on_field, _d("CC201", "payments.0.on", 61))
    assert covers(on_field, _d("CC202", None, 60)) and not covers(on_field, _d("CC202", None, 61))
    everywhere = Suppression("CC202", "合同范围", line=3)
    assert covers(everywhere, _d("CC202", "payments.1.on", 65)) and covers(everywhere, _d("CC202"))
    on_line = Suppression("CR013", "示范文本原文", line=120, scope="line")
    assert covers(on_line, _d("CR013", None, 120)) and not covers(on_line, _d("CR013", None, 121))
    yaml_entry = Suppression("CC301", "经财政局同意", field="performance_bond", scope="field")
    assert covers(yaml_entry, _d("CC301", "performance_bond", 17)) and not covers(yaml_entry, _d("CC301", "amount"))

    class C:
        path, code = SAMPLE, "LHHT-2019-000001"
        ignore = [on_field, everywhere]
    assert reason_for(C, _d("CC202", "payments.0.on")) == "先付后备经批准"
    assert reason_for(C, _d("CC202", "payments.1.on")) == "合同范围"
    assert reason_for(C, _d("CC201")) is None


def test_unknown_codes_are_located():
    class C:
        path, code = SAMPLE, "LHHT-2019-000001"
        ignore = [Suppression("CC998", "no such rule"), Suppression("CC201", "known"),
                  Suppression("CC999", "no such rule", line=40, field="amount", scope="field"),
                  Suppression("CR099", "review may be absent", line=41), Suppression("CC097", "no such rule")]
    got = [(d.code, d.line, d.field, d.args["value"], d.contract) for d in unknown_codes(C, {"CC201"})]
    assert got == [("CC022", None, "ignore.0.code", "CC998", C.code), ("CC022", 40, "amount", "CC999", C.code)]


def test_suppressions_survive_the_index_cache():
    text = edit(TEXT, ('amount: "86500.00"', 'amount: "86500.00"  # cctk: ignore CC301 because 经财政局同意'))
    c, diags = parse(text)
    again, _ = cache_decode(cache_encode(c, diags))
    assert again.ignore == c.ignore and again.ignore[0].scope == "field"


# --- `cctk check` end to end -----------------------------------------------------------------------

def invoke(repo: Path, *args):
    old = os.getcwd()
    os.chdir(repo)
    try:
        return CliRunner().invoke(cli, ["--lang", "en", *args], catch_exceptions=False)
    finally:
        os.chdir(old)


LATE = ('  on: "2019-03-15"\n  by: liu.yang', '  on: "2019-06-03"\n  by: liu.yang')   # filed late, after both payments
BOND = ('performance_bond: "4325.00"', 'performance_bond: "9000.00"  # cctk: ignore CC301 because 经区财政局书面同意')
FINAL = ("本合同一式肆份", "本合同最终解释权归甲方所有。本合同一式肆份 <!-- cctk: ignore CR013 because 示范文本原文，法律顾问已确认 -->")


def test_check_end_to_end(sample_repo):
    path = sample_repo / SAMPLE
    path.write_text(edit(TEXT, LATE, BOND, FINAL,
                         ("status: archived", "# cctk: ignore CC201 because 系统故障延迟备案，已报财政局\n"
                                              "status: archived  # cctk: ignore CC202")), "utf-8")
    text = path.read_text("utf-8")
    for attempt in ("cold", "warm"):
        out = invoke(sample_repo, "check")
        assert out.exit_code == 1, (attempt, out.output)          # CC202 is not suppressed: no reason
        lines = out.output.splitlines()
        assert f"{SAMPLE}:{line_of(text, 'status: archived')}:19: CC023 warning: suppression comment for CC202 " \
               "has no reason (at least 4 characters): write 'cctk: ignore CC202 because …'; nothing is suppressed" \
               in lines, attempt
        assert any("CC202 payment-unfiled error" in x for x in lines)
        assert f"{SAMPLE}:{line_of(text, 'performance_bond:')}:19: CC301 suppressed: 经区财政局书面同意" in lines
        assert any(x.endswith("CC201 suppressed: 系统故障延迟备案，已报财政局") for x in lines)
        assert any(x.endswith("CR013 suppressed: 示范文本原文，法律顾问已确认") for x in lines)
        assert not any("CC301 " in x and "error" in x for x in lines)

    items = json.loads(invoke(sample_repo, "check", "--format", "json").output)
    reasons = {i["code"]: i["suppressed"]["reason"] for i in items if i["suppressed"]}
    assert reasons == {"CC201": "系统故障延迟备案，已报财政局", "CC301": "经区财政局书面同意", "CR013": "示范文本原文，法律顾问已确认"}
    assert {i["code"] for i in items if not i["suppressed"]} >= {"CC023", "CC202"}

    sarif = json.loads(invoke(sample_repo, "check", "--format", "sarif").output)
    just = {r["ruleId"]: r["suppressions"][0]["justification"] for r in sarif["runs"][0]["results"]
            if r.get("suppressions")}
    assert just == reasons
    assert all(r["suppressions"][0]["kind"] == "inSource" for r in sarif["runs"][0]["results"] if r.get("suppressions"))

    # with the comment fixed (and moved to a line of its own: the payments are not on the status line),
    # the record is clean at error level again
    path.write_text(edit(text, ("status: archived  # cctk: ignore CC202",
                                "# cctk: ignore CC202 because 先付款后备案经区财政局批准\nstatus: archived")), "utf-8")
    out = invoke(sample_repo, "check")
    assert out.exit_code == 0, out.output
    assert "CC202 suppressed: 先付款后备案经区财政局批准" in out.output


# These need finish() in cctk/rules/engine.py to match with cctk.store.suppressions.reason_for and to
# report unknown codes with unknown_codes (see docs/check.md); until then it matches by code only.


def _second_payment_also_unfiled(text: str) -> str:
    return edit(text, ('  - on: "2019-03-20"', '  - on: "2019-03-20"  # cctk: ignore CC202 because 首付款经区财政局批准'))


def test_check_field_scope_leaves_other_fields(sample_repo):
    path = sample_repo / SAMPLE
    path.write_text(_second_payment_also_unfiled(edit(TEXT, LATE)), "utf-8")
    items = json.loads(invoke(sample_repo, "check", "--format", "json", "--select", "CC202").output)
    assert [(i["field"], bool(i["suppressed"])) for i in sorted(items, key=lambda i: i["field"])] == [
        ("payments.0.on", True), ("payments.1.on", False)]


def test_check_line_scope_in_the_text(sample_repo):
    path = sample_repo / SAMPLE
    path.write_text(edit(TEXT, FINAL, ("乙方对履行本合同中知悉的甲方信息负有保密义务。",
                                       "乙方对履行本合同中知悉的甲方信息负有保密义务。本合同最终解释权归乙方所有。")), "utf-8")
    items = json.loads(invoke(sample_repo, "check", "--format", "json", "--select", "CR013").output)
    assert sorted(bool(i["suppressed"]) for i in items) == [False, True]


def test_check_unknown_code_in_a_comment_is_located(sample_repo):
    path = sample_repo / SAMPLE
    path.write_text(edit(TEXT, ("status: archived", "status: archived  # cctk: ignore CC999 because 没有这条规则")), "utf-8")
    out = invoke(sample_repo, "check")
    assert f"{SAMPLE}:{line_of(path.read_text('utf-8'), 'status: archived')}: CC022 warning: suppression of " \
           "unknown rule 'CC999'" in out.output
