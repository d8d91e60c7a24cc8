"""Lifecycle verbs on a real git repository: each move one commit, refusals change nothing."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from cctk.lifecycle import actions as A
from cctk.lifecycle import txn
from cctk.lifecycle.workflow import Refused
from test_lifecycle_util import git, make_repo, new_contract, state, to_signed


@pytest.fixture
def repo(tmp_path):
    return make_repo(tmp_path / "r")


def trailers(root, rev="HEAD"):
    out = git(root, "log", "-1", "--format=%(trailers:only,unfold)", rev)
    return dict(line.split(": ", 1) for line in out.splitlines() if line)


def test_full_life_one_commit_per_action(repo):
    code = new_contract(repo)
    base = int(git(repo, "rev-list", "--count", "HEAD"))
    to_signed(repo, code)
    r = A.file(repo, code, on="2026-11-13", person="liu.yang")
    assert r.values["number"] == "罗财合备〔2026〕1号" and r.values["late"] is False
    assert trailers(repo) == {"Cctk-Action": "file", "Cctk-Contract": code, "Cctk-Filing-Number": "罗财合备〔2026〕1号"}
    assert git(repo, "log", "-1", "--format=%an <%ae>") == "刘洋 <liu.yang@luohu.example>"
    A.pay(repo, code, "25950.00", "2026-11-20", instalment="1", person="liu.yang")
    A.accept(repo, code, "2026-12-01", "pass", person="wang.fang")
    A.pay(repo, code, "60550.00", "2026-12-05", instalment="2", person="liu.yang")
    A.evaluate(repo, code, "92", person="li.qiang")
    r = A.archive(repo, code, person="li.qiang")
    assert r.status == "archived"
    assert int(git(repo, "rev-list", "--count", "HEAD")) == base + 10
    assert git(repo, "status", "--porcelain") == ""
    actions = git(repo, "log", "--reverse", "--format=%(trailers:key=Cctk-Action,valueonly)", "HEAD~10..HEAD").split()
    assert actions == ["submit", "approve", "approve", "sign", "file", "pay", "accept", "pay", "evaluate", "archive"]
    assert trailers(repo, "HEAD~8")["Cctk-Step"] == "unit-review"


def test_refusals_leave_repository_untouched(repo):
    code = new_contract(repo)
    before = state(repo)
    cases = [
        lambda: A.sign(repo, code, "2026-11-10", person="wang.fang"),                 # not approved
        lambda: A.approve(repo, code, "unit-review", person="li.qiang"),             # not submitted
        lambda: A.submit(repo, code, person="liu.yang"),                             # finance may not submit
        lambda: A.pay(repo, code, "1", "2026-11-20", person="liu.yang"),
        lambda: A.archive(repo, code, person="li.qiang"),
        lambda: A.submit(repo, "LHHT-2026-999999", person="wang.fang"),
    ]
    for case in cases:
        with pytest.raises(Refused):
            case()
        assert state(repo) == before


def test_review_order_roles_and_rejection(repo):
    code = new_contract(repo)
    A.submit(repo, code, person="wang.fang")
    with pytest.raises(Refused) as exc:
        A.approve(repo, code, "unit-head", person="zhang.wei")
    assert "unit-review" in exc.value.text("en")
    with pytest.raises(Refused) as exc:
        A.approve(repo, code, "unit-review", person="zhang.wei")
    assert "contract-admin" in exc.value.text("en") and "需要角色" in exc.value.text("zh")
    with pytest.raises(Refused):
        A.reject(repo, code, "unit-review", "", person="li.qiang")      # a rejection needs an opinion
    r = A.reject(repo, code, "unit-review", "付款条款不明确", person="li.qiang")
    assert r.status == "rejected"
    assert trailers(repo)["Cctk-Action"] == "reject"


def test_key_supervision_needs_legality_review(repo):
    code = new_contract(repo, amount="12000000.00")          # above key_supervision.major_amount
    A.submit(repo, code, person="wang.fang", on="2026-11-03")
    A.approve(repo, code, "unit-review", person="li.qiang")
    with pytest.raises(Refused) as exc:                       # legality review comes before the head
        A.approve(repo, code, "unit-head", person="zhang.wei")
    assert "legality-review" in exc.value.text("en")
    with pytest.raises(Refused):
        A.approve(repo, code, "legality-review", person="li.qiang")      # not a legal reviewer
    A.approve(repo, code, "legality-review", "合法", person="chen.jing")  # district role, other unit
    r = A.approve(repo, code, "unit-head", person="zhang.wei")
    assert r.status == "approved"
    A.sign(repo, code, "2026-11-10", person="wang.fang")


def test_comments_survive_edits(repo):
    code = new_contract(repo)
    path = next((repo / "contracts").rglob("contract.md"))
    text = path.read_text("utf-8").replace("title:", "# 承办人备注：加急\ntitle:", 1)
    path.write_text(text, "utf-8")
    git(repo, "commit", "-qam", f"edit\n\nCctk-Action: edit\nCctk-Contract: {code}")
    A.submit(repo, code, person="wang.fang")
    assert "# 承办人备注：加急\ntitle:" in path.read_text("utf-8")
    diff = git(repo, "diff", "HEAD~1", "HEAD", "--", str(path))
    changed = [l for l in diff.splitlines() if l[:1] in "+-" and not l.startswith(("+++", "---"))]
    assert sorted(changed) == sorted(['-status: drafting', '+status: review', '+  submitted: "' + changed[-1].split('"')[1] + '"'])


def test_dirty_record_is_refused(repo):
    code = new_contract(repo)
    path = next((repo / "contracts").rglob("contract.md"))
    path.write_text(path.read_text("utf-8") + "\n手工修改\n", "utf-8")
    before = state(repo)
    with pytest.raises(Refused) as exc:
        A.submit(repo, code, person="wang.fang")
    assert "uncommitted" in exc.value.text("en")
    assert state(repo) == before


def test_staged_change_or_untracked_file_on_the_paths_is_refused(repo):
    """The dirty check (git status, started while the edit is validated) sees the index and untracked
    files, not only the work tree."""
    code = new_contract(repo)
    path = next((repo / "contracts").rglob("contract.md"))
    original = path.read_bytes()
    path.write_bytes(original + "\n手工修改\n".encode())
    git(repo, "add", str(path))
    path.write_bytes(original)                       # work tree as HEAD, the index not
    before = state(repo)
    with pytest.raises(Refused) as exc:
        A.submit(repo, code, person="wang.fang")
    assert "uncommitted" in exc.value.text("en") and state(repo) == before
    git(repo, "reset", "-q", "--", str(path))
    to_signed(repo, code)
    stray = path.parent / "amendments" / "A1.md"     # where 'cctk amend' would write its text
    stray.parent.mkdir()
    stray.write_text("草稿\n", "utf-8")
    before = state(repo)
    with pytest.raises(Refused) as exc:
        A.amend(repo, code, "增加打印机", "8000", person="wang.fang")
    assert "amendments/A1.md" in exc.value.text("en") and state(repo) == before
    stray.unlink()
    assert A.amend(repo, code, "增加打印机", "8000", person="wang.fang").values == {"id": "A1"}


def test_list_style_of_the_record_kept(repo):
    """A record whose lists start at the key's column keeps that style when a verb appends to one."""
    code = new_contract(repo)
    path = next((repo / "contracts").rglob("contract.md"))
    text = path.read_text("utf-8").replace("\n  - id:", "\n- id:").replace("\n    share:", "\n  share:")
    for key in ("trigger", "days", "advance", "final"):
        text = text.replace(f"\n    {key}:", f"\n  {key}:")
    path.write_text(text, "utf-8")
    git(repo, "commit", "-qam", f"edit\n\nCctk-Action: edit\nCctk-Contract: {code}")
    A.submit(repo, code, person="wang.fang", on="2026-11-03")
    A.approve(repo, code, "unit-review", "同意", person="li.qiang")
    out = path.read_text("utf-8")
    assert "\napprovals:\n- step: unit-review\n  by: li.qiang\n" in out
    assert "\npayment_schedule:\n- id: \"1\"\n  share:" in out


