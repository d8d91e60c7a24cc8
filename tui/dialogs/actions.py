"""Choose a lifecycle action, fill in its parameters, see exactly what the commit will change
(the verb's dry run, cctk.lifecycle.actions.plan), confirm. Dry runs run in a worker thread:
filing renders and signs the filed PDF, which takes a moment."""

from __future__ import annotations

from rich.text import Text
from textual import work
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
        params = actions.defaults(verb, data.contract(self.code), data.today, data.states_of(self.code))
        self.check(verb, params)

    @work(thread=True, exclusive=True, group="plan")
    def check(self, verb: str, params: dict[str, str]) -> None:
        """Refusals show here, before any dialog (the dry run makes every check the verb makes)."""
        p = actions.preview(self.app.root, self.code, verb, self.app.person, params)
        if not p.allowed:
            self.app.call_from_thread(self.notify, t("tui.act.refused", reason=p.reason), severity="error", timeout=8)
            return
        self.app.call_from_thread(self.app.switch_screen, ConfirmDialog(self.code, verb, params, p))


class ConfirmDialog(ModalScreen):
    BINDINGS = [Binding("escape", "dismiss", show=False)]

    def __init__(self, code: str, verb: str, params: dict[str, str], first: actions.Preview | None = None) -> None:
        super().__init__()
        self.code = code
        self.verb = verb
        self.params = params
        self.first = first

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
        if self.first is not None:
            self._show_plan(self.first)
        else:
            self.replan()

    def _values(self) -> dict[str, str]:
        return {name: self.query_one(f"#param-{name}", Input).value.strip() for name in self.params}

    def _show_plan(self, p: actions.Preview) -> None:
        out = Text()
        if p.allowed:
            for line, style in p.lines():
                out.append(line + "\n", style=style)
        else:
            out.append(t("tui.act.refused", reason=p.reason), style="red")
        self.query_one("#changes", Static).update(out)
        self.query_one("#ok", Button).disabled = not p.allowed

    @work(thread=True, exclusive=True, group="plan")
    def replan(self) -> None:
        p = actions.preview(self.app.root, self.code, self.verb, self.app.person, self._values())
        self.app.call_from_thread(self._show_plan, p)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#ok", Button).disabled = True       # until the new dry run answers
        self.replan()

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
