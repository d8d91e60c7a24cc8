"""Inspections: the year's sample, progress and results (cctk.inspections, via tui.data.inspections).
←/→ (or [ / ]) change the year."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from tui import keymap
from tui.data import inspections as shape
from tui.messages import t
from tui.screens.base import DataScreen
from tui.widgets.keys import KeyFooter


class InspectionsScreen(DataScreen):
    BINDINGS = keymap.bindings("prev-year", "next-year")

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static("", id="inspections")
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        self.year = self.data.today.year
        self.rebuild()

    def rebuild(self) -> None:
        self.sub_title = f"{t('tui.screen.inspections')} {self.year}"
        box = self.query_one("#inspections", Static)
        if not self.full_ready():
            box.update(t("tui.pending_full"))
            return
        v = shape.view(self.app.root, self.data.full_snapshot(), self.year, self.data.inspections)
        if v.seed is None and not v.rows:
            box.update(t("tui.insp.none", year=self.year))
            return
        rep = v.report
        head = Text(t("tui.insp.head", year=self.year, population=rep["population"], size=len(v.rows),
                      done=rep["sample_done"], pending=len(rep["sample_pending"]), inspected=rep["inspected"],
                      coverage=rep["coverage"], units_inspected=rep["units_inspected"],
                      units_total=rep["units_total"], passed=rep["passed"], failed=rep["failed"]), style="bold")
        head.append("\n" + (t("tui.insp.saved", seed=(v.seed or "")[:12]) if v.saved
                            else t("tui.insp.drawn", seed=(v.seed or "")[:12], source=v.seed_source)), style="dim")
        if v.verified is not None:
            head.append("\n" + t("tui.insp.verified" if v.verified else "tui.insp.not_verified"),
                        style="green" if v.verified else "bold red")
        units = self.data.unit_names
        table = Table(expand=True)
        for col in ("code", "why", "state", "findings"):
            table.add_column(t(f"tui.insp.col.{col}"))
        for r in v.rows:
            style = "red" if r.result == "fail" else ("green" if r.result == "pass" else "")
            table.add_row(f"{r.code} {r.title}\n{units.get(r.unit, r.unit)}", r.why,
                          Text(r.result or t("tui.insp.pending"), style=style), r.findings)
        parts = [head, table]
        if v.others:
            other = Table(title=t("tui.insp.other"), expand=True)
            for col in ("code", "state", "findings"):
                other.add_column(t(f"tui.insp.col.{col}"))
            for r in v.others:
                other.add_row(f"{r.get('contract')} {r.get('kind', '')} {r.get('on', '')}",
                              Text(r.get("result", ""), style="red" if r.get("result") == "fail" else "green"),
                              str(r.get("findings") or ""))
            parts.append(other)
        box.update(Group(*parts))

    def _year(self, step: int) -> None:
        self.year += step
        self.rebuild()

    def action_prev_year(self) -> None:
        self._year(-1)

    def action_next_year(self) -> None:
        self._year(1)
