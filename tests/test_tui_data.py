"""The UI's pure data shaping: index filtering/sorting, dashboard numbers, payments, cells."""

import datetime as dt
from decimal import Decimal

import pytest

from cctk.store.loader import load
from tui.data import dashboard, detail
from tui.data.index import Index, Query
from tui.data.repo import build
from tui.testing import make_repo
from tui.widgets.cells import fit

TODAY = dt.date(2024, 6, 15)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = make_repo(tmp_path_factory.mktemp("repo") / "r", 40)
    return build(load(root, use_cache=False), today=TODAY)


def test_rows_cover_every_contract(data):
    assert len(data.index.rows) == 40
    assert {r.code for r in data.index.rows} == {c.code for c in data.snapshot.contracts}


def test_text_filter_matches_chinese_substrings_and_codes(data):
    ix = data.index
    view = ix.apply(Query(text="教育局"))
    assert view and all("教育局" in ix.rows[i].search for i in view)
    assert len(ix.apply(Query(text="lhht-2024-000003"))) == 1
    # narrowing reuses the last result and gives the same answer as a fresh scan
    a = list(ix.apply(Query(text="物业")))
    b = list(ix.apply(Query(text="物业管理")))
    fresh = Index(ix.rows).apply(Query(text="物业管理"))
    assert set(b) <= set(a) and b == fresh


def test_supplier_name_and_terms(data):
    ix = data.index
    name = ix.rows[0].supplier_name
    assert all(ix.rows[i].supplier_name == name for i in ix.apply(Query(text=name)))
    both = ix.apply(Query(text="物业 罗湖区"))
    assert all("物业" in ix.rows[i].search and "罗湖区" in ix.rows[i].search for i in both)


def test_facets_and_sorting(data):
    ix = data.index
    view = ix.apply(Query(facets={"stage": "performing"}, sort="amount"))
    amounts = [ix.rows[i].amount for i in view]
    assert view and all(ix.rows[i].stage == "performing" for i in view)
    assert amounts == sorted(amounts)
    rev = ix.apply(Query(facets={"stage": "performing"}, sort="amount", reverse=True))
    assert [ix.rows[i].amount for i in rev] == sorted(amounts, reverse=True)
    units = ix.apply(Query(facets={"unit": "LH002", "year": 2024}))
    assert all(ix.rows[i].unit == "LH002" and ix.rows[i].year == 2024 for i in units)
    with_findings = ix.apply(Query(facets={"findings": True}))
    assert all(ix.rows[i].findings > 0 for i in with_findings)


def test_dashboard_numbers_match_their_lists(data):
    snap = data.snapshot
    board = dashboard.build(snap.contracts, data.index.rows, snap.suppliers, TODAY)
    assert sum(i.count for i in board.by_stage) == 40
    assert board.total.amount == sum(c.amount for c in snap.contracts)
    for item in board.by_stage + [board.overdue, board.blacklisted]:
        assert len(data.index.apply(Query(facets=item.facets))) == item.count
    # the black-listed supplier (index 1) has live contracts in the generated data
    black = [s for s in snap.suppliers.values() if dashboard.active_listing(s, "black", TODAY)]
    assert len(black) == 1
    live = [c for c in snap.contracts if c.supplier == black[0].credit_code and c.status in ("signed", "performing")]
    assert board.blacklisted.count == len(live) > 0


def test_payments_view_marks_overdue(data):
    c = next(c for c in data.snapshot.contracts if c.status == "performing" and not c.payments)
    view = detail.payments(c, TODAY)
    first = view.instalments[0]
    assert first.due == c.dates["signed"] + dt.timedelta(days=10)
    assert first.overdue is (first.due < TODAY)
    assert view.paid == Decimal(0) and view.ratio == 0.0
    paid = next(c for c in data.snapshot.contracts if c.payments)
    assert detail.payments(paid, TODAY).instalments[0].ratio == pytest.approx(1.0, abs=0.01)


def test_clause_for_line(data):
    c = data.snapshot.contracts[0]
    line = c.body_line + c.body.splitlines().index("## 第二条 合同金额") + 2
    assert detail.clause_for_line(c, line) == "第二条 合同金额"


def test_history_from_git(data):
    c = data.snapshot.contracts[0]
    events = detail.history(data.snapshot.root, c.code, c.path)
    assert len(events) == 1 and events[0].subject == "Initial records"


def test_fit_counts_cjk_as_two_cells():
    assert fit("合同", 6) == "合同  "
    assert fit("罗湖区政府", 6) == "罗湖 …"   # a wide character never splits; the cell count holds
    assert fit("12", 5, right=True) == "   12"