def test_next_filing_number():
    from cctk.lifecycle.numbering import next_number
    fmt = "罗财合备〔{year}〕{seq}号"
    used = ["罗财合备〔2026〕9号", "罗财合备〔2026〕10号", "罗财合备〔2025〕40号", "备-3", "", None]
    assert next_number(fmt, 2026, used) == "罗财合备〔2026〕11号"
    assert next_number(fmt, 2025, used) == "罗财合备〔2025〕41号"
    assert next_number(fmt, 2027, used) == "罗财合备〔2027〕1号"
    assert next_number("备-{seq}", 2026, used) == "备-4"


def test_filing_numbers_scope_and_late(repo):
    a, b, small = new_contract(repo), new_contract(repo), new_contract(repo, amount="3000.00")
    for code in (a, b, small):
        to_signed(repo, code)
    assert A.file(repo, a, on="2026-11-12", person="liu.yang").values["number"] == "罗财合备〔2026〕1号"
    r = A.file(repo, b, on="2026-11-30", person="liu.yang")       # 7 working days after 11-10 is 11-19
    assert r.values == {"number": "罗财合备〔2026〕2号", "late": True, "due": "2026-11-19", "sha256": r.values["sha256"]}
    assert "late" in r.notes[0] or "逾期" in r.notes[0]
    text = next(p for p in (repo / "contracts").rglob("contract.md") if b in str(p)).read_text("utf-8")
    assert "late: true" in text and len(r.values["sha256"]) == 64
    r = A.file(repo, small, on="2026-11-12", person="liu.yang")
    assert r.values["number"] is None and r.status == "performing"
    assert "required: false" in next(p for p in (repo / "contracts").rglob("contract.md") if small in str(p)).read_text()
    with pytest.raises(Refused):
        A.file(repo, a, person="liu.yang")                        # already filed
    with pytest.raises(Refused):
        A.file(repo, a, renumber=True, person="liu.yang")         # no conflict to fix


