"""The text review: extraction, each category on a trap and on its decoy, file handling, the
playbook override, the labelled corpus' precision/recall, and the `cctk review` command."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from cctk.cli.main import cli
from cctk.model import Severity
from cctk.review import CATEGORIES, load_playbook, review_file, review_text
from cctk.review import extract as X
from cctk.review.laws import article

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "review_corpus"

HEAD = "# 服务合同\n\n甲方（采购人）：深圳市罗湖区教育局\n乙方（供应商）：深圳市某某科技有限公司\n\n"
TAIL = ("\n第八条 验收：甲方按采购文件组织验收。\n第九条 保密：乙方对甲方数据负有保密义务。\n"
        "第十条 争议：向甲方所在地人民法院起诉。\n第十一条 乙方逾期的，每日按合同总价的0.5‰支付违约金，累计不超过合同总价的10%。\n")


def cats(body: str) -> set[str]:
    return {f.category for f in review_text(HEAD + body + TAIL)}


# --- extraction -------------------------------------------------------------------------------

def test_numbers_in_chinese_and_arabic():
    assert X.cn_number("三十") == 30 and X.cn_number("叁拾") == 30 and X.cn_number("一百二十") == 120
    assert X.cn_number("十五") == 15 and X.cn_number("二〇二四") == 2024 and X.cn_number("1,200.5") == Decimal("1200.5")


def test_percentages_durations_amounts_dates():
    assert [p.value for p in X.percentages("0.5‰、千分之五、百分之三十、10%")] == [Decimal("0.05"), Decimal("0.5"), 30, 10]
    spans = X.durations("验收后三十日内，或60个工作日，或3个月，2024年5月1日")
    assert [(d.value, d.kind) for d in spans] == [(30, "day"), (60, "workday"), (90, "个月")]
    assert [a.value for a in X.figure_amounts("¥86,500.00，120万元，人民币3.5万元")] == [
        Decimal("86500.00"), Decimal("1200000.00"), Decimal("35000.00")]
    assert X.uppercase_amounts("人民币陆万零伍佰伍拾元整")[0].value == Decimal("60550.00")
    d = X.dates("自2024年1月1日起至二〇二五年十二月三十一日，2024-02-30")
    assert d[0].date.isoformat() == "2024-01-01" and d[1].date.isoformat() == "2025-12-31" and d[2].date is None


def test_law_articles_are_quoted():
    assert article("civil-code", "第五百零六条").startswith("合同中的下列免责条款无效")
    assert "履约保证金" in article("procurement-regs", "第四十八条")


# --- categories: trap fires, decoy does not ------------------------------------------------------

TRAPS = {
    "amount-words-mismatch": "第一条 合同总价为人民币壹拾万元整（¥110,000.00）。",
    "payment-schedule-sum": "第二条 付款：合同签订后支付合同总价的30%，验收合格后支付合同总价的50%。",
    "prepayment-excessive": "第二条 合同签订后五日内，甲方支付合同总价的80%作为预付款，验收合格后支付剩余20%。",
    "payment-term-late": "第二条 验收合格并收到发票后叁拾日内支付50%，其余款项于验收后一百八十天内付清。",
    "performance-bond-excessive": "第三条 乙方应提交合同总价百分之二十的履约保证金。",
    "penalty-excessive": "第四条 乙方违约的，应向甲方支付合同总价40%的违约金。",
    "liability-asymmetric": "第四条 乙方对甲方的赔偿总额不超过合同总价的5%。",
    "exemption-invalid": "第四条 乙方对其工作人员造成的人身伤亡不承担任何责任。",
    "jurisdiction-unfavorable": "第五条 争议提交北京仲裁委员会仲裁。",
    "auto-renewal": "第五条 合同期满双方无异议的，自动续约一年。",
    "final-interpretation": "第六条 本合同最终解释权归乙方所有。",
    "rights-waiver": "第六条 甲方放弃对乙方的一切索赔权利。",
    "ip-unfavorable": "第六条 本项目形成的软件著作权归乙方所有。",
    "term-excessive": "第六条 服务期限为五年。",
    "date-inconsistent": "第六条 服务期限一年，自2024年1月1日至2025年6月30日。",
    "placeholder-unfilled": "第六条 交货地点：________。",
    "unilateral-change": "第六条 乙方有权根据市场行情随时调整服务价格。",
    "subcontracting": "第六条 乙方可以将本项目全部工作转包给第三方。",
    "credit-code-invalid": "乙方统一社会信用代码：91440300MA5EXAMPL0",
}
DECOYS = {
    "amount-words-mismatch": "第一条 合同总价为人民币壹拾壹万元整（¥110,000.00）。",
    "payment-term-late": "第二条 验收合格后15日内支付全部价款。",
    "prepayment-excessive": "第二条 合同签订后支付合同总价的30%，验收合格后支付70%。",
    "performance-bond-excessive": "第三条 乙方应提交合同总价5%的履约保证金。",
    "penalty-excessive": "第四条 乙方违约的，应向甲方支付合同总价10%的违约金。",
    "exemption-invalid": "第四条 乙方员工在工作中发生的伤亡由乙方负责，甲方不承担责任。",
    "jurisdiction-unfavorable": "第五条 争议提交深圳国际仲裁院仲裁。",
    "auto-renewal": "第五条 期满需继续采购的，应重新履行政府采购程序，不得自动续期。",
    "subcontracting": "第六条 乙方不得转包；经甲方书面同意，可将非主体、非关键性工作分包。",
    "ip-unfavorable": "第六条 乙方原有软件的著作权仍归乙方所有，定制部分归甲方。",
    "credit-code-invalid": "乙方统一社会信用代码：91110000600037341L",
    "unilateral-change": "第六条 乙方调整服务内容的，须经甲方书面同意。",
}


@pytest.mark.parametrize("category", sorted(TRAPS))
def test_trap_fires(category):
    assert category in cats(TRAPS[category])


@pytest.mark.parametrize("category", sorted(DECOYS))
def test_decoy_is_quiet(category):
    assert category not in cats(DECOYS[category])


def test_clean_contract_has_no_findings():
    assert cats("第一条 合同总价为人民币壹拾万元整（¥100,000.00）。\n第二条 验收合格后15日内支付全部价款。") == set()


def test_missing_clauses_and_lease_decoy():
    text = "# 软件开发合同\n甲方：深圳市罗湖区教育局\n乙方：某科技有限公司\n" + "\n".join(
        f"第{n}条 乙方应按约定完成第{n}项开发工作。" for n in "一二三四五六")
    assert {"dispute-clause-missing", "acceptance-missing", "confidentiality-missing"} <= {
        f.category for f in review_text(text)}
    lease = ("# 国有房屋租赁合同\n出租方（甲方）：深圳市罗湖区机关事务管理局\n承租方（乙方）：某餐饮有限公司\n"
             "第一条 租赁期限为五年，自2024年1月1日起至2028年12月31日止。\n第二条 乙方每月5日前支付租金。\n"
             "第三条 争议向房屋所在地人民法院起诉。\n第四条 乙方不得转租。\n第五条 其他事项另行约定。")
    assert {f.category for f in review_text(lease)} == set()


def test_finding_shape():
    f = next(f for f in review_text(HEAD + TRAPS["exemption-invalid"] + TAIL, path="x.md", line_offset=10)
             if f.category == "exemption-invalid")
    assert f.line == 6 + 10 and f.col == 16 and f.severity == Severity.ERROR
    j = f.to_json()
    assert {"category", "severity", "line", "quote", "message", "basis", "suggestion"} <= set(j)
    assert j["basis"]["article"] == "第五百零六条" and "免责条款无效" in j["basis"]["text"]
    assert j["message"]["zh"] and j["message"]["en"] and j["suggestion"]["zh"]
    assert f.to_diagnostic().code == "CR008"


# --- files and playbooks -------------------------------------------------------------------------

def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "contracts", repo / "contracts")
    shutil.copy(ROOT / "cctk.yaml", repo / "cctk.yaml")
    return repo


def test_cctk_contract_lines_counted_in_whole_file(tmp_path):
    repo = _repo(tmp_path)
    path = repo / "contracts/2019/LHHT-2019-000001/contract.md"
    text = path.read_text("utf-8").replace("验收合格后 15 日内", "验收合格后 90 日内")
    path.write_text(text, "utf-8")
    found = [f for f in review_file(path) if f.category == "payment-term-late"]
    assert len(found) == 1
    assert text.split("\n")[found[0].line - 1].find("90 日内") >= 0


def test_repository_playbook_overrides_threshold(tmp_path):
    repo = _repo(tmp_path)
    draft = repo / "draft.md"
    draft.write_text(HEAD + "第三条 乙方应提交合同总价8%的履约保证金。" + TAIL, "utf-8")
    assert "performance-bond-excessive" not in {f.category for f in review_file(draft)}
    (repo / "policy").mkdir()
    (repo / "policy/review.yaml").write_text('thresholds:\n  bond_max: "5%"\n', "utf-8")
    assert "performance-bond-excessive" in {f.category for f in review_file(draft)}
    assert load_playbook(repo).threshold("penalty_max") == 30  # untouched keys keep the default


def test_corpus_precision_recall():
    import yaml
    from scripts.review_eval import evaluate
    labels = yaml.safe_load((CORPUS / "labels.yaml").read_text("utf-8"))
    assert len(labels) >= 40 and all((CORPUS / name).is_file() for name in labels)
    result = evaluate(CORPUS, labels)
    assert result["overall"]["precision"] >= 0.9 and result["overall"]["recall"] >= 0.9
    for c, r in result["categories"].items():
        assert c in CATEGORIES
        assert r["precision"] is None or r["precision"] >= 0.75, c
        assert r["recall"] is None or r["recall"] >= 0.75, c


# --- command -----------------------------------------------------------------------------------

def test_cli_text_json_and_exit_codes(tmp_path, monkeypatch):
    repo = _repo(tmp_path)
    monkeypatch.chdir(repo)
    runner = CliRunner()
    ok = runner.invoke(cli, ["--lang", "en", "review", "LHHT-2019-000001"])
    assert ok.exit_code == 0, ok.output
    bad = repo / "bad.md"
    bad.write_text(HEAD + TRAPS["amount-words-mismatch"] + TAIL, "utf-8")
    res = runner.invoke(cli, ["--lang", "en", "review", "bad.md"], env={"NO_COLOR": "1"})
    assert res.exit_code == 1
    assert res.output.startswith("bad.md:6:") and "amount-words-mismatch error" in res.output
    assert "\x1b[" not in res.output and "壹拾万元整" in res.output
    res = runner.invoke(cli, ["review", "--format", "json", "bad.md", "LHHT-2019-000001"])
    data = json.loads(res.output)
    assert [d["path"] for d in data][0] == "bad.md" and data[1]["findings"] == []
    assert data[0]["findings"][0]["category"] == "amount-words-mismatch"
    res = runner.invoke(cli, ["--lang", "zh", "review", "missing.md"])
    assert res.exit_code == 2 and "missing.md" in res.output and "找不到" in res.output


# --- pinned corpus findings (optimisations must not change a single one) ------------------------

PINNED = CORPUS / "findings.json"


def corpus_findings() -> dict:
    """Every finding of every corpus file, rendered in English: the review's exact output."""
    from cctk import i18n
    before = i18n._lang   # the explicit choice (None: the locale's), restored as it was
    i18n.set_lang("en")
    try:
        out = {}
        for p in sorted(CORPUS.iterdir()):
            if p.suffix in (".md", ".txt"):
                out[p.name] = [[f.category, f.severity.label, f.line, f.col, f.quote, f.rule, f.message,
                                {k: str(v) for k, v in f.args.items()}, f.suggestion,
                                {k: str(v) for k, v in f.suggestion_args.items()}] for f in review_file(p, display_path=p.name)]
        return out
    finally:
        i18n.set_lang(before)


