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


def test_dashboard_numbers_match_their_lists_and_the_alerts(data):
    from cctk.suppliers import listed

    snap = data.snapshot
    board = dashboard.build(snap.contracts, data.index.rows, data.alerts, TODAY)
    assert sum(i.count for i in board.by_stage) == 40
    assert board.total.amount == sum(c.amount for c in snap.contracts)
    for item in board.by_stage + [board.overdue, board.blacklisted, board.alerted]:
        assert len(data.index.apply(Query(facets=item.facets))) == item.count
    # the same alerts `cctk alerts` lists (cctk.supervision.alerts.compute)
    assert board.overdue.count == len({a.code for a in data.alerts if a.kind == "payment-overdue"}) > 0
    # black-listed: the recorded listing of supplier 1 and one derived from the failed inspection
    black = {l.supplier for l in listed(data.listings, "black", TODAY)}
    assert len(black) == 2 and any(l.source == "derived" for l in data.listings)
    live = {c.code for c in snap.contracts if c.supplier in black and c.status in ("signed", "performing", "accepted")}
    assert board.blacklisted.count == len(live) > 0


def test_rows_take_deadline_and_overdue_from_cctk_payments(data):
    from cctk.payments import next_due, schedule_state

    for r in data.index.rows:
        c = data.contract(r.code)
        states = data.states.get(r.code, [])
        assert r.deadline == next_due(states)
        assert r.overdue == any(s.status == "overdue" for s in states)
        if c.status == "drafting":
            assert r.deadline is None and not states
    overdue = {r.code for r in data.index.rows if r.overdue}
    alerted = {a.code for a in data.alerts if a.kind == "payment-overdue"}
    assert alerted <= overdue and overdue
    c = next(c for c in data.snapshot.contracts if c.code in alerted)
    assert [s.status for s in schedule_state(c, as_of=TODAY)] == [s.status for s in data.states[c.code]]


def test_payments_view_is_cctk_payments(data):
    from cctk.payments.schedule import next_workday

    c = next(c for c in data.snapshot.contracts if c.status == "performing" and not c.payments
             and c.dates["signed"] < TODAY - dt.timedelta(days=30))
    view = detail.payments(c, TODAY, data.settings)
    first = view.instalments[0]
    assert first.due == next_workday(c.dates["signed"] + dt.timedelta(days=10))    # 民法典 203: holiday shift
    assert first.overdue is (first.due < TODAY) and first.status == "overdue"
    assert first.days_late == (TODAY - first.due).days
    # SME interest, art. 17: 0.05% a day on the outstanding value, rounded once
    assert first.interest == (first.value * Decimal("0.0005") * first.days_late).quantize(Decimal("0.01"))
    assert view.paid == Decimal(0) and view.ratio == 0.0 and view.interest >= first.interest
    paid = next(c for c in data.snapshot.contracts if c.payments)
    assert detail.payments(paid, TODAY, data.settings).instalments[0].status in ("paid", "paid-late")


def test_inspections_view_shows_the_saved_sample(data):
    from tui.data import inspections

    v = inspections.view(data.snapshot.root, data.snapshot, 2024, data.inspections)
    assert v.saved and v.seed == "tui-testing" and v.verified is True
    assert all(r.why.startswith(("stratum:", "unit:")) for r in v.rows)
    assert [r.result for r in v.rows] == ["fail", "pass"][:len(v.rows)]
    assert v.report["failed"] == 1 and v.report["sample_done"] == len(v.rows)
    none = inspections.view(data.snapshot.root, data.snapshot, 2019, data.inspections)
    assert none.seed is None and not none.rows          # no sample, no filing commit to seed a draw


def test_review_findings_come_from_cctk_review(data):
    from cctk.review import review_contract

    c = data.snapshot.contracts[0]
    found = detail.review_findings(c, data.snapshot.root)
    assert [(f.code, f.line) for f in found] == [(f.code, f.line) for f in review_contract(c)]
    # the same findings reach the index through the rules engine's text-review hook (as `cctk check`)
    codes = {d.code for d in data.findings_by_code.get(c.code, []) if d.code.startswith("CR")}
    assert codes == {f.code for f in found}


def test_filing_verification_needs_a_filed_pdf(data):
    c = next(c for c in data.snapshot.contracts if c.filing)
    assert detail.verify_filing(data.snapshot.root, c) is None        # no filed.pdf in the generated data
    path = detail.filed_pdf(data.snapshot.root, c)
    path.write_bytes(b"not a pdf")
    try:
        valid, lines = detail.verify_filing(data.snapshot.root, c)
        assert valid is False and lines
    finally:
        path.unlink()


def test_clause_for_line(data):
    c = data.snapshot.contracts[0]
    line = c.body_line + c.body.splitlines().index("## 第二条 合同金额") + 2
    assert detail.clause_for_line(c, line) == "第二条 合同金额"


