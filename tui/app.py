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
                 load_kwargs: dict | None = None, registers=None) -> None:
        super().__init__()
        keymap.translate_bindings(self)
        self.root = Path(root).resolve()
        self.data = data
        self.config = config or {}
        self.today = today or dt.date.today()
        self.person = person                   # person id acting (from git config user.email)
        self.start = start
        self.load_kwargs = load_kwargs or {}
        self.registers = registers             # load(root, contracts="registers"), when the caller has it
        self.key_problems = keymap.configure(self.config)
        self.set_keymap(keymap.keymap())
        self.title = t("tui.title")
        self.data_version = 0
        self._extras_for = None                # the RepoData whose extras are being computed
        self._open_when_verified: str | None = None
        self._trail_index_started = False
        self._detail = None                    # the DetailScreen kept for opening contracts

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
            self.set_timer(0.25, self.prepare_detail)

    def show_early(self) -> None:
        """Compose the first screen over a placeholder while the loading worker runs (its widgets and
        styles cost a second of the UI thread at first use); ``data_loaded`` fills it."""
        from tui.data.repo import placeholder
        self.data = placeholder(self.root, self.today, self.registers)
        self.switch_mode(self.start)

    def data_loaded(self, data: RepoData) -> None:
        """Data arrived: the stored rows (not yet verified), the same rows confirmed by the listing, or
        new rows. The screen shown (early over a placeholder, or the stored rows) is refreshed in place."""
        from tui.screens.base import DataScreen
        shown = self.data is not None and (self.data.loading or not self.data.verified or self.data is data)
        self.data = data
        if shown:
            self.data_version += 1
            if isinstance(self.screen, DataScreen) and self.screen.ready:
                self.screen.data_changed()
            # else a dialog is on top, or the early screen is not mounted yet: it builds from the new
            # data when resumed or mounted (data_version)
        else:
            self.switch_mode(self.start)
        if not data.extras and self._extras_for is not data:
            self._extras_for = data
            self.load_extras(data)
        if data.verified and not self._trail_index_started:
            self._trail_index_started = True
            self.update_trail_index()
            # F4/F5 are enabled from now on (check_action): the footer shown says so now — it went on without
            # them until the next bindings signal, which came with the first opened contract (a recomposition
            # in its opening). The detail screen is built now, not earlier, for the same reason.
            self.screen.refresh_bindings()
            self.prepare_detail()
        if data.verified and self._open_when_verified:
            code, self._open_when_verified = self._open_when_verified, None
            self.open_contract(code)

    def load_failed(self, message: str) -> None:
        """Loading failed: say why where the progress was shown (the early screen keeps its placeholder)."""
        self.notify(message, severity="error", timeout=30)
        shown = self.screen
        if hasattr(shown, "loading_progress"):
            shown.loading_progress(message)
        elif shown.query("#loading-detail"):
            shown.query_one("#loading-detail").update(message)

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

    @work(thread=True, exclusive=True, group="trail-index")
    def update_trail_index(self) -> None:
        """Keep cctk.lifecycle.trail's commit index current, so a contract's history is read from it in
        milliseconds instead of a ``git log`` of its folder (0.1–0.9 s at 100,000 contracts). A few new
        commits are added here; building it (seconds of git at 100,000) is left to a niced child
        process that outlives nothing but itself: it is not waited for, and history asks git meanwhile."""
        import subprocess
        import sys

        from cctk.lifecycle import trail
        try:
            # what opening a contract imports (the detail screen, the trail's record diff): here, while the
            # clerk looks at the list, not in the first detail's 0.3 s
            import cctk.lifecycle.moves  # noqa: F401
            import tui.screens.detail  # noqa: F401
            if trail.update_index(self.root, max_new=trail.INCREMENTAL_MAX):
                return
            code = ("import os, sys; os.nice(10); from cctk.lifecycle.trail import update_index; "
                    "update_index(sys.argv[1], nice=True)")
            subprocess.Popen([sys.executable, "-c", code, str(self.root)], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                             cwd=str(Path(__file__).resolve().parents[1]))
        except Exception:       # the index is only a shortcut: history asks git without it
            pass

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
        # While the rows load or are being checked, the dashboard and the list can be shown (they fill in
        # when the data arrive); the suppliers and inspections screens wait.
        if action == "switch_mode":
            if self.data is None:
                return False
            if self.data.loading or not self.data.verified:
                return bool(parameters) and parameters[0] in ("dashboard", "contracts")
        return True

    def action_help(self) -> None:
        from tui.dialogs.help import HelpDialog
        if not isinstance(self.screen, HelpDialog):
            self.push_screen(HelpDialog())

    def open_contracts(self, facets: dict | None = None, text: str = "") -> None:
        """Show the contracts list with a preset query (dashboard numbers lead here)."""
        self.switch_mode("contracts")
        self.screen.preset(facets or {}, text)

    def type_to_search(self, character: str) -> None:
        """A key typed outside the list (the dashboard) continues as filter text in the list."""
        if self.current_mode != "contracts":
            if not self.check_action("switch_mode", ("contracts",)):
                return
            self.switch_mode("contracts")
        self.screen.typed(character)

    def open_contract(self, code: str) -> None:
        """Open a contract's detail; before the listing has confirmed the stored rows, as soon as it has."""
        if self.data is not None and not self.data.verified:
            self._open_when_verified = code
            self.notify(t("tui.verifying"))
            return
        screen = self._detail_screen()
        screen.show_contract(code)
        self.push_screen(screen)

    def _detail_screen(self):
        """The detail screen kept for opening contracts (installed: popping it does not destroy it), unless
        it is still on a screen stack (a detail left open in another mode): then a screen of its own."""
        from tui.screens.detail import DetailScreen
        kept = self._detail
        if kept is None:
            kept = self._detail = DetailScreen()
            self.install_screen(kept, "cctk-detail")
        if any(kept in stack for stack in getattr(self, "_screen_stacks", {}).values()) or kept in self.screen_stack:
            return DetailScreen()
        return kept

    def prepare_detail(self) -> None:
        """Build the kept detail screen while the list is shown — composed, mounted, styled and laid out at
        the terminal's size, as a screen shown once and popped is — so the first contract opened only fills
        it in (measured at 100,000: ≈ 0.13 → 0.05 s of the UI thread for the first open)."""
        if self._detail is not None:
            return
        screen = self._detail_screen()
        register = getattr(self, "_get_screen", None)    # Textual's: registers (starts) an installed screen
        if register is None or screen.is_running:
            return

        async def build() -> None:
            try:
                _, mounted = register(screen)
                await mounted
                screen.update_node_styles(animate=False)
                layout = getattr(screen, "_refresh_layout", None)     # what pushing it would do first
                if layout is not None and screen is not self.screen:
                    layout(self.size)
            except Exception:       # only a head start: the first push does all this otherwise
                pass
        self.run_worker(build(), group="detail-prepare")

    def reload_data(self) -> None:
        """After an action commits: re-read through the cache (only the changed file is parsed);
        screens rebuild when next shown (``data_version``). Light data reload light and recompute
        the extras in the background."""
        from cctk.store.loader import load

        from tui.data.repo import build, open_indexed
        if self.data is not None and not self.data.complete:
            self.data = open_indexed(self.root, today=self.today)     # the changed contract is patched in
            self.data_version += 1
            self.load_extras(self.data)
            return
        snap = load(self.root, **self.load_kwargs)
        self.data = build(snap, today=self.today)
        self.data_version += 1


def make_app(root: Path | str, *, lang: str | None = None, data: RepoData | None = None, config: dict | None = None,
             today: dt.date | None = None, person: str | None = None, start: str = "dashboard",
             load_kwargs: dict | None = None, registers=None) -> CctkApp:
    """Build the app. ``data`` (tests) skips loading; otherwise the app loads ``root`` itself.
    ``registers``: ``load(root, contracts="registers")`` if the caller has it (unit names on the early screen)."""
    if lang:
        i18n.set_lang(lang)
    return CctkApp(Path(root), data=data, config=config, today=today, person=person, start=start,
                   load_kwargs=load_kwargs, registers=registers)