def test_corpus_findings_are_pinned():
    # regenerate after an intended change of behaviour:
    #   python -c "import json,tests.test_review as T; T.PINNED.write_text(json.dumps(T.corpus_findings(), ensure_ascii=False, indent=1), 'utf-8')"
    expected = json.loads(PINNED.read_text("utf-8"))
    actual = corpus_findings()
    assert sorted(actual) == sorted(expected)
    for name in expected:
        assert actual[name] == expected[name], name


# --- speed machinery: memos and prefilters never change a finding --------------------------------

def test_memos_do_not_change_findings():
    from cctk.review.engine import clear_memos
    expected = json.loads(PINNED.read_text("utf-8"))
    clear_memos()
    assert corpus_findings() == expected          # cold
    assert corpus_findings() == expected          # every sentence served from the memos
    clear_memos()
    names = sorted(expected, reverse=True)        # another order fills the memos differently
    from cctk import i18n
    before = i18n._lang
    i18n.set_lang("en")
    try:
        for name in names:
            got = [[f.category, f.line, f.col, f.rule] for f in review_file(CORPUS / name, display_path=name)]
            assert got == [[r[0], r[2], r[3], r[5]] for r in expected[name]], name
    finally:
        i18n.set_lang(before)


def test_memoised_details_follow_the_language():
    from cctk import i18n
    text = HEAD + "第一条 服务期限自2024年1月1日至2024年2月30日。" + TAIL
    before = i18n._lang
    try:
        i18n.set_lang("en")
        en = [f.args["detail"] for f in review_text(text) if f.category == "date-inconsistent"]
        i18n.set_lang("zh")
        zh = [f.args["detail"] for f in review_text(text) if f.category == "date-inconsistent"]
    finally:
        i18n.set_lang(before)
    assert en and zh and en != zh and any("\u4e00" <= ch <= "\u9fff" for ch in "".join(zh).replace("2024年2月30日", ""))


