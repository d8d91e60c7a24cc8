"""The contracts list: type to filter, facets, sorting, over the virtual table."""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Header, Input, Label, Select

from tui import keymap
from tui.data.index import COLUMNS, Query
from tui.messages import label, t
from tui.screens.base import DataScreen
from tui.widgets.contract_table import ContractTable
from tui.widgets.filter_input import FilterInput
from tui.widgets.keys import KeyFooter

FACET_IDS = ("unit", "stage", "year", "category", "key", "findings")


class ContractsScreen(DataScreen):
    BINDINGS = keymap.bindings("filter", "clear", "sort", "reverse", "facets")

    def __init__(self) -> None:
        super().__init__()
        self.query_state = Query()
        self._pending: tuple[dict, str] | None = None
        self._timer = None
        self._typed_at = 0.0
        self._facets = False          # the facet Selects are mounted
        self._facets_mounting = False
        self._count_text = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield FilterInput(placeholder=t("tui.filter.placeholder"), id="filter", select_on_focus=False)
        # The six facet Selects are the heaviest widgets here (≈ a fifth of the first screen's CPU at
        # 100,000 rows): mounted just after the rows are first shown, in a bar already of their height.
        yield Horizontal(id="facets", classes="-pending")
        yield Label("", id="count")
        yield ContractTable(self.data.index, today=self.data.today, id="table")
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        self.rebuild()
        pending = self._pending
        if pending is not None:
            self.preset(*pending)
        if pending is not None and pending[1]:      # text typed while opening: go on typing
            box = self.query_one("#filter", Input)
            box.cursor_position = len(box.value)
            box.focus()
        else:
            self.query_one(ContractTable).focus()

    def rebuild(self) -> None:
        table = self.query_one(ContractTable)
        table.index = self.data.index
        if self._facets:
            self._fill_facets()
        elif not self.data.loading:
            self.call_after_refresh(self._mount_facets)
        self.apply()

    async def _mount_facets(self) -> None:
        if self._facets or self._facets_mounting:
            return
        self._facets_mounting = True
        bar = self.query_one("#facets", Horizontal)
        await bar.mount_all([Select([], prompt=t(f"tui.facet.{facet}"), id=f"facet-{facet}", allow_blank=True)
                             for facet in FACET_IDS])
        self._facets = True             # only now: a rebuild meanwhile must not fill Selects still mounting
        bar.remove_class("-pending")
        self._fill_facets()             # from the data as they are now
        self._show_facets(self.query_state.facets)      # a preset made before they were mounted

    def _fill_facets(self) -> None:
        index = self.data.index
        units = self.data.unit_names
        for facet in FACET_IDS:
            values = index.facet_values(facet)
            if facet == "unit":
                options = [(units.get(v, v), v) for v in values]
            elif facet == "stage":
                options = [(label("stage", v), v) for v in values]
            elif facet == "category":
                options = [(label("category", v), v) for v in values]
            elif facet == "key":
                options = [(label("key", v), v) for v in values]
            elif facet == "findings":
                options = [(t("tui.facet.yes"), True), (t("tui.facet.no"), False)]
            else:
                options = [(str(v), v) for v in values]
            self.query_one(f"#facet-{facet}", Select).set_options(options)

    def _show_facets(self, facets: dict) -> None:
        if not self._facets:             # not mounted yet: shown when they are
            return
        with self.prevent(Select.Changed):
            for facet in FACET_IDS:
                sel = self.query_one(f"#facet-{facet}", Select)
                value = facets.get(facet, Select.NULL)
                try:
                    sel.value = value
                except Exception:   # a value not among the options: keep it in the query only
                    sel.value = Select.NULL

    def data_changed(self) -> None:
        """The extras arrived (findings, due dates): re-apply the query; same index object."""
        self._version = self.app.data_version
        if self.query_one(ContractTable).index is self.data.index:
            self.apply()
        else:
            self.rebuild()

    # -- querying --------------------------------------------------------------------------
    def loading_progress(self, text: str) -> None:
        self._set_count(text)

    def _set_count(self, text: str) -> None:
        """The count line, one row the full width of the screen (app.tcss): a new text that fits on
        it, replacing one that did, only repaints it (a layout here redrew the screen per keystroke)."""
        label = self.query_one("#count", Label)
        width = label.content_size.width
        fits = 0 < width and cell_len(text) <= width and cell_len(self._count_text) <= width
        self._count_text = text
        try:
            label.update(text, layout=not fits)
        except TypeError:               # a Textual whose update has no ``layout``
            label.update(text)

    def apply(self, keep: str | None = None) -> None:
        index = self.data.index
        table = self.query_one(ContractTable)
        if self.data.loading:
            index.apply(self.query_state)
            table.reload()
            self._set_count(t("tui.loading", root=str(self.app.root)))
            return
        current = keep or (table.current.code if table.current else None)
        index.apply(self.query_state)
        table.reload(keep=current)
        col = t(f"tui.col.{self.query_state.sort}")
        self._set_count(
            t("tui.count", shown=len(index), total=len(index.rows)) + "   "
            + t("tui.sorted", col=col, dir=" ▼" if self.query_state.reverse else " ▲")
            + self._preset_note() + ("" if self.data.verified else "   " + t("tui.verifying")))

    def _preset_note(self) -> str:
        hidden = [k for k in self.query_state.facets if k not in FACET_IDS]
        return ("   " + t("tui.facet.preset", what=", ".join(hidden))) if hidden else ""

    def preset(self, facets: dict, text: str = "") -> None:
        """Set the query (from a dashboard number): facets the selects know are shown in them."""
        if not self.query("#filter"):      # the mode's screen is not composed yet: apply on mount
            self._pending = (facets, text)
            return
        self._pending = None
        self.query_state = Query(text=text, facets=dict(facets), sort=self.query_state.sort,
                                 reverse=self.query_state.reverse)
        with self.prevent(Input.Changed, Select.Changed):
            self.query_one("#filter", Input).value = text
            self._show_facets(facets)
        self.apply()

    DEBOUNCE = 0.05     # s: keystrokes closer together than this are applied once, after the last

    def on_input_changed(self, event: Input.Changed) -> None:
        """Filter as you type. A keystroke after a pause applies at once; a burst of keystrokes (typing
        fast, pasting) is coalesced into one apply at its end, so the table never lags the keyboard."""
        import time

        self.query_state.text = event.value
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        now = time.monotonic()
        if now - self._typed_at > self.DEBOUNCE:
            self.apply()
        else:
            self._timer = self.set_timer(self.DEBOUNCE, self._apply_typed)
        self._typed_at = now

    def _apply_typed(self) -> None:
        self._timer = None
        self.apply()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one(ContractTable).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        facet = (event.select.id or "").removeprefix("facet-")
        if facet in FACET_IDS:
            if event.value is Select.NULL:
                self.query_state.facets.pop(facet, None)
            else:
                self.query_state.facets[facet] = event.value
            self.apply()

    def on_contract_table_typed(self, event: ContractTable.Typed) -> None:
        self.typed(event.character)

    def typed(self, character: str) -> None:
        """Filter text typed elsewhere (the table, the dashboard, the screen while opening)."""
        if not self.query("#filter"):      # not composed yet: the text is applied on mount
            facets, text = self._pending or ({}, "")
            self._pending = (facets, text + character)
            return
        box = self.query_one("#filter", Input)
        box.focus()
        box.insert_text_at_cursor(character)

    def on_key(self, event: events.Key) -> None:
        # Keys typed while the screen opens reach the screen itself (focus moves after the first
        # refresh): they are filter text like keys typed into the table, not lost.
        if (self.focused is None and event.is_printable and event.character
                and event.key not in self.active_bindings):
            event.stop()
            self.typed(event.character)

    def on_contract_table_selected(self, event: ContractTable.Selected) -> None:
        self.app.open_contract(event.code)

    # -- actions ---------------------------------------------------------------------------
    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        self.preset({}, "")
        self.query_one(ContractTable).focus()

    def action_sort(self) -> None:
        cols = list(COLUMNS)
        self.query_state.sort = cols[(cols.index(self.query_state.sort) + 1) % len(cols)]
        self.apply()

    def action_reverse(self) -> None:
        self.query_state.reverse = not self.query_state.reverse
        self.apply()

    def action_toggle_facets(self) -> None:
        bar = self.query_one("#facets")
        bar.display = not bar.display
        if bar.display and self._facets:
            self.query_one("#facet-unit", Select).focus()
