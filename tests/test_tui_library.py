"""Library additions the terminal UI needs, tested at the library level (no Textual):
cctk.lifecycle.actions.plan (dry run), cctk.payments.next_due, supplier_record(listings=),
cctk.lifecycle.trail.history(snap=)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cctk.lifecycle import actions as A
from cctk.lifecycle import trail
from cctk.lifecycle.workflow import Refused
from cctk.payments import InstalmentState, next_due
from cctk.store.loader import load
from cctk.suppliers import effective_listings, supplier_record
from test_lifecycle_util import git, make_repo, new_contract, state, to_signed


@pytest.fixture
def repo(tmp_path):
    return make_repo(tmp_path / "r")


def test_plan_shows_the_diff_and_writes_nothing(repo):
    code = new_contract(repo)
    before = state(repo)
    p = A.plan("submit", repo, code, person="wang.fang", on="2026-11-03")
    assert state(repo) == before                                   # no commit, no file touched
    assert p.commit == "" and p.status == "review"
    assert ("status", "drafting", "review") in p.changes
    assert ("dates.submitted", None, "2026-11-03") in p.changes
    assert p.files == [f"contracts/2026/{code}/contract.md"]
    assert p.trailers == {"Cctk-Action": "submit", "Cctk-Contract": code}
    assert p.author == "王芳 <wang.fang@luohu.example>"
    # the real verb records exactly what the plan showed
    r = A.submit(repo, code, person="wang.fang", on="2026-11-03")
    assert r.commit and r.changes == p.changes and r.subject == p.subject
    assert git(repo, "log", "-1", "--format=%s") == p.subject


def test_plan_refuses_like_the_verb(repo):
    code = new_contract(repo)
    before = state(repo)
    with pytest.raises(Refused):
        A.plan("archive", repo, code, person="li.qiang")           # a draft cannot be archived
    with pytest.raises(Refused):
        A.plan("submit", repo, code, person="liu.yang")            # finance may not submit
    assert state(repo) == before
    with pytest.raises(ValueError):
        A.plan("explode", repo, code)


def test_plan_of_a_payment_lists_the_new_entry(repo):
    code = new_contract(repo)
    to_signed(repo, code)
    A.file(repo, code, on="2026-11-13", person="liu.yang")
    before = state(repo)
    p = A.plan("pay", repo, code, "25950.00", "2026-11-20", instalment="1", person="liu.yang")
    assert state(repo) == before
    assert p.changes == [("payments", None, [{"on": "2026-11-20", "amount": "25950.00", "instalment": "1",
                                              "by": "liu.yang"}])]


def _state(id_, due, value, paid, status):
    return InstalmentState(code="C", unit="U", clerk=None, supplier="S", supplier_name="s", sme=True, id=id_,
                           trigger="date", days=0, value=Decimal(value), trigger_date=due, deemed=False, due=due,
                           paid=Decimal(paid), paid_on=None, outstanding=Decimal(value) - Decimal(paid),
                           status=status, days_late=0, interest=Decimal(0))


def test_next_due_is_the_earliest_unpaid_due_date():
    d = dt.date
    states = [_state("1", d(2024, 1, 10), "100", "100", "paid"),         # paid: not a deadline
              _state("2", d(2024, 5, 6), "100", "40", "overdue"),        # partly paid and late
              _state("3", d(2024, 3, 1), "100", "100", "paid-late"),
              _state("4", None, "100", "0", "pending"),                  # trigger not happened: no date
              _state("5", d(2024, 7, 1), "100", "0", "due")]
    assert next_due(states) == d(2024, 5, 6)
    assert next_due(states[:1] + states[3:4]) is None
    assert next_due([]) is None


def test_supplier_record_uses_listings_given(tmp_path):
    from tui.testing import make_repo as make_tui_repo, supplier_list
    root = make_tui_repo(tmp_path / "s", 12)
    snap = load(root, use_cache=False)
    black = supplier_list()[1][0]                                    # listed black in the generated data
    day = dt.date(2024, 6, 15)
    computed = supplier_record(snap, black, day)
    assert computed["black_now"] is True
    given = supplier_record(snap, black, day, listings=effective_listings(snap, day))
    assert given == computed
    assert supplier_record(snap, black, day, listings=[])["black_now"] is False


def test_history_with_a_loaded_snapshot_matches(repo):
    code = new_contract(repo)
    A.submit(repo, code, person="wang.fang")
    snap = load(repo)
    plain = trail.history(repo, code)
    given = trail.history(repo, code, snap=snap)
    assert [(e.commit.oid, e.action, e.changes) for e in given] == [(e.commit.oid, e.action, e.changes) for e in plain]
    assert given[-1].action == "submit" and ("status", "drafting", "review") in given[-1].changes
