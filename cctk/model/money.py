"""Money exact to the fen: Decimal only, never float; uppercase RMB words (大写金额) both ways.

The uppercase conversion is hand-written: cn2an truncates past two decimals, drops
the optional 零 and cannot parse a 人民币 prefix (see shared/reference/legal-rules.md),
and the rules of 大写 are small and fixed.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

FEN = Decimal("0.01")
DIGITS = "零壹贰叁肆伍陆柒捌玖"
_AMOUNT_RE = re.compile(r"^-?\d+(\.\d{1,2})?$")


class AmountError(ValueError):
    """An amount that cannot be exact money; ``reason`` is a catalog key."""

    def __init__(self, reason: str, value: object):
        super().__init__(f"{reason}: {value!r}")
        self.reason = reason
        self.value = value


def parse_amount(value: object, *, allow_negative: bool = False) -> Decimal:
    """A YAML value -> Decimal in yuan, exact to the fen.

    Accepts int or a string of digits with at most two decimals (commas allowed as
    thousands separators). Floats are refused: a float has already lost exactness.
    """
    if isinstance(value, bool):
        raise AmountError("amount.type", value)
    if isinstance(value, float):
        raise AmountError("amount.float", value)
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "")
        if text.startswith(("¥", "￥")):
            text = text[1:].strip()
        if not _AMOUNT_RE.match(text):
            try:
                d = Decimal(text)
            except InvalidOperation:
                raise AmountError("amount.syntax", value) from None
            if d.is_nan() or d.is_infinite():
                raise AmountError("amount.nan", value)
            raise AmountError("amount.precision", value)
        amount = Decimal(text)
    else:
        raise AmountError("amount.type", value)
    if amount < 0 and not allow_negative:
        raise AmountError("amount.negative", value)
    return amount.quantize(FEN)


def format_amount(amount: Decimal) -> str:
    """1234567.8 -> '1,234,567.80'."""
    return f"{amount.quantize(FEN):,.2f}"


def to_uppercase(amount: Decimal) -> str:
    """Decimal -> 大写金额, e.g. 6007.14 -> 陆仟零柒元壹角肆分, 100 -> 壹佰元整."""
    amount = amount.quantize(FEN)
    if amount < 0:
        return "负" + to_uppercase(-amount)
    fen_total = int(amount * 100)
    yuan, rest = divmod(fen_total, 100)
    jiao, fen = divmod(rest, 10)
    out = _integer_words(yuan) + "元" if yuan else ""
    if jiao == 0 and fen == 0:
        return (out or "零元") + "整"
    if jiao:
        out += DIGITS[jiao] + "角"
    elif yuan:
        out += "零"
    if fen:
        out += DIGITS[fen] + "分"
    return out


def _section_words(n: int) -> str:
    """0 < n < 10000 -> words with 仟佰拾, one 零 per zero run inside."""
    units = ["仟", "佰", "拾", ""]
    digits = f"{n:04d}"
    out, zero = "", False
    for d, unit in zip(digits, units):
        if d == "0":
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += DIGITS[int(d)] + unit
    return out


def _integer_words(n: int) -> str:
    if n == 0:
        return "零"
    sections = []
    while n:
        n, sec = divmod(n, 10000)
        sections.append(sec)
    big = ["", "万", "亿", "万亿"]
    out = ""
    need_zero = False
    for i in range(len(sections) - 1, -1, -1):
        sec = sections[i]
        if sec == 0:
            need_zero = bool(out)
            continue
        if out and (need_zero or sec < 1000):
            out += "零"
        out += _section_words(sec) + big[i]
        need_zero = False
    return out


_UNIT_VALUES = {"拾": 10, "佰": 100, "仟": 1000}
_UPPER_RE = re.compile(r"[零壹贰叁肆伍陆柒捌玖拾佰仟万亿元圆角分整正]+")


def parse_uppercase(text: str) -> Decimal:
    """大写金额 -> Decimal. Tolerates 人民币/圆/正 and the optional 零s; raises ValueError."""
    text = text.strip().removeprefix("人民币").strip().replace("圆", "元").rstrip("整正")
    if not text or not _UPPER_RE.fullmatch(text + ("元" if "元" not in text and not text.endswith(("角", "分")) else "")):
        raise ValueError(f"not an uppercase amount: {text!r}")
    total = Decimal(0)
    yi = wan = section = 0
    digit = None
    integer_part, _, frac_part = text.partition("元")
    if "元" not in text and ("角" in text or "分" in text):
        integer_part, frac_part = "", text
    for ch in integer_part:
        if ch in DIGITS:
            digit = DIGITS.index(ch)
        elif ch in _UNIT_VALUES:
            section += (1 if digit is None else digit) * _UNIT_VALUES[ch]
            digit = None
        elif ch == "万":
            wan = (section + (digit or 0)) * 10000
            section, digit = 0, None
        elif ch == "亿":
            yi = (wan + section + (digit or 0)) * 100000000
            wan = section = 0
            digit = None
        else:
            raise ValueError(f"unexpected {ch!r} in {text!r}")
    total = Decimal(yi + wan + section + (digit or 0))
    digit = None
    for ch in frac_part:
        if ch in DIGITS:
            digit = DIGITS.index(ch)
        elif ch == "角":
            total += Decimal(digit or 0) / 10
            digit = None
        elif ch == "分":
            total += Decimal(digit or 0) / 100
            digit = None
        else:
            raise ValueError(f"unexpected {ch!r} in {text!r}")
    return total.quantize(FEN)
