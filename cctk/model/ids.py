"""Identifiers: the unified social credit code (统一社会信用代码, GB 32100-2015)."""

from __future__ import annotations


def _uscc():
    # Imported on first use: python-stdnum's util module imports ssl (tens of ms on every lifecycle verb).
    from stdnum.cn import uscc
    return uscc

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
AUTHORITIES = "123456789ANY"


def credit_code_problem(code: object) -> str | None:
    """None when ``code`` is a valid credit code, else a catalog key naming the problem.

    The check character is computed by python-stdnum; its ``validate`` is not used
    because it rejects valid codes whose first 8 characters are not all digits
    (registering authorities A, N and Y), which real suppliers have.
    """
    if not isinstance(code, str):
        return "creditcode.type"
    if len(code) == 18 and code[0] in AUTHORITIES and all(c in ALPHABET for c in code):
        # Already compact (python-stdnum maps none of these characters): checked here, without
        # importing python-stdnum (17 ms of every lifecycle verb, for the record's one credit code).
        return None if code[-1] == _check_char(code[:17]) else "creditcode.check"
    uscc = _uscc()
    code = uscc.compact(code)
    if len(code) != 18:
        return "creditcode.length"
    if code[0] not in AUTHORITIES or any(c not in ALPHABET for c in code):
        return "creditcode.charset"
    if code[-1] != uscc.calc_check_digit(code[:17]):
        return "creditcode.check"
    return None


_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)   # GB 32100-2015, as stdnum


def _check_char(first17: str) -> str:
    return ALPHABET[(31 - sum(ALPHABET.index(c) * w for c, w in zip(first17, _WEIGHTS))) % 31]


def make_credit_code(first17: str) -> str:
    """Append the check character (used by the demo generator and tests)."""
    return first17 + _uscc().calc_check_digit(first17)
