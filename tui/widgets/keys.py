"""The footer of every screen: Textual's Footer, recomposed only when the keys it shows change.

Textual's Footer rebuilds all its key widgets whenever the screen's bindings are signalled as
updated (mount, focus moves, screen resume): two or three times when a screen opens, each time
restyling a dozen widgets — measured as the largest part of opening a contract's detail. The keys
shown rarely change between those signals, so a signature of them decides.
"""

from __future__ import annotations

from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeyFooter(Footer):
    _shown: tuple | None = None

    @staticmethod
    def _signature(screen) -> tuple:
        return tuple((binding.key, binding.action, binding.description, enabled, tooltip)
                     for (_, binding, enabled, tooltip) in screen.active_bindings.values() if binding.show)

    def bindings_changed(self, screen) -> None:
        if not screen.app.app_focus or not (self.is_attached and screen is self.screen):
            super().bindings_changed(screen)
            return
        if self._bindings_ready and not screen.is_current:
            # a screen under another one (the list under a contract's detail) or not shown yet: its keys are
            # not drawn, and resuming it signals again. (A suspended screen's bindings read differently:
            # its footer was recomposed when a detail opened and again when it closed.)
            return
        signature = self._signature(screen)
        if signature == self._shown and self._bindings_ready:
            return
        self._shown = signature
        super().bindings_changed(screen)

    def compose(self):
        if not self._bindings_ready and self.is_attached:
            # Textual composes an empty footer, then again with the keys at the first bindings signal: here
            # the keys are composed at once, and that signal recomposes only if they changed meanwhile (a
            # focused widget's shown keys), so a screen opens with one footer composition, not two.
            self.set_reactive(Footer._bindings_ready, True)
            self._shown = self._signature(self.screen)
        # Textual's FooterKey starts compact (True) and the binding keys are data-bound to the footer's
        # ``compact`` (False): each was restyled twice while mounting (class -compact added, then removed),
        # a third of what opening a screen cost. They start at the footer's value, unbound (the footer's
        # compact never changes). The command palette's key is not bound (it stays compact): left as is.
        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget._reactive_connect:
                widget._reactive_connect = None
                widget.set_reactive(FooterKey.compact, self.compact)
            yield widget
