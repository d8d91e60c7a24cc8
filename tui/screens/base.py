"""Shared screen behaviour: translated bindings, data access, rebuild after the data changes."""

from __future__ import annotations

from textual import work
from textual.screen import Screen

from tui import keymap


class DataScreen(Screen):
    """A screen over the app's loaded data; ``rebuild`` runs when the data changed since last shown."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        keymap.translate_bindings(self)
        self._version = -1
        # Textual re-parses every stylesheet twice when a mode's new screen is first shown (its CSS count
        # starts at -1: ≈ 60 ms of the first screen). These screens bring no CSS of their own (app.tcss and
        # the widgets' defaults are already read, theme changes refresh them), so they start up to date.
        try:
            if not (self.CSS or self.CSS_PATH):
                self._css_update_count = self.app._css_update_count
        except Exception:   # no running app (constructed outside one): Textual's own refresh applies
            pass

    @property
    def data(self):
        return self.app.data

    @property
    def ready(self) -> bool:
        """Mounted (its widgets exist): data changes can be applied in place."""
        return self._version >= 0

    def on_mount(self) -> None:
        self._version = self.app.data_version

    def on_screen_resume(self) -> None:
        if self._version != self.app.data_version:
            self._version = self.app.data_version
            self.rebuild()

    def rebuild(self) -> None:
        """Re-read ``self.data`` into the widgets (after a lifecycle action)."""

    def full_ready(self) -> bool:
        """Light data: True once the extras and the full records are in; otherwise start reading the
        full records in a worker (rebuild when done) and return False — the screen shows a note."""
        data = self.data
        if data.complete or (data.extras and data._full is not None):
            return True
        if data._full is None:
            self._read_full(data)
        return False

    @work(thread=True, exclusive=True, group="full")
    def _read_full(self, data) -> None:
        data.full_snapshot()
        if data.extras:
            self.app.call_from_thread(self.data_changed)

    def data_changed(self) -> None:
        """The data changed while this screen is shown (the extras arrived)."""
        self._version = self.app.data_version
        self.rebuild()
