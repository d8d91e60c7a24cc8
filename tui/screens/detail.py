"""One contract: record, text, findings, payments, history, filing, attachments."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Header, Label, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from cctk.model.money import format_amount

from tui import keymap
from tui.data import detail as shape
from tui.messages import label, t
from tui.screens.base import DataScreen
from tui.widgets.keys import KeyFooter

TABS = ("record", "text", "findings", "payments", "history", "filing", "attachments")


class _RenderedOnce:
    """A Rich renderable rendered once per width and options: Textual renders a Static's Rich content once to
    measure its height and again to draw it, and a record's grid is the costliest part of opening a contract
    after the screen itself."""

    def __init__(self, renderable) -> None:
        self.renderable = renderable
        self._segments: dict[tuple, list] = {}

    def __rich_console__(self, console, options):
        # not the height: Textual measures without one and draws with the widget's, and a grid ignores it
        key = (options.max_width, options.min_width, options.no_wrap, options.overflow, options.justify,
               options.highlight, options.markup)
        segments = self._segments.get(key)
        if segments is None:
            segments = self._segments[key] = list(console.render(self.renderable, options))
        return segments

    def __rich_measure__(self, console, options):
        from rich.measure import Measurement
        return Measurement.get(console, options, self.renderable)


def _kv(rows: list[tuple[str, object]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for k, v in rows:
        table.add_row(k, "" if v is None else str(v))
    return table


class TabBar(Widget):
    """The detail's tab row drawn as one line (Textual's Tabs/TabbedContent mount a widget per tab and
    animate an underline: twice the cost of the rest of the screen). Click or ←/→ to switch."""

    DEFAULT_CSS = """
    TabBar { height: 1; width: 100%; background: $panel; }
    TabBar > .tab-bar--active { background: $accent; color: $text; text-style: bold; }
    """
    COMPONENT_CLASSES = {"tab-bar--active"}
    active: reactive[str] = reactive("tab-record")

    class Activated(Message):
        def __init__(self, pane: str) -> None:
            self.pane = pane
            super().__init__()

    def __init__(self, tabs: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(**kwargs)
        self.tabs = tabs                  # (pane id, label)

    def render(self) -> Text:
        out = Text(no_wrap=True, overflow="crop")
        active = self.get_component_rich_style("tab-bar--active")
        for pane, name in self.tabs:
            out.append(f" {name} ", active if pane == self.active else "")
            out.append("│", "dim")
        return out

    def watch_active(self, old: str, new: str) -> None:
        if old != new:
            self.post_message(self.Activated(new))

    def on_click(self, event: events.Click) -> None:
        from rich.cells import cell_len
        x = 0
        for pane, name in self.tabs:
            x += cell_len(name) + 3
            if event.x < x:
                self.active = pane
                return


class DetailScreen(DataScreen):
    """One contract's detail. The app keeps one of these, built while the list is shown, and shows each
    opened contract in it (``show_contract``): composing, mounting and styling a new screen was about half
    of what opening a contract cost. ``DetailScreen(code)`` builds one for that contract alone."""

    BINDINGS = keymap.bindings("back", "actions", "next-tab", "prev-tab")

    def __init__(self, code: str | None = None) -> None:
        super().__init__()
        self.code = code
        self._filled: set[str] = {"tab-record"}
        self._stale: set[str] = set()        # panes of a contract shown before: replaced when next shown
        self._history: Text | None = None
        self._shown_code: str | None = None
        if code is not None:
            self.sub_title = t("tui.screen.detail", code=code)     # before mounting: the header shows it at once

    @property
    def contract(self):
        return self.data.contract(self.code)

    def _head(self, c) -> str:
        return f"{c.code}  {c.title}  [{label('stage', c.status)}]  ¥{format_amount(c.amount)}" if c else ""

    def compose(self) -> ComposeResult:
        c = self.contract if self.code is not None else None
        self._shown_code = self.code if c else None         # the contract the widgets show
        yield Header()
        yield Label(self._head(c), id="detail-head")
        yield TabBar([(f"tab-{x}", t(f"tui.tab.{x}")) for x in TABS], id="tabs")
        with ContentSwitcher(id="tabs-body", initial="tab-record"):
            with VerticalScroll(id="tab-record"):
                yield Static(self._record() if c else "", id="record")
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        if self.code is not None and self.code != self._shown_code:   # opened while it was being built
            self.show_contract(self.code)
        elif self.code is not None:
            self.load_history()

    def show_contract(self, code: str) -> None:
        """Show ``code`` (before the screen is pushed): the record tab filled, the other tabs of the contract
        shown before left to be rebuilt when shown, its history asked for in a worker."""
        self.code = code
        self.sub_title = t("tui.screen.detail", code=code)
        self._history = None
        if not self.ready:               # not composed yet: compose and on_mount do it
            return
        self._version = self.app.data_version
        c = self.contract
        self._shown_code = code
        self.query_one("#detail-head", Label).update(self._head(c))
        self.query_one("#record", Static).update(self._record() if c else "")
        self.query_one("#tab-record", VerticalScroll).scroll_home(animate=False)
        self._stale |= self._filled - {"tab-record"}
        self._filled = {"tab-record"}
        self.query_one("#tabs-body", ContentSwitcher).current = "tab-record"
        with self.prevent(TabBar.Activated):
            self.query_one(TabBar).active = "tab-record"
        self.load_history()

    # Only the record tab is built when a contract opens; the others are built and mounted when first
    # shown (the Markdown text, the review and pyHanko's verification cost most, and may never be looked at).
    async def _fill_tab(self, pane: str) -> None:
        if pane in self._filled:
            return
        self._filled.add(pane)
        body = self.query_one("#tabs-body", ContentSwitcher)
        if pane in self._stale:          # the same tab of the contract shown before
            self._stale.discard(pane)
            await body.remove_children(f"#{pane}")
        if pane == "tab-text":
            from textual.widgets import Markdown       # markdown-it's import: ≈ 0.1 s, only when the text is shown
            await body.mount(VerticalScroll(Markdown(self.contract.body, id="text"), id=pane))
        elif pane == "tab-findings":
            await body.mount(Vertical(self._findings(), id=pane))
        elif pane == "tab-payments":
            box = VerticalScroll(id="payments")
            await body.mount(Vertical(box, id=pane))
            self._fill_payments(box)
        elif pane == "tab-history":
            await body.mount(VerticalScroll(Static(self._history or t("tui.hist.loading"), id="history"), id=pane))
        elif pane == "tab-filing":
            await body.mount(VerticalScroll(Static(self._filing(), id="filing"), Static("", id="filing-verify"),
                                            id=pane))
            self.load_verification()
        elif pane == "tab-attachments":
            await body.mount(VerticalScroll(Static(self._attachments(), id="attachments"), id=pane))

    async def show_tab(self, pane: str) -> None:
        await self._fill_tab(pane)
        self.query_one("#tabs-body", ContentSwitcher).current = pane

    async def on_tab_bar_activated(self, event: TabBar.Activated) -> None:
        if self.code is not None:
            await self.show_tab(event.pane)

    def _history_snapshot(self):
        """The loaded snapshot for cctk.lifecycle.trail; light data carry no full records, so the
        trail gets a copy holding just this contract (its folder), never a listing of the tree."""
        import dataclasses
        if self.data.complete:
            return self.data.snapshot
        return dataclasses.replace(self.data.snapshot, contracts=[self.contract])

    def rebuild(self) -> None:
        self.call_later(self._rebuild)

    async def _rebuild(self) -> None:
        c = self.contract
        if c is None:
            self.app.pop_screen()
            return
        self.query_one("#detail-head", Label).update(
            f"{c.code}  {c.title}  [{label('stage', c.status)}]  ¥{format_amount(c.amount)}")
        self.query_one("#record", Static).update(self._record())
        body = self.query_one("#tabs-body", ContentSwitcher)
        active = self.query_one(TabBar).active
        body.current = "tab-record"
        await body.remove_children([w for w in body.children if w.id != "tab-record"])
        self._filled = {"tab-record"}
        self._stale = set()
        self._history = None
        self.load_history()
        await self.show_tab(active)

    # -- tabs ------------------------------------------------------------------------------
    def _record(self) -> _RenderedOnce:
        c = self.contract
        units = self.data.unit_names
        people = self.data.snapshot.org.people
        who = lambda pid: f"{people[pid].name} ({pid})" if pid in people else (pid or "")  # noqa: E731
        rows = [
            (t("tui.col.code"), c.code), (t("tui.col.title"), c.title),
            (t("tui.facet.category"), label("category", c.category)),
            (t("tui.col.unit"), f"{units.get(c.unit, c.unit)} ({c.unit})"),
            (t("tui.col.supplier"), f"{c.counterparty.name} ({c.counterparty.credit_code})"
             + (" SME" if c.counterparty.sme else "")),
            (t("tui.col.amount"), "¥" + format_amount(c.amount)),
            (t("tui.col.stage"), label("stage", c.status)),
            (t("tui.facet.key"), ", ".join(label("key", k) for k in c.key_supervision) or t("tui.none")),
            ("procurement_method", c.procurement_method), ("template", c.template), ("clerk", who(c.clerk)),
        ]
        if c.performance_bond is not None:
            rows.append(("performance_bond", "¥" + format_amount(c.performance_bond)))
        rows += [(f"dates.{k}", v.isoformat()) for k, v in c.dates.items()]
        for a in c.approvals:
            rows.append((f"approval {a.step}", f"{a.on} {who(a.by)} {a.result} {a.opinion}"))
        if c.acceptance:
            rows.append(("acceptance", f"{c.acceptance.on} {c.acceptance.result}"))
        if c.evaluation:
            rows.append(("evaluation", f"{c.evaluation.on} {c.evaluation.score}"))
        for m in c.amendments:
            rows.append((f"amendment {m.id}", f"{m.title} {format_amount(m.amount_change)} {m.status}"))
        rows.append(("path", c.path))
        return _RenderedOnce(_kv(rows))

    def _filing(self):
        c = self.contract
        f = c.filing
        if f is None:
            return t("tui.filing.not_filed")
        return _kv([
            (t("tui.filing.number"), f.number), (t("tui.filing.on"), f.on), (t("tui.filing.by"), f.by),
            (t("tui.filing.required"), "✓" if f.required else "✗"), (t("tui.filing.late"), "✓" if f.late else "✗"),
            (t("tui.filing.sha"), f.sha256 or t("tui.none")), (t("tui.filing.pdf"), f.pdf_sha256 or t("tui.none")),
        ])

    @work(thread=True, exclusive=True, group="verify")
    def load_verification(self) -> None:
        """cctk.render.verify on contracts/<year>/<code>/filed.pdf, off the UI thread (pyHanko)."""
        code = self.code
        c = self.contract
        if c.filing is None:
            out = Text("")
        else:
            result = shape.verify_filing(self.app.root, c)
            out = Text(t("tui.filing.verify") + "\n", style="bold")
            if result is None:
                out.append(t("tui.filing.no_pdf"), style="dim")
            else:
                valid, lines = result
                out.append("\n".join(lines), style="green" if valid else "red")
        self.app.call_from_thread(self._verification_arrived, code, out)

    def _verification_arrived(self, code: str, out: Text) -> None:
        if code == self.code:            # not a contract shown before in this screen
            for w in self.query("#filing-verify"):
                w.update(out)

    def _attachments(self):
        c = self.contract
        if not c.attachments:
            return t("tui.none")
        return _kv([(a.kind, f"{a.path}  {a.sha256 or ''}") for a in c.attachments])

    def _findings(self) -> OptionList:
        """Record checks and rules (as `cctk check`, from the load) and the text review's findings
        (cctk.review.review_contract: quote, legal basis, suggested wording), by line."""
        c = self.contract
        review = shape.review_findings(c, self.app.root)
        diags = [d for d in self.data.findings_by_code.get(c.code, []) if not d.code.startswith("CR")]
        items = [(d.line, d.severity.label, d.code, d.text(), None) for d in diags]
        items += [(f.line, f.severity.label, f.code, f.text(), f) for f in review]
        items.sort(key=lambda i: (i[0] or 0, i[2]))
        self._finding_lines: dict[str, int | None] = {}
        if not items:
            return OptionList(Option(t("tui.no_findings"), id="none", disabled=True), id="findings")
        options = []
        for n, (line, sev, code, text, finding) in enumerate(items):
            style = "red" if sev == "error" else ("yellow" if sev == "warning" else "")
            shown = Text(f"{code} {sev}{f':{line}' if line else ''}  {text}", style=style)
            if finding is not None:
                if finding.quote:
                    shown.append(f"\n    {t('tui.find.quote')}: {finding.quote}", style="dim")
                if finding.basis:
                    shown.append(f"\n    {t('tui.find.basis')}: {finding.basis.cite()}", style="dim")
                fix = finding.fix()
                if fix:
                    shown.append(f"\n    {t('tui.find.fix')}: {fix}", style="green")
            options.append(Option(shown, id=f"f{n}"))
            self._finding_lines[f"f{n}"] = line
        return OptionList(*options, id="findings")

    async def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "findings":
            await self.jump_to(self._finding_lines.get(event.option.id or ""))

    async def jump_to(self, file_line: int | None) -> None:
        """Show the text tab at the clause holding ``file_line``."""
        await self._fill_tab("tab-text")
        self.query_one(TabBar).active = "tab-text"
        self.query_one("#tabs-body", ContentSwitcher).current = "tab-text"
        from textual.widgets import Markdown
        heading = shape.clause_for_line(self.contract, file_line)
        md = self.query_one("#text", Markdown)
        if heading:
            for _, title, header_id in md.table_of_contents:
                if title.strip() == heading.strip() and header_id:
                    self.call_after_refresh(lambda hid=header_id: md.query_one(f"#{hid}").scroll_visible(top=True))
                    break

    def _fill_payments(self, box) -> None:
        view = shape.payments(self.contract, self.data.today, self.data.settings)
        widgets = [Label(t("tui.pay.overall", paid=format_amount(view.paid), total=format_amount(view.total))),
                   ProgressBar(total=100, show_eta=False, classes="pay-overall")]
        for inst in view.instalments:
            text = t("tui.pay.line", id=inst.id, trigger=label("trigger", inst.trigger), days=inst.days,
                     due=inst.due.isoformat() if inst.due else t("tui.pay.not_due"),
                     paid=format_amount(inst.paid), value=format_amount(inst.value))
            text += "  " + label("paystatus", inst.status)
            if inst.deemed:
                text += "  " + t("tui.pay.deemed")
            if inst.days_late:
                text += "  " + t("tui.pay.late", days=inst.days_late)
            if inst.interest:
                text += "  " + t("tui.pay.inst_interest", amount=format_amount(inst.interest))
            lbl = Label(Text(text, style="bold red" if inst.overdue else ""), classes="pay-line")
            bar = ProgressBar(total=100, show_eta=False, classes="pay-bar" + (" overdue" if inst.overdue else ""))
            widgets += [lbl, bar]
        if view.sme:
            widgets.append(Label(t("tui.pay.interest", amount=format_amount(view.interest))))
        c = self.contract
        if c.payments:
            lines = [t("tui.pay.payments")] + [f"  {p.on}  ¥{format_amount(p.amount)}  #{p.instalment or '-'}  {p.by or ''}"
                                               for p in c.payments]
            widgets.append(Static("\n".join(lines)))
        box.mount_all(widgets)
        bars = [w for w in widgets if isinstance(w, ProgressBar)]
        bars[0].update(progress=round(view.ratio * 100))
        for bar, inst in zip(bars[1:], view.instalments):
            bar.update(progress=round(inst.ratio * 100))

    @work(thread=True, exclusive=True, group="history")
    def load_history(self) -> None:
        code = self.code
        events = shape.history(self.app.root, code, self._history_snapshot())
        if not events:
            out = Text(t("tui.hist.empty"))
        else:
            out = Text()
            for e in events:
                sig = {"G": "✔ signed", "N": "", "B": "✘ BAD signature", "U": "✔? signed", "E": "? signature"}.get(e.signed, e.signed)
                out.append(f"● {e.when}  ", style="bold")
                out.append(f"{e.action or '-'}  ", style="cyan")
                out.append(f"{e.who}  {e.commit}  {sig}\n")
                out.append(f"  {e.subject}\n")
                for ch in e.changes:
                    out.append(f"    {ch}\n", style="dim")
        self.app.call_from_thread(self._history_arrived, code, out)

    def _history_arrived(self, code: str, out: Text) -> None:
        if code != self.code:            # a contract shown before in this screen
            return
        self._history = out
        for w in self.query("#history"):
            w.update(out)

    # -- actions ---------------------------------------------------------------------------
    def action_back(self) -> None:
        self.app.pop_screen()

    def _switch(self, step: int) -> None:
        tabs = self.query_one(TabBar)
        ids = [f"tab-{x}" for x in TABS]
        tabs.active = ids[(ids.index(tabs.active) + step) % len(ids)]

    def action_next_tab(self) -> None:
        self._switch(1)

    def action_prev_tab(self) -> None:
        self._switch(-1)

    def action_actions(self) -> None:
        from tui.dialogs.actions import ActionsDialog
        self.app.push_screen(ActionsDialog(self.code))
