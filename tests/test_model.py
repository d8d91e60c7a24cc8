import datetime as dt
from decimal import Decimal

import pytest

from cctk.model.ids import credit_code_problem, make_credit_code
from cctk.model.money import AmountError, parse_amount, parse_uppercase, to_uppercase
from cctk.model.workdays import add_workdays, workday_info


@pytest.mark.parametrize("value,words", [
    ("6007.14", "陆仟零柒元壹角肆分"), ("100", "壹佰元整"), ("10", "壹拾元整"), ("100000", "壹拾万元整"),
    ("1000001", "壹佰万零壹元整"), ("100000000.05", "壹亿元零伍分"), ("0.30", "叁角"),
    ("86500", "捌万陆仟伍佰元整"), ("12345678.90", "壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角"),
])
def test_uppercase_both_ways(value, words):
    assert to_uppercase(Decimal(value)) == words
    assert parse_uppercase(words) == Decimal(value)
    assert parse_uppercase("人民币" + words) == Decimal(value)


def test_uppercase_optional_zero_accepted():
    assert parse_uppercase("陆仟柒元壹角肆分") == Decimal("6007.14")
    assert parse_uppercase("壹佰元正") == Decimal("100")


@pytest.mark.parametrize("value,reason", [
    (1234.5, "amount.float"), ("-5", "amount.negative"), ("NaN", "amount.nan"), ("12.345", "amount.precision"),
    ("abc", "amount.syntax"), (True, "amount.type"), (None, "amount.type"),
])
def test_bad_amounts(value, reason):
    with pytest.raises(AmountError) as exc:
        parse_amount(value)
    assert exc.value.reason == reason


def test_amounts_are_exact():
    assert parse_amount("0.10") + parse_amount("0.20") == Decimal("0.30")
    assert parse_amount("1,234,567.8") == Decimal("1234567.80")
    assert parse_amount(50000) == Decimal("50000.00")


@pytest.mark.parametrize("code", ["91110000600037341L", "914403001922038216", "91440303MA5F0A1B22",
                                  "N2440303MA5FXK9T0R", "12440303455789012X"])
def test_valid_credit_codes(code):
    assert credit_code_problem(code) is None


def test_letter_led_credit_code_generated_is_valid():
    code = make_credit_code("Y1440303MA5F0000" + "1")
    assert code[0] == "Y" and credit_code_problem(code) is None


@pytest.mark.parametrize("code,problem", [("91110000600037341X", "creditcode.check"), ("9111000060003734", "creditcode.length"),
                                          ("91110000600O37341L", "creditcode.charset"), (123, "creditcode.type")])
def test_invalid_credit_codes(code, problem):
    assert credit_code_problem(code) == problem


def test_working_days_know_make_up_days():
    # National Day 2019: Sun 29 Sep was a make-up working day, 1–7 Oct holidays, Sat 12 Oct a make-up day.
    assert add_workdays(dt.date(2019, 9, 27), 7) == dt.date(2019, 10, 12)
    assert workday_info(dt.date(2019, 9, 29)) == (True, "chinesecalendar")
    assert workday_info(dt.date(2019, 10, 3))[0] is False


def test_working_days_fall_back_beyond_chinesecalendar():
    is_work, source = workday_info(dt.date(2031, 1, 1))
    assert source == "holidays" and is_work is False
