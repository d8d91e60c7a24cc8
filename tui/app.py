"""The application, built by ``make_app`` from settings and (optionally) already-loaded data.

The app never hunts for files: ``__main__`` resolves the repository and reads cctk.yaml;
the contracts are loaded in a worker thread behind a progress screen so the UI stays
responsive, or injected directly by tests.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual import work
from textual.app import App

from cctk import i18n

from tui import keymap
from tui.data.repo import RepoData
from tui.messages import t


class CctkApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "cctk"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = keymap.bindings("dashboard", "contracts", "suppliers", "inspections", "help", "quit")

    def __init__(self, root: Path, *, data: RepoData | None = None, config: dict | None = None,
                 today: dt.date | None = None, person: str | None = None, start: str = "dashboard",
                 load_kwargs: dict | None = None) -> None:
        super().__init__()
        keymap.translate_bindings(self)
        self.root = Path(root).resolve()
        self.data = data
        self.config = config or {}
        self.today = today or dt.date.today()
        self.person = person                   # person id acting (from git config user.email)
        self.start = start
        self.load_kwargs = load_kwargs or {}
        self.key_problems = keymap.configure(self.config)
        self.set_keymap(keymap.keymap())
        self.title = t("tui.title")
        self.data_version = 0

    def get_default_screen(self):
        from tui.screens.loading import LoadingScreen
        return LoadingScreen()

    def on_mount(self) -> None:
        from tui.screens.contracts import ContractsScreen
        from tui.screens.dashboard import DashboardScreen
        from tui.screens.inspections import InspectionsScreen
        from tui.screens.suppliers import SuppliersScreen

        self.add_mode("dashboard", DashboardScreen)
        self.add_mode("contracts", ContractsScreen)
        self.add_mode("suppliers", SuppliersScreen)
        self.add_mode("inspections", InspectionsScreen)
        for problem in self.key_problems:
            self.notify(problem, severity="warning")
        if self.data is not None:
            self.switch_mode(self.start)

    def data_loaded(self, data: RepoData) -> None:
        self.data = data
        self.switch_mode(self.start)
        if not data.extras:
            self.load_extras(data)

    @work(thread=True, exclusive=True, group="extras")
    def load_extras(self, data: RepoData) -> None:
        """Findings, due dates, alerts and listings, computed in a child process (tui.data.extras)
        while the first screen is already usable; the screens refresh when they arrive."""
        from tui.data.extras import run
        try:
            extras = run(self.root, data.today)
        except Exception as exc:  # shown, not raised: the light data stay usable
            self.call_from_thread(self.notify, t("tui.extras_failed", error=str(exc)), severity="error")
            return
        self.call_from_thread(self._extras_arrived, data, extras)

    def _extras_arrived(self, data: RepoData, extras: dict) -> None:
        from tui.data.repo import apply_extras
        from tui.screens.base import DataScreen
        if self.data is not data:          # reloaded meanwhile: a newer computation is on its way
            return
        apply_extras(data, extras)
        self.data_version += 1
        if isinstance(self.screen, DataScreen):
            self.screen.data_changed()

    def check_action(self, action: str, parameters) -> bool | None:
        # Mode switching needs data; before it arrives those keys do nothing.
        if action == "switch_mode" and self.data is None:
            return False
        return True

    def action_help(self) -> None:
        from tui.dialogs.help import HelpDialog
        if not isinstance(self.screen, HelpDialog):
            self.push_screen(HelpDialog())

    def open_contracts(self, facets: dict | None = None, text: str = "") -> None:
        """Show the contracts list with a preset query (dashboard numbers lead here)."""
        self.switch_mode("contracts")
        self.screen.preset(facets or {}, text)

    def open_contract(self, code: str) -> None:
        from tui.screens.detail import DetailScreen
        self.push_screen(DetailScreen(code))

    def reload_data(self) -> None:
        """After an action commits: re-read through the cache (only the changed file is parsed);
        screens rebuild when next shown (``data_version``). Light data reload light and recompute
        the extras in the background."""
        from cctk.store.loader import load

        from tui.data.repo import build, build_indexed, load_indexed
        if self.data is not None and not self.data.complete:
            snap, cols, how = load_indexed(self.root)      # the changed contract is patched in
            self.data = build_indexed(snap, cols, today=self.today, source=how)
            self.data_version += 1
            self.load_extras(self.data)
            return
        snap = load(self.root, **self.load_kwargs)
        self.data = build(snap, today=self.today)
        self.data_version += 1


def make_app(root: Path | str, *, lang: str | None = None, data: RepoData | None = None, config: dict | None = None,
             today: dt.date | None = None, person: str | None = None, start: str = "dashboard",
             load_kwargs: dict | None = None) -> CctkApp:
    """Build the app. ``data`` (tests) skips loading; otherwise the app loads ``root`` itself."""
    if lang:
        i18n.set_lang(lang)
    return CctkApp(Path(root), data=data, config=config, today=today, person=person, start=start,
                   load_kwargs=load_kwargs)

