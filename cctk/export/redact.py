"""Personal data redaction for public disclosure: individuals' ID numbers (GB 11643, checked with
python-stdnum so credit codes and amounts are not hit), mobile and landline phone numbers, bank account
numbers, and home addresses after their labels (住址、家庭住址、住所、家庭地址). Hand-written regexes: no
maintained library knows Chinese personal-data formats; each pattern is tested in tests/test_publish.py."""

from __future__ import annotations

import re

from stdnum.cn import ric, uscc

MASK = "〔已隐去〕"
# Each pattern starts with a character (not a look-behind) so the regex engine can skip ahead to candidate
# positions: 2–7× faster over a 100-MB register; the look-behind follows the first character instead.
_ID = re.compile(r"(\d(?<![0-9A-Za-z]\d)\d{16}[\dXx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
_LANDLINE = re.compile(r"0(?<!\d0)\d{2,3}[- ]\d{7,8}(?!\d)|\((?<![\d-]\()0\d{2,3}\)\s?\d{7,8}(?!\d)")
_BANK_LABELLED = re.compile(r"((?:银行)?(?:账号|帐号|账户|帐户|卡号|account(?: number)?)[:：\s]*)([\d][\d -]{7,30}\d)", re.I)
_LONG_DIGITS = re.compile(r"(?<![0-9A-Za-z.])\d{16,19}(?![0-9A-Za-z.])")
_ADDRESS = re.compile(r"((?:家庭住址|家庭地址|住址|住所|居住地)[:：]\s*)([^\n，。；;|]+)")


def _id(m: re.Match) -> str:
    return MASK if ric.is_valid(m.group(1)) else m.group(0)


def redact(text: str | None) -> str:
    if not text:
        return text or ""
    text = _ID.sub(_id, text)
    text = _BANK_LABELLED.sub(lambda m: m.group(1) + MASK, text)
    text = _ADDRESS.sub(lambda m: m.group(1) + MASK, text)
    text = _MOBILE.sub(MASK, text)
    text = _LANDLINE.sub(MASK, text)
    text = _LONG_DIGITS.sub(lambda m: m.group(0) if len(m.group(0)) == 18 and uscc.is_valid(m.group(0)) else MASK, text)
    return text
