"""Creating a contract (起草): assign the unified contract code, write the record, commit."""

from __future__ import annotations

import datetime as dt
import functools
import re
import shutil
from pathlib import Path

from cctk.model import Diagnostic, Severity
from cctk.store import gitio
from cctk.store.files import atomic_write, record_text
from cctk.store.records import diag, parse_contract


@functools.lru_cache(maxsize=64)
def code_regex(code_format: str, year: int) -> re.Pattern:
    """A regex with one group (the sequence) for codes of ``year`` made by ``code_format``."""
    out, pos = "", 0
    for m in re.finditer(r"\{(\w+)(?::[^}]*)?\}", code_format):
        out += re.escape(code_format[pos:m.start()])
        out += str(year) if m.group(1) == "year" else (r"(\d+)" if m.group(1) == "seq" else r"[^/]*?")
        pos = m.end()
    return re.compile("^" + out + re.escape(code_format[pos:]) + "$")


def next_code(code_format: str, year: int, existing: list[str]) -> str:
    rx = code_regex(code_format, year)
    seqs = [int(m.group(1)) for code in existing if (m := rx.match(code))]
    return code_format.format(year=year, seq=max(seqs, default=0) + 1)


def existing_codes(root: Path) -> list[str]:
    contracts = root / "contracts"
    if not contracts.is_dir():
        return []
    return [p.name for year in contracts.iterdir() if year.is_dir() for p in year.iterdir() if p.is_dir()]


def create(root: Path, config: dict, record: dict, body: str, *, today: dt.date | None = None,
           author: str | None = None, commit: bool = True, org=None, suppliers=None
           ) -> tuple[str | None, list[Diagnostic]]:
    """Write a new contract and commit it. Returns (path, diagnostics); nothing is written on errors."""
    today = today or dt.date.today()
    year = today.year
    code = next_code(config["code_format"], year, existing_codes(root))
    record = {"code": code, **{k: v for k, v in record.items() if k != "code"}}
    record.setdefault("status", "drafting")
    record.setdefault("dates", {}).setdefault("drafted", today.isoformat())
    rel = f"contracts/{year}/{code}/contract.md"
    text = record_text(record, body)
    contract, diags = parse_contract(rel, text.encode("utf-8"))
    if contract is not None:
        if org is not None and org.units and contract.unit not in org.units:
            diags.append(diag("ref.unit", rel, field="unit", value=contract.unit))
        if suppliers is not None and contract.counterparty.credit_code not in suppliers:
            diags.append(diag("ref.supplier", rel, field="counterparty.credit_code",
                              value=contract.counterparty.credit_code))
    if contract is None or any(d.severity == Severity.ERROR for d in diags):
        return None, diags
    target = root / rel
    created_dir = not target.parent.exists()
    atomic_write(target, text)
    if commit and gitio.is_git_repo(root):
        try:
            gitio.commit(root, [rel], f"起草合同 {code}：{record.get('title', '')}",
                         trailers={"Cctk-Action": "create", "Cctk-Contract": code}, author=author)
        except BaseException:
            target.unlink(missing_ok=True)
            if created_dir:
                shutil.rmtree(target.parent, ignore_errors=True)
            raise
    return rel, diags
