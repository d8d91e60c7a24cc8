"""``cctk audit``: verify the whole trail from git alone.

Every commit touching a contract must be a recognised action by a person holding the role (under
the policy of the commit's parent), no signed or filed content may change outside an amendment
(frozen fields, filing hash), filing numbers must be unique, and — with require_signed_commits —
every commit must carry a valid signature from a key listed for its author.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from cctk.lifecycle import numbering
from cctk.lifecycle.moves import dx
from cctk.lifecycle.trail import ZERO, SignerConfig, log
from cctk.lifecycle.verify import Finding, Numbers, PolicyCache, check_commit, policy_oids
from cctk.store import gitio


@dataclass
class AuditReport:
    findings: list[Finding] = field(default_factory=list)
    commits: int = 0
    contracts: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.findings


def _is_policy(path: str) -> bool:
    return path == "cctk.yaml" or (path.startswith("policy/") and path.endswith((".yaml", ".yml")))


def audit(root: Path | str, since: str | None = None, rev: str = "HEAD") -> AuditReport:
    from cctk.store.loader import load

    start = time.perf_counter()
    root = Path(root).resolve()
    report = AuditReport()
    head = load(root, rev)
    signing = bool(head.config.get("require_signed_commits"))
    # State walked forward commit by commit (topological order), so each commit is judged by the
    # policy of its parent without one `git ls-tree` per commit.
    pol_state = policy_oids(root, since) if since else {}
    records: dict[str, str] = {}
    if since:
        records = {p: o for p, o, _ in gitio.ls_tree(root, since, ["contracts"]) if p.endswith("/contract.md")}
    numbers = Numbers()
    cache = PolicyCache(root)
    known = {c.oid: c for c in head.contracts if c.oid}     # records unchanged since a commit: parsed once
    parsed: dict = {}
    with SignerConfig(head.org) as sc, gitio.CatFile(root) as cat:
        commits = log(root, [f"{since}..{rev}" if since else rev], signatures=signing, signers=sc)
        for commit in commits:
            policy = cache.get(dict(pol_state), cat)
            if not pol_state:
                # A root commit brings its own policy (nothing earlier to judge it by).
                pol_state_now = {p: b for s, p, a, b in commit.files if _is_policy(p) and b != ZERO}
                policy = cache.get(pol_state_now, cat)
            for d in check_commit(root, commit, policy, cat, records.get, numbers, known, parsed):
                report.findings.append(Finding(commit.oid, d))
            if len(commit.parents) <= 1:
                for status, path, old, new in commit.files:
                    if _is_policy(path):
                        if new == ZERO:
                            pol_state.pop(path, None)
                        else:
                            pol_state[path] = new
                    elif path.endswith("/contract.md"):
                        if new == ZERO:
                            records.pop(path, None)
                        else:
                            records[path] = new
        report.commits = len(commits)
    # The final tree: numbers unique, filed content still matching its hash.
    report.contracts = len(head.contracts)
    first_commit = {}
    for number, code, oid in numbers.items:
        first_commit.setdefault((number, code), oid)
    for number, codes in numbering.duplicates(head.contracts).items():
        for code in codes[1:]:
            c = head.contract(code)
            d = dx("lc.dup_number", c.path, code, number=number, other=codes[0], where="")
            report.findings.append(Finding(first_commit.get((number, code), head.rev or rev), d))
    for c in head.contracts:
        if c.filing and c.filing.sha256 and numbering.content_sha256(c) != c.filing.sha256:
            report.findings.append(Finding(head.rev or rev, dx("lc.hash", c.path, c.code, number=c.filing.number or "-")))
    report.seconds = time.perf_counter() - start
    return report
