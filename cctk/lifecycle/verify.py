"""Checking commits read straight from git objects (no work tree): the engine behind the server
hook and ``cctk audit``. Each commit is checked against the policy of its parent (a push cannot
grant itself a role), with moves.check_change for every contract record it changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cctk.i18n import register
from cctk.lifecycle.moves import MOVES, Change, check_change, dx, parse_both, signed_state
from cctk.lifecycle.trail import ZERO, Commit
from cctk.model import Diagnostic, Severity
from cctk.store import gitio

register({
    "lc.unsigned": ("commit is not signed with a key listed for its author {email} in policy/org.yaml "
                    "(require_signed_commits; signature status {sig})",
                    "提交未使用 policy/org.yaml 中为作者 {email} 登记的密钥签名（require_signed_commits；签名状态 {sig}）"),
    "lc.signer": ("commit is signed by {signer}, not by its author {email}", "提交由 {signer} 签名，而非作者 {email}"),
    "lc.hash": ("{code}: the signed content no longer matches the SHA-256 recorded at filing ({number})",
                "{code}：已签订内容与备案时记录的 SHA-256 不一致（{number}）"),
    "lc.dup_number": ("{code}: filing number {number} is also used by {other}{where}; run 'cctk file {code} --renumber' "
                      "after merging or rebasing onto the latest branch",
                      "{code}：备案号 {number} 已被 {other} 使用{where}；请合并或变基到最新分支后运行“cctk file {code} --renumber”"),
})
CODES = {"lc.unsigned": "LC009", "lc.signer": "LC009", "lc.hash": "LC020", "lc.dup_number": "LC008"}
for _k, _v in CODES.items():
    from cctk.lifecycle import moves as _m
    _m.CODES[_k] = _v

POLICY_PATHS = ["cctk.yaml", "policy"]


@dataclass
class Finding:
    commit: str
    diag: Diagnostic


@dataclass
class Numbers:
    """Filing numbers a commit introduced: (number, code, commit)."""
    items: list[tuple[str, str, str]] = field(default_factory=list)


class PolicyCache:
    def __init__(self, root: Path):
        self.root = root
        self._by_key: dict[tuple, tuple] = {}

    def get(self, oids: dict[str, str], cat: gitio.CatFile):
        from cctk.store.repo import parse_config, parse_org, parse_policy

        key = tuple(sorted(oids.items()))
        if key not in self._by_key:
            data = dict(zip(oids, (d for _, d in cat.read_many(list(oids.values())))))
            config, _ = parse_config(data.get("cctk.yaml"))
            org, _ = parse_org(data.get("policy/org.yaml"))
            policy, _ = parse_policy({p: d for p, d in data.items() if p.startswith("policy/")
                                      and p.count("/") == 1 and p != "policy/org.yaml" and d is not None})
            self._by_key[key] = (config, org, policy)
        return self._by_key[key]


def policy_oids(root: Path, rev: str | None) -> dict[str, str]:
    if not rev:
        return {}
    return {p: o for p, o, _ in gitio.ls_tree(root, rev, POLICY_PATHS)
            if p == "cctk.yaml" or (p.startswith("policy/") and p.endswith((".yaml", ".yml")))}


def _folder(path: str) -> str | None:
    parts = path.split("/")
    if len(parts) >= 4 and parts[0] == "contracts":
        return "/".join(parts[:3])
    return None


def check_commit(root: Path, commit: Commit, policy: tuple, cat: gitio.CatFile, contract_oid_at_parent,
                 numbers: Numbers | None = None, known: dict | None = None,
                 parsed: dict | None = None) -> list[Diagnostic]:
    """Problems with one (non-merge) commit. ``contract_oid_at_parent(path)`` gives a contract.md blob id
    before the commit, for files beside it. ``known``: valid records already parsed, by blob id (audit
    passes the final tree's: an import commit of 100,000 records then parses only those changed since).
    ``parsed``: a dict the caller keeps across commits, remembering parse results by blob id."""
    known = known or {}
    config, org, pol = policy
    out: list[Diagnostic] = []
    require_signed = bool(config.get("require_signed_commits"))
    if require_signed:
        if commit.sig not in ("G", "U"):
            out.append(dx("lc.unsigned", "", None, email=commit.author_email, sig=commit.sig or "N"))
        elif commit.signer.lower() != commit.author_email.lower():
            out.append(dx("lc.signer", "", None, signer=commit.signer, email=commit.author_email))
    if len(commit.parents) > 1:
        # A merge brings commits checked one by one; itself it may only pick, per record, one side's version.
        from cctk.lifecycle.conflict import mixed_paths
        for path in mixed_paths(root, commit.oid, commit.parents):
            out.append(dx("lc.merge_mix", path, path.split("/")[2], file=path))
        return out
    touched = [(s, p, a, b) for s, p, a, b in commit.files if _folder(p)]
    if not touched:
        return out
    action = commit.trailers.get("Cctk-Action")
    step = commit.trailers.get("Cctk-Step")
    claimed = commit.trailers.get("Cctk-Contract")
    person = org.person_by_email(commit.author_email)
    if person is None:
        out.append(dx("lc.author", touched[0][1], None, email=commit.author_email))
    records = [(s, p, a, b) for s, p, a, b in touched if p.endswith("/contract.md") and p.count("/") == 3]
    memo = parsed if parsed is not None else {}
    oids = sorted({o for _, _, a, b in records for o in (a, b)
                   if o != ZERO and o not in memo and not (o == b and a == ZERO and o in known)})
    blobs = dict(cat.read_many(oids)) if oids else {}

    def both(path, oid):
        """parse_both, once per blob in a run (a record's "before" is the "after" of its previous commit)."""
        if oid not in memo:
            if len(memo) > 20000:
                memo.clear()
            memo[oid] = parse_both(path, blobs.get(oid))
        return memo[oid]

    codes = sorted({p.split("/")[2] for _, p, _, _ in touched})
    if claimed and action not in ("create", "import") and codes != [claimed]:
        out.append(dx("lc.trailer_code", touched[0][1], claimed, claimed=claimed, codes=", ".join(codes)))
    for status, path, old, new in records:
        if old == ZERO and new in known:      # an added record (no field diff needed), parsed already
            before, before_raw, (after, after_raw, diags) = None, None, (known[new], None, [])
        elif old == ZERO and new != ZERO:     # an added record: the model only, no second YAML parse
            from cctk.store.records import parse_contract
            before, before_raw = None, None
            after, diags = parse_contract(path, blobs.get(new) or b"")
            after_raw = None
        else:
            before, before_raw, _ = both(path, old) if old != ZERO else (None, None, [])
            after, after_raw, diags = both(path, new) if new != ZERO else (None, None, [])
        code = path.split("/")[2]
        if new != ZERO and after is None:
            detail = "; ".join(f"{d.location()}: {d.text()}" for d in diags if d.severity == Severity.ERROR)[:300]
            out.append(dx("lc.invalid", path, code, detail=detail or "-"))
            continue
        if action is not None and action not in MOVES and action != "init":
            out.append(dx("lc.unknown_action", path, code, action=action))
            continue
        out += check_change(Change(path, before, after, before_raw, after_raw), action, step, person, pol, org)
        if after is not None and after.filing and after.filing.sha256:
            from cctk.lifecycle.numbering import content_sha256
            if content_sha256(after) != after.filing.sha256:
                out.append(dx("lc.hash", path, code, number=after.filing.number or "-"))
        if numbers is not None and after is not None and after.filing and after.filing.number and (
                before is None or before.filing is None or before.filing.number != after.filing.number):
            numbers.items.append((after.filing.number, code, commit.oid))
    # Files beside a signed record (scans, filed PDF, signed amendments) may be added, never changed.
    for status, path, old, new in touched:
        if path.endswith("/contract.md") or status == "A":
            continue
        folder = _folder(path)
        record_oid = contract_oid_at_parent(f"{folder}/contract.md")
        if not record_oid:
            continue
        data = dict(cat.read_many([record_oid])).get(record_oid)
        before, _, _ = parse_both(f"{folder}/contract.md", data)
        if not signed_state(before):
            continue
        rel = path[len(folder) + 1:]
        amendment = next((a for a in before.amendments if a.path == rel), None)
        if amendment is not None and amendment.status != "signed":
            continue
        out.append(dx("lc.deleted", path, before.code, path=path))
    return out
