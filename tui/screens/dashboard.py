"""Dashboard: numbers by stage, unit and category, what needs action, and the alerts list — the
same list `cctk alerts` prints (cctk.supervision.alerts.compute). Numbers open their contracts;
an alert opens its contract."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.widgets import Header, Label, OptionList
from textual.widgets.option_list import Option

from cctk.model.money import format_amount

from tui.data import dashboard as agg
from tui.messages import label, t
from tui.screens.base import DataScreen
from tui.widgets.cells import pad
from tui.widgets.keys import KeyFooter


class DashboardScreen(DataScreen):
    def compose(self) -> ComposeResult:
        yield Header()
        with Grid(id="dash-grid"):
            for box in ("attention", "by_stage", "by_unit", "by_category"):
                with Vertical(classes="dash-box"):
                    yield Label(t(f"tui.dash.{box}"), classes="dash-title")
                    yield OptionList(id=f"dash-{box}")
            with Vertical(classes="dash-box", id="dash-alerts-box"):
                yield Label("", classes="dash-title", id="dash-alerts-title")
                yield OptionList(id="dash-alerts")
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        self.rebuild()

    def loading_progress(self, text: str) -> None:
        self.query_one("#dash-alerts-title", Label).update(text)

    def rebuild(self) -> None:
        data = self.data
        if data.loading:
            self._facets = {}
            self.query_one("#dash-alerts-title", Label).update(t("tui.loading", root=str(self.app.root)))
            return
        snap = data.snapshot
        board = agg.build(snap.contracts, data.index.rows, data.alerts, data.today)
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
                line = Text(pad(name, min(width, 22)) + f" {item.count:>6,}  ¥{format_amount(item.amount):>16}")
                if alert and item.count:
                    line.stylize("bold red")
                options.append(Option(line, id=oid))
            ol.add_options(options)

        fill("attention", [
            (t("tui.dash.total"), board.total, False),
            (t("tui.dash.findings"), board.findings, True),
            (t("tui.dash.overdue"), board.overdue, True),
            (t("tui.dash.blacklisted"), board.blacklisted, True),
            (t("tui.dash.alerted"), board.alerted, True),
            (t("tui.dash.filings"), board.filings_month, False),
        ])
        fill("by_stage", [(label("stage", i.label), i, False) for i in board.by_stage])
        fill("by_unit", [(units.get(i.label, i.label), i, False) for i in board.by_unit])
        fill("by_category", [(label("category", i.label), i, False) for i in board.by_category])
        self._fill_alerts()

    def _fill_alerts(self, limit: int = 1000) -> None:
        """The alerts as `cctk alerts` prints them (level, contract, unit, deadline, responsible, text);
        an OptionList holds real widgets' worth of lines, so very long lists are cut with a note."""
        alerts = self.data.alerts
        if not self.data.extras:
            self.query_one("#dash-alerts-title", Label).update(t("tui.pending"))
            self.query_one("#dash-alerts", OptionList).clear_options()
            return
        errors = sum(1 for a in alerts if a.level == "error")
        warnings = sum(1 for a in alerts if a.level == "warning")
        self.query_one("#dash-alerts-title", Label).update(
            t("tui.dash.alerts", n=len(alerts), errors=errors, warnings=warnings))
        ol = self.query_one("#dash-alerts", OptionList)
        ol.clear_options()
        style = {"error": "red", "warning": "yellow"}
        options = []
        for n, a in enumerate(alerts[:limit]):
            line = Text(f"{a.level:<7} {a.code}  {pad(a.unit, 6)} {a.deadline.isoformat() if a.deadline else '—':<10} "
                        f"{pad(a.responsible or '-', 12)} ", style=style.get(a.level, ""))
            line.append(a.text())
            options.append(Option(line, id=f"alert-{n}"))
            self._facets[f"alert-{n}"] = {"open": a.code}
        if len(alerts) > limit:
            options.append(Option(t("tui.dash.alerts_more", n=len(alerts) - limit), disabled=True))
        ol.add_options(options)

    def on_key(self, event: events.Key) -> None:
        # Type to search: a printable key no binding takes opens the contracts list with it as
        # filter text — also keys typed just after F3, while the list is still opening.
        if event.is_printable and event.character and event.key not in self.active_bindings:
            event.stop()
            self.app.type_to_search(event.character)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        facets = self._facets.get(event.option.id or "")
        if facets is not None and "open" in facets:
            self.app.open_contract(facets["open"])
        elif facets is not None:
            self.app.open_contracts(facets)
