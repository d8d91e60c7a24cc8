"""Shared screen behaviour: translated bindings, data access, rebuild after the data changes."""

from __future__ import annotations

from textual.screen import Screen

from tui import keymap


class DataScreen(Screen):
    """A screen over the app's loaded data; ``rebuild`` runs when the data changed since last shown."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        keymap.translate_bindings(self)
        self._version = -1

    @property
    def data(self):
        return self.app.data

    def on_mount(self) -> None:
        self._version = self.app.data_version

    def on_screen_resume(self) -> None:
        if self._version != self.app.data_version:
            self._version = self.app.data_version
            self.rebuild()

    def rebuild(self) -> None:
        """Re-read ``self.data`` into the widgets (after a lifecycle action)."""