def test_payment_rules(repo):
    code = new_contract(repo)
    to_signed(repo, code)
    with pytest.raises(Refused) as exc:
        A.pay(repo, code, "100", "2026-11-12", person="liu.yang")
    assert "filed" in exc.value.text("en")
    A.file(repo, code, on="2026-11-12", person="liu.yang")
    with pytest.raises(Refused):
        A.pay(repo, code, "100", "2026-11-12", instalment="2", person="liu.yang")   # final before acceptance
    with pytest.raises(Refused):
        A.pay(repo, code, "30000", "2026-11-12", person="liu.yang")                  # beyond the advance share
    with pytest.raises(Refused):
        A.pay(repo, code, "100", "2026-11-12", person="wang.fang")                   # a clerk does not pay
    A.pay(repo, code, "25950", "2026-11-12", person="liu.yang")
    A.accept(repo, code, "2026-12-01", "pass", person="wang.fang")
    with pytest.raises(Refused) as exc:
        A.pay(repo, code, "60550.01", "2026-12-02", person="liu.yang")
    assert "86,500.00" in exc.value.text("en")
    A.pay(repo, code, "60550", "2026-12-02", person="liu.yang")


def test_amendments_cap_review_and_payment_ceiling(repo):
    code = new_contract(repo)
    to_signed(repo, code)
    A.file(repo, code, on="2026-11-12", person="liu.yang")
    with pytest.raises(Refused) as exc:
        A.amend(repo, code, "增加打印机", "8650.01", person="wang.fang")
    assert "49" in exc.value.text("en") and "第四十九条" in exc.value.text("zh")
    r = A.amend(repo, code, "增加打印机", "5000", text="# 补充协议一\n\n增加打印机 2 台。\n", person="wang.fang")
    assert r.values["id"] == "A1"
    assert (repo / "contracts/2026" / code / "amendments/A1.md").read_text("utf-8").startswith("# 补充协议一")
    with pytest.raises(Refused):
        A.amend(repo, code, "再增加", "3650.01", person="wang.fang")      # 5000 + 3650.01 > 8650
    with pytest.raises(Refused):
        A.amend_sign(repo, code, "A1", "2026-11-20", person="wang.fang")  # not reviewed yet
    A.approve(repo, code, "amendment-review", person="li.qiang", amendment="A1")
    A.approve(repo, code, "amendment-head", person="zhang.wei", amendment="A1")
    A.amend_sign(repo, code, "A1", "2026-11-20", person="wang.fang")
    A.pay(repo, code, "25950", "2026-11-21", person="liu.yang")
    A.accept(repo, code, "2026-12-01", "pass", person="wang.fang")
    A.pay(repo, code, "65550", "2026-12-02", person="liu.yang")           # 86,500 + 5,000 in all
    with pytest.raises(Refused):
        A.pay(repo, code, "0.01", "2026-12-02", person="liu.yang")


@pytest.mark.parametrize("point", ["before-ref", "journal", "after-ref"])
def test_killed_action_leaves_repository_consistent(repo, point):
    code = new_contract(repo)
    before = state(repo)
    env = dict(os.environ, CCTK_TEST_KILL_AT=point)
    proc = subprocess.run([sys.executable, "-c", f"from cctk.lifecycle.actions import submit; submit({str(repo)!r}, {code!r}, person='wang.fang')"],
                          env=env, capture_output=True)
    assert proc.returncode == -9
    if point in ("before-ref", "journal"):
        txn.recover(repo)
        assert state(repo) == before
    else:
        # The commit landed (git's commit point); the next cctk command rolls the work tree forward.
        assert txn.recover(repo) == "forward"
        assert git(repo, "status", "--porcelain") == ""
        assert "status: review" in next((repo / "contracts").rglob("contract.md")).read_text("utf-8")
    A.submit(repo, code, person="wang.fang") if point != "after-ref" else None
    assert git(repo, "status", "--porcelain") == ""


