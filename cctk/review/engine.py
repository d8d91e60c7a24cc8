"""The review itself: segment, extract, then run the numeric/structural checks and the playbook's
pattern rules over each sentence. Pure function of (text, playbook, record amount).

Speed (docs/review.md "Measured speed"): every check's work on one sentence is a pure function of
the sentence's text and a few hashable settings, so it lives in a module-level function, and a
sentence's results are gathered once in a `_Facts` record (memoised per sentence and context) that
every check reads — contracts drawn from templates repeat most of their sentences, and a repeated
sentence is then one dictionary lookup. The extractors several facts share are memoised per text too;
the functions only `_Facts` calls are not (behind its memo, theirs only cost a miss per new sentence). Sentences never seen pass cheap gates first (a percentage needs a unit,
a playbook rule needs one of its literal words, see prefilter.py) before the full patterns run.
"""

from __future__ import annotations

import datetime as dt
import re
import weakref
from decimal import Decimal
from functools import lru_cache

from cctk.model.ids import credit_code_problem
from cctk.model.money import to_uppercase
from cctk.review import extract as X
from cctk.review import messages  # noqa: F401  (registers the catalog)
from cctk.review.finding import Finding
from cctk.review.playbook import Playbook
from cctk.review.prefilter import prefilter, union_prefilter
from cctk.review.segment import Document, Parties, Sentence, parties, segment

HUNDRED = Decimal(100)
# Entries per memo; a full memo is emptied. Each new contract adds a few sentences of its own, and emptying
# also forgets the template's, which are then computed again: at 1 << 14 that was every ~3,000 contracts. At
# 1 << 17 (once in ~26,000) a worker reviewing 50,000 demo contracts spent 5-8 % less CPU (run side by side
# with the old size) for ~130 MB more memory per worker.
_CACHE = 1 << 17


_MEMOS: list[dict] = []     # every memo below, for clear_memos()


class _Memo1(dict):
    """The memo of a pure one-argument function: a hit is a plain dict lookup (no Python frame)."""

    __slots__ = ("fn",)

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def __missing__(self, key):
        if len(self) >= _CACHE:
            self.clear()
        found = self[key] = self.fn(key)
        return found


def _memo(fn):
    """Memoise a pure function of hashable arguments in a plain dict, emptied when full. Unlike
    lru_cache it adds no object per entry for the garbage collector to walk: over a hundred thousand
    contracts the collector's full passes over the memos cost about as much as the lookups."""
    code = fn.__code__
    if code.co_argcount == 1 and not code.co_flags & 0x0C:     # one positional argument, no *args/**kw
        memo1 = _Memo1(fn)
        _MEMOS.append(memo1)
        return memo1.__getitem__
    cache: dict = {}
    _MEMOS.append(cache)
    get = cache.get
    missing = object()

    def memoised(*args):
        found = get(args, missing)
        if found is missing:
            found = fn(*args)
            if len(cache) >= _CACHE:
                cache.clear()
            cache[args] = found
        return found

    memoised.__wrapped__ = fn
    memoised.__name__ = fn.__name__
    memoised.__doc__ = fn.__doc__
    return memoised


# --- extraction, memoised per text (the results are tuples of spans nobody mutates) ---------------
# Each extractor first asks whether the text holds what every one of its matches must contain (a
# percent sign, a date's 年, a currency word next to a digit…): most sentences hold none, and one
# scan for a few characters is far cheaper than the extractor's own pattern.
# A gate that is one character class (or a plain `in` test) is scanned by re's fast first-character
# loop; an alternation such as 年|\d{4}[-./] is tried at every position, several times slower.
_PCT_GATE = re.compile(r"[%％‰‱]")                          # every percentage has a unit (or 分之)
_DUR_GATE = re.compile(r"[日天月周期年]")                    # every period has a unit (星期, 工作日…)
_DATE_NUM_GATE = re.compile(r"\d{4}[-./]")                  # 2024-05-01 (or a 年: 2024年5月1日)
_DIGIT_GATE = re.compile(r"\d")
_MONEY_GATE = re.compile(r"[元万圆¥￥]")                     # a figure amount needs a currency or a unit
_UPPER_GATE = re.compile(r"[零壹贰叁肆伍陆柒捌玖拾佰仟万亿]")
_UPPER_UNIT_GATE = re.compile(r"[元圆角分]")


@_memo
def _pct(text: str) -> tuple:
    return tuple(X.percentages(text)) if _PCT_GATE.search(text) or "分之" in text else ()


@_memo
def _dur(text: str) -> tuple:
    return tuple(X.durations(text)) if _DUR_GATE.search(text) else ()


@_memo
def _dates(text: str) -> tuple:
    return tuple(X.dates(text)) if "年" in text or _DATE_NUM_GATE.search(text) else ()


@_memo
def _fig(text: str) -> tuple:
    return tuple(X.figure_amounts(text)) if _DIGIT_GATE.search(text) and (
        _MONEY_GATE.search(text) or "RMB" in text or "CNY" in text or "人民币" in text) else ()


@_memo
def _upper(text: str) -> tuple:
    return tuple(X.uppercase_amounts(text)) if _UPPER_GATE.search(text) and _UPPER_UNIT_GATE.search(text) else ()


def _amounts(text: str) -> tuple:
    return _fig(text) or _upper(text)


# --- vocabulary (why hand-written: these are the closed sets of words contracts use) ------------
PRICE_RE = re.compile(r"总价|总金额|总价款|价款总额|合同价款|合同金额|合同价格|合同总额|总费用|费用总额|签约合同价|合同价|"
                      r"服务费总额|总报酬|租金总额|价款为|总计|共计|合计")
PERIODIC_RE = re.compile(r"每月|按月|月度|每季|按季|每个季度|每年|按年|每个?年度|按年度|每半年|每期|分\d+期|逐月|每周|每学期|每批")
PAY_VERB_RE = re.compile(r"支付|付款|付清|拨付|付至|结清|预留|留作|扣留|保留|预付款|首付款|定金|首期款|进度款|尾款|余款|质保金|质量保证金")
PAY_EXCLUDE_RE = re.compile(r"违约|逾期|滞纳|利息|利率|履约保证金|履约担保|保函|投标保证金|税率|增值税|罚|赔偿|退还|退回|返还")
BALANCE_RE = re.compile(r"剩余|余款|尾款|余下|其余|结清|付清|全部款项|余额")
ADVANCE_RE = re.compile(r"签订|签署|生效|预付|首付|定金|进场|开工|启动|备案|签约|订立|成立|合同签字")
AFTER_RE = re.compile(r"验收|交付|交货|到货|完成|竣工|上线|安装|调试|期满|结束|考核|试运行|运行|提交|成果|结算|审计|"
                      r"质保|保修|服务期|每月|届满|报告|出具|送达|培训结束")