def test_literal_prefilters():
    import re
    from cctk.review.prefilter import prefilter, required_words
    assert required_words(re.compile("ab(c|d)e")) == {"ab"}
    assert required_words(re.compile("(?:x|yy)[^。]{0,3}(到位|到账)")) == {"到位", "到账"}
    assert required_words(re.compile("a?b*")) is None
    assert required_words(re.compile("(?i)abc")) is None
    assert required_words(re.compile("(?<!x)yz")) == {"yz"}
    assert required_words(re.compile("最终解释权|最终(的)?解释")) == {"最终"}
    assert prefilter(re.compile("(甲方|采购人)[^。]{0,5}放弃")).search("乙方放弃") is not None
    assert prefilter(re.compile("(甲方|采购人)[^。]{0,5}放弃")).search("甲方同意") is None


def test_prefilters_never_miss_a_rule_match():
    # soundness on real text: wherever a playbook rule matches a corpus sentence, its prefilter does too
    from cctk.review.engine import _alternation
    from cctk.review.prefilter import prefilter
    from cctk.review.segment import parties, segment
    pb = load_playbook()
    checked = 0
    for p in sorted(CORPUS.iterdir()):
        if p.suffix not in (".md", ".txt"):
            continue
        doc = segment(p.read_text("utf-8"))
        who = parties(doc)
        for rule in pb.rules:
            match_re, _unless = rule.regexes(_alternation(who.buyer), _alternation(who.supplier))
            pre = prefilter(match_re)
            for s in doc.sentences:
                if match_re.search(s.text):
                    checked += 1
                    assert pre is None or pre.search(s.text), (p.name, rule.id, s.text)
    assert checked >= 30


