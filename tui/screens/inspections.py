"""Inspections: the year's sample, progress and results, from cctk.inspections once installed."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from tui.messages import t
from tui.screens.base import DataScreen


def inspection_summary(snap, year: int):
    """(sample rows, done count) from the inspections module, or None when it is absent."""
    try:
        from cctk import inspections
    except ImportError:
        return None
    fn = getattr(inspections, "sample_status", None) or getattr(inspections, "status", None)
    if not callable(fn):
        return None
    try:
        rows = list(fn(snap, year))
    except Exception:
        return None
    get = lambda r, k: r.get(k) if isinstance(r, dict) else getattr(r, k, None)  # noqa: E731
    out = [(str(get(r, "code")), str(get(r, "state") or get(r, "status") or ""), str(get(r, "result") or ""))
           for r in rows]
    return out, sum(1 for _, state, _ in out if state in ("done", "closed", "inspected"))


class InspectionsScreen(DataScreen):
    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static("", id="inspections")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.rebuild()

    def rebuild(self) -> None:
        year = self.data.today.year
        summary = inspection_summary(self.data.snapshot, year)
        box = self.query_one("#inspections", Static)
        if summary is None:
            box.update(t("tui.insp.none"))
            return
        rows, done = summary
        table = Table(title=t("tui.insp.sample", year=year, count=len(rows), done=done))
        for col in ("code", "state", "result"):
            table.add_column(col)
        for r in rows:
            table.add_row(*r)
        box.update(table)
