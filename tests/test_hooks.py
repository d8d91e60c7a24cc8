"""Hooks against real repositories: a bare server with pre-receive installed by `cctk hooks install --server`."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from cctk.lifecycle import actions as A
from cctk.lifecycle import hooks
from test_lifecycle_util import as_person, git, gnupg_home, gpg_keys, gpg_repo, make_repo, new_contract, to_signed


@pytest.fixture
def gnupg(tmp_path, monkeypatch):
    yield from gnupg_home(tmp_path, monkeypatch)


@pytest.fixture
def server(tmp_path):
    bare = tmp_path / "server.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    paths = hooks.install(bare, server=True)
    assert Path(paths[0]).name == "pre-receive"
    work = make_repo(tmp_path / "work")
    git(work, "remote", "add", "origin", str(bare))
    git(work, "push", "-q", "origin", "main")
    return bare, work


def push(work, *args):
    return subprocess.run(["git", "-C", str(work), "push", "origin", *args], capture_output=True, text=True)


def test_legal_actions_pass_forged_no_verify_commit_refused(server):
    bare, work = server
    code = new_contract(work)
    to_signed(work, code)
    assert push(work, "main").returncode == 0
    # A hand edit of the price after signing, committed with --no-verify and a plausible trailer.
    path = next((work / "contracts").rglob("contract.md"))
    path.write_text(path.read_text("utf-8").replace('amount: "86500.00"', 'amount: "96500.00"'), "utf-8")
    git(work, "commit", "-q", "--no-verify", "-am", f"pay\n\nCctk-Action: pay\nCctk-Contract: {code}")
    res = push(work, "main")
    assert res.returncode != 0
    assert "amount" in res.stderr and "LC004" in res.stderr
    assert git(bare, "rev-parse", "main") == git(work, "rev-parse", "HEAD~1")


def test_commit_by_person_without_role_refused(server):
    bare, work = server
    code = new_contract(work)
    A.submit(work, code, person="wang.fang")
    path = next((work / "contracts").rglob("contract.md"))
    text = path.read_text("utf-8").replace("status: review", "status: approved")
    path.write_text(text, "utf-8")
    as_person(work, "wang.fang")      # a clerk approving her own contract
    git(work, "commit", "-q", "--no-verify", "-am", f"approve\n\nCctk-Action: approve\nCctk-Contract: {code}\nCctk-Step: unit-head")
    res = push(work, "main")
    assert res.returncode != 0 and "LC003" in res.stderr


def test_force_push_rewriting_signed_contract_refused_deletion_refused_new_branch_ok(server):
    bare, work = server
    code = new_contract(work)
    to_signed(work, code)
    assert push(work, "main").returncode == 0
    git(work, "reset", "-q", "--hard", "HEAD~2")
    res = push(work, "-f", "main")
    assert res.returncode != 0 and "LC013" in res.stderr
    res = push(work, "--delete", "main")
    assert res.returncode != 0 and "LC013" in res.stderr
    git(work, "checkout", "-q", "-b", "feature")
    assert push(work, "feature").returncode == 0          # a new branch of already-checked commits
    assert push(work, "--delete", "feature").returncode == 0


def test_two_branches_filing_same_number(server, tmp_path):
    bare, work = server
    a, b = new_contract(work), new_contract(work)
    to_signed(work, a)
    to_signed(work, b)
    assert push(work, "main").returncode == 0
    git(work, "checkout", "-q", "-b", "clerk2")
    A.file(work, b, on="2026-11-12", person="liu.yang")
    git(work, "checkout", "-q", "main")
    A.file(work, a, on="2026-11-12", person="liu.yang")
    assert push(work, "main").returncode == 0             # first filing of 罗财合备〔2026〕1号 lands
    git(work, "checkout", "-q", "clerk2")
    git(work, "merge", "-q", "--no-edit", "main")
    res = push(work, "clerk2")
    assert res.returncode != 0
    assert "罗财合备〔2026〕1号" in res.stderr and "--renumber" in res.stderr
    r = A.file(work, b, renumber=True, person="liu.yang")
    assert r.values["number"] == "罗财合备〔2026〕2号"
    res = push(work, "clerk2")
    assert res.returncode == 0, res.stderr


def test_signed_commits_required(tmp_path):
    bare = tmp_path / "server.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    hooks.install(bare, server=True)
    work = make_repo(tmp_path / "work")
    keys = {}
    for pid in ("wang.fang", "li.qiang", "zhang.wei"):
        key = tmp_path / f"{pid}_ed25519"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", pid, "-f", str(key)], check=True)
        keys[pid] = key
    org = (work / "policy/org.yaml").read_text("utf-8")
    for pid, key in keys.items():
        pub = key.with_suffix(".pub").read_text().strip() if False else Path(str(key) + ".pub").read_text().strip()
        org = org.replace(f"    email: {pid}@luohu.example\n", f"    email: {pid}@luohu.example\n    keys: [\"{pub}\"]\n")
    (work / "policy/org.yaml").write_text(org, "utf-8")
    cfg = (work / "cctk.yaml").read_text("utf-8") + "require_signed_commits: true\n"
    (work / "cctk.yaml").write_text(cfg, "utf-8")
    git(work, "config", "gpg.format", "ssh")
    git(work, "config", "commit.gpgsign", "true")

    def sign_as(pid):
        as_person(work, pid)
        git(work, "config", "user.signingkey", str(keys[pid]))

    sign_as("wang.fang")
    git(work, "commit", "-qam", "keys and signing\n\nCctk-Action: init")
    git(work, "remote", "add", "origin", str(bare))
    assert push(work, "main").returncode == 0
    code = new_contract(work)             # cctk new commits through git commit: signed by the config
    A.submit(work, code, person="wang.fang")
    sign_as("li.qiang")
    A.approve(work, code, "unit-review", person="li.qiang")
    res = push(work, "main")
    assert res.returncode == 0, res.stderr
    # An unsigned commit, and one signed with somebody else's key, are refused.
    sign_as("zhang.wei")
    git(work, "config", "user.signingkey", str(keys["li.qiang"]))
    A.approve(work, code, "unit-head", person="zhang.wei")
    res = push(work, "main")
    assert res.returncode != 0 and "LC009" in res.stderr
    git(work, "reset", "-q", "--hard", "HEAD~1")
    git(work, "config", "commit.gpgsign", "false")
    A.approve(work, code, "unit-head", person="zhang.wei")
    res = push(work, "main")
    assert res.returncode != 0 and "LC009" in res.stderr
    git(work, "reset", "-q", "--hard", "HEAD~1")
    git(work, "config", "commit.gpgsign", "true")
    sign_as("zhang.wei")
    A.approve(work, code, "unit-head", person="zhang.wei")
    assert push(work, "main").returncode == 0
    from cctk.lifecycle.trail import history
    assert {e.commit.sig for e in history(work, code)} == {"G"}


def test_gpg_signed_commits_required(tmp_path, gnupg):
    bare = tmp_path / "server.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    hooks.install(bare, server=True)
    work, sign_as = gpg_repo(tmp_path, gnupg)
    git(work, "remote", "add", "origin", str(bare))
    assert push(work, "main").returncode == 0, "the first push brings the keys"
    code = new_contract(work)
    A.submit(work, code, person="wang.fang")
    sign_as("li.qiang")                    # listed by fingerprint
    A.approve(work, code, "unit-review", person="li.qiang")
    res = push(work, "main")
    assert res.returncode == 0, res.stderr
    # Signed with another person's key: refused, naming whose key it is.
    sign_as("zhang.wei", key_of="li.qiang")
    A.approve(work, code, "unit-head", person="zhang.wei")
    res = push(work, "main")
    assert res.returncode != 0 and "LC009" in res.stderr
    assert "li.qiang@luohu.example" in res.stderr and "zhang.wei@luohu.example" in res.stderr
    git(work, "reset", "-q", "--hard", "HEAD~1")
    # Unsigned: refused.
    git(work, "config", "commit.gpgsign", "false")
    A.approve(work, code, "unit-head", person="zhang.wei")
    res = push(work, "main")
    assert res.returncode != 0 and "LC009" in res.stderr
    git(work, "reset", "-q", "--hard", "HEAD~1")
    # Signed with a key nobody listed (generated now, only in the signer's keyring): refused.
    git(work, "config", "commit.gpgsign", "true")
    extra = gpg_keys(tmp_path / "gnupg", ("liu.yang",))
    as_person(work, "zhang.wei")
    git(work, "config", "user.signingkey", extra["liu.yang"][0])
    A.approve(work, code, "unit-head", person="zhang.wei")
    res = push(work, "main")
    assert res.returncode != 0 and "LC009" in res.stderr
    git(work, "reset", "-q", "--hard", "HEAD~1")
    sign_as("zhang.wei")
    A.approve(work, code, "unit-head", person="zhang.wei")
    res = push(work, "main")
    assert res.returncode == 0, res.stderr
    from cctk.lifecycle.trail import history
    entries = history(work, code)
    assert {e.commit.sig for e in entries} <= {"G", "U"}
    assert [e.commit.signer for e in entries][-2:] == ["li.qiang@luohu.example", "zhang.wei@luohu.example"]


def test_client_hooks(tmp_path):
    work = make_repo(tmp_path / "work")
    hooks.install(work)
    code = new_contract(work)
    to_signed(work, code)
    path = next((work / "contracts").rglob("contract.md"))
    original = path.read_text("utf-8")
    path.write_text(original.replace('amount: "86500.00"', 'amount: "96500.00"'), "utf-8")
    git(work, "add", "-A")
    start = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "cctk", "hook", "pre-commit"], cwd=work, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    assert res.returncode == 1 and "amount" in res.stderr
    assert elapsed < 3.0          # budget 0.5 s on a quiet machine (benchmarks/bench_lifecycle.py); generous: shared cores
    res = subprocess.run(["git", "commit", "-qm", "x"], cwd=work, capture_output=True, text=True)
    assert res.returncode != 0 and "LC004" in res.stderr
    path.write_text(original.replace("status: signed", "status: performing"), "utf-8")
    git(work, "add", "-A")
    res = subprocess.run(["git", "commit", "-qm", "hand filing"], cwd=work, capture_output=True, text=True)
    assert res.returncode != 0 and "LC001" in res.stderr          # no Cctk-Action trailer
