"""The Inspections screen's data: the year's sample and its progress, from cctk.inspections.

The saved sample (inspections/<year>.yaml, `cctk inspect sample --save`) when there is one; else the
draw `cctk inspect sample --year Y` would make now (seeded by the year's last filing commit), marked
as not saved. Progress and results are ``cctk.inspections.report`` — what `cctk inspect report` prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class SampleRow:
    code: str
    title: str
    unit: str
    why: str                      # "stratum:<class>" | "unit:<unit>" (drawn now) or "" (saved)
    result: str                   # pass | fail | "" (pending)
    findings: str = ""


@dataclass
class InspectionsView:
    year: int
    saved: bool
    verified: bool | None         # the saved sample equals the redraw from its seed (`inspect sample --verify`)
    seed: str | None
    seed_source: str
    report: dict
    rows: list[SampleRow] = field(default_factory=list)
    others: list[dict] = field(default_factory=list)     # inspections of contracts outside the sample


def view(root: Path, snap, year: int, records: list[dict]) -> InspectionsView:
    from cctk.inspections import draw, report, seed_for_year
    from cctk.inspections.records import read_year
    from cctk.inspections.sample import _share

    saved = read_year(root, year).get("sample")
    reasons: dict[str, str] = {}
    verified = None
    if saved:
        sample, seed, source = saved, saved.get("seed"), saved.get("seed_source", "")
        again = draw(snap.contracts, year, seed, snap.policy, rate=_share(saved["rate"]))
        reasons, verified = again.reasons, again.codes == list(saved.get("codes") or [])
    else:
        seed, source = seed_for_year(root, year)
        sample = None
        if seed:
            drawn = draw(snap.contracts, year, seed, snap.policy, seed_source=source)
            reasons = drawn.reasons
            sample = {"codes": drawn.codes, "seed": seed, "rate": f"{drawn.rate * 100:.2f}%"}
    rep = report(snap, year, records, sample)
    codes = list((sample or {}).get("codes") or [])
    by_code = {c.code: c for c in snap.contracts}
    mine = [r for r in records if str(r.get("on", ""))[:4] == str(year)]
    last = {r.get("contract"): r for r in mine}                 # the latest record of each contract
    rows = []
    for code in codes:
        c = by_code.get(code)
        r = last.get(code) or {}
        rows.append(SampleRow(code, c.title if c else "", c.unit if c else "", reasons.get(code, ""),
                              r.get("result", ""), str(r.get("findings") or "")))
    others = [r for r in mine if r.get("contract") not in set(codes)]
    return InspectionsView(year, bool(saved), verified, seed, source, rep, rows, others)
