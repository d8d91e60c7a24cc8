"""What the UI holds after loading: the snapshot, its findings, the supervision data (payment states,
supplier listings, inspection records, problem reports, alerts) and the contracts index.

Everything here is computed by the library exactly as the CLI computes it (``cctk check``,
``cctk payments``, ``cctk suppliers``, ``cctk alerts``), once per load, in the loading worker.
"""

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
    settings: dict = field(default_factory=dict)          # cctk.rules.settings (thresholds, payment terms)
    states: dict[str, list] = field(default_factory=dict)  # code -> [cctk.payments.InstalmentState]
    inspections: list[dict] = field(default_factory=list)  # cctk.inspections.load_records
    feedback: dict = field(default_factory=dict)           # cctk.supervision.feedback.load_all
    listings: list = field(default_factory=list)           # cctk.suppliers.effective_listings (recorded + derived)
    alerts: list = field(default_factory=list)             # cctk.supervision.alerts.compute: `cctk alerts`

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
    """What `cctk check` reports: record checks, the rule book and the text review (cached per record)."""
    import cctk.review
    from cctk import rules
    from cctk.repository import all_diagnostics
    from cctk.rules.textreview import hook

    review, tag = hook(cctk.review, snap)
    return rules.run(snap, as_of=today, base=all_diagnostics(snap), review=review, review_tag=tag).diagnostics


def as_of(snap: Snapshot) -> dt.date:
    """The evaluation date the CLI uses: cctk.yaml ``as_of`` (a frozen demo district), else today."""
    from cctk.payments import as_of_date
    return as_of_date(snap.config)


def build(snap: Snapshot, diagnostics: list[Diagnostic] | None = None, today: dt.date | None = None) -> RepoData:
    from cctk.inspections import load_records
    from cctk.payments import payment_settings, repository_states
    from cctk.rules.settings import settings as rule_settings
    from cctk.supervision.alerts import compute
    from cctk.supervision.feedback import load_all
    from cctk.suppliers import effective_listings

    today = today or as_of(snap)
    diags = findings(snap, today) if diagnostics is None else diagnostics
    settings = rule_settings(snap.policy)
    states: dict[str, list] = {}
    # the contracts `cctk payments` lists (repository_states applies the library's status rules)
    for s in repository_states(snap.contracts, as_of=today, settings=payment_settings(settings)):
        states.setdefault(s.code, []).append(s)
    inspections = load_records(snap.root)
    feedback = load_all(snap.root, snap.all_paths)
    listings = effective_listings(snap, today, inspections=inspections, feedback=feedback)
    alerts = compute(snap, today, settings=settings, inspections=inspections, feedback=feedback, listings=listings)
    rows = build_rows(snap.contracts, diags, unit_names(snap), {s.credit_code: s.name for s in snap.suppliers.values()},
                      states=states)
    by_code = {c.code: c for c in snap.contracts}
    by_path = {c.path: c.code for c in snap.contracts}
    per: dict[str, list[Diagnostic]] = {}
    for d in diags:
        code = d.contract or by_path.get(d.path)
        if code:
            per.setdefault(code, []).append(d)
    return RepoData(snapshot=snap, diagnostics=diags, index=Index(rows), today=today, by_code=by_code,
                    findings_by_code=per, settings=settings, states=states, inspections=inspections,
                    feedback=feedback, listings=listings, alerts=alerts)
