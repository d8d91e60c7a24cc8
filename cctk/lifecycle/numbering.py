"""Filing numbers (备案号): scope, sequential numbers per year, deadline, canonical content hash.

The number pattern comes from cctk.yaml ``filing_number_format`` (e.g. "罗财合备〔{year}〕{seq}号").
Numbers are unique and sequential per filing year; two branches that filed at once are caught by the
server hook (duplicate number) and fixed with ``cctk file --renumber``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

from cctk.lifecycle.create import code_regex
from cctk.model import Contract
from cctk.model.workdays import add_workdays, workday_info

DEFAULT_MIN_AMOUNT = Decimal("50000")
DEFAULT_DEADLINE = 7


def _filing_policy(policy: dict) -> dict:
    return (policy.get("thresholds") or {}).get("filing") or {}


def min_amount(policy: dict) -> Decimal:
    value = _filing_policy(policy).get("min_amount")
    return Decimal(str(value)) if value is not None else DEFAULT_MIN_AMOUNT


def in_scope(contract: Contract, policy: dict) -> bool:
    """Filing scope: 50,000 yuan or more (setting), or any key-supervision contract."""
    from cctk.lifecycle.workflow import is_key_supervision
    return contract.amount >= min_amount(policy) or is_key_supervision(contract, policy)


def deadline(signed: dt.date, policy: dict) -> tuple[dt.date, str]:
    """The last day to file (N working days after signing, 政府采购法 art. 47) and the calendar used."""
    days = int(_filing_policy(policy).get("deadline_workdays", DEFAULT_DEADLINE))
    due = add_workdays(signed, days)
    return due, workday_info(due)[1]


def number_seq(fmt: str, year: int, number: str) -> int | None:
    m = code_regex(fmt, year).match(number or "")
    return int(m.group(1)) if m and m.groups() else None


def next_number(fmt: str, year: int, existing: list[str]) -> str:
    rx = code_regex(fmt, year)      # one pattern for all: 50,000 numbers are in use at 100k contracts
    seqs = [int(m.group(1)) for n in existing if (m := rx.match(n or "")) and m.groups()]
    return fmt.format(year=year, seq=max(seqs, default=0) + 1)


def numbers_in_use(contracts: list[Contract], exclude: str | None = None) -> dict[str, str]:
    """filing number -> contract code, for every filed contract (but ``exclude``)."""
    return {c.filing.number: c.code for c in contracts
            if c.filing and c.filing.number and c.code != exclude}


def duplicates(contracts: list[Contract]) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {}
    for c in contracts:
        if c.filing and c.filing.number:
            seen.setdefault(c.filing.number, []).append(c.code)
    return {n: sorted(codes) for n, codes in seen.items() if len(codes) > 1}


def _plain(value):
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")      # "86500.00" and "86500" are the same price
    if isinstance(value, (dt.date,)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "__slots__"):
        return {k: _plain(getattr(value, k)) for k in value.__slots__}
    return value


def canonical_content(contract: Contract) -> bytes:
    """The signed content as canonical JSON (sorted keys, amounts to the fen): what filing hashes.

    Exactly the fields frozen at signing, so a record gaining later-stage entries keeps its hash,
    while any change to parties, price, terms or text changes it.
    """
    from cctk.lifecycle.edit import FROZEN
    data = {name: _plain(getattr(contract, name)) for name in FROZEN}
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def content_sha256(contract: Contract) -> str:
    return hashlib.sha256(canonical_content(contract)).hexdigest()