MONEY_BASE_RE = re.compile(r"合同|总价|价款|金额|总额|费用|款项|服务费|货款|价格|报酬|租金|酬金|未付|应付|结算价|造价|合同价|[^评单]价的|剩余|余款|尾款|其余|余下|余额")
TRIGGER_RE = re.compile(r"验收|交付|交货|到货|发票|结算|完成|竣工|审计|提交|收到|送达|考核|服务期满|期满|上线|合格|结束|评估|评审|确认|核对")
BOND_RE = re.compile(r"履约保证金|履约担保|履约保函|履约金")
PENALTY_RE = re.compile(r"违约金|滞纳金|罚款|罚金|违约赔偿金|赔偿金|违约责任")
DAILY_RE = re.compile(r"(每|按)(逾期|迟延|延迟|延误|拖延|超期)?[一1壹]?(个)?(日|天|工作日|自然日)|日(万分之|千分之|百分之)|每日|每天|按日|日\s*[\d.]+\s*[%‰]")
WEEKLY_RE = re.compile(r"每(逾期|迟延|延迟|延误)?[一1]?(周|星期)")
MONTHLY_RE = re.compile(r"每(逾期|迟延|延迟|延误)?[一1]?个?月")
CAP_RE = re.compile(r"不超过|不超出|不高于|不得超过|最高|上限|为限|封顶|累计|总额|总计|最多")
LIAB_CAP_RE = re.compile(r"(赔偿|责任)[^。；]{0,12}(上限|总额|累计|最高|为限|不超过|不超出|封顶)|(上限|最高|累计)[^。；]{0,8}(赔偿|责任)")
MUTUAL_RE = re.compile(r"任何一方|双方|一方违约|违约方|守约方|各方|另一方|对方")
LIABILITY_RE = re.compile(r"违约金|赔偿|违约责任|承担[^。；]{0,8}责任|滞纳金|罚款|扣除|扣减|扣款|利息")
NEG_LIAB_RE = re.compile(r"不承担|不负|免除|无需承担|无须承担|概不负责|不予")
FORUM_RE = re.compile(r"仲裁|法院|诉讼|起诉|管辖")
FORUM_NAME_RE = re.compile(r"([\u4e00-\u9fa5]{2,14}?)(仲裁委员会|国际仲裁院|仲裁院|仲裁中心|人民法院|法院)")
ACCEPT_RE = re.compile(r"验收|考核|检验|检测|验证|查验|核验|评审|评估|签收确认")
CONF_RE = re.compile(r"保密|秘密|泄露|泄密|披露|信息安全|数据安全|不得(向第三方)?(提供|透露|公开)")
TERM_RE = re.compile(r"服务期|服务期限|合同期限|合同有效期|有效期|委托期限|聘期|聘用期|期限为|运维期|维保期|服务年限|托管期|服务周期|履行期限|合作期|顾问期|期限自|期限：")
TERM_EXCLUDE_RE = re.compile(r"质保|保修|租赁期|租期|保质|缺陷责任|保证期|有效期内|培训期")
DATE_RANGE_SEP_RE = re.compile(r"^\s*(起|开始)?\s*(至|到|—|－|-|~|～|止至|起至)\s*")
PLACEHOLDER_BARE = (r"_{3,}|＿{2,}|(?<![A-Za-z])[Xx]{2,}(?![A-Za-z])|×{2,}|\*{3,}|【\s*】|\[\s*\]|（\s*）|\(\s*\)|"
                    r"待定|待确定|待补充|待填写?|【[^】\n]{1,16}】|(?<![A-Za-z\d])[Xx](?=[年月日天%％个元万期])")
# led by the characters a match starts with (as the extractors' patterns, cctk/review/extract.py)
PLACEHOLDER_RE = re.compile(rf"(?=[_＿Xx×*【\[（(待])(?:{PLACEHOLDER_BARE})")
PLACEHOLDER_LABEL_RE = re.compile(r"盖章|签字|签章|签名|日期|电话|手机|传真|邮编|邮箱|电子邮件|地址|开户|账号|账户|户名|"
                                  r"法定代表人|负责人|委托代理人|授权代表|联系人|经办人|代表|身份证|E-?mail", re.I)
CODE_LINE_RE = re.compile(r"信用代码|社会信用|纳税人识别号|税号|组织机构代码|代码")
CODE_RE = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{18}(?![0-9A-Za-z])")
FOREIGN_PLACES = (
    "北京", "上海", "天津", "重庆", "广州", "东莞", "佛山", "珠海", "惠州", "中山", "江门", "汕头", "湛江", "杭州", "宁波",
    "温州", "南京", "苏州", "无锡", "常州", "合肥", "福州", "厦门", "泉州", "南昌", "济南", "青岛", "郑州", "武汉", "长沙",
    "成都", "贵阳", "昆明", "南宁", "海口", "三亚", "西安", "兰州", "西宁", "银川", "乌鲁木齐", "拉萨", "呼和浩特", "太原",
    "石家庄", "沈阳", "大连", "长春", "哈尔滨", "香港", "澳门", "台北", "新加坡", "河北", "山西", "辽宁", "吉林", "黑龙江",
    "江苏", "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "海南", "四川", "贵州", "云南", "陕西", "甘肃",
    "青海", "内蒙古", "广西", "西藏", "宁夏", "新疆", "雄安", "南沙", "前海", "横琴", "华南", "中国国际经济贸易",
)


