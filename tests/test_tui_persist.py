"""The TUI's persisted index (tui.data.persist): stored columns give the same rows as the facts load,
a changed or added or removed contract is patched in, a parser/format change starts afresh."""

import asyncio
import dataclasses
import datetime as dt
import subprocess
import threading

import pytest

from cctk import i18n
from cctk.store import loader
from cctk.store.loader import load
from tui.data import persist
from tui.data.repo import build_indexed, build_light, load_indexed, load_light
from tui.testing import make_repo

TODAY = dt.date(2024, 6, 15)
FIELDS = [f.name for f in dataclasses.fields(__import__("tui.data.index", fromlist=["Row"]).Row)]


def rows_of(data):
    return [tuple(getattr(r, f) for f in FIELDS) for r in data.index.rows]


@pytest.fixture()
def repo(tmp_path, monkeypatch):
    monkeypatch.setenv("CCTK_CACHE_DIR", str(tmp_path / "cache"))
    return make_repo(tmp_path / "r", 30)


def test_built_then_stored_rows_equal_the_facts_rows(repo):
    light = build_light(load_light(repo), today=TODAY)
    snap, cols, how = load_indexed(repo)
    assert how == "built"
    built = build_indexed(snap, cols, today=TODAY, source=how)
    snap2, cols2, how2 = load_indexed(repo)
    assert how2 == "stored" and cols2 == cols
    stored = build_indexed(snap2, cols2, today=TODAY, source=how2)
    assert rows_of(built) == rows_of(light) == rows_of(stored)
    assert len(stored.index.rows) == 30 and stored.paths == light.paths and not stored.complete
    assert any(r.filed for r in stored.index.rows)          # the dashboard's filings of the month
    code = stored.index.rows[4].code                        # one full record read on demand
    assert stored.contract(code) == load(repo).contract(code)


def test_an_edited_added_and_removed_contract_are_patched_in(repo):
    """Patched from the cache (an edit loaded since) and by parsing (files never loaded)."""
    load_indexed(repo)
    snap = load(repo)
    first, second = snap.contracts[0], snap.contracts[1]
    p = repo / first.path
    p.write_text(p.read_text("utf-8").replace(first.title, "修改后的标题", 1), "utf-8")
    load_light(repo)            # the edited record is now in the cache: patched from its facts there
    (repo / second.path).unlink()
    src = repo / snap.contracts[2].path
    new = repo / "contracts" / "2024" / "LHHT-2024-009999"
    new.mkdir(parents=True)
    (new / "contract.md").write_text(src.read_text("utf-8").replace(snap.contracts[2].code, "LHHT-2024-009999"),
                                     "utf-8")
    bad = repo / "contracts" / "2024" / "LHHT-2024-009998"
    bad.mkdir(parents=True)
    (bad / "contract.md").write_text("---\ncode: [unclosed\n---\n", "utf-8")

    snap2, cols, how = load_indexed(repo)
    assert how == "patched"
    patched = build_indexed(snap2, cols, today=TODAY, source=how)
    light = build_light(load_light(repo), today=TODAY)
    assert rows_of(patched) == rows_of(light)
    by_code = {r.code: r for r in patched.index.rows}
    assert by_code[first.code].title == "修改后的标题" and second.code not in by_code and "LHHT-2024-009999" in by_code
    # the broken file gives no row but its diagnostics, as the facts load does
    bad_path = "contracts/2024/LHHT-2024-009998/contract.md"
    assert {d.code for d in patched.diagnostics if d.path == bad_path} == \
        {d.code for d in light.diagnostics if d.path == bad_path} != set()
    assert bad_path in cols.rowless
    # unchanged since: a hit that keeps the broken file's diagnostics
    snap3, cols3, how3 = load_indexed(repo)
    assert how3 == "stored" and cols3.diags.get(bad_path) == cols.diags[bad_path]


def test_another_version_is_not_read(repo, monkeypatch):
    load_indexed(repo)
    monkeypatch.setattr(persist, "FORMAT", persist.FORMAT + 100)
    assert load_indexed(repo)[2] == "built"
    assert load_indexed(repo)[2] == "stored"


def test_too_many_changes_fall_back_to_the_facts_load(repo, monkeypatch):
    load_indexed(repo)
    snap = load(repo)
    for c in snap.contracts[:3]:
        p = repo / c.path
        p.write_text(p.read_text("utf-8").replace(c.title, c.title + "（变更）", 1), "utf-8")
    monkeypatch.setattr(persist, "PATCH_MAX", 2)
    snap2, cols, how = load_indexed(repo)
    assert how == "built"
    assert rows_of(build_indexed(snap2, cols, today=TODAY)) == rows_of(build_light(load_light(repo), today=TODAY))


