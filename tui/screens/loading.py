"""The first screen: loading progress while the repository is read in a worker thread."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Label, ProgressBar

from tui import keymap
from tui.messages import t
from tui.widgets.keys import KeyFooter


class LoadingScreen(Screen):
    def __init__(self) -> None:
        super().__init__()
        keymap.translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Middle():
            with Center():
                yield Label(t("tui.loading", root=str(self.app.root)), id="loading-label")
            with Center():
                yield ProgressBar(id="loading-bar", show_eta=False)
            with Center():
                yield Label("", id="loading-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        if self.app.data is None:
            self.load()
            if not self.app.load_kwargs and self.app.start in ("contracts", "dashboard"):
                self.app.show_early()

    def _progress(self, done: int, total: int) -> None:
        self.query_one(ProgressBar).update(total=total, progress=done)
        self.query_one("#loading-detail", Label).update(t("tui.loading_progress", done=done, total=total))
        shown = self.app.screen                      # the early first screen shows it too
        if shown is not self and hasattr(shown, "loading_progress"):
            shown.loading_progress(t("tui.loading_progress", done=done, total=total))

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        import threading

        from cctk.store.loader import load

        from tui.data.repo import build, open_indexed, peek_indexed

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(self._progress, done, total)

        try:
            if self.app.load_kwargs:          # a revision or other options: the whole load, as before
                data = build(load(self.app.root, progress=progress, **self.app.load_kwargs), today=self.app.today)
            else:
                # 1. the rows as last stored, shown before any listing (marked "checking for changes");
                # 2. the listing: the same digest confirms them, otherwise the changes are patched in.
                shown = peek_indexed(self.app.root, self.app.today, self.app.registers)
                if shown is not None:
                    painted = threading.Event()
                    self.app.call_from_thread(self.app.data_loaded, shown)
                    self.app.call_from_thread(self.app.call_after_refresh, painted.set)
                    # the listing's Python work would share the interpreter lock with the first paint
                    painted.wait(5)
                    shown.index.prepare()     # search keys, left out of the first paint (a keystroke would wait)
                data = open_indexed(self.app.root, today=self.app.today, progress=progress, shown=shown, store=False)
        except Exception as exc:  # shown, not raised: the clerk sees what went wrong
            self.app.call_from_thread(self.app.load_failed, t("tui.load_failed", error=str(exc)))
            return
        self.app.call_from_thread(self.app.data_loaded, data)
        data.index.prepare()                # new rows (patched or built): ready for the first keystroke
        if data.unsaved is not None:        # built or patched: stored for the next start, after showing it
            from tui.data.repo import save_index
            save_index(data)