# Patterns the checks used to write inline (re.search(r"...") looked the compiled pattern up on every call).
UNIT_PRICE_RE = re.compile(r"单价|每人|每平方|每台|每次")
GAP_RE = re.compile(r"^[\s（）()\[\]【】：:，,、即为是大写小写人民币金额RMB¥￥元整]*$")
HEAD_PAY_RE = re.compile(r"付款|支付|结算|价款|费用|价格|金额|报酬|租金")
PAY_WORD_RE = re.compile(r"支付|付款")
BREACH_WORD_RE = re.compile(r"违约|逾期|滞纳|罚|赔偿")
ADVANCE_WORD_RE = re.compile(r"预付|首付|定金|质保金|质量保证金")
CUMULATIVE_RE = re.compile(r"(付|支付|累计|达到)至[^，,。；]{0,12}$")
SHARE_BEFORE_EXCL_RE = re.compile(r"税率|利率|费率|增值税|得分|考核分|合格率|满意度|不低于|以上")
SHARE_AFTER_EXCL_RE = re.compile(r"^(的)?(违约金|保证金|利息|滞纳金)")
SHARE_PAY_BEFORE_RE = re.compile(r"(支付|付|付至|预付|首付|预留|保留|扣留)\s*$")
SHARE_AFTER_RE = re.compile(r"^(的)?(作为|为)?(预付款|首付款|定金|进度款|尾款|质保金|质量保证金|保修金|款项|货款)")
PREPAY_RE = re.compile(r"预付|首付|定金")
PAYTERM_VERB_RE = re.compile(r"支付|付款|付清|结清|拨付|结算款|付至")
PAYTERM_EXCL_RE = re.compile(r"违约|逾期|滞纳|保证金|退还|返还|退回")
PAY_FEE_RE = re.compile(r"支付[^。；]{0,10}(款|费)")
PAYTERM_HEAD_EXCL_RE = re.compile(r"违约|保证金|争议")
DUE_AFTER_RE = re.compile(r"^\s*(内|以内|之内|前|届满|后支付|支付|付清|付款|结清|拨付)")
DUE_NOT_RE = re.compile(r"逾期|超过|超出|质保期|保修期|满\s*$")
QUALITY_BOND_RE = re.compile(r"质量保证金|质保金|投标保证金")
SPLIT_CLAUSE_RE = re.compile(r"[，,：:]")
SPLIT_COMMA_RE = re.compile(r"[，,]")
BOND_PCT_EXCL_RE = re.compile(r"违约|利息|利率|扣除")
PENALTY_PCT_EXCL_RE = re.compile(r"利率|LPR|得分|考核|合格率|满意度|不低于|达到|以上|履约保证金")
PENALTY_AFTER_RE = re.compile(r"^(的)?(违约金|滞纳金|罚款)")
PENALTY_WORD_RE = re.compile(r"违约金|罚款|赔偿|罚金|滞纳金")
ARTICLE_CAP_RE = re.compile(r"(违约金|滞纳金|罚款|赔偿)[^。]{0,30}(不超过|不超出|不高于|不得超过|最高|上限|为限|封顶)|"
                            r"(不超过|不超出|最高|上限|封顶|为限)[^。]{0,20}(违约金|滞纳金)")
LIAB_OWN_RE = re.compile(r"承担[^。；]{0,6}(违约|赔偿)?责任|支付[^。；]{0,10}违约金|赔偿[^。；]{0,6}损失")
DEDUCT_RE = re.compile(r"扣减|扣除|扣款|扣罚")
DEDUCT_NOT_RE = re.compile(r"扣除[^。；]{0,6}(利息|税)")
MONTHS_FEE_RE = re.compile(rf"({X.NUM})\s*个?月(的)?[\u4e00-\u9fa5]{{0,4}}(费|租金|报酬|酬金)")
ALREADY_PAID_CAP_RE = re.compile(r"已(收取|支付|收到)的[^。；]{0,8}(费用|款项)为限")
DISPUTE_WORD_RE = re.compile(r"争议|纠纷|提交|提起|向|由")
FORUM_PREFIX_RE = re.compile(r"^(提交|提请|递交|交由|交|向|由|至|到|在|的|均|应|可)+")
COURT_RE = re.compile(r"仲裁|法院|诉讼|起诉")
PLACEHOLDER_NOTE_RE = re.compile(r"提示|注意|重要|说明|注|特别|条款|附件|合同")
RULE_LINE_RE = re.compile(r"[\s*_\-=#|:]+")
CHECKBOX_RE = re.compile(r"[□☐]")
XX_RE = re.compile(r"[Xx]{2,}")
TERM_DUR_RE = re.compile(r"(期限|期|为|共|计|历时|周期)\s*[为是：:]?\s*$")
TERM_DUR_NOT_RE = re.compile(r"质保|保修|试用|试运行|内|之后|后")
_MISS = object()


@lru_cache(256)
def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in words)


@lru_cache(256)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)


@lru_cache(256)
def _forum_home_re(buyer: str) -> re.Pattern:
    return re.compile(rf"({buyer})(的)?(所在地|住所地)|项目所在地|履行地|服务地|工程所在地|房屋所在地|不动产所在地")


@lru_cache(256)
def _holds_right_re(buyer: str, supplier: str) -> re.Pattern:
    return re.compile(rf"(?:{buyer}|{supplier})[^。；，]{{0,6}}(有权|可以|可)")


# --- per-sentence work, memoised (pure functions of text and settings) -------------------------
@_memo
def _sentence_total(text: str) -> tuple | None:
    if not PRICE_RE.search(text) or PERIODIC_RE.search(text) or UNIT_PRICE_RE.search(text):
        return None
    amounts = _amounts(text)
    return (amounts[0].value,) if amounts else None


def _amount_words(text: str) -> tuple:
    """(offset, args, fix args) per uppercase amount that contradicts the figures next to it."""
    uppers = _upper(text)
    if not uppers:
        return ()
    figures = _fig(text)
    out = []
    for u in uppers:
        best = None
        for f in figures:
            gap = text[f.end:u.start] if f.end <= u.start else text[u.end:f.start] if u.end <= f.start else None
            if gap is None or len(gap) > 14 or not GAP_RE.match(gap):
                continue
            if best is None or len(gap) < best[0]:
                best = (len(gap), f)
        if best and best[1].value != u.value:
            f = best[1]
            out.append((u.start, (("words", u.text), ("upper", f"{u.value:,.2f}"), ("figure", f"{f.value:,.2f}")),
                        (("words", to_uppercase(f.value)),)))
    return tuple(out)


def _price_share(text: str, p) -> bool:
    before = text[max(0, p.start - 14):p.start]
    after = text[p.end:p.end + 6]
    if SHARE_BEFORE_EXCL_RE.search(before):
        return False
    if SHARE_AFTER_EXCL_RE.search(after):
        return False
    return bool(MONEY_BASE_RE.search(before) or SHARE_PAY_BEFORE_RE.search(before) or SHARE_AFTER_RE.search(after))


def _is_advance(ctx: str) -> bool:
    if PREPAY_RE.search(ctx):
        return True
    return bool(ADVANCE_RE.search(ctx)) and not AFTER_RE.search(ctx)


def _pay_verb(text: str) -> bool:
    return PAY_VERB_RE.search(text) is not None


@_memo
def _pay_word(text: str) -> bool:
    return PAY_WORD_RE.search(text) is not None


@_memo
def _pay_heading(heading: str) -> bool:
    return HEAD_PAY_RE.search(heading) is not None


