"""The first screen: loading progress while the repository is read in a worker thread."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Footer, Label, ProgressBar

from tui import keymap
from tui.messages import t


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
        yield Footer()

    def on_mount(self) -> None:
        if self.app.data is None:
            self.load()

    def _progress(self, done: int, total: int) -> None:
        self.query_one(ProgressBar).update(total=total, progress=done)
        self.query_one("#loading-detail", Label).update(t("tui.loading_progress", done=done, total=total))

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        from cctk.store.loader import load

        from tui.data.repo import build, build_indexed, load_indexed

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(self._progress, done, total)

        try:
            if self.app.load_kwargs:          # a revision or other options: the whole load, as before
                data = build(load(self.app.root, progress=progress, **self.app.load_kwargs), today=self.app.today)
            else:                             # the first screen from the persisted index (tui.data.persist)
                snap, cols, how = load_indexed(self.app.root, progress=progress)
                data = build_indexed(snap, cols, today=self.app.today, source=how)
        except Exception as exc:  # shown, not raised: the clerk sees what went wrong
            self.app.call_from_thread(self.query_one("#loading-detail", Label).update,
                                      t("tui.load_failed", error=str(exc)))
            return
        self.app.call_from_thread(self.app.data_loaded, data)
