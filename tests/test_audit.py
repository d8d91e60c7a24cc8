"""cctk audit against rewritten histories and unauthorised commits."""

from __future__ import annotations

import os
import subprocess

import pytest

from cctk.lifecycle import actions as A
from cctk.lifecycle.audit import audit
from test_lifecycle_util import git, gnupg_home, gpg_repo, make_repo, new_contract, to_signed


@pytest.fixture
def gnupg(tmp_path, monkeypatch):
    yield from gnupg_home(tmp_path, monkeypatch)


def codes(report):
    return sorted({f.diag.code for f in report.findings})


def test_clean_history_passes(tmp_path):
    repo = make_repo(tmp_path / "r")
    code = new_contract(repo)
    to_signed(repo, code)
    A.file(repo, code, on="2026-11-12", person="liu.yang")
    report = audit(repo)
    assert report.ok, [(f.diag.code, f.diag.text("en")) for f in report.findings]
    assert report.commits == 7


def test_filter_branch_rewrite_is_detected(tmp_path):
    repo = make_repo(tmp_path / "r")
    code = new_contract(repo)
    to_signed(repo, code)
    A.file(repo, code, on="2026-11-12", person="liu.yang")
    # Rewrite every commit so the contract always had a higher price.
    env = dict(os.environ, FILTER_BRANCH_SQUELCH_WARNING="1")
    subprocess.run(["git", "-C", str(repo), "filter-branch", "-f", "--tree-filter",
                    "find . -name contract.md -exec sed -i 's/86500.00/96500.00/' {} + ; true", "HEAD"],
                   env=env, check=True, capture_output=True)
    report = audit(repo)
    assert "LC020" in codes(report)        # filed content no longer matches its SHA-256
    assert any(f.diag.contract == code for f in report.findings)


def test_rebase_rewrite_and_commit_without_role(tmp_path):
    repo = make_repo(tmp_path / "r")
    code = new_contract(repo)
    A.submit(repo, code, person="wang.fang", on="2026-11-03")
    # The clerk approves her own contract by hand (no role), bypassing the verbs.
    path = next((repo / "contracts").rglob("contract.md"))
    text = path.read_text("utf-8").replace("status: review", "status: approved")
    text = text.replace("---\n#", "approvals:\n  - step: unit-review\n    by: wang.fang\n    on: \"2026-11-04\"\n"
                        "  - step: unit-head\n    by: wang.fang\n    on: \"2026-11-04\"\n---\n#", 1)
    path.write_text(text, "utf-8")
    git(repo, "commit", "-qam", f"approve\n\nCctk-Action: approve\nCctk-Contract: {code}\nCctk-Step: unit-head")
    report = audit(repo)
    assert "LC003" in codes(report)
    bad = [f for f in report.findings if f.diag.code == "LC003"]
    assert bad[0].commit == git(repo, "rev-parse", "HEAD")
    # History rewritten with rebase: the submit commit's message loses its trailer.
    git(repo, "-c", "sequence.editor=sed -i 's/^pick \\(.*提交审核.*\\)/reword \\1/'", "rebase", "-q", "-i", "HEAD~3",
        env={"GIT_EDITOR": "sed -i '/Cctk-/d'"})
    report = audit(repo, since="HEAD~2")
    assert "LC001" in codes(report)


def test_cli_audit_exit_code(tmp_path, monkeypatch):
    from click.testing import CliRunner
    from cctk.cli.main import cli

    repo = make_repo(tmp_path / "r")
    new_contract(repo)
    monkeypatch.chdir(repo)
    res = CliRunner().invoke(cli, ["--lang", "en", "audit"])
    assert res.exit_code == 0 and "no breaches" in res.output
    path = next((repo / "contracts").rglob("contract.md"))
    path.write_text(path.read_text("utf-8").replace("status: drafting", "status: signed"), "utf-8")
    git(repo, "commit", "-qam", "sneak")
    res = CliRunner().invoke(cli, ["--lang", "en", "audit"])
    assert res.exit_code == 1 and "LC001" in res.output


def test_gpg_signatures_audited(tmp_path, gnupg):
    """require_signed_commits with OpenPGP keys: audit names exactly the commit signed with another
    person's key and the unsigned one."""
    repo, sign_as = gpg_repo(tmp_path, gnupg)
    code = new_contract(repo)
    A.submit(repo, code, person="wang.fang", on="2026-11-03")
    sign_as("li.qiang")
    A.approve(repo, code, "unit-review", person="li.qiang", on="2026-11-04")
    assert audit(repo).ok
    sign_as("zhang.wei", key_of="wang.fang")
    wrong_key = A.approve(repo, code, "unit-head", person="zhang.wei", on="2026-11-05").commit
    git(repo, "config", "commit.gpgsign", "false")
    sign_as("wang.fang")
    unsigned = A.sign(repo, code, "2026-11-10", person="wang.fang").commit
    report = audit(repo)
    assert codes(report) == ["LC009"]
    assert sorted(f.commit for f in report.findings) == sorted([wrong_key, unsigned])
    texts = {f.commit: f.diag.text("en") for f in report.findings}
    assert "signed by wang.fang@luohu.example, not by its author zhang.wei@luohu.example" in texts[wrong_key]
    assert "signature status N" in texts[unsigned]


def test_import_of_history_by_an_administrator(tmp_path):
    """An import brings records whose approvals and payments name the people who acted back then:
    only the importer's role is checked, not those names (they are history, not claims)."""
    import shutil
    from pathlib import Path
    repo = make_repo(tmp_path / "r")
    src = Path(__file__).resolve().parent.parent / "contracts/2019/LHHT-2019-000001"
    shutil.copytree(src, repo / "contracts/2019/LHHT-2019-000001")
    git(repo, "add", "-A")                             # by li.qiang, contract administrator of LH001
    git(repo, "commit", "-qm", "导入历史合同\n\nCctk-Action: import",
        env={"GIT_AUTHOR_NAME": "李强", "GIT_AUTHOR_EMAIL": "li.qiang@luohu.example"})
    report = audit(repo)
    assert report.ok, [(f.diag.code, f.diag.text("en")) for f in report.findings]
    (repo / "contracts/2019/LHHT-2019-000002").mkdir()
    text = (src / "contract.md").read_text("utf-8").replace("LHHT-2019-000001", "LHHT-2019-000002")
    (repo / "contracts/2019/LHHT-2019-000002/contract.md").write_text(text, "utf-8")
    git(repo, "add", "-A")                             # a legal reviewer may not import a unit's records
    git(repo, "commit", "-qm", "导入\n\nCctk-Action: import",
        env={"GIT_AUTHOR_NAME": "陈静", "GIT_AUTHOR_EMAIL": "chen.jing@luohu.example"})
    found = audit(repo).findings
    assert [f.diag.contract for f in found if f.diag.code == "LC003"] == ["LHHT-2019-000002"]
    assert "chen.jing may not create" in next(f.diag.text("en") for f in found if f.diag.code == "LC003")
