"""`cctk evaluate` with the rubric: per-criterion scores weighted by policy/evaluation.yaml, capped after a
failed inspection; `--score` alone still records the score as given."""
import os

import pytest
import yaml
from click.testing import CliRunner

from cctk.cli.main import cli
from cctk.lifecycle import actions as A
from cctk.suppliers import parse_criteria
from tests.test_lifecycle_util import git, make_repo, new_contract, to_signed


@pytest.fixture(scope="module")
def accepted(tmp_path_factory):
    """A repository holding one accepted contract (the template every test copies)."""
    root = make_repo(tmp_path_factory.mktemp("ev") / "r")
    code = new_contract(root)
    to_signed(root, code)
    A.file(root, code, on="2026-11-13", person="liu.yang")
    A.accept(root, code, "2026-12-01", "pass", person="wang.fang")
    return root, code


@pytest.fixture
def repo(accepted, tmp_path):
    import shutil
    root, code = accepted
    dest = tmp_path / "r"
    shutil.copytree(root, dest, symlinks=True)
    return dest, code


def run(root, *args):
    old = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(cli, ["--lang", "en", *args])
    finally:
        os.chdir(old)


def evaluation(root, code):
    path = next((root / "contracts").glob(f"*/{code}/contract.md"))
    front = path.read_text("utf-8").split("---")[1]
    return yaml.safe_load(front)["evaluation"], yaml.safe_load(front)["status"]


def test_criteria_are_weighted_and_stored(repo):
    root, code = repo
    # 90×40% + 80×20% + 70×20% + 100×20% = 36 + 16 + 14 + 20 = 86.00
    res = run(root, "evaluate", code, "--criterion", "quality=90", "--criterion", "timeliness=80",
              "--scores", "service=70,compliance=100", "--on", "2026-12-10", "--as", "li.qiang")
    assert res.exit_code == 0, res.output
    ev, status = evaluation(root, code)
    assert status == "evaluated"
    assert ev["score"] == "86.00"
    assert ev["scores"] == {"quality": "90", "timeliness": "80", "service": "70", "compliance": "100"}
    assert git(root, "log", "-1", "--format=%(trailers:key=Cctk-Action,valueonly)") == "evaluate"
    res = run(root, "check", "--select", "CC1")        # the record stays valid for the loader and the rules
    assert "evaluation" not in res.output


def test_failed_inspection_caps_the_score(repo):
    from cctk.inspections import record
    root, code = repo
    record(root, code, kind="performance", result="fail", findings="交货数量不足", on="2026-12-05", person="li.qiang")
    r = A.evaluate(root, code, scores={"quality": 95, "timeliness": 90, "service": 90, "compliance": 90},
                   on="2026-12-10", person="li.qiang")
    assert r.values["score"] == "59.00"                  # 92.00 capped at the black-list floor
    assert any("inspection-failed" in n for n in r.notes)
    ev, _ = evaluation(root, code)
    assert ev["score"] == "59.00" and ev["scores"]["quality"] == "95"


def test_score_alone_still_works(repo):
    root, code = repo
    res = run(root, "evaluate", code, "--score", "92", "--as", "li.qiang")
    assert res.exit_code == 0, res.output
    ev, _ = evaluation(root, code)
    assert ev["score"] == "92" and "scores" not in ev


@pytest.mark.parametrize("args, code_, text", [
    (["--scores", "quality=90,timeliness=80"], 1, "missing compliance, service"),       # incomplete
    (["--scores", "quality=90,timeliness=80,service=70,compliance=100,speed=5"], 1, "unknown speed"),
    (["--criterion", "quality=101"], 2, "0 to 100"),
    (["--criterion", "quality"], 2, "criterion=score"),
    (["--criterion", "quality=9,quality=8"], 2, "given twice"),
    (["--score", "90", "--scores", "quality=90,timeliness=80,service=70,compliance=100"], 1, "86.00"),
    ([], 2, "--score or --criterion"),
])
def test_bad_criteria_are_refused_and_nothing_is_written(repo, args, code_, text):
    root, code = repo
    head = git(root, "rev-parse", "HEAD")
    res = run(root, "evaluate", code, *args, "--as", "li.qiang")
    assert res.exit_code == code_, res.output
    assert text in res.output
    assert git(root, "rev-parse", "HEAD") == head and git(root, "status", "--porcelain") == ""


def test_parse_criteria():
    assert parse_criteria(["a=1", "b=2.5, c=100"]) == {"a": 1, "b": 2.5, "c": 100}
    with pytest.raises(ValueError):
        parse_criteria(["a=1.234"])
    with pytest.raises(ValueError):
        parse_criteria(["a=x"])