def _instalment_sentence(text: str):
    """A payment sentence's instalments, read as if it is in a payment context: "skip", "periodic",
    "balance", or a tuple of (share%, amount, advance?, cumulative?, offset)."""
    if BOND_RE.search(text):
        return "skip"
    if PERIODIC_RE.search(text):
        return "periodic"
    if BREACH_WORD_RE.search(text):
        return "skip"
    pcts = [p for p in _pct(text) if _price_share(text, p)]
    prev = 0
    out = []
    if pcts:
        for p in pcts:
            seg = text[prev:p.end]
            if PAY_EXCLUDE_RE.search(seg) and not ADVANCE_WORD_RE.search(seg):
                prev = p.end
                continue
            ctx = text[max(0, prev - 40) if prev == 0 else prev:p.end]
            cumulative = bool(CUMULATIVE_RE.search(text[prev:p.start])) or "累计" in text[prev:p.start]
            out.append((p.value, None, _is_advance(ctx), cumulative, p.start))
            prev = p.end
        return tuple(out)
    if PAY_EXCLUDE_RE.search(text):
        return "skip"
    amounts = _amounts(text)
    if amounts and not PRICE_RE.search(text):
        return ((None, amounts[0].value, _is_advance(text), False, amounts[0].start),)
    if BALANCE_RE.search(text):
        return "balance"
    return ()


def _payment_term(text: str, limit: Decimal):
    """(offset, days) of a payment due later than ``limit`` days after its trigger, or None."""
    if not PAYTERM_VERB_RE.search(text):
        return None
    if PAYTERM_EXCL_RE.search(text) and not PAY_FEE_RE.search(text):
        return None
    for d in _dur(text):
        if d.kind in ("年",) and d.value > 365:
            continue
        if not DUE_AFTER_RE.match(text[d.end:d.end + 4]):
            continue
        before = text[max(0, d.start - 40):d.start]
        if not TRIGGER_RE.search(before) or DUE_NOT_RE.search(text[max(0, d.start - 6):d.start]):
            continue
        days = X.calendar_days(d)
        if days > limit:
            return (d.start, f"{days.quantize(Decimal(1))}")
    return None


@_memo
def _payterm_heading_excluded(heading: str) -> bool:
    return PAYTERM_HEAD_EXCL_RE.search(heading) is not None


@_memo
def _bond_shares(text: str, bond_heading: bool):
    """None when the sentence is not about a performance bond, else (clauses, the bond's clause,
    ((share%, offset), ...) of the percentages naming it)."""
    if not BOND_RE.search(text) and not ("保证金" in text and bond_heading and not QUALITY_BOND_RE.search(text)):
        return None
    parts = SPLIT_CLAUSE_RE.split(text)
    idx = next((i for i, p in enumerate(parts) if BOND_RE.search(p) or "保证金" in p), 0)
    cands = []
    for j in (idx, idx + 1, idx - 1):
        if 0 <= j < len(parts):
            part_off = sum(len(p) + 1 for p in parts[:j])
            ps = [p for p in _pct(parts[j]) if not BOND_PCT_EXCL_RE.search(parts[j][max(0, p.start - 8):p.start])]
            if ps:
                cands = [(p.value, part_off + p.start) for p in ps]
                break
    return tuple(parts), idx, tuple(cands)


def _bond(text: str, bond_heading: bool, total: Decimal | None, limit: Decimal):
    """(offset, share) of a performance bond above ``limit``% of the price, or None."""
    found = _bond_shares(text, bond_heading)
    if found is None:
        return None
    parts, idx, cands = found
    if not cands and total:
        for j in (idx, idx + 1):
            if 0 <= j < len(parts):
                amts = _amounts(parts[j])
                if amts:
                    part_off = sum(len(p) + 1 for p in parts[:j])
                    cands = [(amts[0].value / total * HUNDRED, part_off + amts[0].start)]
                    break
    for value, off in cands:
        if value > limit:
            return (off, f"{value.quantize(Decimal('0.01')).normalize():f}")
    return None


def _penalty_candidate(text: str) -> bool:
    return bool(PENALTY_RE.search(text)) and not (BOND_RE.search(text) and "违约金" not in text)


@_memo
def _article_cap(text: str) -> bool:
    return bool(ARTICLE_CAP_RE.search(text))


@_memo
def _penalty_rates(text: str, limit: Decimal, daily_max: Decimal, art_cap: bool) -> tuple:
    """((offset, message key, args, rule) of each excessive rate, fired?, was ``art_cap`` consulted?)."""
    consulted = False
    out = []
    parts = SPLIT_COMMA_RE.split(text)
    pos = 0
    fired = False
    for i, part in enumerate(parts):
        for p in _pct(part):
            before = part[:p.start]
            prev = parts[i - 1] if i else ""
            if PENALTY_PCT_EXCL_RE.search(before + part[p.end:p.end + 4]):
                continue
            if not (MONEY_BASE_RE.search(before) or PENALTY_AFTER_RE.search(part[p.end:])):
                continue
            off = pos + p.start
            if CAP_RE.search(before[-16:]):
                if p.value > limit:
                    out.append((off, None, (("share", f"{p.value.normalize():f}"), ("limit", f"{limit.normalize():f}")),
                                "penalty-cap"))
                    fired = True
                continue
            rate = None
            if DAILY_RE.search(before) or DAILY_RE.search(prev[-14:]):
                rate = p.value
            elif WEEKLY_RE.search(before) or WEEKLY_RE.search(prev[-14:]):
                rate = p.value / 7
            elif MONTHLY_RE.search(before) or MONTHLY_RE.search(prev[-14:]):
                rate = p.value / 30
            if rate is not None:
                capped = CAP_RE.search(text[off + len(p.text):])
                if not capped:
                    consulted = True
                    capped = art_cap
                if rate > daily_max and not capped:
                    out.append((off, "review.penalty-daily-uncapped",
                                (("rate", f"{rate.quantize(Decimal('0.001')).normalize():f}"),), "penalty-daily"))
                    fired = True
                continue
            if p.value > limit and PENALTY_WORD_RE.search(text):
                out.append((off, None, (("share", f"{p.value.normalize():f}"), ("limit", f"{limit.normalize():f}")),
                            "penalty-lump"))
                fired = True
        if fired:
            break
        pos += len(part) + 1
    return tuple(out), fired, consulted


