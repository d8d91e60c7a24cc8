"""Checking a hand edit of a record: valid, and no frozen field changed after signing."""

from __future__ import annotations

from cctk import i18n
from cctk.model import Severity
from cctk.store.records import parse_contract

SIGNED_STATES = ("signed", "performing", "accepted", "evaluated", "archived", "terminated")
# Frozen once signed: the parties, the price, the payment terms and the text (a change needs `cctk amend`).
FROZEN = ("code", "unit", "counterparty", "amount", "currency", "payment_schedule", "performance_bond", "body")

i18n.register({
    "edit.frozen": ("field '{field}' is frozen after signing; change it with 'cctk amend'",
                    "签订后字段“{field}”已冻结；如需变更请使用“cctk amend”"),
})


def frozen_changes(before, after) -> list[str]:
    if before.status not in SIGNED_STATES:
        return []
    return [name for name in FROZEN if getattr(before, name) != getattr(after, name)]


def check_edit(path: str, original: bytes, edited: bytes) -> list[str]:
    """Problems with an edit, as lines to show the person (empty: the edit may be saved)."""
    before, _ = parse_contract(path, original)
    after, diags = parse_contract(path, edited)
    lines = [f"{d.location()}: {d.code} {d.text()}" for d in diags if d.severity == Severity.ERROR]
    if after is None:
        return lines or ["invalid record / 记录无效"]
    if before is None:
        # fixing a record that does not parse: there is nothing to compare frozen fields with here (the
        # pre-commit and server hooks still compare them with the committed record)
        return lines
    lines += [i18n.t("edit.frozen", field=name) for name in frozen_changes(before, after)]
    return lines


class EditRefused(Exception):
    """A hand edit that may not be saved; ``problems`` are the lines to show."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems
