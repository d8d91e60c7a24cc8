"""The contracts list's filter box: Textual's Input, without a screen layout on every keystroke.

Textual's Input sets its virtual size (a reactive that lays the screen out) to the value's width on
every change. A ScrollView's virtual size is its own — the compositor does not place anything by it —
so that layout only re-arranged an unchanged screen and made the compositor repaint every widget
between the box and the table: at 100,000 rows, about half of what a keystroke cost. Here the value
watcher's layout request is dropped; the box still scrolls (its scroll limits read the reactive), and
a layout the box really needs (its width set to auto, a scrollbar appearing) is still made.
"""

from __future__ import annotations

from textual.widgets import Input


class FilterInput(Input):
    _no_layout = False

    def _watch_value(self, value: str) -> None:
        watch = getattr(super(), "_watch_value", None)
        if watch is None:           # another Textual: nothing to spare
            return
        self._no_layout = not self.styles.auto_dimensions
        try:
            watch(value)
        finally:
            self._no_layout = False

    def refresh(self, *regions, repaint: bool = True, layout: bool = False, recompose: bool = False):
        return super().refresh(*regions, repaint=repaint, layout=layout and not self._no_layout,
                               recompose=recompose)
