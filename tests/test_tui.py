"""Pilot tests: every screen and action of the terminal UI on a real generated repository."""

import datetime as dt
import os
import sys
import subprocess

import pytest

from cctk import i18n
from cctk.store.loader import load
from tui.app import make_app
from tui.data.repo import build
from tui.testing import make_repo

TODAY = dt.date(2024, 6, 15)


def sync(fn):
    """Run an async pilot test with asyncio (no async pytest plugin is needed)."""
    import asyncio
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return asyncio.run(fn(*args, **kwargs))
    return wrapper
SIZE = (130, 40)


@pytest.fixture(scope="module")
def base_repo(tmp_path_factory):
    return make_repo(tmp_path_factory.mktemp("tui") / "r", 24)


@pytest.fixture
def repo(base_repo, tmp_path, monkeypatch):
    """A private copy (actions commit to it) of one generated repository."""
    import shutil
    for var, value in (("GIT_COMMITTER_NAME", "王芳"), ("GIT_COMMITTER_EMAIL", "wang.fang@luohu.example"),
                       ("GIT_AUTHOR_NAME", "王芳"), ("GIT_AUTHOR_EMAIL", "wang.fang@luohu.example")):
        monkeypatch.setenv(var, value)
    monkeypatch.setenv("CCTK_CACHE_DIR", str(tmp_path / "cache"))
    return shutil.copytree(base_repo, tmp_path / "r", symlinks=True)


def app_for(root, lang="zh", person="wang.fang", config=None, **kw):
    i18n.set_lang(lang)
    data = build(load(root), today=TODAY)
    return make_app(root, lang=lang, data=data, today=TODAY, person=person, config=config, **kw)


def text_of(widget) -> str:
    """The plain text a Static/Label shows (Rich renderables printed without a terminal)."""
    import io

    from rich.console import Console
    content = getattr(widget, "content", None)
    if content is None:
        return str(widget.render())
    if isinstance(content, str):
        return content
    console = Console(width=200, file=io.StringIO(), color_system=None)
    console.print(content)
    return console.file.getvalue()