def _penalty(text: str, total: Decimal | None, limit: Decimal, daily_max: Decimal, art_cap) -> tuple:
    """(offset, message key, args, rule) of each excessive penalty in a penalty sentence. ``art_cap``:
    does the article cap its penalties — a bool, or a function asked only when it matters."""
    out, fired, consulted = _penalty_rates(text, limit, daily_max, False)
    if consulted:
        out, fired, _ = _penalty_rates(text, limit, daily_max, art_cap() if callable(art_cap) else art_cap)
    out = list(out)
    if not fired and total and "违约金" in text and not PERIODIC_RE.search(text):
        for a in _amounts(text):
            before = text[max(0, a.start - 12):a.start]
            if CAP_RE.search(before) or DAILY_RE.search(text[max(0, a.start - 20):a.start]):
                continue
            share = a.value / total * HUNDRED
            if share > limit:
                out.append((a.start, None, (("share", f"{share.quantize(Decimal('0.1')).normalize():f}"),
                                            ("limit", f"{limit.normalize():f}")), "penalty-amount"))
                break
    return tuple(out)


def _trivial_cap(text: str, min_cap: Decimal, total: Decimal | None):
    m = LIAB_CAP_RE.search(text)
    tail = text[m.start():]
    base = m.start()
    for p in _pct(tail):
        if p.value < min_cap:
            return (p.text, base + p.start)
        return None
    mm = MONTHS_FEE_RE.search(tail)
    if mm:
        return (mm.group(), base + mm.start())
    for a in _amounts(tail):
        if total and a.value / total * HUNDRED < min_cap:
            return (a.text, base + a.start)
        return None
    if ALREADY_PAID_CAP_RE.search(tail):
        return None
    return None


def _subject(text: str, buyer: str, supplier: str) -> str | None:
    """Who bears the liability a sentence states: the party named first, or both."""
    if DEDUCT_RE.search(text) and not DEDUCT_NOT_RE.search(text):
        return "supplier"   # the buyer deducts from what it pays the supplier
    m_mut = MUTUAL_RE.search(text)
    mb, ms = _compiled(buyer).search(text), _compiled(supplier).search(text)
    first = min((m for m in (mb, ms) if m), key=lambda m: m.start(), default=None)
    if m_mut and (first is None or m_mut.start() <= first.start() + 2):
        return "mutual"
    if first is None:
        return None
    # "乙方逾期……的，应支付违约金": the party named first is the one in breach — unless it is
    # named as holding a right ("甲方有权扣减……"), which makes the other party the liable one
    clause = SPLIT_COMMA_RE.split(text[first.start():], maxsplit=1)[0]
    holds_right = _holds_right_re(buyer, supplier).match(clause)
    is_buyer = first is mb
    if holds_right:
        is_buyer = not is_buyer
    return "buyer" if is_buyer else "supplier"


def _liability(text: str, buyer: str, supplier: str):
    """(does the sentence cap the supplier's liability?, who is liable: "mutual"/"buyer"/"supplier"/None)."""
    capping = bool(LIAB_CAP_RE.search(text) and _compiled(supplier).search(text) and
                   "违约金" not in text[:text.find("赔偿") if "赔偿" in text else 0])
    if not LIABILITY_RE.search(text):
        return capping, None
    neg = NEG_LIAB_RE.search(text)
    if neg and not LIAB_OWN_RE.search(text[:neg.start()]):
        return capping, None
    return capping, _subject(text, buyer, supplier)


@_memo
def _forum_names(text: str, buyer: str) -> tuple:
    """(offset, name) of each court or arbitration body a dispute sentence names."""
    if not FORUM_RE.search(text) or not DISPUTE_WORD_RE.search(text):
        return ()
    if _forum_home_re(buyer).search(text):
        return ()
    return tuple((m.start(), FORUM_PREFIX_RE.sub("", m.group(1)) + m.group(2)) for m in FORUM_NAME_RE.finditer(text))


def _forum(text: str, buyer: str, places: tuple) -> tuple | None:
    """(offset, forum) of a court or arbitration body away from the buyer's place, or None."""
    for start, name in _forum_names(text, buyer):
        if any(pl in name for pl in places):
            continue
        foreign = next((pl for pl in FOREIGN_PLACES if pl in name), None)
        if foreign:
            return (start, name)
    return None


@_memo
def _term(text: str, limit: Decimal) -> tuple | None:
    """(offset, months) of a service term longer than ``limit`` months, or None."""
    m = TERM_RE.search(text)
    if not m or TERM_EXCLUDE_RE.search(text[max(0, m.start() - 4):m.end() + 4]):
        return None
    tail = text[m.start():]
    months = None
    off = m.start()
    for d in _dur(tail):
        if d.kind in ("年", "个月", "月"):
            months = X.months_of(d)
            off = m.start() + d.start
            break
    ds = [d for d in _dates(tail) if d.date]
    if months is None and len(ds) >= 2 and ds[1].date > ds[0].date:
        months = Decimal((ds[1].date - ds[0].date).days + 1) / Decimal("30.44")
    if months is not None and months > limit + Decimal("0.5"):
        return (off, f"{months.quantize(Decimal(1))}")
    return None


@_memo
def _placeholder(text: str, line: str, col: int) -> tuple | None:
    """(offset, blank) of the first unfilled blank in a sentence (at ``col`` of ``line``), or None."""
    for m in PLACEHOLDER_RE.finditer(text):
        raw = m.group()
        if raw.startswith("【") and PLACEHOLDER_NOTE_RE.search(raw) and len(raw) > 2:
            continue
        if RULE_LINE_RE.fullmatch(line):
            continue
        before = line[:col - 1 + m.start()]
        if PLACEHOLDER_LABEL_RE.search(before[-16:]) or PLACEHOLDER_LABEL_RE.search(text[m.end():m.end() + 4]):
            continue
        if raw.startswith("*") or raw in ("（）", "()") and CHECKBOX_RE.search(text):
            continue
        return (m.start(), raw.strip() or raw)
    return None


def _credit_codes(text: str) -> tuple:
    """(offset, code, problem) of each invalid unified social credit code in a sentence."""
    if not CODE_LINE_RE.search(text):
        return ()
    out = []
    for m in CODE_RE.finditer(text):
        code = m.group()
        if not any(c.isdigit() for c in code) or XX_RE.search(code):
            continue
        problem = credit_code_problem(code.upper())
        if problem:
            out.append((m.start(), code, problem.split(".")[-1]))
    return tuple(out)


def _rule_hit(match_re: re.Pattern, unless_re: re.Pattern | None, near: int | None, text: str) -> int | None:
    m = match_re.search(text)
    if not m:
        return None
    if unless_re is not None:
        window = text if near is None else text[max(0, m.start() - near):m.end()]
        if unless_re.search(window):
            return None
    return m.start()


