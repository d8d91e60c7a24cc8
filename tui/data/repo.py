"""What the UI holds after loading: the snapshot, its findings, and the contracts index."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cctk.model import Contract, Diagnostic
from cctk.store.loader import Snapshot

from tui.data.index import Index, build_rows


@dataclass
class RepoData:
    snapshot: Snapshot
    diagnostics: list[Diagnostic]
    index: Index
    today: dt.date
    by_code: dict[str, Contract] = field(default_factory=dict)
    findings_by_code: dict[str, list[Diagnostic]] = field(default_factory=dict)

    @property
    def unit_names(self) -> dict[str, str]:
        return unit_names(self.snapshot)

    def contract(self, code: str) -> Contract | None:
        return self.by_code.get(code)


def unit_names(snap: Snapshot) -> dict[str, str]:
    from cctk.i18n import get_lang

    zh = get_lang() == "zh"
    return {u.code: (u.name if zh or not u.name_en else u.name_en) for u in snap.org.units.values()}


def findings(snap: Snapshot, today: dt.date | None = None) -> list[Diagnostic]:
    """Record checks, plus the rules engine's findings once it is installed (cctk.rules.run)."""
    from cctk.repository import all_diagnostics

    diags = all_diagnostics(snap)
    try:  # the rules engine lands separately; the UI shows its findings when present
        from cctk import rules
    except ImportError:
        return diags
    try:
        result = rules.run(snap, as_of=today, base=diags)
    except Exception:  # a half-landed engine must not take the workspace down
        return diags
    seen = {id(d) for d in diags}
    return diags + [d for d in getattr(result, "diagnostics", []) if id(d) not in seen and isinstance(d, Diagnostic)]


def build(snap: Snapshot, diagnostics: list[Diagnostic] | None = None, today: dt.date | None = None) -> RepoData:
    diags = findings(snap, today) if diagnostics is None else diagnostics
    rows = build_rows(snap.contracts, diags, unit_names(snap), {s.credit_code: s.name for s in snap.suppliers.values()})
    by_code = {c.code: c for c in snap.contracts}
    by_path = {c.path: c.code for c in snap.contracts}
    per: dict[str, list[Diagnostic]] = {}
    for d in diags:
        code = d.contract or by_path.get(d.path)
        if code:
            per.setdefault(code, []).append(d)
    return RepoData(snapshot=snap, diagnostics=diags, index=Index(rows), today=today or dt.date.today(),
                    by_code=by_code, findings_by_code=per)