def test_extractor_lookaheads_change_no_match():
    """The extractors' patterns start with a lookahead for speed, and the extractors try them only where a
    finder pattern matches (extract._scan); each must be a condition every match already meets: on the
    corpus and on random strings of the characters that matter, they find exactly what the bare patterns
    find."""
    import random
    import re

    texts = [p.read_text("utf-8") for p in sorted(Path(__file__).parent.joinpath("review_corpus").glob("*.md"))]
    # whole words as well as characters, so every unit and prefix turns up next to every kind of number
    tokens = list("0123456789０１２３,，.点 \u3000\t%％‰‱百千万分之半一二三十壹贰叁拾佰仟零〇○个工作日历天自然月周星期年元¥￥"
                  "人民币RMBCNY小写(（)）：:亿圆整角甲方乙号-/") + list(X._DUR_UNITS) + [
        "百分之", "千分之", "万分之", "人民币", "RMB", "CNY", "（小写）", "小写：", "1,200", "1，200.50", "三十", "一百二十",
        "零点五", "万元", "亿元", "元整", "2024", "二〇二四", "2019年", "12月", "31日", "伍角", "陆分", "壹万零叁元", "2024-05-01",
        "2019/2/30", "2018.1.1", "-1", "/12"]
    rng = random.Random(7)
    texts += ["".join(rng.choice(tokens) for _ in range(rng.randint(1, 25))) for _ in range(20000)]
    from cctk.review import engine

    tokens += ["___", "＿＿", "XX", "xx", "X年", "××", "***", "【】", "【 】", "[ ]", "（ ）", "()", "待定", "待确定", "待补充",
               "待填", "待填写", "【甲方名称】", "A", "B"]
    texts += ["".join(rng.choice(tokens) for _ in range(rng.randint(1, 25))) for _ in range(10000)]
    for fast, bare in ((X._PCT_RE, X._PCT_BARE), (X._DUR_RE, X._DUR_BARE), (X._FIG_RE, X._FIG_BARE),
                       (engine.PLACEHOLDER_RE, engine.PLACEHOLDER_BARE)):
        bare = re.compile(bare)
        for text in texts:
            assert [(m.span(), m.groupdict()) for m in fast.finditer(text)] == \
                   [(m.span(), m.groupdict()) for m in bare.finditer(text)], text
    scanned = 0
    for finder, pattern, bare in ((X._PCT_FIND, X._PCT_RE, X._PCT_BARE), (X._DUR_FIND, X._DUR_RE, X._DUR_BARE),
                                  (X._DATE_FIND, X._DATE_RE, X._DATE_RE.pattern),
                                  (X._UPPER_FIND, X._UPPER_RE, X._UPPER_RE.pattern)):
        bare = re.compile(bare)
        for text in texts:
            want = [(m.span(), m.groupdict()) for m in bare.finditer(text)]
            assert [(m.span(), m.groupdict()) for m in X._scan(finder, pattern, text)] == want, (bare.pattern, text)
            scanned += bool(want)
    assert scanned > 5000       # the random texts hold matches of every kind, not just misses


def test_party_reading_memo_keeps_each_documents_names():
    """Who is who is memoised on the party lines' labels and public-body flags only: two contracts with
    the same kind of party lines but other parties still get their own names and places."""
    from cctk.review.segment import parties, segment
    a = parties(segment("# 合同\n\n甲方（采购人）：深圳市罗湖区教育局\n乙方（供应商）：深圳市甲乙科技有限公司\n"))
    b = parties(segment("# 合同\n\n甲方（采购人）：广州市天河区教育局\n乙方（供应商）：广州市丙丁服务有限公司\n"))
    assert a.buyer == b.buyer and "甲方" in a.buyer and "乙方" in a.supplier
    assert (a.buyer_name, a.supplier_name) == ("深圳市罗湖区教育局", "深圳市甲乙科技有限公司")
    assert (b.buyer_name, b.supplier_name) == ("广州市天河区教育局", "广州市丙丁服务有限公司")
    assert "深圳" in a.places and "广州" in b.places and "深圳" not in b.places
    # no public body: 甲方/乙方 by their labels, the first party naming each side
    c = parties(segment("甲方：张三\n乙方：李四\n"))
    assert (c.buyer_name, c.supplier_name) == ("张三", "李四")