_PLANS: weakref.WeakSet = weakref.WeakSet()   # live rule plans (playbooks keep theirs), for clear_memos()


class _RulePlan:
    """The playbook rules that apply to one kind of contract with one pair of party vocabularies: each
    rule's literal prefilter, their union, and what they found per sentence text."""

    __slots__ = ("__weakref__", "memo", "rules", "union")

    def __init__(self, rules: tuple):
        self.rules = tuple((m, u, near, prefilter(m)) for m, u, near in rules)
        self.union = union_prefilter([m for m, _u, _n in rules]) if rules else None
        self.memo: dict[str, tuple] = {}
        _PLANS.add(self)

    def hits(self, text: str) -> tuple:
        """((rule index, offset), ...) of the rules matching a sentence."""
        found = self.memo.get(text)
        if found is None:
            if self.union is not None and not self.union.search(text):
                found = ()
            else:
                out = []
                for i, (m, u, near, pre) in enumerate(self.rules):
                    if pre is not None and not pre.search(text):
                        continue
                    start = _rule_hit(m, u, near, text)
                    if start is not None:
                        out.append((i, start))
                found = tuple(out)
            if len(self.memo) >= _CACHE:
                self.memo.clear()
            self.memo[text] = found
        return found


@lru_cache(64)
def _rule_plan(rules: tuple) -> _RulePlan:
    return _RulePlan(rules)


_PLACEHOLDER_PRE = prefilter(PLACEHOLDER_RE)


class _Facts:
    """What the per-sentence checks find in one sentence text, under one context (the party words and
    the day/month limits): computed once per distinct sentence, then shared by every contract that
    has the sentence. The checks then walk the document reading these instead of re-testing words."""

    __slots__ = ("accept", "aw", "bond", "codes", "conf", "court", "dates", "forum", "inst", "liab", "pen", "ph",
                 "pterm", "_text", "_term_limit", "_total", "_term")

    def __init__(self, text: str, ctx: tuple):
        buyer, supplier, pay_limit, term_limit = ctx
        self._text, self._term_limit = text, term_limit
        self._total = self._term = _MISS
        self.aw = _amount_words(text)
        self.inst = (_pay_word(text), _instalment_sentence(text)) if _pay_verb(text) else None
        self.pterm = _payment_term(text, pay_limit)
        self.pen = _penalty_candidate(text)
        self.liab = _liability(text, buyer, supplier)
        self.forum = _forum_names(text, buyer)
        self.dates = _dates(text)
        self.codes = _credit_codes(text)
        self.ph = _PLACEHOLDER_PRE is None or _PLACEHOLDER_PRE.search(text) is not None
        self.bond = "保证金" in text or BOND_RE.search(text) is not None
        self.court = COURT_RE.search(text) is not None
        self.accept = ACCEPT_RE.search(text) is not None
        self.conf = CONF_RE.search(text) is not None

    # Read by few reviews, so computed when first read (then kept: the sentence recurs in other contracts):
    # the text's total only when the record has no amount, the service term only for the kinds it applies to.
    @property
    def total(self):
        if self._total is _MISS:
            self._total = _sentence_total(self._text)
        return self._total

    @property
    def term(self):
        if self._term is _MISS:
            self._term = _term(self._text, self._term_limit)
        return self._term


_FACTS: dict[tuple, dict[str, _Facts]] = {}


def _facts_memo(ctx: tuple) -> dict[str, _Facts]:
    memo = _FACTS.get(ctx)
    if memo is None or len(memo) >= _CACHE:
        if len(_FACTS) >= 64:
            _FACTS.clear()
        memo = _FACTS[ctx] = {}
    return memo


