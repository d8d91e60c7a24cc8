"""Shared builders for the lifecycle, hook and audit tests: a small real repository in a temp dir."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent
FILES = ["cctk.yaml", "policy/org.yaml", "policy/thresholds.yaml", "policy/workflow.yaml",
         "suppliers/91440303MA5F0A1B22.yaml"]
PEOPLE = {"wang.fang": "王芳", "li.qiang": "李强", "zhang.wei": "张伟", "chen.jing": "陈静", "liu.yang": "刘洋"}


def git(root, *args, check=True, env=None, input=None):
    import os
    proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, input=input,
                          env=dict(os.environ, **env) if env else None)
    if check and proc.returncode:
        raise AssertionError(f"git {args}: {proc.stderr.decode()}")
    return proc.stdout.decode().strip()


def as_person(root, pid):
    git(root, "config", "user.email", f"{pid}@luohu.example")
    git(root, "config", "user.name", PEOPLE[pid])


def make_repo(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for p in FILES:
        (root / p).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SRC / p, root / p)
    git(root, "init", "-q", "-b", "main")
    as_person(root, "wang.fang")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init\n\nCctk-Action: init")
    return root


def new_contract(root: Path, amount="86500.00", key=None, day=dt.date(2026, 11, 2), title="办公设备采购") -> str:
    from cctk.lifecycle.create import create
    from cctk.store.loader import load

    snap = load(root, contracts=False)
    rec = {"title": title, "category": "goods", "unit": "LH001", "clerk": "wang.fang",
           "counterparty": {"name": "深圳市罗湖信息技术有限公司", "credit_code": "91440303MA5F0A1B22"},
           "amount": amount,
           "payment_schedule": [{"id": "1", "share": "30%", "trigger": "signing", "days": 10, "advance": True},
                                {"id": "2", "share": "70%", "trigger": "acceptance", "days": 15, "final": True}]}
    if key:
        rec["key_supervision"] = key
    path, diags = create(root, snap.config, rec, f"# {title}\n\n第一条 合同标的。\n", today=day,
                         author="王芳 <wang.fang@luohu.example>")
    assert path, diags
    return path.split("/")[2]


def to_signed(root: Path, code: str, signed="2026-11-10"):
    from cctk.lifecycle import actions as A
    A.submit(root, code, person="wang.fang", on="2026-11-03")
    A.approve(root, code, "unit-review", "同意", person="li.qiang")
    A.approve(root, code, "unit-head", "同意签订", person="zhang.wei")
    A.sign(root, code, signed, person="wang.fang")


def state(root: Path) -> tuple:
    """Everything an action may touch: HEAD, the index, the work tree."""
    return (git(root, "rev-parse", "HEAD"), git(root, "ls-files", "-s"),
            git(root, "status", "--porcelain", "--untracked-files=all"),
            {p.relative_to(root).as_posix(): p.read_bytes() for p in (root / "contracts").rglob("*") if p.is_file()})


# --- OpenPGP keys for signed-commit tests (real gpg, a throwaway GNUPGHOME, no passphrase) -------

def gpg_keys(home: Path, pids) -> dict[str, tuple[str, str]]:
    """person id -> (fingerprint, armored public key), generated in ``home`` (used as GNUPGHOME)."""
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    out = {}
    for pid in pids:
        uid = f"{pid} <{pid}@luohu.example>"
        run = ["gpg", "--homedir", str(home), "--batch", "--no-tty", "--quiet"]
        subprocess.run(run + ["--passphrase", "", "--quick-gen-key", uid, "ed25519", "sign", "never"], check=True,
                       capture_output=True)
        colons = subprocess.run(run + ["--with-colons", "--list-keys", f"<{pid}@luohu.example>"], check=True,
                                capture_output=True).stdout.decode()
        fpr = next(line.split(":")[9] for line in colons.splitlines() if line.startswith("fpr:"))
        armored = subprocess.run(run + ["--armor", "--export", fpr], check=True, capture_output=True).stdout.decode()
        out[pid] = (fpr, armored)
    return out


def stop_gpg_agent(home: Path) -> None:
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], capture_output=True)


def list_keys(root: Path, keys: dict[str, list[str]]) -> None:
    """Write ``keys`` (person id -> key texts) into policy/org.yaml as block scalars."""
    org = (root / "policy/org.yaml").read_text("utf-8")
    for pid, texts in keys.items():
        block = "    keys:\n" + "".join("      - |\n" + "".join(f"        {line}\n" for line in t.strip().splitlines())
                                      for t in texts)
        org = org.replace(f"    email: {pid}@luohu.example\n", f"    email: {pid}@luohu.example\n{block}")
    (root / "policy/org.yaml").write_text(org, "utf-8")


def gnupg_home(tmp_path, monkeypatch):
    """For a fixture: three people's OpenPGP keys in a throwaway GNUPGHOME (the signers' and the
    server account's keyring); the agent is stopped afterwards."""
    home = tmp_path / "gnupg"
    keys = gpg_keys(home, ("wang.fang", "li.qiang", "zhang.wei"))
    monkeypatch.setenv("GNUPGHOME", str(home))
    yield keys
    stop_gpg_agent(home)


def gpg_repo(tmp_path, keys):
    """A repository requiring signed commits, people's keys listed in org.yaml: armored public keys, and
    li.qiang by fingerprint only (the verifying account's keyring holds the key)."""
    work = make_repo(tmp_path / "work")
    spaced = " ".join(keys["li.qiang"][0][i:i + 4] for i in range(0, 40, 4))
    list_keys(work, {"wang.fang": [keys["wang.fang"][1]], "li.qiang": [spaced], "zhang.wei": [keys["zhang.wei"][1]]})
    (work / "cctk.yaml").write_text((work / "cctk.yaml").read_text("utf-8") + "require_signed_commits: true\n", "utf-8")
    git(work, "config", "gpg.format", "openpgp")
    git(work, "config", "commit.gpgsign", "true")

    def sign_as(pid, key_of=None):
        as_person(work, pid)
        git(work, "config", "user.signingkey", keys[key_of or pid][0])

    sign_as("wang.fang")
    git(work, "commit", "-qam", "keys and signing\n\nCctk-Action: init")
    return work, sign_as


