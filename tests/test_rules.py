"""The rule book: one failing and one passing fixture per rule (tests/fixtures/rules/CCnnn.yaml),
documentation complete and quoted verbatim, generated docs current, splitting not quadratic."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import time
from decimal import Decimal
from importlib import resources

import pytest

from cctk.model import Contract, Party, Severity
from cctk.rules import REGISTRY, builtin_rules, run
from cctk.rules.base import Context
from cctk.rules.patterns import ContractSplitting
from cctk.rules.settings import defaults
from cctk.store.loader import load
from tests.rules_helpers import AS_OF, FIXTURES, ROOT, base_record, cases, make_repo, patch

CASES = cases()


def _records(case):
    base = base_record()
    return [patch(base, c) for c in case["contracts"]]


@pytest.mark.parametrize("code,kind,index,case", CASES, ids=[f"{c}-{k}-{i}" for c, k, i, _ in CASES])
def test_fixture(tmp_path, code, kind, index, case):
    settings = case.get("settings")
    repo = make_repo(tmp_path / "r", _records(case), supplier=case.get("supplier"),
                     rules_yaml=settings if settings else None, inspections=case.get("inspections"))
    snap = load(repo, use_cache=False)
    assert not [d for d in snap.diagnostics if d.severity == Severity.ERROR], "fixture records must be valid"
    as_of = dt.date.fromisoformat(case.get("as_of", AS_OF))
    result = run(snap, as_of=as_of, select=[code], use_cache=False)
    found = [d for d in result.diagnostics if d.code == code]
    if kind == "failing":
        assert found, f"{code} should fire"
        d = found[0]
        assert d.line and d.line > 1 and d.path.endswith("contract.md")
        assert d.severity == REGISTRY[code].severity
        assert "{" not in d.text("en") and "{" not in d.text("zh")
    else:
        assert not found, [d.text("en") for d in found]


def test_base_record_is_clean(tmp_path):
    repo = make_repo(tmp_path / "r", [base_record()])
    result = run(load(repo, use_cache=False), as_of=dt.date.fromisoformat(AS_OF), use_cache=False)
    assert result.diagnostics == []


def test_every_rule_has_failing_and_passing_fixtures():
    kinds = {}
    for code, kind, _, _ in CASES:
        kinds.setdefault(code, set()).add(kind)
    for code in REGISTRY:
        assert kinds.get(code) == {"failing", "passing"}, code


def test_rules_are_documented_in_both_languages():
    slugs = set()
    for r in builtin_rules():
        assert re.fullmatch(r"CC[1-8]\d\d", r.code) and re.fullmatch(r"[a-z0-9-]+", r.slug)
        assert r.slug not in slugs
        slugs.add(r.slug)
        assert all(r.summary) and all(r.fix) and r.messages
        assert re.search(r"[\u4e00-\u9fff]", r.summary[1])
        for en, zh in r.messages.values():
            assert re.findall(r"\{(\w+)\}", en) and set(re.findall(r"\{(\w+)\}", en)) == set(re.findall(r"\{(\w+)\}", zh))
        doc = r.doc
        assert doc and doc.what and doc.why and doc.fix and doc.failing and doc.passing and doc.legal
        for s in doc.settings:
            node = defaults()
            for part in s.split("."):
                node = node[part]


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text).replace(":", "：")


def test_legal_quotes_are_verbatim():
    laws = resources.files("cctk").joinpath("data/laws")
    checked = 0
    for r in builtin_rules():
        for q in r.doc.legal:
            if q.summary:
                continue
            text = _norm(laws.joinpath(q.file).read_text("utf-8"))
            assert _norm(q.text) in text, (r.code, q.article)
            assert _norm(q.article) in text
            checked += 1
    assert checked >= 15


def test_docs_are_generated_and_current():
    proc = subprocess.run([sys.executable, "scripts/gen_rules_doc.py", "--check"], cwd=ROOT, capture_output=True)
    assert proc.returncode == 0, proc.stderr.decode()
    text = (ROOT / "docs" / "rules.md").read_text("utf-8")
    for r in builtin_rules():
        assert f"## {r.code} {r.slug}" in text


def _contract(i: int, day: dt.date, amount: str) -> Contract:
    return Contract(code=f"LHHT-2024-{i:06d}", title="t", category="goods", unit=f"LH{i % 3}",
                    counterparty=Party(name="s", credit_code=f"S{i % 7}"), amount=Decimal(amount), status="performing",
                    dates={"signed": day})


def test_splitting_sweep_is_not_quadratic():
    """40,000 near-threshold contracts in 21 groups: a quadratic pass would take minutes."""
    start = dt.date(2020, 1, 1)
    contracts = [_contract(i, start + dt.timedelta(days=i // 20), "45000") for i in range(40000)]
    ctx = Context(settings=defaults(), as_of=dt.date(2024, 1, 1))
    t0 = time.perf_counter()
    found = list(ContractSplitting().check_all(contracts, ctx))
    elapsed = time.perf_counter() - t0
    assert len(found) == 40000        # every one sits in a window with a neighbour
    assert elapsed < 5, elapsed


def test_splitting_reports_each_contract_once_with_the_others():
    day = dt.date(2024, 3, 1)
    contracts = [_contract(i * 21, day + dt.timedelta(days=i * 10), "45000") for i in range(3)]
    found = list(ContractSplitting().check_all(contracts, Context(settings=defaults(), as_of=day)))
    assert sorted(f.contract.code for f in found) == sorted(c.code for c in contracts)
    assert all(len(f.related) == 2 for f in found)
