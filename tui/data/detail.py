"""Shaping one contract for the detail tabs: payments progress, findings per clause, history.

Pure functions over the model (git only in ``history``), tested without a terminal.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from cctk.model import Contract

from tui.data.index import schedule_status


@dataclass
class InstalmentView:
    id: str
    trigger: str
    days: int
    value: Decimal
    paid: Decimal
    due: dt.date | None
    overdue: bool

    @property
    def ratio(self) -> float:
        return float(self.paid / self.value) if self.value else 1.0


@dataclass
class PaymentsView:
    total: Decimal
    paid: Decimal
    instalments: list[InstalmentView]
    interest: Decimal | None = None       # SME late-payment interest, from cctk.payments when installed

    @property
    def ratio(self) -> float:
        return float(self.paid / self.total) if self.total else 1.0


def payments(c: Contract, today: dt.date) -> PaymentsView:
    rows = [InstalmentView(inst.id, inst.trigger, inst.days, value, paid, due,
                           bool(due and due < today and paid < value))
            for inst, value, paid, due in schedule_status(c)]
    view = PaymentsView(total=c.amount + c.amended_total, paid=c.paid, instalments=rows)
    try:  # the legal computation (SME terms, working days, interest) belongs to cctk.payments
        from cctk import payments as paymod
        fn = getattr(paymod, "interest", None) or getattr(paymod, "late_interest", None)
        if callable(fn):
            value = fn(c, today)
            view.interest = value if isinstance(value, Decimal) else None
    except Exception:
        pass
    return view


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")


def headings(body: str) -> list[tuple[int, str]]:
    """(body line number, heading text) of the Markdown body's headings."""
    return [(n, m.group(2)) for n, line in enumerate(body.splitlines(), 1) if (m := _HEADING.match(line))]


def clause_for_line(c: Contract, file_line: int | None) -> str | None:
    """The heading above a file line (findings carry file lines; the body starts at body_line)."""
    if not file_line:
        return None
    body_line = file_line - c.body_line + 1
    found = None
    for n, text in headings(c.body):
        if n <= body_line:
            found = text
    return found


@dataclass
class Event:
    commit: str
    when: str
    who: str
    action: str
    subject: str
    signed: str                          # git's %G? : G good, N none, B bad, U unknown validity …
    changes: list[str] = field(default_factory=list)


def history(root: Path, code: str, path: str, limit: int = 200) -> list[Event]:
    """The record's commits, newest first: cctk.lifecycle.trail (field-level changes, signature
    status) when installed, else a plain git log of the file."""
    try:
        from cctk.lifecycle import trail
    except ImportError:
        trail = None
    if trail is not None:
        out = []
        for e in reversed(trail.history(root, code)):
            c = e.commit
            changes = [f"{f}: {_short(a)} → {_short(b)}" for f, a, b in e.changes]
            out.append(Event(c.oid[:10], c.date[:16].replace("T", " "), e.person or c.author_name,
                             e.action or "", c.subject, c.sig, changes))
        return out[:limit]
    fmt = "%x1e%h%x1f%ad%x1f%an%x1f%G?%x1f%(trailers:key=Cctk-Action,valueonly,separator=%x2c)%x1f%s"
    try:
        raw = subprocess.run(["git", "-C", str(root), "log", f"-n{limit}", "--date=format:%Y-%m-%d %H:%M",
                              f"--format={fmt}", "--", path], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    events = []
    for chunk in raw.split("\x1e"):
        parts = chunk.strip().split("\x1f")
        if len(parts) >= 6:
            events.append(Event(parts[0], parts[1], parts[2], parts[4].strip(), parts[5], parts[3]))
    return events


def _short(value) -> str:
    if value is None:
        return "∅"
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"
