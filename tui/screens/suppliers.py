"""Suppliers: black and red lists with reasons and periods (cctk.suppliers.effective_listings: recorded
and derived, as `cctk suppliers` shows them); a supplier's record (cctk.suppliers.supplier_record)."""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from cctk.model.money import format_amount

from tui.messages import label, t
from tui.screens.base import DataScreen
from tui.widgets.keys import KeyFooter


class SuppliersScreen(DataScreen):
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            yield OptionList(id="supplier-list")
            with VerticalScroll(id="supplier-detail-box"):
                yield Static("", id="supplier-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        self.rebuild()
        self.query_one("#supplier-list").focus()

    def rebuild(self) -> None:
        from cctk.suppliers import listed

        snap = self.data.snapshot
        today = self.data.today
        if not self.full_ready():
            ol = self.query_one("#supplier-list", OptionList)
            ol.clear_options()
            ol.add_option(Option(t("tui.pending_full"), disabled=True))
            return
        black = {l.supplier for l in listed(self.data.listings, "black", today)}
        red = {l.supplier for l in listed(self.data.listings, "red", today)}
        names = {code: s.name for code, s in snap.suppliers.items()}
        for l in self.data.listings:             # a derived listing may name an unregistered supplier
            names.setdefault(l.supplier, l.supplier)
        order = sorted(names, key=lambda code: names[code])
        groups = [("black", [c for c in order if c in black]), ("red", [c for c in order if c in red]),
                  ("all", order)]
        ol = self.query_one("#supplier-list", OptionList)
        ol.clear_options()
        for kind, codes in groups:
            ol.add_option(Option(Text(t(f"tui.sup.{kind}") + f" ({len(codes)})", style="bold"), disabled=True))
            for code in codes[:2000]:   # the full register is searchable from the contracts list
                style = "red" if kind == "black" else ("green" if kind == "red" else "")
                ol.add_option(Option(Text(f"  {names[code]}", style=style), id=f"{kind}:{code}"))
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
            codes = frozenset(r.code for r in self.data.index.rows if r.supplier == code)
            self.app.open_contracts({"codes": codes})

    def show(self, credit_code: str) -> None:
        from cctk.suppliers import supplier_record

        data = self.data
        rec = supplier_record(data.full_snapshot(), credit_code, data.today, settings=data.settings,
                              inspections=data.inspections, feedback=data.feedback, listings=data.listings)
        out = Text()
        out.append(f"{rec['name']}\n", style="bold")
        sme = rec["sme"]
        out.append(f"{credit_code}   SME: {'✓' if sme else '✗' if sme is False else '?'}\n\n")
        out.append(t("tui.sup.summary", count=len(rec["contracts"]), total=format_amount(Decimal(rec["total"])),
                     paid=format_amount(Decimal(rec["paid"])), overdue=format_amount(Decimal(rec["overdue"])),
                     score=rec["average_score"] or "—") + "\n")
        scores = [c["score"] for c in rec["contracts"] if c["score"]]
        if scores:
            out.append(t("tui.sup.scores", scores=", ".join(scores[-10:])) + "\n")
        out.append("\n" + t("tui.sup.history") + "\n", style="bold")
        if not rec["listings"]:
            out.append(t("tui.none") + "\n")
        for item in rec["listings"]:
            kind = item.get("list", "")
            out.append(t("tui.sup.listing", kind=label("list", kind), start=item.get("start") or "…",
                         end=item.get("end") or "…", reason=item.get("reason") or item.get("cause", "")) + "\n",
                       style="red" if kind == "black" else "green" if kind == "red" else "")
            if item.get("source") == "derived":
                out.append("    " + t("tui.sup.derived") + "\n", style="italic")
            for a in item.get("appeals") or []:
                out.append("    " + t("tui.sup.appeal", on=a.get("on", ""), decision=a.get("decision", ""),
                                      text=a.get("text", "")) + "\n")
        self.query_one("#supplier-detail", Static).update(out)
