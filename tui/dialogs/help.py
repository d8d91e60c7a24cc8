"""Every key binding with its id (the name to remap it by in cctk.yaml)."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from tui import keymap
from tui.messages import t


class HelpDialog(ModalScreen):
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", show=False)]

    def compose(self) -> ComposeResult:
        table = Table(box=None, padding=(0, 2))
        table.add_column("id", style="dim")
        table.add_column("key", style="bold")
        table.add_column("")
        for bid, keys, desc in keymap.describe():
            table.add_row(bid, keys, desc)
        with Vertical(id="help-box", classes="dialog"):
            yield Label(t("tui.help.title"), classes="dialog-title")
            with VerticalScroll():
                yield Static(table)
            yield Label(t("tui.help.typing"))
            yield Label(t("tui.help.remap"))