def test_a_commit_changes_nothing_the_index_sees(repo):
    """Committing a work-tree edit changes no blob id: the entry written for the edit is a hit."""
    snap = load(repo)
    c = snap.contracts[0]
    p = repo / c.path
    p.write_text(p.read_text("utf-8").replace(c.title, "新标题", 1), "utf-8")
    assert load_indexed(repo)[2] == "built"
    subprocess.run(["git", "-C", str(repo), "commit", "-qam", "edit"], check=True)
    assert load_indexed(repo)[2] == "stored"


async def _until(pilot, condition, seconds=20.0):
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    app = pilot.app
    state = app.data and (app.data.loading, app.data.verified, app.data.source)
    raise AssertionError(f"timed out: screen {type(app.screen).__name__}, data {state}, "
                         f"notifications {[n.message for n in app._notifications]}")


def _gated_listing(monkeypatch):
    """Hold the listing (``load(contracts="lazy")``) until the test opens the gate."""
    gate = threading.Event()
    real = loader.load

    def gated(root, *args, **kwargs):
        if kwargs.get("contracts") == "lazy":
            gate.wait(30)
        return real(root, *args, **kwargs)
    monkeypatch.setattr(loader, "load", gated)
    return gate


def test_stored_rows_are_shown_before_the_listing_and_confirmed_in_place(repo, monkeypatch):
    """The first screen shows the rows as last stored, marked as being checked; Enter waits for the
    listing; the same digest confirms the very same rows, and the contract opens."""
    from tui.app import make_app

    load_indexed(repo)
    i18n.set_lang("zh")
    registers = load(repo, contracts="registers")              # as python -m tui reads them
    gate = _gated_listing(monkeypatch)

    async def run():
        app = make_app(repo, lang="zh", today=TODAY, person="wang.fang", start="contracts", registers=registers)
        async with app.run_test(size=(130, 40)) as pilot:
            await _until(pilot, lambda: app.data is not None and not app.data.loading)
            data = app.data
            assert data.source == "stored" and not data.verified and len(data.index.rows) == 30
            assert type(app.screen).__name__ == "ContractsScreen"
            await pilot.pause()
            assert "正在检查仓库是否有变更" in str(app.screen.query_one("#count").content)
            code = data.index.rows[2].code
            app.open_contract(code)
            await pilot.pause()
            assert type(app.screen).__name__ == "ContractsScreen"        # waits for the listing
            gate.set()
            await _until(pilot, lambda: type(app.screen).__name__ == "DetailScreen")
            assert app.data is data and data.verified and app.screen.code == code
            assert data.paths[code] == load(repo).contract(code).path
            await app.workers.wait_for_complete()
    asyncio.run(run())


def test_the_footer_shows_f4_f5_once_the_rows_are_verified(repo, monkeypatch):
    """F4/F5 wait for the listing (check_action): the footer shown is told when they are enabled, not left
    without them until the next bindings signal (which used to come with the first opened contract)."""
    from tui.app import make_app
    from tui.widgets.keys import KeyFooter

    load_indexed(repo)
    i18n.set_lang("zh")
    registers = load(repo, contracts="registers")
    gate = _gated_listing(monkeypatch)

    def keys(app) -> set[str]:
        return {key for (key, *_rest) in app.screen.query_one(KeyFooter)._shown or ()}

    async def run():
        app = make_app(repo, lang="zh", today=TODAY, person="wang.fang", start="contracts", registers=registers)
        async with app.run_test(size=(130, 40)) as pilot:
            await _until(pilot, lambda: app.data is not None and not app.data.loading)
            await pilot.pause()
            assert "f3" in keys(app) and "f4" not in keys(app)
            gate.set()
            await _until(pilot, lambda: app.data.verified)
            await pilot.pause()
            assert {"f4", "f5"} <= keys(app)
            assert app._detail is not None                   # the detail screen is built meanwhile
            await app.workers.wait_for_complete()
    asyncio.run(run())


def test_stored_rows_of_an_older_state_are_replaced_by_the_patched_rows(repo, monkeypatch):
    from tui.app import make_app

    load_indexed(repo)
    c = load(repo).contracts[0]
    p = repo / c.path
    p.write_text(p.read_text("utf-8").replace(c.title, "变更后的标题", 1), "utf-8")
    i18n.set_lang("zh")
    gate = _gated_listing(monkeypatch)

    async def run():
        app = make_app(repo, lang="zh", today=TODAY, person="wang.fang", start="contracts")
        async with app.run_test(size=(130, 40)) as pilot:
            await _until(pilot, lambda: app.data is not None and not app.data.loading)
            stale = app.data
            assert not stale.verified and {r.code: r.title for r in stale.index.rows}[c.code] == c.title
            gate.set()
            await _until(pilot, lambda: app.data is not stale)
            await pilot.pause()
            fresh = app.data
            assert fresh.verified and fresh.source == "patched"
            assert {r.code: r.title for r in fresh.index.rows}[c.code] == "变更后的标题"
            assert app.screen.query_one("#table").index is fresh.index           # the table shows them
            await app.workers.wait_for_complete()
    asyncio.run(run())
    assert load_indexed(repo)[2] == "stored"          # the patched columns were stored after being shown
