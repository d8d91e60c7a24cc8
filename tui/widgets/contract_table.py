"""A virtual contracts table: a ScrollView drawing only the visible lines from the index.

Textual's DataTable stores and measures every row (100,000 rows: 14.5 s to first paint),
so this widget keeps no per-row widgets or cells: ``render_line`` formats the rows in view
straight from ``Index.order``. Widths are measured in terminal cells (rich.cells), so
Chinese text, two cells per character, lines up.
"""

from __future__ import annotations

import datetime as dt

from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from cctk.model.money import format_amount

from tui.data.index import COLUMNS, Index, Row
from tui.messages import label, t
from tui.widgets.cells import fit

FIXED = {"code": 16, "unit": 14, "amount": 14, "stage": 10, "deadline": 10, "findings": 5}
FLEX = ("title", "supplier")          # share what is left, title 3/5
FLEX_MIN = 16                         # a flexible column narrower than this is dropped, not squeezed
# Dropped first when the terminal is narrow: at 80 columns the table shows code, title, amount,
# stage, next due and findings; unit and supplier appear on wider screens (100: supplier, 120: both).
DROP_ORDER = ("unit", "supplier", "findings", "deadline", "stage", "amount")
RIGHT = ("amount", "findings")


def column_widths(total: int) -> dict[str, int]:
    """Visible columns (in COLUMNS order) and their widths in cells, summing with one-cell gaps to
    ``total`` (or to the minimum when the terminal is narrower still: the line is then cropped)."""
    shown = list(COLUMNS)
    dropping = list(DROP_ORDER)
    while True:
        flex = [c for c in shown if c in FLEX]
        rest = total - sum(FIXED[c] for c in shown if c in FIXED) - (len(shown) - 1)
        if rest >= FLEX_MIN * len(flex) or not dropping:
            break
        shown.remove(dropping.pop(0))
    rest = max(rest, FLEX_MIN * len(flex))
    widths = {c: FIXED[c] for c in shown if c in FIXED}
    if len(flex) == 2:
        widths["supplier"] = max(FLEX_MIN, rest - max(FLEX_MIN, rest * 3 // 5))
        widths["title"] = rest - widths["supplier"]
    else:
        widths["title"] = rest
    return {c: widths[c] for c in shown}


class ContractTable(ScrollView, can_focus=True):
    """Rows of ``index.order``; the cursor is a position in that order."""

    COMPONENT_CLASSES = {
        "contract-table--header", "contract-table--cursor", "contract-table--alert", "contract-table--muted",
    }
    DEFAULT_CSS = """
    ContractTable { height: 1fr; overflow-x: hidden; }
    ContractTable > .contract-table--header { text-style: bold; background: $panel; }
    ContractTable > .contract-table--cursor { background: $accent 50%; }
    ContractTable:focus > .contract-table--cursor { background: $accent; color: $text; }
    ContractTable > .contract-table--alert { color: $error; }
    ContractTable > .contract-table--muted { color: $text-muted; }
    """
    BINDINGS = [
        Binding("up", "cursor(-1)", show=False), Binding("down", "cursor(1)", show=False),
        Binding("pageup", "page(-1)", show=False), Binding("pagedown", "page(1)", show=False),
        Binding("home", "jump(0)", show=False), Binding("end", "jump(-1)", show=False),
        Binding("enter", "select", "tui.key.open", id="open"),
    ]

    cursor: reactive[int] = reactive(0)

    class Selected(Message):
        """Enter (or a click) on a row."""

        def __init__(self, code: str) -> None:
            self.code = code
            super().__init__()

    class Typed(Message):
        """A printable key the table does not use: the screen turns it into filter text."""

        def __init__(self, character: str) -> None:
            self.character = character
            super().__init__()

    def __init__(self, index: Index, *, today: dt.date | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        from tui.keymap import translate_bindings
        translate_bindings(self)
        self.index = index
        self.today = today or dt.date.today()

    # -- data ------------------------------------------------------------------------------
    def reload(self, keep: str | None = None) -> None:
        """The index's view changed: resize the virtual area, keep the cursor on ``keep`` if shown."""
        self._set_virtual_size(Size(self.size.width, len(self.index) + 1))
        pos = self.index.position(keep) if keep and len(self.index) < 50_000 else None
        self.cursor = pos if pos is not None else 0
        self.scroll_to(y=max(0, self.cursor - 1), animate=False)
        self.refresh()

    def _set_virtual_size(self, size: Size) -> None:
        """A new number of rows. Setting ``virtual_size`` lays the whole screen out, yet a ScrollView's
        virtual size places nothing: only its scroll limits and scrollbar read it. So it is set without
        a layout and the scrollbar updated (showing or hiding it still lays out: that reactive does);
        the table then repaints alone instead of the compositor redrawing every widget above it
        (measured at 100,000 rows: the larger part of a filter keystroke)."""
        if size == self.virtual_size:
            return
        scroll_update = getattr(self, "_scroll_update", None)
        if scroll_update is None or not self.container_size:     # not laid out yet / another Textual
            self.virtual_size = size
            return
        self.set_reactive(ScrollView.virtual_size, size)
        scroll_update(size)

    def on_resize(self, event: events.Resize) -> None:
        self._set_virtual_size(Size(event.size.width, len(self.index) + 1))

    @property
    def current(self) -> Row | None:
        if 0 <= self.cursor < len(self.index):
            return self.index.row(self.cursor)
        return None

    # -- drawing ---------------------------------------------------------------------------
    def render_lines(self, crop):
        # The styles are the same for every line of one pass (Textual computes a widget's rich_style from
        # all its ancestors on every access): read once per pass, not twice per line.
        self._pass = {}
        try:
            return super().render_lines(crop)
        finally:
            self._pass = None

    _pass: dict | None = None

    def _styles(self) -> tuple:
        memo = self._pass
        styles = memo.get("styles") if memo is not None else None
        if styles is None:
            width = self.scrollable_content_region.width or self.size.width   # without the scrollbar
            styles = (width, column_widths(width), self.rich_style,
                      self.get_component_rich_style("contract-table--cursor"),
                      self.get_component_rich_style("contract-table--alert", partial=True))
            if memo is not None:
                memo["styles"] = styles
        return styles

    def render_line(self, y: int) -> Strip:
        width, widths, base, cursor, alert = self._styles()
        if y == 0:
            style = self.get_component_rich_style("contract-table--header")
            sort, rev = self.index.query.sort, self.index.query.reverse
            cells = []
            for col, w in widths.items():
                name = t(f"tui.col.{col}") + ((" ▼" if rev else " ▲") if col == sort else "")
                cells.append(fit(name, w, right=col in RIGHT))
            return Strip([Segment(fit(" ".join(cells), width), style)], width)
        pos = self.scroll_offset.y + y - 1
        if pos >= len(self.index):
            return Strip.blank(width, base)
        if pos == self.cursor:
            return self._row_strip(pos, widths, width, base + cursor, alert)
        # A row's line is kept while the rows, the width and the styles stay the same: a new filter
        # mostly shows rows drawn before (narrowing, clearing), and scrolling back redraws none.
        index = self.index
        key = (index, index.version, width, base, alert)
        if key != self._strips_key:
            self._strips, self._strips_key = {}, key
        i = index.order[pos]
        strip = self._strips.get(i)
        if strip is None:
            if len(self._strips) >= 4096:
                self._strips.clear()
            strip = self._strips[i] = self._row_strip(pos, widths, width, base, alert)
        return strip

    _strips: dict = {}
    _strips_key: tuple | None = None

    def _row_strip(self, pos: int, widths: dict[str, int], width: int, base, alert) -> Strip:
        r = self.index.row(pos)
        values = {
            "code": (r.code, None), "title": (r.title, None), "unit": (r.unit_name, None),
            "supplier": (r.supplier_name, None), "amount": (format_amount(r.amount), None),
            "stage": (label("stage", r.stage), None),
            "deadline": (r.deadline.isoformat() if r.deadline else "", alert if r.overdue else None),
            "findings": (str(r.findings) if r.findings else "", alert if r.errors else None),
        }
        segs = []
        for i, (col, w) in enumerate(widths.items()):
            if i:
                segs.append(Segment(" ", base))
            text, style = values[col]
            segs.append(Segment(fit(text, w, col in RIGHT), base + style if style else base))
        used = sum(widths.values()) + len(widths) - 1
        if used < width:
            segs.append(Segment(" " * (width - used), base))
        return Strip(segs).crop(0, width).simplify()

    # -- moving ----------------------------------------------------------------------------
    def watch_cursor(self, old: int, new: int) -> None:
        visible = max(1, self.size.height - 1)
        top = self.scroll_offset.y
        if new < top:
            self.scroll_to(y=new, animate=False)
        elif new >= top + visible:
            self.scroll_to(y=new - visible + 1, animate=False)
        self.refresh()

    def _move(self, to: int) -> None:
        if len(self.index):
            self.cursor = max(0, min(len(self.index) - 1, to))

    def action_cursor(self, delta: int) -> None:
        self._move(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._move(self.cursor + direction * max(1, self.size.height - 2))

    def action_jump(self, where: int) -> None:
        self._move(len(self.index) - 1 if where < 0 else where)

    def action_select(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Selected(row.code))

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            pos = self.scroll_offset.y + event.y - 1
            if pos < len(self.index):
                if pos == self.cursor and event.chain >= 2:
                    self.action_select()
                self.cursor = pos

    def on_key(self, event: events.Key) -> None:
        # Typing in the table starts filtering, unless the key is bound to something.
        if event.is_printable and event.character and event.key not in self.screen.active_bindings:
            event.stop()
            event.prevent_default()
            self.post_message(self.Typed(event.character))