def test_cli_verbs_and_messages(repo, monkeypatch):
    from click.testing import CliRunner
    from cctk.cli.main import cli

    code = new_contract(repo)
    monkeypatch.chdir(repo)
    runner = CliRunner()
    res = runner.invoke(cli, ["--lang", "en", "sign", code, "--on", "2026-11-10"])
    assert res.exit_code == 1 and "needs status approved" in res.output
    res = runner.invoke(cli, ["--lang", "zh", "submit", code])
    assert res.exit_code == 0, res.output
    assert "状态 review" in res.output
    res = runner.invoke(cli, ["--lang", "en", "approve", code, "--step", "unit-review", "--as", "li.qiang"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["--lang", "en", "history", code])
    assert res.exit_code == 0 and "approve" in res.output and "~ status: drafting → review" in res.output
    for name in ("submit", "approve", "reject", "sign", "file", "pay", "accept", "evaluate", "archive",
                 "terminate", "amend", "history", "audit", "hook"):
        res = runner.invoke(cli, [name, "--help"])
        assert res.exit_code == 0 and "Example" in res.output, name


def test_terminate_needs_reason_and_role(repo):
    code = new_contract(repo)
    to_signed(repo, code)
    with pytest.raises(Refused):
        A.terminate(repo, code, "违约", person="wang.fang")
    r = A.terminate(repo, code, "供应商严重违约", person="zhang.wei")
    assert r.status == "terminated"
    assert "供应商严重违约" in git(repo, "log", "-1", "--format=%s")


# --- the fast paths of a verb at 100,000 contracts (benchmarks/bench_lifecycle.py) -------------

def test_filing_number_scan_matches_the_yaml():
    from cctk.lifecycle.numindex import filing_number
    head = '---\ncode: "X"\n'
    assert filing_number(f'{head}filing:\n  on: "2026-01-02"\n  number: "罗财合备〔2026〕7号"\n---\nbody'.encode()) \
        == "罗财合备〔2026〕7号"
    assert filing_number(f"{head}filing:\n    required: false\n    number: '备-1' # c\n---\n".encode()) == "备-1"
    assert filing_number(f'{head}filing: {{number: "N-2", on: "2026-01-02"}}\n---\n'.encode()) == "N-2"
    assert filing_number(f"{head}filing:\n  required: false\n  pdf:\n    number: 3\n---\n".encode()) is None
    assert filing_number(f"{head}filing:\n  number: null\n---\n".encode()) is None
    assert filing_number(f"{head}title: x\n---\nfiling:\n  number: N\n".encode()) is None   # in the text


def test_tree_built_along_changed_paths_equals_gits(tmp_path):
    """txn._tree_with (splicing the trees on the changed paths) gives the tree an index would."""
    import os

    from cctk.lifecycle.txn import _tree_with
    from cctk.store import gitio
    d = tmp_path / "r"
    for p, text in {"a/b/x.md": "x", "top": "t", "a/y": "y", "a/b.txt": "bt", "a/b-c": "q"}.items():
        (d / p).parent.mkdir(parents=True, exist_ok=True)
        (d / p).write_text(text)
    git(d, "init", "-q")
    git(d, "add", "-A")
    git(d, "-c", "user.name=a", "-c", "user.email=a@b", "commit", "-qm", "i")
    blob = git(d, "hash-object", "-w", "--stdin", input=b"new")
    adds, removes = ["a/b/x.md", "a/c/z.md", "a/a0", "a/b/zz", "z/q"], ["a/y", "a/b-c"]
    with gitio.CatFile(d) as cat:
        tree = _tree_with(d, cat, git(d, "rev-parse", "HEAD^{tree}"), {**{p: blob for p in adds},
                                                                        **{p: None for p in removes}})
    env = {"GIT_INDEX_FILE": str(tmp_path / "index")}
    git(d, "read-tree", "HEAD", env=env)
    for p in adds:
        git(d, "update-index", "--add", "--cacheinfo", f"100644,{blob},{p}", env=env)
    git(d, "update-index", "--force-remove", *removes, env=env)
    assert tree == git(d, "write-tree", env=env)
    assert os.path.exists(d / ".git")


def test_number_index_follows_commits(tmp_path):
    from cctk.lifecycle.numindex import numbers_at
    repo = make_repo(tmp_path / "r")
    a, b = new_contract(repo), new_contract(repo)
    to_signed(repo, a)
    to_signed(repo, b)
    assert numbers_at(repo) == {}
    A.file(repo, a, on="2026-11-12", person="liu.yang")
    A.file(repo, b, on="2026-11-12", person="liu.yang")
    warm = numbers_at(repo)                              # brought forward from the cached commit
    assert sorted(warm.values()) == ["罗财合备〔2026〕1号", "罗财合备〔2026〕2号"]
    assert numbers_at(repo, "HEAD~1") == {k: v for k, v in warm.items() if a in k}
    (git_dir := repo / ".git" / "cctk" / "filing-numbers.msgpack").unlink()
    assert numbers_at(repo) == warm and git_dir.exists()  # rebuilt from scratch: the same