def test_history_from_the_trail(data):
    c = data.snapshot.contracts[0]
    events = detail.history(data.snapshot.root, c.code, data.snapshot)
    assert len(events) == 1 and events[0].subject == "Initial records"
    assert f"code: ∅ → {c.code}" in events[0].changes


def test_preview_lines_show_the_field_diff():
    from tui.actions import Preview

    p = Preview("pay", True, changes=[("payments", None, [{"on": "2024-06-15", "amount": "1.00"}]),
                                      ("status", "signed", "performing")],
                files=["contracts/2024/X/contract.md"], subject="付款 X", trailers={"Cctk-Action": "pay"}, author="A <a@x>")
    lines = [text for text, _ in p.lines()]
    assert lines[:3] == ["+ payments.0.on: 2024-06-15", "+ payments.0.amount: 1.00", "~ status: signed → performing"]
    assert "  Cctk-Action: pay" in lines and "  Author: A <a@x>" in lines


def test_columns_fit_80_cells_with_priorities():
    from tui.widgets.contract_table import column_widths

    for width in (80, 100, 120, 160):
        cols = column_widths(width)
        assert sum(cols.values()) + len(cols) - 1 == width
    assert list(column_widths(80)) == ["code", "title", "amount", "stage", "deadline", "findings"]
    assert list(column_widths(100)) == ["code", "title", "supplier", "amount", "stage", "deadline", "findings"]
    assert list(column_widths(120)) == list(__import__("tui.data.index", fromlist=["COLUMNS"]).COLUMNS)


def test_fit_counts_cjk_as_two_cells():
    assert fit("合同", 6) == "合同  "
    assert fit("罗湖区政府", 6) == "罗湖 …"   # a wide character never splits; the cell count holds
    assert fit("12", 5, right=True) == "   12"


def test_light_rows_equal_the_full_rows_and_records_are_read_one_at_a_time(data):
    """The first screen's rows (facts or summary rows from the cache, no full record decoded) show
    the same columns as rows built from full records; a full record is read per contract on demand."""
    from tui.data.repo import build_light, load_light

    light = build_light(load_light(data.snapshot.root), today=data.today)
    assert not light.complete and not light.by_code
    cols = ("code", "title", "unit", "unit_name", "supplier", "supplier_name", "amount", "stage", "year",
            "category", "search")
    if light.snapshot.contracts:            # facts mode also carries key supervision
        cols += ("key",)
    shown = {r.code: tuple(getattr(r, c) for c in cols) for r in light.index.rows}
    assert shown == {r.code: tuple(getattr(r, c) for c in cols) for r in data.index.rows}
    code = data.index.rows[3].code
    assert light.contract(code) == data.contract(code)
    assert set(light._records) == {code}


def test_index_changed_drops_sort_orders_and_reapplies(data):
    from tui.data.repo import apply_extras, build_light, load_light

    light = build_light(load_light(data.snapshot.root), today=data.today)
    light.index.apply(Query(sort="findings"))
    apply_extras(light, {"findings": data.findings_by_code, "diagnostics": data.diagnostics,
                         "due": {c: (None, False) for c in data.states}, "alerts": data.alerts,
                         "listings": data.listings, "inspections": data.inspections, "feedback": data.feedback})
    order = [light.index.rows[i].findings for i in light.index.order]
    assert order == sorted(order) and light.extras
    assert {r.code: r.findings for r in light.index.rows} == {r.code: r.findings for r in data.index.rows}


def test_index_views_equal_a_plain_filter_and_sort_through_typing_sequences(data):
    """The fast paths (the scan's byte mask, narrowing from the last view, rank sorting of small sets,
    ``position`` by list.index) give what a plain filter and sort of the rows gives."""
    import random

    from tui.data.index import Index, facet_match

    index = Index(data.index.rows)
    rows = index.rows
    rng = random.Random(7)
    words = ["", "l", "lh", "lhht", "lhht-2023", "教", "教育", "教育局", "合", "合同", "服务", "有限公司", "lh00", "zz"]
    for step in range(200):
        text = rng.choice(words) + (" " + rng.choice(words) if rng.random() < 0.15 else "")
        facets = {"stage": rng.choice(sorted({r.stage for r in rows}))} if rng.random() < 0.2 else {}
        sort = rng.choice(["code", "title", "amount", "deadline", "findings"])
        query = Query(text=text, facets=facets, sort=sort, reverse=rng.random() < 0.3)
        got = [rows[i].code for i in index.apply(query)]
        terms = text.strip().lower().split()
        want = [r for r in rows if all(t in r.search for t in terms)
                and all(facet_match(r, f, v) for f, v in facets.items())]
        rank = {i: p for p, i in enumerate(index.sort_order(sort))}
        want_codes = [r.code for r in sorted(want, key=lambda r: rank[rows.index(r)])]
        if query.reverse:
            want_codes.reverse()
        assert got == want_codes, (step, query)
        if got:
            code = rng.choice(got)
            assert index.position(code) == got.index(code)
