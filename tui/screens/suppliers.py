"""Suppliers: black and red lists with reasons and periods; a supplier's contracts and scores."""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from cctk.model.money import format_amount

from tui.data.dashboard import active_listing
from tui.messages import label, t
from tui.screens.base import DataScreen


class SuppliersScreen(DataScreen):
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            yield OptionList(id="supplier-list")
            with VerticalScroll(id="supplier-detail-box"):
                yield Static("", id="supplier-detail")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.rebuild()
        self.query_one("#supplier-list").focus()

    def rebuild(self) -> None:
        snap = self.data.snapshot
        today = self.data.today
        self._stats: dict[str, tuple[int, Decimal, list]] = {}
        for c in snap.contracts:
            n, amount, scores = self._stats.get(c.supplier, (0, Decimal(0), []))
            if c.evaluation:
                scores = scores + [c.evaluation.score]
            self._stats[c.supplier] = (n + 1, amount + c.amount, scores)
        groups = [("black", []), ("red", []), ("all", [])]
        for code, s in sorted(snap.suppliers.items(), key=lambda kv: kv[1].name):
            if active_listing(s, "black", today):
                groups[0][1].append(s)
            if active_listing(s, "red", today):
                groups[1][1].append(s)
            groups[2][1].append(s)
        ol = self.query_one("#supplier-list", OptionList)
        ol.clear_options()
        for kind, items in groups:
            ol.add_option(Option(Text(t(f"tui.sup.{kind}") + f" ({len(items)})", style="bold"), disabled=True))
            for s in items[:2000]:   # the full register is searchable from the contracts list
                style = "red" if kind == "black" else ("green" if kind == "red" else "")
                ol.add_option(Option(Text(f"  {s.name}", style=style), id=f"{kind}:{s.credit_code}"))
        if ol.option_count > 1:
            ol.highlighted = 1

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        oid = event.option.id
        if oid:
            self.show(oid.split(":", 1)[1])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        oid = event.option.id
        if oid:
            code = oid.split(":", 1)[1]
            codes = frozenset(c.code for c in self.data.snapshot.contracts if c.supplier == code)
            self.app.open_contracts({"codes": codes})

    def show(self, credit_code: str) -> None:
        s = self.data.snapshot.suppliers[credit_code]
        n, amount, scores = self._stats.get(credit_code, (0, Decimal(0), []))
        out = Text()
        out.append(f"{s.name}\n", style="bold")
        out.append(f"{s.credit_code}   SME: {'✓' if s.sme else '✗' if s.sme is False else '?'}   {s.region or ''}\n\n")
        out.append(t("tui.sup.contracts", count=n, amount=format_amount(amount)) + "\n")
        if scores:
            out.append(t("tui.sup.scores", scores=", ".join(str(x) for x in scores[-10:])) + "\n")
        out.append("\n" + t("tui.sup.history") + "\n", style="bold")
        if not s.listings:
            out.append(t("tui.none") + "\n")
        for item in s.listings:
            if isinstance(item, dict):
                kind = item.get("list", "")
                out.append(t("tui.sup.listing", kind=label("list", kind), start=item.get("start", ""),
                             end=item.get("end", ""), reason=item.get("reason", "")) + "\n",
                           style="red" if kind == "black" else "green" if kind == "red" else "")
        self.query_one("#supplier-detail", Static).update(out)
