"""Facts in contract prose: numbers written in Arabic or Chinese, amounts (figures, 万元, 大写),
percentages (%, ‰, 百分之, 千分之, 万分之), day counts and durations, and dates.

Hand-written on purpose: the forms are a small closed set, and the libraries that convert
Chinese numerals (cn2an and friends) neither locate spans in running text nor handle 大写
amounts with a 人民币 prefix (see shared/reference/legal-rules.md). Everything returns
spans so a finding can point at the characters it is about.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from cctk.model.money import parse_uppercase

_CN_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7,
              "捌": 8, "玖": 9, "貮": 2, "贰": 2}
_CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_NUM = "零〇○一二两三四五六七八九十百千万壹贰叁肆伍陆柒捌玖拾佰仟"
# A number as written in a contract: 30, 1,200.50, 0.5, 三十, 叁拾, 一百二十, 十五.
NUM = rf"(?:\d{{1,3}}(?:[,，]\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|[{CN_NUM}]+(?:点[{CN_NUM}]+)?)"


def cn_number(text: str) -> Decimal | None:
    """'三十' -> 30, '叁拾' -> 30, '二〇二四' -> 2024, '1,200.5' -> 1200.5, '零点五' -> 0.5; None if not a number."""
    text = text.strip().replace(",", "").replace("，", "")
    if not text:
        return None
    if text[0].isdigit():
        try:
            return Decimal(text)
        except InvalidOperation:
            return None
    if "点" in text:
        whole, _, frac = text.partition("点")
        w = cn_number(whole) if whole else Decimal(0)
        if w is None or not frac or any(c not in _CN_DIGITS for c in frac):
            return None
        return w + Decimal("0." + "".join(str(_CN_DIGITS[c]) for c in frac))
    if all(c in _CN_DIGITS for c in text):
        if len(text) == 1:
            return Decimal(_CN_DIGITS[text])
        # digit by digit, as in years (二〇二四) — a leading 零 would be odd but harmless
        return Decimal("".join(str(_CN_DIGITS[c]) for c in text))
    total = section = 0
    digit = None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        elif ch == "万":
            total = (total + section + (digit or 0)) * 10000
            section, digit = 0, None
        else:
            return None
    return Decimal(total + section + (digit or 0))


@dataclass(slots=True)
class Span:
    start: int          # offset in the text searched
    end: int
    value: Decimal
    kind: str           # see each extractor
    text: str


# --- percentages --------------------------------------------------------------------------

# Each pattern below starts with a lookahead that every match satisfies (the characters a match can
# start with, or a cheap necessary run of them): re tries a pattern at every position of the text and
# has no first-character shortcut for one that starts with optional groups, so the lookahead turns
# most positions into one failed character test — 1.5-2.5x faster, the same matches
# (tests/test_review.py::test_extractor_lookaheads_change_no_match compares them with the bare patterns).
_NUM_CHARS = rf"\d{CN_NUM},，.点"     # every character a NUM can hold


# Where a pattern's matches can only start at a few places, re is asked for those places first (`finder`,
# a pattern that begins with a character class, which re scans for in C) and the pattern is tried there
# only: the same matches as pattern.finditer(text), since every match of the pattern also matches the
# finder at its start (each finder below is the pattern's necessary condition), but without trying the
# pattern's opening lookahead or alternation at every position of the text. The finders' runs of number
# characters are possessive (``*+``): no character a run can end with (a unit, a space) is a number
# character, so giving some back could never help, and a long 大写 run is not re-tried at every length.
# tests/test_review.py::test_extractor_lookaheads_change_no_match compares them with the bare patterns.
def _scan(finder: re.Pattern, pattern: re.Pattern, text: str) -> list[re.Match]:
    out = []
    pos = 0
    search, match = finder.search, pattern.match
    while True:
        found = search(text, pos)
        if found is None:
            return out
        start = found.start()
        m = match(text, start)
        if m is None:
            pos = start + 1
        else:
            out.append(m)
            pos = m.end() if m.end() > start else start + 1
_PCT_BARE = rf"(?P<a>{NUM})\s*(?P<u>%|％|‰|‱)|(?P<w>百分之|千分之|万分之)\s*(?P<b>{NUM})"
_PCT_RE = re.compile(rf"(?=[\d{CN_NUM}][{_NUM_CHARS}]*\s*[%％‰‱]|[百千万]分之)(?:{_PCT_BARE})")
_PCT_FIND = re.compile(rf"[\d{CN_NUM}](?:[{_NUM_CHARS}]*+\s*[%％‰‱]|分之)")
_PCT_SCALE = {"%": Decimal(1), "％": Decimal(1), "‰": Decimal("0.1"), "‱": Decimal("0.01"),
              "百分之": Decimal(1), "千分之": Decimal("0.1"), "万分之": Decimal("0.01")}


def percentages(text: str) -> list[Span]:
    """Rates as a percentage value: '0.5‰' -> 0.05, '千分之五' -> 0.5, '百分之三十' -> 30."""
    out = []
    for m in _scan(_PCT_FIND, _PCT_RE, text):
        raw, unit = (m["a"], m["u"]) if m["a"] else (m["b"], m["w"])
        value = cn_number(raw)
        if value is None:
            continue
        out.append(Span(m.start(), m.end(), value * _PCT_SCALE[unit], "percent", m.group()))
    return out


# --- durations ----------------------------------------------------------------------------

_DUR_UNITS = ("个工作日", "工作日", "个日历日", "日历天", "日历日", "个自然日", "自然日", "天", "日", "个月", "月", "周",
              "星期", "年")
_DUR_BARE = rf"(?P<n>{NUM}|半)\s*(?P<u>{'|'.join(_DUR_UNITS)})"
_DUR_RE = re.compile(rf"(?=(?:[{_NUM_CHARS}]+|半)\s*[{''.join(sorted({u[0] for u in _DUR_UNITS}))}])(?:{_DUR_BARE})")
_DUR_FIND = re.compile(rf"[\d{CN_NUM}半][{_NUM_CHARS}]*+\s*[{''.join(sorted({u[0] for u in _DUR_UNITS}))}]")


def durations(text: str) -> list[Span]:
    """Periods in days: kind 'workday' for working days (value = working days), else 'day'
    (months count 30 days, years 365). Dates such as '5月1日' are not periods."""
    out = []
    for m in _scan(_DUR_FIND, _DUR_RE, text):
        n, unit = m["n"], m["u"]
        # '2024年5月1日', '5月1日', '第3日' are dates or ordinals, not periods (tested before the number is
        # converted: in a sentence holding dates most matches end here)
        after = text[m.end():m.end() + 1]
        before = text[max(0, m.start() - 1):m.start()]
        if unit in ("年", "月") and (after and (after in CN_NUM or after.isdigit())):
            continue
        if unit in ("日", "天") and before in ("月", "第"):
            continue
        if unit == "月" and before == "年":
            continue
        if n == "半":
            value = Decimal("0.5")
        else:
            value = cn_number(n)
        if value is None:
            continue
        if unit == "年" and value >= 1900:
            continue
        if "工作日" in unit:
            out.append(Span(m.start(), m.end(), value, "workday", m.group()))
            continue
        days = {"年": 365, "个月": 30, "月": 30, "周": 7, "星期": 7}.get(unit, 1) * value
        out.append(Span(m.start(), m.end(), days, "day" if unit in ("天", "日", "个日历日", "日历天", "日历日",
                                                                   "个自然日", "自然日") else unit, m.group()))
    return out


def months_of(span: Span) -> Decimal:
    """A period span in months (for terms): 3年 -> 36, 18个月 -> 18, 400天 -> ~13.3."""
    if span.kind == "年":
        return span.value / 365 * 12
    if span.kind in ("个月", "月"):
        return span.value / 30
    if span.kind == "workday":
        return span.value * 7 / 5 / 30
    return span.value / 30


def calendar_days(span: Span) -> Decimal:
    """Working days are converted at 5 per 7 calendar days (a lower bound would flag less)."""
    return span.value * 7 / 5 if span.kind == "workday" else span.value


# --- dates ---------------------------------------------------------------------------------

_YEAR = rf"(?P<y>\d{{4}}|[〇○零一二三四五六七八九]{{4}})"
_DATE_RE = re.compile(
    rf"{_YEAR}\s*年\s*(?P<m>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})\s*月\s*(?P<d>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})\s*[日号]"
    rf"|(?P<y2>\d{{4}})[-./](?P<m2>\d{{1,2}})[-./](?P<d2>\d{{1,2}})(?!\d)")
_DATE_FIND = re.compile(r"[\d〇○零一二三四五六七八九]{4}(?:\s*年|[-./])")


@dataclass(slots=True)
class DateSpan:
    start: int
    end: int
    date: dt.date | None     # None when the written date does not exist (2月30日)
    text: str


def dates(text: str) -> list[DateSpan]:
    out = []
    for m in _scan(_DATE_FIND, _DATE_RE, text):
        y, mo, d = (m["y"], m["m"], m["d"]) if m["y"] else (m["y2"], m["m2"], m["d2"])
        yv, mv, dv = cn_number(y), cn_number(mo), cn_number(d)
        try:
            day = dt.date(int(yv), int(mv), int(dv))
        except (TypeError, ValueError):
            day = None
        out.append(DateSpan(m.start(), m.end(), day, m.group()))
    return out


# --- amounts -------------------------------------------------------------------------------

_FIG_BARE = (r"(?P<cur>人民币|RMB|CNY|¥|￥)?\s*(?:[(（]?小写[)）]?[：:]?\s*)?(?P<cur2>¥|￥)?\s*"
             r"(?P<n>\d{1,3}(?:[,，]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<u>亿元|万元|元|万|圆)?")
_FIG_RE = re.compile(rf"(?=[\s人RC¥￥(（小\d])(?:{_FIG_BARE})")     # the characters a match can start with
_UPPER_CHARS = "零壹贰叁肆伍陆柒捌玖拾佰仟万亿"
_UPPER_RE = re.compile(
    rf"[{_UPPER_CHARS}]+[元圆](?:[零{_UPPER_CHARS[1:10]}]角)?(?:零?[{_UPPER_CHARS[1:10]}]分)?[整正]?"
    rf"|[{_UPPER_CHARS[1:10]}]角(?:[{_UPPER_CHARS[1:10]}]分)?|[{_UPPER_CHARS[1:10]}]分")
_UPPER_FIND = re.compile(rf"[{_UPPER_CHARS}]")


def figure_amounts(text: str) -> list[Span]:
    """Amounts in figures, in yuan: '¥86,500.00', '86500元', '120万元', '人民币 3.5 万元'.
    A bare number needs a currency sign before it or a 元/万元 after it."""
    out = []
    for m in _FIG_RE.finditer(text):
        cur = m["cur"] or m["cur2"]
        unit = m["u"]
        if not cur and not unit:
            continue
        if unit == "万" and not cur:
            continue  # '3万' alone is too often a count
        try:
            value = Decimal(m["n"].replace(",", "").replace("，", ""))
        except InvalidOperation:
            continue
        if unit in ("万元", "万"):
            value *= 10000
        elif unit == "亿元":
            value *= 100000000
        start = m.start() if cur else m.start("n")
        out.append(Span(start, m.end(), value.quantize(Decimal("0.01")), "figure", text[start:m.end()]))
    return out


def uppercase_amounts(text: str) -> list[Span]:
    """大写 amounts, parsed with cctk.model.money.parse_uppercase."""
    out = []
    for m in _scan(_UPPER_FIND, _UPPER_RE, text):
        raw = m.group()
        if len(raw) < 2:
            continue
        try:
            value = parse_uppercase(raw)
        except ValueError:
            continue
        out.append(Span(m.start(), m.end(), value, "upper", raw))
    return out
