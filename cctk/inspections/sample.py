"""The draw. Algorithm "cctk-sha256-v1" (docs/supervision.md, "Inspections"), re-implementable in a few
lines by anyone holding the repository:

1. Seed: a public value fixed before the draw — by default the commit id of the year's last filing
   (the last commit dated in the year whose trailer is ``Cctk-Action: file``); the sample cannot be
   chosen before that commit exists, and nobody can steer a SHA-1 commit id to a wanted sample.
2. Population: contracts signed in the year whose status is in ``population`` (policy/inspections.yaml).
3. Rank of a contract: SHA-256 of the UTF-8 text ``"<seed>:<contract code>"``, as lowercase hex; lower
   ranks are drawn first.
4. Size: n = ceil(rate × population) (rate from policy/inspections.yaml for the year), at least one per
   key-supervision stratum.
5. Strata first: for each key-supervision class present (state-assets, urban-renewal, major-amount,
   other), the ``min_per_stratum`` lowest-ranked contracts of that class.
6. Then spread across units: units are ordered by the rank of their lowest-ranked undrawn contract; going
   round the units in that order, each takes its lowest-ranked undrawn contract, so every unit is covered
   once before any unit gets a second — until n contracts are drawn.
"""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from pathlib import Path

from cctk.model import Contract
from cctk.supervision.policy import policy_section

ALGORITHM = "cctk-sha256-v1"
KEY_CLASSES = ("state-assets", "urban-renewal", "major-amount", "other")


def _share(value) -> Decimal:
    text = str(value).strip()
    return Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)


def rate_for_year(policy: dict, year: int) -> Decimal:
    """The configured rate; after the last configured year it rises by ``step`` a year up to ``max_rate``."""
    pol = policy_section(policy, "inspections")
    rates = {int(k): _share(v) for k, v in (pol.get("rates") or {}).items()}
    cap = _share(pol.get("max_rate", "100%"))
    if not rates:
        return min(Decimal("0.05"), cap)
    if year in rates:
        return min(rates[year], cap)
    years = sorted(rates)
    if year < years[0]:
        return min(rates[years[0]], cap)
    last = max(y for y in years if y < year)
    return min(rates[last] + _share(pol.get("step", "0%")) * (year - last), cap)


def seed_for_year(root: Path, year: int) -> tuple[str | None, str]:
    """(commit id of the year's last filing, description). None when the year has no filing commit."""
    proc = subprocess.run(
        ["git", "-C", str(root), "log", "--format=%H %cI", f"--until={year}-12-31T23:59:59+08:00",
         f"--since={year}-01-01T00:00:00+08:00", "--grep=^Cctk-Action: file$", "-n", "1"],
        capture_output=True, text=True)
    line = proc.stdout.strip().splitlines()[0] if proc.stdout.strip() else ""
    if not line:
        return None, f"no filing commit in {year} / {year} 年无备案提交"
    commit, when = line.split(" ", 1)
    return commit, f"last filing commit of {year} ({when}) / {year} 年最后一次备案提交"


def rank(seed: str, code: str) -> str:
    return hashlib.sha256(f"{seed}:{code}".encode("utf-8")).hexdigest()


@dataclass
class Sample:
    year: int
    seed: str
    seed_source: str
    rate: Decimal
    population: int
    size: int
    codes: list[str]                                       # in draw order
    reasons: dict[str, str] = field(default_factory=dict)  # code -> "stratum:<class>" | "unit:<unit>"
    units_total: int = 0
    units_covered: int = 0
    algorithm: str = ALGORITHM

    def to_json(self) -> dict:
        return {"year": self.year, "algorithm": self.algorithm, "seed": self.seed, "seed_source": self.seed_source,
                "rate": f"{self.rate * 100:.2f}%", "population": self.population, "size": self.size,
                "units_total": self.units_total, "units_covered": self.units_covered,
                "codes": self.codes, "reasons": self.reasons}


def population(contracts: list[Contract], year: int, policy: dict) -> list[Contract]:
    statuses = set(policy_section(policy, "inspections").get("population") or [])
    return [c for c in contracts if c.dates.get("signed") and c.dates["signed"].year == year
            and (not statuses or c.status in statuses)]


def draw(contracts: list[Contract], year: int, seed: str, policy: dict, *, rate: Decimal | None = None,
         seed_source: str = "given") -> Sample:
    pol = policy_section(policy, "inspections")
    pop = population(contracts, year, policy)
    rate = rate if rate is not None else rate_for_year(policy, year)
    ranked = sorted(pop, key=lambda c: (rank(seed, c.code), c.code))
    n = int((rate * len(pop)).to_integral_value(rounding=ROUND_CEILING)) if pop else 0
    chosen: list[str] = []
    reasons: dict[str, str] = {}
    per = int(pol.get("min_per_stratum", 1))
    for klass in KEY_CLASSES:
        members = [c for c in ranked if klass in c.key_supervision]
        for c in members[:per]:
            if c.code not in reasons:
                chosen.append(c.code)
                reasons[c.code] = f"stratum:{klass}"
    n = max(n, len(chosen))
    by_unit: dict[str, list[Contract]] = {}
    for c in ranked:
        by_unit.setdefault(c.unit, []).append(c)
    while len(chosen) < n:
        heads = []
        for unit, items in by_unit.items():
            rest = [c for c in items if c.code not in reasons]
            if rest:
                heads.append((rank(seed, rest[0].code), unit, rest[0]))
        if not heads:
            break
        heads.sort()
        covered = {c.unit for c in pop if c.code in reasons}
        fresh = [h for h in heads if h[1] not in covered]
        for _, unit, c in (fresh or heads):
            if len(chosen) >= n:
                break
            chosen.append(c.code)
            reasons[c.code] = f"unit:{unit}"
            if not fresh:
                covered.add(unit)
    units = {c.unit for c in pop}
    covered = {c.unit for c in pop if c.code in reasons}
    return Sample(year=year, seed=seed, seed_source=seed_source, rate=rate, population=len(pop), size=len(chosen),
                  codes=chosen, reasons=reasons, units_total=len(units), units_covered=len(covered))
