"""Shaping one contract for the detail tabs: payments progress, findings per clause, history,
filing verification. Thin over the library (cctk.payments, cctk.review, cctk.lifecycle.trail,
cctk.render.verify), tested without a terminal.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from cctk.model import Contract


@dataclass
class InstalmentView:
    id: str
    trigger: str
    days: int
    value: Decimal
    paid: Decimal
    due: dt.date | None
    status: str                 # cctk.payments: pending / due / overdue / paid / paid-late
    days_late: int
    interest: Decimal           # SME late-payment interest (art. 17), to date or to the day paid
    outstanding: Decimal
    deemed: bool                # trigger date deemed by art. 10

    @property
    def overdue(self) -> bool:
        return self.status == "overdue"

    @property
    def ratio(self) -> float:
        return float(self.paid / self.value) if self.value else 1.0


@dataclass
class PaymentsView:
    total: Decimal
    paid: Decimal
    instalments: list[InstalmentView]
    interest: Decimal = Decimal("0.00")    # the instalments' interest added up
    sme: bool = False

    @property
    def ratio(self) -> float:
        return float(self.paid / self.total) if self.total else 1.0


def payments(c: Contract, today: dt.date, settings: dict | None = None) -> PaymentsView:
    """The schedule against what was paid, as ``cctk payments`` computes it (cctk.payments.schedule_state)."""
    from cctk.payments import schedule_state

    rows = [InstalmentView(s.id, s.trigger, s.days, s.value, s.paid, s.due, s.status, s.days_late, s.interest,
                           s.outstanding, s.deemed)
            for s in schedule_state(c, as_of=today, settings=settings)]
    return PaymentsView(total=c.amount + c.amended_total, paid=c.paid, instalments=rows,
                        interest=sum((r.interest for r in rows), Decimal("0.00")), sme=bool(c.counterparty.sme))


def review_findings(c: Contract, root: Path | None = None) -> list:
    """The text review's findings for the contract's body (cctk.review.review_contract), with the
    repository's playbook; each has quote, basis and suggestion besides its line."""
    from cctk.review import load_playbook, review_contract
    return review_contract(c, playbook=load_playbook(root))


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


def flatten(changes, limit: int = 60, body: bool = False) -> list[tuple[str, object, object]]:
    """A new or removed mapping/list shown field by field (record_diff reports it as one value)."""
    out = []

    def walk(name, old, new):
        if old is None and isinstance(new, (dict, list)) or new is None and isinstance(old, (dict, list)):
            value = new if new is not None else old
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for k, v in items:
                walk(f"{name}.{k}", None if old is None else v, v if old is None else None)
        else:
            out.append((name, old, new))

    for name, old, new in changes:
        if body or name != "body":
            walk(name, old, new)
    return out[:limit]


@dataclass
class Event:
    commit: str
    when: str
    who: str
    action: str
    subject: str
    signed: str                          # git's %G? : G good, N none, B bad, U unknown validity …
    changes: list[str] = field(default_factory=list)


def history(root: Path, code: str, snap=None, limit: int = 200) -> list[Event]:
    """The record's commits, newest first, from cctk.lifecycle.trail (field-level changes, signature
    status); ``snap`` is the already loaded snapshot (no second load)."""
    from cctk.lifecycle import trail

    out = []
    for e in reversed(trail.history(root, code, snap=snap)):
        c = e.commit
        changes = [f"{f}: {_short(a)} → {_short(b)}" for f, a, b in flatten(e.changes, body=True)]
        out.append(Event(c.oid[:10], c.date[:16].replace("T", " "), e.person or c.author_name,
                         e.action or "", c.subject, c.sig, changes))
    return out[:limit]


def filed_pdf(root: Path, c: Contract) -> Path:
    """Where `cctk file` commits the filed PDF: beside contract.md."""
    return Path(root) / c.path.rsplit("/", 1)[0] / "filed.pdf"


def verify_filing(root: Path, c: Contract) -> tuple[bool, list[str]] | None:
    """cctk.render.verify.verify_pdf on the filed PDF: (valid, lines in the current language), or
    None when the contract has no filed.pdf."""
    from cctk.render.errors import RenderError
    from cctk.render.verify import verify_pdf

    path = filed_pdf(root, c)
    if not path.is_file():
        return None
    try:
        result = verify_pdf(path.read_bytes(), root, name=str(path.relative_to(root)))
    except RenderError as exc:          # not a readable PDF: that is the verification's answer
        return False, [exc.text()]
    return result.valid, result.lines()


def _short(value) -> str:
    if value is None:
        return "∅"
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"
