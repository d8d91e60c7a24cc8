"""Two clerks at once, end to end: real clones of a real bare repository with the server hook and the
client hooks installed. Different contracts merge or rebase cleanly and the trail stays intact; the
same contract conflicts in git, and the one who pushed second gets cctk's explanation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cctk.lifecycle import actions as A
from cctk.lifecycle import hooks
from cctk.lifecycle.audit import audit
from cctk.lifecycle.trail import history
from cctk.lifecycle.workflow import Refused
from test_lifecycle_util import as_person, git, make_repo, new_contract

ROOT = Path(__file__).resolve().parent.parent


def cctk(cwd, *args, lang="en"):
    return subprocess.run([sys.executable, "-m", "cctk", "--lang", lang, *args], cwd=cwd, capture_output=True,
                          text=True)


def push(work, *args):
    return subprocess.run(["git", "-C", str(work), "push", "origin", *args], capture_output=True, text=True)


@pytest.fixture
def office(tmp_path):
    """A server with two contracts in review, and two clerks' clones of it."""
    bare = tmp_path / "server.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    hooks.install(bare, server=True)
    seed = make_repo(tmp_path / "seed")
    x, y = new_contract(seed, title="办公设备采购"), new_contract(seed, title="物业服务")
    for code in (x, y):
        A.submit(seed, code, person="wang.fang", on="2026-11-03")
    git(seed, "remote", "add", "origin", str(bare))
    assert push(seed, "main").returncode == 0
    clones = []
    for name, pid in (("a", "li.qiang"), ("b", "zhang.wei")):
        work = tmp_path / name
        git(tmp_path, "clone", "-q", str(bare), str(work))
        as_person(work, pid)
        hooks.install(work)              # client hooks too: a merge commit runs commit-msg
        clones.append(work)
    return bare, clones[0], clones[1], x, y


def approve_both_steps(work, code):
    A.approve(work, code, "unit-review", "同意", person="li.qiang")
    A.approve(work, code, "unit-head", "同意签订", person="zhang.wei")


def trail_intact(work, codes):
    report = audit(work)
    assert report.ok, [(f.commit[:10], f.diag.text()) for f in report.findings]
    for code in codes:
        actions = [e.action for e in history(work, code)]
        assert actions == ["create", "submit", "approve", "approve"], (code, actions)
    res = cctk(work, "history", codes[-1])
    assert res.returncode == 0 and res.stdout.count("  approve  ") == 2, res.stdout


def test_different_contracts_rebase_cleanly(office):
    bare, a, b, x, y = office
    approve_both_steps(a, x)
    approve_both_steps(b, y)
    assert push(a, "main").returncode == 0
    res = push(b, "main")
    assert res.returncode != 0 and "rejected" in res.stderr          # non-fast-forward: b is behind
    git(b, "pull", "-q", "--rebase")
    res = push(b, "main")
    assert res.returncode == 0, res.stderr                             # the rebased actions pass the server
    git(a, "pull", "-q", "--rebase")
    assert git(a, "rev-parse", "HEAD") == git(b, "rev-parse", "HEAD") == git(bare, "rev-parse", "main")
    trail_intact(a, [x, y])
    assert cctk(a, "check").returncode == 0


def test_different_contracts_merge_cleanly(office):
    bare, a, b, x, y = office
    approve_both_steps(a, x)
    git(b, "checkout", "-q", "-b", "clerk-b")
    approve_both_steps(b, y)
    assert push(a, "main").returncode == 0
    assert push(b, "clerk-b").returncode == 0                          # a new branch on the server
    git(b, "checkout", "-q", "main")
    git(b, "pull", "-q", "--no-rebase")
    # A merge commit: runs the commit-msg hook (no trailer needed: each side's record is taken whole).
    git(b, "merge", "-q", "--no-ff", "--no-edit", "clerk-b")
    assert len(git(b, "rev-parse", "HEAD^@").split()) == 2
    res = push(b, "main")
    assert res.returncode == 0, res.stderr
    trail_intact(b, [x, y])


def _same_contract_conflict(office, pull_args):
    bare, a, b, x, _ = office
    approve_both_steps(a, x)
    assert push(a, "main").returncode == 0
    git(b, "pull", "-q", "--rebase")
    # Both clerks sign the approved contract, on different days: wang.fang in a, li.qiang in b.
    A.sign(a, x, "2026-11-10", person="wang.fang")
    A.sign(b, x, "2026-11-11", person="li.qiang")
    assert push(a, "main").returncode == 0
    res = push(b, "main")
    assert res.returncode != 0 and "rejected" in res.stderr
    res = subprocess.run(["git", "-C", str(b), "pull", *pull_args], capture_output=True, text=True)
    assert res.returncode != 0 and "CONFLICT" in res.stdout + res.stderr
    return bare, a, b, x