@sync
async def test_loading_screen_loads_in_a_worker_then_shows_dashboard(repo):
    i18n.set_lang("en")
    app = make_app(repo, lang="en", today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if app.data is not None and not app.data.loading:     # not the early screen's placeholder
                break
        await pilot.pause()
        assert type(app.screen).__name__ == "DashboardScreen"
        assert len(app.data.index.rows) == 24


@sync
async def test_dashboard_number_opens_the_list_behind_it(repo):
    app = app_for(repo)
    async with app.run_test(size=SIZE) as pilot:
        dash = app.screen
        ol = dash.query_one("#dash-by_stage")
        ol.focus()
        ol.highlighted = 0
        label = str(ol.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "ContractsScreen"
        stage = app.screen.query_state.facets["stage"]
        assert all(app.data.index.rows[i].stage == stage for i in app.data.index.order)
        await pilot.pause()
        assert app.screen.query_one("#facet-stage").value == stage      # shown in its select (mounted later)
        count = int(label.split()[1].replace(",", ""))
        assert len(app.data.index) == count
        # the black-listed suppliers' live contracts: a preset the selects cannot show
        await pilot.press("f2")
        ol = app.screen.query_one("#dash-attention")
        ol.focus()
        ol.highlighted = 3
        await pilot.press("enter")
        await pilot.pause()
        assert "codes" in app.screen.query_state.facets and len(app.data.index) > 0


@sync
async def test_typing_filters_the_table_and_enter_opens_detail(repo):
    app = app_for(repo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        screen = app.screen
        assert app.focused.id == "table"
        await pilot.press("教", "育")              # typed into the table: goes to the filter box
        await pilot.pause()
        assert screen.query_one("#filter").value == "教育"
        shown = len(app.data.index)
        assert 0 < shown < 24
        assert all("教育" in app.data.index.row(p).search for p in range(shown))
        assert f"{shown} / 24" in text_of(screen.query_one("#count"))
        await pilot.press("enter")                 # leaves the filter box for the table
        await pilot.press("down", "enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "DetailScreen"
        assert app.screen.code == app.data.index.row(1).code
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "ContractsScreen"
        await pilot.press("escape")               # clear the filter
        await pilot.pause()
        assert len(app.data.index) == 24


@sync
async def test_keys_typed_before_the_table_has_focus_are_filter_text(repo):
    app = app_for(repo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        app.screen.set_focus(None)                 # as while the screen is still opening
        await pilot.press("教", "育")
        await pilot.pause()
        assert app.screen.query_one("#filter").value == "教育"


@sync
async def test_typing_on_the_dashboard_searches_the_list(repo):
    app = app_for(repo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "DashboardScreen"
        await pilot.press("教", "育")               # the list opens and keeps every key
        await pilot.pause()
        assert type(app.screen).__name__ == "ContractsScreen"
        assert app.screen.query_one("#filter").value == "教育"
        assert app.focused.id == "filter"
        shown = len(app.data.index)
        assert 0 < shown < 24


@sync
async def test_sort_reverse_and_facets(repo):
    app = app_for(repo, start="contracts")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        for _ in range(4):                         # code -> title -> unit -> supplier -> amount
            await pilot.press("f6")
        assert screen.query_state.sort == "amount"
        amounts = [app.data.index.row(p).amount for p in range(len(app.data.index))]
        assert amounts == sorted(amounts)
        await pilot.press("f7")
        assert app.data.index.row(0).amount == max(amounts)
        screen.query_one("#facet-stage").value = "performing"
        await pilot.pause()
        assert {app.data.index.row(p).stage for p in range(len(app.data.index))} == {"performing"}
        await pilot.press("f8")                    # hide the facet bar
        assert not screen.query_one("#facets").display


@sync
async def test_detail_tabs_history_payments_and_findings_jump(repo):
    app = app_for(repo)
    code = next(c.code for c in app.data.snapshot.contracts if c.status == "performing" and c.payments)
    async with app.run_test(size=SIZE) as pilot:
        app.open_contract(code)
        await pilot.pause()
        screen = app.screen
        from tui.screens.detail import TabBar
        tabs = screen.query_one(TabBar)
        assert tabs.active == "tab-record"
        assert code in text_of(screen.query_one("#record"))
        for expected in ("tab-text", "tab-findings", "tab-payments", "tab-history", "tab-filing"):
            await pilot.press("right")
            assert tabs.active == expected
            await pilot.pause()
            assert screen.query_one("#tabs-body").current == expected       # built when first shown
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Initial records" in text_of(screen.query_one("#history"))
        assert "罗财合备" in text_of(screen.query_one("#filing"))
        assert "filed.pdf" in text_of(screen.query_one("#filing-verify"))      # none in the generated data
        pay = " ".join(text_of(w) for w in screen.query("#payments .pay-line"))
        assert "已付" in pay or "逾期" in pay                                    # cctk.payments status
        bars = screen.query("#payments ProgressBar")
        assert bars.first().percentage is not None and 0 < bars.first().percentage < 1
        await screen.jump_to(app.data.contract(code).body_line + 8)
        await pilot.pause()
        assert tabs.active == "tab-text"


@sync
async def test_submit_action_commits_through_the_library(repo):
    app = app_for(repo)
    code = next(c.code for c in app.data.snapshot.contracts if c.status == "drafting" and c.unit == "LH001")
    before = subprocess.run(["git", "-C", str(repo), "rev-list", "--count", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    async with app.run_test(size=SIZE) as pilot:
        app.open_contract(code)
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        assert type(app.screen).__name__ == "ActionsDialog"
        verbs = app.screen.query_one("#verbs")
        verbs.focus()
        verbs.highlighted = 0                       # submit
        await pilot.press("enter")
        await app.workers.wait_for_complete()       # the dry run (actions.plan) runs in a worker
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmDialog"
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = text_of(app.screen.query_one("#changes"))
        assert "~ status: drafting → review" in shown and "+ dates.submitted: " in shown
        assert "Cctk-Action: submit" in shown and "Author: 王芳 <wang.fang@luohu.example>" in shown
        assert subprocess.run(["git", "-C", str(repo), "status", "--porcelain"], capture_output=True,
                              text=True).stdout == ""               # the dry run wrote nothing
        await pilot.click("#ok")
        await pilot.pause()
        assert type(app.screen).__name__ == "DetailScreen"
        assert app.data.contract(code).status == "review"
    after = subprocess.run(["git", "-C", str(repo), "log", "-1", "--format=%(trailers:key=Cctk-Action,valueonly)"],
                           capture_output=True, text=True).stdout.strip()
    count = subprocess.run(["git", "-C", str(repo), "rev-list", "--count", "HEAD"], capture_output=True,
                           text=True).stdout.strip()
    assert after == "submit" and int(count) == int(before) + 1


@sync
async def test_refused_action_shows_the_reason(repo):
    app = app_for(repo)                             # wang.fang is a clerk: she may not archive
    code = next(c.code for c in app.data.snapshot.contracts if c.status == "performing")
    async with app.run_test(size=SIZE) as pilot:
        app.open_contract(code)
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        verbs = app.screen.query_one("#verbs")
        verbs.focus()
        verbs.highlighted = 7                       # archive
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert type(app.screen).__name__ == "ActionsDialog"   # not allowed: no confirmation
        assert any("不允许" in str(n.message) for n in app._notifications)


@sync
async def test_suppliers_screen_lists_black_list_with_reason(repo):
    from tui.testing import supplier_list
    app = app_for(repo, start="suppliers")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        ol = app.screen.query_one("#supplier-list")
        black = [ol.get_option_at_index(i).id for i in range(ol.option_count)
                 if (ol.get_option_at_index(i).id or "").startswith("black:")]
        assert f"black:{supplier_list()[1][0]}" in black and len(black) == 2     # recorded + derived
        ol.highlighted = ol.get_option_index(f"black:{supplier_list()[1][0]}")
        await pilot.pause()
        detail = text_of(app.screen.query_one("#supplier-detail"))
        assert "提供虚假材料谋取中标" in detail and "黑名单" in detail and "逾期未付" in detail
        await pilot.press("enter")                   # opens the supplier's contracts
        await pilot.pause()
        assert type(app.screen).__name__ == "ContractsScreen" and len(app.data.index) > 0


@sync
async def test_inspections_screen(repo):
    app = app_for(repo, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        assert type(app.screen).__name__ == "InspectionsScreen"
        text = text_of(app.screen.query_one("#inspections"))
        assert "saved sample, seed tui-testing" in text and "fail" in text and "驻场人员不足" in text
        await pilot.press("left")                    # 2023: no sample saved, no filing commit to seed one
        await pilot.pause()
        assert "2023: no saved sample" in text_of(app.screen.query_one("#inspections"))


@sync
async def test_dashboard_shows_the_alerts_of_cctk_alerts(repo):
    app = app_for(repo, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        ol = app.screen.query_one("#dash-alerts")
        assert ol.option_count == len(app.data.alerts) > 0
        first = app.data.alerts[0]
        assert first.text() in str(ol.get_option_at_index(0).prompt)
        ol.focus()
        ol.highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "DetailScreen" and app.screen.code == first.code


@sync
async def test_contracts_table_fits_80_columns_and_aligns_cjk(repo):
    from rich.cells import cell_len

    from tui.widgets.contract_table import column_widths
    app = app_for(repo, start="contracts")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#table")
        # the lines fill the width left of the vertical scrollbar, and no horizontal scrollbar crops them
        # (the last column, findings, was cut by the scrollbar's two cells)
        assert table.show_vertical_scrollbar and not table.show_horizontal_scrollbar
        width = table.scrollable_content_region.width
        assert width == table.size.width - table.styles.scrollbar_size_vertical
        cols = column_widths(width)
        assert "unit" not in cols and "supplier" not in cols and "deadline" in cols
        start = sum(w + 1 for c, w in cols.items() if list(cols).index(c) < list(cols).index("amount"))
        for y in range(1, min(len(app.data.index), table.size.height - 1)):
            line = table.render_line(y).text
            assert cell_len(line) == width
            # the amount column starts at the same cell in every line, whatever the CJK title holds
            cells = "".join(ch if cell_len(ch) == 1 else ch + "\0" for ch in line)
            row = app.data.index.row(table.scroll_offset.y + y - 1)
            from cctk.model.money import format_amount
            assert cells[start:start + cols["amount"]].strip() == format_amount(row.amount)


@sync
async def test_help_lists_binding_ids_and_keys_are_remappable(repo):
    app = app_for(repo, lang="en", config={"tui": {"keys": {"contracts": "f10"}}})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpDialog"
        await pilot.press("escape")
        await pilot.press("f10")
        await pilot.pause()
        assert type(app.screen).__name__ == "ContractsScreen"
        footer_keys = {b.binding.id: b.binding.description for b in app.screen.active_bindings.values()}
        assert footer_keys.get("sort") == "Sort"


@sync
async def test_unknown_key_id_is_reported(repo):
    app = app_for(repo, config={"tui": {"keys": {"nonsense": "f10"}}})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert any("nonsense" in str(n.message) for n in app._notifications)


def test_cli_command_does_not_import_textual(tmp_path):
    code = ("import sys; import cctk.cli.tui_cmd, cctk.cli.main; "
            "assert 'textual' not in sys.modules and 'tui' not in sys.modules, sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=os.path.dirname(os.path.dirname(__file__)))


@sync
async def test_light_first_screen_then_extras_from_a_child_process(repo):
    """Without injected data the app loads the cache's light rows (no full record decoded), shows the
    table, then merges the findings, due dates and alerts computed in a child process: the same as a
    full build. A contract opened from light data reads its one record and its git history."""
    i18n.set_lang("zh")
    full = build(load(repo), today=TODAY)
    app = make_app(repo, lang="zh", today=TODAY, person="wang.fang", start="contracts")
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(400):
            await pilot.pause(0.05)
            if app.data is not None and not app.data.loading and app.data.verified:
                break
        data = app.data
        assert data is not None and not data.complete and not data.extras
        # the rows come from the persisted index (built from the cache's facts on this first start):
        # the snapshot holds no contract objects at all
        assert data.source == "built" and data.snapshot.contracts == [] and data.verified
        assert sorted(r.code for r in data.index.rows) == sorted(r.code for r in full.index.rows)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert data.extras
        got = {r.code: (r.findings, r.errors, r.deadline, r.overdue) for r in data.index.rows}
        assert got == {r.code: (r.findings, r.errors, r.deadline, r.overdue) for r in full.index.rows}
        assert [(a.code, a.kind) for a in data.alerts] == [(a.code, a.kind) for a in full.alerts]
        code = next(c.code for c in full.snapshot.contracts if c.status == "performing" and c.payments)
        app.open_contract(code)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert code in text_of(screen.query_one("#record"))
        await screen.show_tab("tab-history")               # the history arrived before its tab was built
        assert "Initial records" in text_of(screen.query_one("#history"))
        assert data.contract(code).body == full.contract(code).body
        assert [s.status for s in data.states_of(code)] == [s.status for s in full.states[code]]
        await pilot.press("f4")                      # suppliers: the full records are read on demand
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "…" not in str(app.screen.query_one("#supplier-list").get_option_at_index(0).prompt)


@sync
async def test_a_burst_of_keystrokes_is_applied_once_at_its_end(repo):
    app = app_for(repo, start="contracts")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        calls = []
        apply = screen.apply
        screen.apply = lambda *a, **k: (calls.append(screen.query_state.text), apply(*a, **k))
        box = screen.query_one("#filter")
        for n in range(1, 10):                          # nine keystrokes faster than the debounce
            box.value = "2023-0000"[:n]
        await pilot.pause(0.2)
        assert calls[-1] == "2023-0000" and len(calls) < 9
        assert app.data.index.query.text == "2023-0000"
        assert all("2023-0000" in app.data.index.row(p).code for p in range(len(app.data.index)))


@sync
async def test_a_filter_keystroke_repaints_without_laying_the_screen_out(repo):
    """The filter box, the count line and the table change in place: no screen layout per keystroke
    (it made the compositor redraw every widget above the table), and the table's scrollbar still
    follows the number of rows (hiding or showing it is the one change that lays out)."""
    from textual.screen import Screen

    app = app_for(repo, start="contracts")
    async with app.run_test(size=(100, 24)) as pilot:       # 24 rows do not fit: a scrollbar
        await pilot.pause(0.2)
        screen = app.screen
        table = screen.query_one("#table")
        assert table.show_vertical_scrollbar
        layouts = []
        refresh_layout = Screen._refresh_layout

        def counted(self, *args, **kwargs):
            layouts.append(self)
            return refresh_layout(self, *args, **kwargs)

        Screen._refresh_layout = counted
        try:
            box = screen.query_one("#filter")
            for text in ("L", "LH", "LHHT", "LHHT-"):      # every row still matches: same scrollbar
                await pilot.pause(0.1)                 # typed after a pause: applied at once
                box.value = text
                await pilot.pause()
            assert layouts == [] and len(app.data.index) == 24
            assert "24 / 24" in text_of(screen.query_one("#count"))
            await pilot.pause(0.1)
            box.value = "2023-000001"                  # one row: the scrollbar goes (a layout)
            await pilot.pause()
            assert len(app.data.index) == 1 and not table.show_vertical_scrollbar
            assert "1 / 24" in text_of(screen.query_one("#count"))
            await pilot.pause(0.1)
            box.value = ""
            await pilot.pause()
            assert len(app.data.index) == 24 and table.show_vertical_scrollbar
            assert table.max_scroll_y == 24 + 1 - table.scrollable_content_region.height
        finally:
            Screen._refresh_layout = refresh_layout


@sync
async def test_the_kept_detail_screen_shows_each_opened_contract(repo):
    """One detail screen is built while the list is shown and reused: each contract opened in it shows its
    own record, tabs and history, never those of the contract shown before; a detail still open in
    another mode's stack is not taken over (a screen of its own opens)."""
    from textual.widgets import Markdown

    from tui.screens.detail import TabBar
    app = app_for(repo, start="contracts")
    first, second = [c for c in app.data.snapshot.contracts if c.filing is not None][:2]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.5)
        kept = app._detail
        assert kept is not None and kept.is_running            # built before any contract was opened
        app.open_contract(first.code)
        await pilot.pause()
        assert app.screen is kept and kept.code == first.code
        for pane in ("tab-text", "tab-history", "tab-filing"):
            await kept.show_tab(pane)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert f"code: ∅ → {first.code}" in text_of(kept.query_one("#history"))
        await pilot.press("escape")
        await pilot.pause()
        app.open_contract(second.code)
        await pilot.pause()
        assert app.screen is kept and kept.code == second.code
        assert kept.query_one(TabBar).active == "tab-record"
        assert kept.query_one("#tabs-body").current == "tab-record"
        assert second.code in text_of(kept.query_one("#record")) and first.code not in text_of(kept.query_one("#record"))
        assert second.code in text_of(kept.query_one("#detail-head"))
        kept._history_arrived(first.code, "late history of the first")   # a worker of the first, late
        await app.workers.wait_for_complete()
        await pilot.pause()
        for pane in ("tab-text", "tab-history", "tab-filing"):          # rebuilt for the second
            await pilot.press("right")
            await pilot.pause()
            await kept.show_tab(pane)
            await pilot.pause()
            assert len(kept.query(f"#{pane}")) == 1
        await app.workers.wait_for_complete()
        await pilot.pause()
        history = text_of(kept.query_one("#history"))
        assert f"code: ∅ → {second.code}" in history and first.code not in history
        assert second.filing.number in text_of(kept.query_one("#filing"))
        assert kept.query_one("#text", Markdown).source == app.data.contract(second.code).body
        # a detail left open in the contracts mode: opening another contract from the dashboard
        await pilot.press("f2")
        await pilot.pause()
        app.open_contract(first.code)
        await pilot.pause()
        assert app.screen is not kept and app.screen.code == first.code and kept.code == second.code
        assert first.code in text_of(app.screen.query_one("#record"))


@sync
async def test_a_contract_opened_while_the_kept_detail_is_being_built_is_shown(repo):
    app = app_for(repo, start="contracts")
    code = app.data.snapshot.contracts[3].code
    async with app.run_test(size=SIZE) as pilot:
        app.prepare_detail()                 # building (mounting) …
        app.open_contract(code)              # … when the contract is opened
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is app._detail and app.screen.code == code
        assert code in text_of(app.screen.query_one("#record"))
        assert code in text_of(app.screen.query_one("#detail-head"))
