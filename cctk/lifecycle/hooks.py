"""Git hooks. Client side (skippable with --no-verify, so only a convenience): pre-commit validates
what is staged, commit-msg checks the trailers match what the diff does. Server side (the real
gate): pre-receive / update check every pushed commit from git objects alone — schema, legal moves,
roles, frozen fields, signatures, filing numbers — and refuse deletions of the main branch and
force pushes that rewrite the history of a signed contract.

Imports stay narrow: a hook runs on every commit (budget 0.5 s)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from cctk.i18n import register, t
from cctk.lifecycle.moves import Change, check_change, dx, parse_both, signed_state
from cctk.lifecycle.trail import ZERO, SignerConfig, log, parse_trailers
from cctk.model import Diagnostic, Severity
from cctk.store import gitio

register({
    "hook.refused": ("cctk refused {n} commit(s) / cctk 拒绝了 {n} 个提交:", "cctk 拒绝了 {n} 个提交："),
    "hook.delete": ("deleting {ref} is not allowed: it holds the contracts' trail", "不允许删除 {ref}：它保存着合同的完整记录"),
    "hook.force": ("force push to {ref} rewrites the history of signed contract {code} (commit {commit}); "
                   "signed history cannot be rewritten — push the change as new commits",
                   "强制推送到 {ref} 将改写已签订合同 {code} 的历史（提交 {commit}）；已签订的历史不可改写——请以新提交推送修改"),
    "hook.ok": ("cctk: {n} commit(s) checked", "cctk：已检查 {n} 个提交"),
    "hook.installed": ("installed {hooks} in {path}", "已在 {path} 安装 {hooks}"),
})
PROTECTED = ("refs/heads/main", "refs/heads/master")
CLIENT_HOOKS = ("pre-commit", "commit-msg")
SERVER_HOOKS = ("pre-receive",)


def _out(root: Path, *args: str) -> str:
    return gitio.git(root, *args).decode("utf-8", "replace")


def _has_head(root: Path) -> bool:
    return subprocess.run(["git", "-C", str(root), "rev-parse", "-q", "--verify", "HEAD"],
                          capture_output=True).returncode == 0


def staged(root: Path) -> list[tuple[str, str, str, str]]:
    """(status, path, HEAD blob, staged blob) of staged contract files."""
    base = "HEAD" if _has_head(root) else "4b825dc642cb6eb9a060e54bf8d69288fbee4904"   # the empty tree
    out = _out(root, "diff-index", "--cached", "--raw", "--no-renames", "--no-abbrev", base, "--", "contracts")
    rows = []
    for line in out.splitlines():
        meta, _, path = line.partition("\t")
        bits = meta.split()
        rows.append((bits[4][0], path, bits[2], bits[3]))
    return rows


def _format(findings: list[tuple[str, Diagnostic]]) -> str:
    lines = []
    for commit, d in findings:
        where = f"{commit[:10]} " if commit else ""
        loc = f"{d.path}: " if d.path else ""
        lines.append(f"  {where}{loc}{d.code} {d.text()}")
    return "\n".join(lines)


def _changes(root: Path, rows, cat: gitio.CatFile):
    oids = sorted({o for _, p, a, b in rows if p.endswith("/contract.md") for o in (a, b) if o != ZERO})
    blobs = dict(cat.read_many(oids)) if oids else {}
    for status, path, old, new in rows:
        if not path.endswith("/contract.md") or path.count("/") != 3:
            continue
        before, before_raw, _ = parse_both(path, blobs.get(old)) if old != ZERO else (None, None, [])
        after, after_raw, diags = parse_both(path, blobs.get(new)) if new != ZERO else (None, None, [])
        yield Change(path, before, after, before_raw, after_raw), diags


def pre_commit(root: Path) -> tuple[int, str]:
    """Staged records: valid, and nothing frozen or past changed (the action is checked in commit-msg)."""
    findings = []
    rows = staged(root)
    if not rows:
        return 0, ""
    from cctk.lifecycle.edit import frozen_changes
    with gitio.CatFile(root) as cat:
        for ch, diags in _changes(root, rows, cat):
            for d in diags:
                if d.severity == Severity.ERROR:
                    findings.append(("", d))
            if ch.before is not None and ch.after is not None:
                for name in frozen_changes(ch.before, ch.after):
                    findings.append(("", dx("lc.frozen", ch.path, ch.after.code, field=name)))
            if ch.after is None and signed_state(ch.before):
                findings.append(("", dx("lc.deleted", ch.path, ch.before.code, path=ch.path)))
    if findings:
        return 1, t("hook.refused", n=1) + "\n" + _format(findings)
    return 0, ""


def commit_msg(root: Path, message_file: str) -> tuple[int, str]:
    """The trailers name an action the staged change really is, by a person holding its role."""
    rows = staged(root)
    merging = _merge_heads(root)
    if merging:
        return _merge_msg(root, rows, merging)
    if not rows:
        return 0, ""
    message = Path(message_file).read_text("utf-8", "replace")
    message = "\n".join(line for line in message.splitlines() if not line.startswith("#"))
    trailers = parse_trailers(message)
    from cctk.lifecycle import settings
    snap = settings.read(root)
    email = os.environ.get("GIT_AUTHOR_EMAIL") or _out(root, "config", "user.email").strip()
    person = snap.org.person_by_email(email)
    findings = []
    if person is None:
        findings.append(("", dx("lc.author", "", None, email=email)))
    action = trailers.get("Cctk-Action")
    with gitio.CatFile(root) as cat:
        for ch, diags in _changes(root, rows, cat):
            if ch.after is None and ch.before is None:
                continue
            if ch.after is not None and any(d.severity == Severity.ERROR for d in diags):
                continue   # pre-commit reports it
            findings += [("", d) for d in check_change(ch, action, trailers.get("Cctk-Step"), person,
                                                        snap.policy, snap.org)]
    if findings:
        return 1, t("hook.refused", n=1) + "\n" + _format(findings)
    return 0, ""


def _merge_heads(root: Path) -> list[str]:
    path = Path(_out(root, "rev-parse", "--git-path", "MERGE_HEAD").strip())
    path = path if path.is_absolute() else root / path
    try:
        return path.read_text().split()
    except OSError:
        return []


def _merge_msg(root: Path, rows, merging: list[str]) -> tuple[int, str]:
    """A merge commit: the actions it brings were checked where they were made (and the server checks
    them again); the merge itself may only take, for each record, the version of the one side that changed it."""
    from cctk.lifecycle.conflict import both_sides

    bad = set(both_sides(root, ["HEAD", *merging]))
    records = [(p, b) for _, p, _, b in rows if p.endswith("/contract.md") and p.count("/") == 3]
    theirs: dict[str, set] = {}
    for head in merging if records else []:
        found = {path: oid for path, oid, _ in gitio.ls_tree(root, head, [p for p, _ in records])}
        for path, _ in records:
            theirs.setdefault(path, set()).add(found.get(path, ZERO))
    bad |= {p for p, staged_oid in records if staged_oid not in theirs.get(p, set())}
    findings = [("", dx("lc.merge_mix", p, p.split("/")[2], file=p)) for p in sorted(bad)]
    if findings:
        return 1, t("hook.refused", n=1) + "\n" + _format(findings)
    return 0, ""


# --- server side ------------------------------------------------------------------------------

def _default_branch(root: Path) -> str:
    proc = subprocess.run(["git", "-C", str(root), "symbolic-ref", "-q", "HEAD"], capture_output=True)
    return proc.stdout.decode().strip() or "refs/heads/main"


def _tips(root: Path, exclude: str) -> dict[str, str]:
    out = _out(root, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads")
    return {ref: oid for ref, oid in (line.split() for line in out.splitlines()) if ref != exclude}


def receive(root: Path, updates: list[tuple[str, str, str]]) -> tuple[int, str]:
    """Check a push: ``updates`` are (old, new, ref) lines as pre-receive reads them."""
    from cctk.lifecycle import settings
    from cctk.lifecycle.verify import Numbers, PolicyCache, check_commit, policy_oids

    root = Path(root)
    findings: list[tuple[str, Diagnostic]] = []
    checked = 0
    protected = set(PROTECTED) | {_default_branch(root)}
    cache = PolicyCache(root)
    with gitio.CatFile(root) as cat:
        for old, new, ref in updates:
            if not ref.startswith("refs/heads/"):
                continue
            if new == ZERO:
                if ref in protected:
                    findings.append(("", Diagnostic("LC013", Severity.ERROR, ref, "hook.delete", {"ref": ref})))
                continue
            # Force push: commits no longer reachable must not carry a signed contract's history.
            if old != ZERO and subprocess.run(["git", "-C", str(root), "merge-base", "--is-ancestor", old, new],
                                              capture_output=True).returncode != 0:
                removed = log(root, [old, "--not", new], ["contracts"])
                paths = {p.rsplit("/", 1)[0] + "/contract.md" for c in removed for _, p, _, _ in c.files
                         if p.startswith("contracts/")}
                at_old = {p: o for p, o, _ in gitio.ls_tree(root, old, sorted(paths))} if paths else {}
                for path in sorted(paths):
                    data = dict(cat.read_many([at_old[path]])).get(at_old[path]) if path in at_old else None
                    contract, _, _ = parse_both(path, data)
                    if signed_state(contract):
                        commit = next(c.oid for c in removed if any(p.startswith(path.rsplit("/", 1)[0])
                                                                   for _, p, _, _ in c.files))
                        findings.append((commit, Diagnostic("LC013", Severity.ERROR, path, "hook.force",
                                                            {"ref": ref, "code": contract.code, "commit": commit[:10]})))
            base_cfg = settings.read(root, new, cat).config
            signing = bool(base_cfg.get("require_signed_commits"))
            org_for_keys = settings.read(root, old if old != ZERO else new, cat).org
            numbers = Numbers()
            with SignerConfig(org_for_keys) as sc:
                commits = log(root, [new, "--not", "--all"], signatures=signing, signers=sc)
            after: dict[str, dict[str, str]] = {}     # commit -> its settings' blob ids (walked forward)
            parsed: dict = {}                          # blob id -> parse result, across the pushed commits
            for commit in commits:
                parent = commit.parents[0] if commit.parents else None
                oids = (after.get(parent) or policy_oids(root, parent)) if parent else policy_oids(root, commit.oid)
                policy = cache.get(oids, cat)
                if len(commit.parents) > 1:
                    after[commit.oid] = policy_oids(root, commit.oid)
                else:
                    state = after[commit.oid] = dict(oids)
                    for _, path, _, blob in commit.files:
                        if settings.is_setting(path):
                            if blob == ZERO:
                                state.pop(path, None)
                            else:
                                state[path] = blob

                def at_parent(path, parent=parent):
                    if not parent:
                        return None
                    found = gitio.ls_tree(root, parent, [path])
                    return found[0][1] if found else None

                for d in check_commit(root, commit, policy, cat, at_parent, numbers, parsed=parsed):
                    findings.append((commit.oid, d))
                checked += 1
            if numbers.items:
                findings += _number_conflicts(root, ref, new, numbers)
    if findings:
        return 1, t("hook.refused", n=len({c for c, _ in findings}) or 1) + "\n" + _format(findings)
    return 0, t("hook.ok", n=checked)


def _number_conflicts(root: Path, ref: str, new: str, numbers) -> list[tuple[str, Diagnostic]]:
    """A number a push introduces may not be used by another contract on this or any other branch."""
    from cctk.lifecycle.numindex import numbers_at

    out = []
    trees = {ref: new, **_tips(root, ref)}
    # Only numbers still held at the pushed tip count: a number fixed later in the push (renumber) is fine.
    final = {p.split("/")[2]: n for p, n in numbers_at(root, new).items()}
    items = [(n, code, commit) for n, code, commit in numbers.items if final.get(code) == n]
    for where, tip in trees.items():
        used: dict[str, set[str]] = {}
        for path, number in numbers_at(root, tip).items():
            used.setdefault(number, set()).add(path.split("/")[2])
        for number, code, commit in items:
            other = min(used.get(number, set()) - {code}, default=None)
            if other:
                label = "" if where == ref else f" ({where})"
                out.append((commit, dx("lc.dup_number", "", code, number=number, other=other, where=label)))
    seen, unique = set(), []
    for item in out:
        key = (item[1].args["number"], item[1].contract)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


# --- install ------------------------------------------------------------------------------------

def shim(name: str, python: str | None = None) -> str:
    # -P: do not put the working directory on sys.path. A server hook runs inside the bare repository,
    # whose cache folder is named cctk/ and would shadow the package.
    runner = f'"{python}" -P -m cctk' if python else "cctk"
    return f'#!/bin/sh\n# cctk {name} hook (installed by "cctk hooks install"); the logic lives in cctk.\nexec {runner} hook {name} "$@"\n'


def install(target: Path, server: bool = False) -> list[str]:
    """Write hook shims into a repository's hooks directory (a bare repository for --server)."""
    target = Path(target)
    if server:
        hooks_dir = target / "hooks" if not (target / ".git").exists() else target / ".git" / "hooks"
        names = SERVER_HOOKS
    else:
        hooks_dir = Path(_out(target, "rev-parse", "--git-path", "hooks").strip())
        if not hooks_dir.is_absolute():
            hooks_dir = target / hooks_dir
        names = CLIENT_HOOKS
    hooks_dir.mkdir(parents=True, exist_ok=True)
    if not server:
        # A clone's first `cctk history` would otherwise write git's commit-graph (tens of seconds at 100k).
        from cctk.lifecycle.trail import ensure_commit_graph
        ensure_commit_graph(target)
    for name in names:
        path = hooks_dir / name
        path.write_text(shim(name, sys.executable), "utf-8")
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return [str(hooks_dir / n) for n in names]