class Review:
    """One review run over one text."""

    def __init__(self, text: str, playbook: Playbook, *, path: str = "", line_offset: int = 0,
                 amount: Decimal | None = None):
        self.pb = playbook
        self.path = path
        self.line_offset = line_offset
        self.doc: Document = segment(text)
        self.parties: Parties = parties(self.doc)
        self.buyer = _alternation(self.parties.buyer)
        self.supplier = _alternation(self.parties.supplier)
        self.buyer_re = _compiled(self.buyer)
        self.supplier_re = _compiled(self.supplier)
        self.kind = self._kind()
        self.findings: list[Finding] = []
        self.lines = self.doc.lines
        ctx = (self.buyer, self.supplier, playbook.threshold("payment_days_max"),
               playbook.threshold("service_term_max_months"))
        memo = _facts_memo(ctx)
        facts = []
        for s in self.doc.sentences:
            f = memo.get(s.text)
            if f is None:
                f = memo[s.text] = _Facts(s.text, ctx)
            facts.append((s, f))
        self.sf: list[tuple[Sentence, _Facts]] = facts
        self.record_amount = amount
        self.total = amount if amount is not None else self._text_total()

    # --- helpers -------------------------------------------------------------------------
    def _kind(self) -> str:
        return self._kind_of(self.doc.title) or self._kind_of(self.doc.text[:600]) or "other"

    def _kind_of(self, source: str) -> str | None:
        cache = self.pb.cache
        key = ("kind", source)
        found = cache.get(key, _MISS)
        if found is _MISS:
            found = None
            for kind, pattern in self.pb.kinds:
                if pattern.search(source):
                    found = kind
                    break
            if len(cache) >= _CACHE:
                cache.clear()
            cache[key] = found
        return found

    def add(self, category: str, s: Sentence | None, start: int = 0, *, key: str | None = None,
            args: dict | None = None, fix_args: dict | None = None, rule: str = "", line: int | None = None):
        if s is None:
            line_no, col, quote = (line or 1), 1, self.doc.title[:60]
        else:
            line_no, col = s.line, s.col + start
            quote = s.text if len(s.text) <= 120 else s.text[max(0, start - 40):start + 80]
        self.findings.append(Finding(
            category=category, severity=self.pb.severity(category), line=line_no + self.line_offset, col=col,
            quote=quote, message=key or f"review.{category}", args=args or {}, basis=self.pb.basis(category),
            suggestion=f"review.{category}.fix", suggestion_args=fix_args or {}, path=self.path,
            rule=rule or category))

    def _heading(self, s: Sentence) -> str:
        return self.doc.articles[s.article].heading

    def _text_total(self) -> Decimal | None:
        for _s, f in self.sf:
            if f.total is not None:
                return f.total[0]
        return None

    # --- run -----------------------------------------------------------------------------
    def run(self) -> list[Finding]:
        self.check_amount_words()
        self.check_payments()
        self.check_bond()
        self.check_penalty()
        self.check_liability()
        self.check_jurisdiction()
        self.check_missing()
        self.check_term()
        self.check_dates()
        self.check_placeholders()
        self.check_credit_codes()
        self.apply_rules()
        self.findings.sort(key=lambda f: (f.line, f.col, f.category))
        return self.findings

    # --- amounts -------------------------------------------------------------------------
    def check_amount_words(self):
        for s, f in self.sf:
            for start, args, fix in f.aw:
                self.add("amount-words-mismatch", s, start, args=dict(args), fix_args=dict(fix))

    # --- payments ------------------------------------------------------------------------
    def _instalments(self):
        """(sentence, share%, amount, advance?, cumulative?, offset) for each payment instalment."""
        out = []
        balance = periodic = False
        for s, f in self.sf:
            if f.inst is None:
                continue
            pay_word, found = f.inst
            in_payment = (_pay_heading(self._heading(s)) or pay_word or _pay_word(self.lines[s.line - 1]))
            if not in_payment:
                continue
            if found == "periodic":
                periodic = True
            elif found == "balance":
                balance = True
            elif found != "skip":
                out.extend((s, *item) for item in found)
        return out, balance, periodic

    def check_payments(self):
        inst, balance, periodic = self._instalments()
        limit = self.pb.threshold("prepayment_max")
        earnest = self.pb.threshold("earnest_max")
        # schedule sum
        shares = [i for i in inst if i[1] is not None]
        if len(shares) >= 2 and not periodic:
            total = Decimal(0)
            for s, share, _a, _adv, cum, _o in shares:
                total = share if cum and share >= total else total + share
            if total > HUNDRED or (total < HUNDRED and not balance):
                s = shares[0][0]
                self.add("payment-schedule-sum", s, shares[0][5], args={"total": f"{total.normalize():f}%", "expected": "100%"})
        fixed = [i for i in inst if i[2] is not None]
        if len(fixed) >= 2 and not shares and not periodic and not balance and self.total:
            total = sum(i[2] for i in fixed)
            if total != self.total:
                self.add("payment-schedule-sum", fixed[0][0], fixed[0][5],
                         args={"total": f"{total:,.2f}", "expected": f"{self.total:,.2f}"})
        # advance payments
        adv = Decimal(0)
        first = None
        running = Decimal(0)
        for s, share, amount, advance, cum, off in inst:
            value = share if share is not None else (amount / self.total * HUNDRED if amount and self.total else None)
            if value is None:
                continue
            part = value - running if cum and value >= running else value
            running = value if cum else running + value
            if advance:
                adv += part
                first = first or (s, off)
        if adv > limit and first:
            self.add("prepayment-excessive", first[0], first[1], args={"share": f"{adv.normalize():f}", "limit": f"{limit.normalize():f}"},
                     fix_args={"limit": f"{limit.normalize():f}"}, rule="prepayment")
        # earnest money (定金) above 20%
        if "定金" in self.doc.text:
            for s in self.doc.sentences:
                if "定金" not in s.text or adv > limit and first and first[0] is s:
                    continue
                for p in _pct(s.text):
                    if p.value > earnest and "定金" in s.text[max(0, p.start - 20):p.end + 6]:
                        self.add("prepayment-excessive", s, p.start, key="review.prepayment-earnest",
                                 args={"share": f"{p.value.normalize():f}", "limit": f"{earnest.normalize():f}"},
                                 fix_args={"limit": f"{earnest.normalize():f}"}, rule="earnest")
                        break
        self._payment_terms()

    def _payment_terms(self):
        limit = self.pb.threshold("payment_days_max")
        for s, f in self.sf:
            found = f.pterm
            if found is not None and not _payterm_heading_excluded(self._heading(s)):
                self.add("payment-term-late", s, found[0], args={"days": found[1], "limit": f"{limit}"},
                         rule="payment-days")

    # --- bond ----------------------------------------------------------------------------
    def check_bond(self):
        text = self.doc.text
        if "保证金" not in text and not BOND_RE.search(text):
            return
        limit = self.pb.threshold("bond_max")
        for s, f in self.sf:
            if not f.bond:
                continue
            found = _bond(s.text, "履约" in self._heading(s), self.total, limit)
            if found is not None:
                self.add("performance-bond-excessive", s, found[0], args={"share": found[1],
                         "limit": f"{limit.normalize():f}"}, fix_args={"limit": f"{limit.normalize():f}"})

    # --- penalties -----------------------------------------------------------------------
    def check_penalty(self):
        limit = self.pb.threshold("penalty_max")
        daily_max = self.pb.threshold("daily_rate_max")
        articles = self.doc.articles
        # articles hold the sentences in document order, so this walks them article by article
        for s, f in self.sf:
            if not f.pen:
                continue
            art = articles[s.article]

            def art_cap(art=art):
                return _article_cap(art.text)
            for off, key, args, rule in _penalty(s.text, self.total, limit, daily_max, art_cap):
                self.add("penalty-excessive", s, off, key=key, args=dict(args), rule=rule)

    @staticmethod
    def _article_cap(text: str) -> bool:
        return _article_cap(text)

    # --- liability -----------------------------------------------------------------------
    def check_liability(self):
        min_cap = self.pb.threshold("liability_cap_min")
        buyer_liab = supplier_liab = mutual = 0
        first_buyer = None
        for s, f in self.sf:
            capping, subj = f.liab
            # a trivial cap on the supplier's liability
            cap = _trivial_cap(s.text, min_cap, self.total) if capping else None
            if cap:
                self.add("liability-asymmetric", s, cap[1], key="review.liability-cap", args={"cap": cap[0]}, rule="liability-cap")
            if subj == "mutual":
                mutual += 1
            elif subj == "buyer":
                buyer_liab += 1
                first_buyer = first_buyer or s
            elif subj == "supplier":
                supplier_liab += 1
        if buyer_liab and not supplier_liab and not mutual:
            self.add("liability-asymmetric", first_buyer, 0, rule="liability-one-sided")

    def _subject(self, text: str) -> str | None:
        return _subject(text, self.buyer, self.supplier)

    def _trivial_cap(self, text: str, min_cap: Decimal):
        return _trivial_cap(text, min_cap, self.total)

    # --- forum ---------------------------------------------------------------------------
    def check_jurisdiction(self):
        places = self.parties.places
        if not FORUM_RE.search(self.doc.text):
            return
        for s, f in self.sf:
            if not f.forum:
                continue
            found = _forum(s.text, self.buyer, places)
            if found is not None:
                self.add("jurisdiction-unfavorable", s, found[0], args={"forum": found[1]}, rule="forum-place")

    # --- missing clauses -----------------------------------------------------------------
    def check_missing(self):
        sents = self.doc.sentences
        if len(sents) < 5:
            return  # a fragment, not a contract
        facts = [f for _s, f in self.sf]
        if not any(f.court for f in facts):
            self.add("dispute-clause-missing", None, line=1, rule="dispute-missing")
        kind = self.kind
        if self.pb.applies("acceptance-missing", kind) and kind not in ("premises-lease", "equipment-lease", "legal"):
            # any mention counts: "验收合格后支付" already presupposes an acceptance
            ok = any(ACCEPT_RE.search(a.heading) for a in self.doc.articles) or any(f.accept for f in facts)
            if not ok:
                self.add("acceptance-missing", None, line=1, rule="acceptance-missing")
        if self.pb.applies("confidentiality-missing", kind):
            if not any(f.conf for f in facts) and not any("保密" in a.heading for a in self.doc.articles):
                self.add("confidentiality-missing", None, line=1, rule="confidentiality-missing")

    # --- service term --------------------------------------------------------------------
    def check_term(self):
        if not self.pb.applies("term-excessive", self.kind):
            return
        limit = self.pb.threshold("service_term_max_months")
        for s, f in self.sf:
            found = f.term
            if found is not None:
                self.add("term-excessive", s, found[0], args={"months": found[1], "limit": f"{limit}"},
                         fix_args={"limit": f"{limit}"})
                return

    # --- dates ---------------------------------------------------------------------------
    def check_dates(self):
        sents = self.doc.sentences
        for i, (s, f) in enumerate(self.sf):
            ds = f.dates
            if not ds:
                continue
            for d in ds:
                if d.date is None:
                    self.add("date-inconsistent", s, d.start, args={"detail": _detail("review.date.invalid", date=d.text)},
                             rule="date-invalid")
            for a, b in zip(ds, ds[1:]):
                if not DATE_RANGE_SEP_RE.match(s.text[a.end:b.start]) or not (a.date and b.date):
                    continue
                if b.date < a.date:
                    self.add("date-inconsistent", s, a.start, args={"detail": _detail(
                        "review.date.range-reversed", start=a.text, end=b.text)}, rule="date-reversed")
                    continue
                stated = self._stated_duration(s, sents[i - 1] if i and sents[i - 1].article == s.article else None, a.start)
                if stated and not _duration_matches(a.date, b.date, stated):
                    self.add("date-inconsistent", s, a.start, args={"detail": _detail(
                        "review.date.duration", start=a.text, end=b.text, stated=stated.text)}, rule="date-duration")

    def _stated_duration(self, s: Sentence, prev: Sentence | None, range_start: int):
        best = None
        for sent, limit in ((s, None), (prev, None)):
            if sent is None:
                continue
            for d in _dur(sent.text):
                if d.kind == "workday":
                    continue
                before = sent.text[max(0, d.start - 8):d.start]
                if not TERM_DUR_RE.search(before):
                    continue
                if TERM_DUR_NOT_RE.search(sent.text[d.end:d.end + 2] + before[-3:]):
                    continue
                if sent is s:
                    best = d
                elif best is None:
                    best = d
            if best:
                return best
        return best

    # --- placeholders --------------------------------------------------------------------
    def check_placeholders(self):
        lines = self.lines
        seen = set()
        for s, f in self.sf:
            if not f.ph or s.line in seen:
                continue
            found = _placeholder(s.text, lines[s.line - 1], s.col)
            if found is not None:
                seen.add(s.line)
                self.add("placeholder-unfilled", s, found[0], args={"blank": found[1]})

    # --- credit codes --------------------------------------------------------------------
    def check_credit_codes(self):
        for s, f in self.sf:
            for start, code, problem in f.codes:
                self.add("credit-code-invalid", s, start, args={"code": code, "problem": _detail("review.cc." + problem)})

    # --- playbook pattern rules ----------------------------------------------------------
    def apply_rules(self):
        cache = self.pb.cache
        key = ("plan", self.kind, self.buyer, self.supplier)
        found_plan = cache.get(key)
        if found_plan is None:
            active = []
            for rule in self.pb.rules:
                if rule.kinds and self.kind not in rule.kinds:
                    continue
                active.append((rule, *rule.regexes(self.buyer, self.supplier)))
            found_plan = (active, _rule_plan(tuple((m, u, rule.unless_near) for rule, m, u in active)))
            if len(cache) >= _CACHE:
                cache.clear()
            cache[key] = found_plan
        active, plan = found_plan
        found = []
        known = plan.memo.get      # a sentence seen before: its hits without a method call
        for si, s in enumerate(self.doc.sentences):
            hits = known(s.text)
            for ri, start in (hits if hits is not None else plan.hits(s.text)):
                found.append((ri, si, start, s))
        found.sort(key=lambda f: (f[0], f[1]))   # rule by rule, as the findings have always been listed
        for ri, _si, start, s in found:
            rule = active[ri][0]
            self.add(rule.category, s, start, key=rule.message, rule=f"{rule.clause}.{rule.id}")


def clear_memos() -> None:
    """Forget every memoised sentence, line and party reading (for benchmarks of cold runs and tests;
    results never depend on the memos)."""
    from cctk.review import segment as _segment
    for memo in _MEMOS:
        memo.clear()
    for plan in list(_PLANS):
        plan.memo.clear()
    for value in list(globals().values()):
        if callable(getattr(value, "cache_clear", None)):
            value.cache_clear()
    _FACTS.clear()
    _segment._LINE_MEMO.clear()
    _segment._PARTY_MEMO.clear()
    _segment._READING_MEMO.clear()
    _segment._PLACES_MEMO.clear()


def _detail(key: str, **args) -> str:
    # a nested message, rendered in the current language when the finding is shown
    from cctk import i18n
    return i18n.t(key, **args)


def _add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def _duration_matches(start: dt.date, end: dt.date, stated: X.Span) -> bool:
    """Does start..end fit the stated period? Either counting convention (end inclusive or not) and
    a few days' slack for month lengths are accepted."""
    if stated.kind in ("年", "个月", "月"):
        months = int(stated.value / 365 * 12) if stated.kind == "年" else int(stated.value / 30)
        if stated.kind == "年" and stated.value % 365:
            months = int((stated.value / 365 * 12).to_integral_value())
        expected = _add_months(start, months)
        return abs((end - expected).days) <= 3
    days = int(stated.value)
    span = (end - start).days
    return abs(span - days) <= 2 or abs(span + 1 - days) <= 2
