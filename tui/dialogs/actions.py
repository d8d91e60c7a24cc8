"""Choose a lifecycle action, fill in its parameters, see what it records, confirm."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tui import actions
from tui.messages import label, t


class ActionsDialog(ModalScreen):
    BINDINGS = [Binding("escape", "dismiss", show=False)]

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code

    def compose(self) -> ComposeResult:
        with Vertical(id="actions-box", classes="dialog"):
            yield Label(t("tui.act.title", code=self.code), classes="dialog-title")
            if self.app.person:
                yield Label(t("tui.act.as", person=self.app.person))
            yield OptionList(*[Option(label("verb", v), id=v) for v in actions.VERBS], id="verbs")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        verb = event.option.id
        data = self.app.data
        contract = data.contract(self.code)
        params = actions.defaults(verb, contract, data.today)
        p = actions.preview(self.app.root, data.snapshot, contract, verb, self.app.person, params)
        if not p.allowed:
            self.notify(t("tui.act.refused", reason=p.reason), severity="error", timeout=8)
            return
        self.app.switch_screen(ConfirmDialog(self.code, verb, params))


class ConfirmDialog(ModalScreen):
    BINDINGS = [Binding("escape", "dismiss", show=False)]

    def __init__(self, code: str, verb: str, params: dict[str, str]) -> None:
        super().__init__()
        self.code = code
        self.verb = verb
        self.params = params

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="dialog"):
            yield Label(t("tui.act.confirm", verb=label("verb", self.verb), code=self.code), classes="dialog-title")
            for name, value in self.params.items():
                with Horizontal(classes="param"):
                    yield Label(name, classes="param-name")
                    yield Input(value, id=f"param-{name}")
            with VerticalScroll(id="confirm-diff"):
                yield Static("", id="changes")
            with Horizontal(classes="buttons"):
                yield Button(t("tui.act.ok"), variant="primary", id="ok")
                yield Button(t("tui.act.cancel"), id="cancel")

    def on_mount(self) -> None:
        self._show()

    def _values(self) -> dict[str, str]:
        return {name: self.query_one(f"#param-{name}", Input).value.strip() for name in self.params}

    def _show(self) -> None:
        data = self.app.data
        p = actions.preview(self.app.root, data.snapshot, data.contract(self.code), self.verb, self.app.person,
                            self._values())
        out = Text()
        for line in p.changes if p.allowed else [t("tui.act.refused", reason=p.reason)]:
            out.append(line + "\n", style="green" if line.startswith("+") else "" if p.allowed else "red")
        self.query_one("#changes", Static).update(out)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id != "ok":
            self.dismiss(False)
            return
        verb = label("verb", self.verb)
        try:
            commit = actions.perform(self.app.root, self.code, self.verb, self.app.person, self._values())
        except Exception as exc:  # Refused carries its bilingual reason
            self.notify(t("tui.act.failed", verb=verb, reason=actions.refusal_text(exc)), severity="error", timeout=10)
            return
        self.app.reload_data()
        self.notify(t("tui.act.done", verb=verb, commit=commit))
        self.dismiss(True)
