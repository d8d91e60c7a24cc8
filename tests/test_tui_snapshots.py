"""SVG snapshots of the main screens on fixed data (pytest-textual-snapshot).

Update after an intended change with: pytest tests/test_tui_snapshots.py --snapshot-update
"""

import datetime as dt
import os

import pytest

from cctk import i18n
from cctk.store.loader import load
from tui.app import make_app
from tui.data.repo import build
from tui.testing import make_repo

TODAY = dt.date(2024, 6, 15)
SIZE = (120, 34)


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    return make_repo(tmp_path_factory.mktemp("snap") / "r", 30)


def app(repo, lang="zh", start="dashboard"):
    i18n.set_lang(lang)
    os.environ["CCTK_CACHE_DIR"] = str(repo.parent / "cache")
    return make_app(repo, lang=lang, data=build(load(repo), today=TODAY), today=TODAY, person="wang.fang",
                    start=start)


async def no_blink(pilot):
    from textual.widgets import Input
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await pilot.pause()


def test_dashboard_zh(repo, snap_compare):
    assert snap_compare(app(repo), terminal_size=SIZE, run_before=no_blink)


def test_contracts_filtered_zh(repo, snap_compare):
    async def before(pilot):
        await pilot.press("物", "业")
        await no_blink(pilot)
    assert snap_compare(app(repo, start="contracts"), terminal_size=SIZE, run_before=before)


def test_contracts_en(repo, snap_compare):
    assert snap_compare(app(repo, lang="en", start="contracts"), terminal_size=SIZE, run_before=no_blink)


def test_detail_payments_zh(repo, snap_compare):
    async def before(pilot):
        await pilot.press(*"2022-000020")            # a performing contract with an overdue instalment
        await pilot.press("enter", "enter")
        await pilot.pause()
        await pilot.press("right", "right", "right")
        await pilot.app.workers.wait_for_complete()
        await no_blink(pilot)
    assert snap_compare(app(repo, start="contracts"), terminal_size=SIZE, run_before=before)


def test_suppliers_zh(repo, snap_compare):
    assert snap_compare(app(repo, start="suppliers"), terminal_size=SIZE, run_before=no_blink)


def test_contracts_80_columns_zh(repo, snap_compare):
    """An 80x24 terminal: code, title, amount, stage, next due, findings; CJK titles cropped on cell bounds."""
    assert snap_compare(app(repo, start="contracts"), terminal_size=(80, 24), run_before=no_blink)


def test_inspections_en(repo, snap_compare):
    assert snap_compare(app(repo, lang="en", start="inspections"), terminal_size=SIZE, run_before=no_blink)