def test_same_contract_rebase_conflict_explained(office):
    bare, a, b, x = _same_contract_conflict(office, ["--rebase"])
    path = next(p for p in (b / "contracts").rglob("contract.md") if x in str(p))
    rel = path.relative_to(b).as_posix()
    # Any verb on it refuses with what happened and the way out — in both languages, nothing written.
    before = git(b, "status", "--porcelain")
    with pytest.raises(Refused) as exc:
        A.pay(b, x, "100.00", "2026-11-20", person="liu.yang")
    assert exc.value.key == "lc.conflict"
    res = cctk(b, "sign", x, "--on", "2026-11-12", "--as", "li.qiang")
    assert res.returncode == 1
    assert f"{x} has a merge conflict ({rel}, line" in res.stderr
    assert "git rebase --skip" in res.stderr and f"cctk history {x}" in res.stderr
    res = cctk(b, "sign", x, "--on", "2026-11-12", "--as", "li.qiang", lang="zh")
    assert res.returncode == 1 and "存在合并冲突" in res.stderr and "git rebase --skip" in res.stderr
    assert git(b, "status", "--porcelain") == before
    # Another contract: not conflicted, but the repository is mid-rebase.
    res = cctk(b, "submit", "LHHT-2026-999999")
    assert res.returncode == 1
    # cctk check: the markers as a located error (CC009), not a YAML syntax error.
    res = cctk(b, "check")
    assert res.returncode == 1
    assert f"{rel}:" in res.stdout and "CC009" in res.stdout and "merge conflict" in res.stdout
    assert "CC005" not in res.stdout
    # Following the advice: drop the losing action; the winner's signing stands and the trail is intact.
    git(b, "rebase", "--skip")
    assert git(b, "rev-parse", "HEAD") == git(bare, "rev-parse", "main")
    res = cctk(b, "sign", x, "--on", "2026-11-12", "--as", "li.qiang")
    assert res.returncode == 1 and "'signed'" in res.stderr          # already signed, by the other clerk
    entries = history(b, x)
    assert [e.action for e in entries][-1] == "sign" and entries[-1].person == "wang.fang"
    assert audit(b).ok


def test_same_contract_merge_conflict_explained_and_mixed_merge_refused(office):
    bare, a, b, x = _same_contract_conflict(office, ["--no-rebase"])
    res = cctk(b, "accept", x, "--on", "2026-12-01", "--result", "pass", "--as", "li.qiang")
    assert res.returncode == 1 and "git merge --abort" in res.stderr and "merge conflict" in res.stderr
    # Resolving by hand and forcing the merge commit past the client hooks: the server refuses it.
    path = next(p for p in (b / "contracts").rglob("contract.md") if x in str(p))
    text = path.read_text("utf-8")
    lines, keep = [], True
    for line in text.split("\n"):
        if line.startswith("<<<<<<<"):
            keep = True
        elif line.startswith("======="):
            keep = False
        elif line.startswith(">>>>>>>"):
            keep = True
        elif keep:
            lines.append(line)
    path.write_text("\n".join(lines), "utf-8")       # "ours": the losing clerk's own signing date
    git(b, "add", "-A")
    res = subprocess.run(["git", "-C", str(b), "commit", "-q", "--no-edit"], capture_output=True, text=True)
    assert res.returncode != 0 and "LC014" in res.stderr              # commit-msg hook on the merge
    git(b, "commit", "-q", "--no-edit", "--no-verify")
    res = push(b, "main")
    assert res.returncode != 0 and "LC014" in res.stderr and x in res.stderr
    assert audit(b).findings and any(f.diag.code == "LC014" for f in audit(b).findings)


def test_action_during_a_clean_merge_in_progress_refused(office):
    bare, a, b, x, y = office
    approve_both_steps(a, x)
    assert push(a, "main").returncode == 0
    git(b, "fetch", "-q")
    git(b, "merge", "-q", "--no-commit", "--no-ff", "origin/main")     # stopped before the merge commit
    with pytest.raises(Refused) as exc:
        A.approve(b, y, "unit-review", "同意", person="li.qiang")
    assert exc.value.key == "lc.in_progress" and "git merge --abort" in exc.value.text("en")
    git(b, "merge", "--abort")
    A.approve(b, y, "unit-review", "同意", person="li.qiang")
