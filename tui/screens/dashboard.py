"""Dashboard: numbers by stage, unit and category, and what needs action; each opens its list."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.widgets import Footer, Header, Label, OptionList
from textual.widgets.option_list import Option

from cctk.model.money import format_amount

from tui.data import dashboard as agg
from tui.messages import label, t
from tui.screens.base import DataScreen
from tui.widgets.cells import pad


class DashboardScreen(DataScreen):
    def compose(self) -> ComposeResult:
        yield Header()
        with Grid(id="dash-grid"):
            for box in ("attention", "by_stage", "by_unit", "by_category"):
                with Vertical(classes="dash-box"):
                    yield Label(t(f"tui.dash.{box}"), classes="dash-title")
                    yield OptionList(id=f"dash-{box}")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.rebuild()

    def rebuild(self) -> None:
        data = self.data
        snap = data.snapshot
        board = agg.build(snap.contracts, data.index.rows, snap.suppliers, data.today)
        self._facets: dict[str, dict] = {}
        units = data.unit_names

        def fill(list_id: str, items: list[tuple[str, agg.Item, bool]]) -> None:
            ol = self.query_one(f"#dash-{list_id}", OptionList)
            ol.clear_options()
            width = max((cell_len(name) for name, _, _ in items), default=10)
            options = []
            for n, (name, item, alert) in enumerate(items):
                oid = f"{list_id}-{n}"
                self._facets[oid] = item.facets
                line = Text(pad(name, min(width, 30)) + f" {item.count:>8,}  ¥{format_amount(item.amount):>18}")
                if alert and item.count:
                    line.stylize("bold red")
                options.append(Option(line, id=oid))
            ol.add_options(options)

        fill("attention", [
            (t("tui.dash.total"), board.total, False),
            (t("tui.dash.findings"), board.findings, True),
            (t("tui.dash.overdue"), board.overdue, True),
            (t("tui.dash.blacklisted"), board.blacklisted, True),
            (t("tui.dash.filings"), board.filings_month, False),
        ])
        fill("by_stage", [(label("stage", i.label), i, False) for i in board.by_stage])
        fill("by_unit", [(units.get(i.label, i.label), i, False) for i in board.by_unit])
        fill("by_category", [(label("category", i.label), i, False) for i in board.by_category])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        facets = self._facets.get(event.option.id or "")
        if facets is not None:
            self.app.open_contracts(facets)
