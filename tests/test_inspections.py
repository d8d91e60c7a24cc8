"""Inspections: the reproducible draw, records, report."""
import json
import subprocess


from conftest import run


import hashlib


def test_draw_reproducible_from_seed(repo):
    a = json.loads(run(repo, "inspect", "sample", "--year", "2019", "--format", "json").output)
    seed = subprocess.run(["git", "-C", str(repo), "log", "--format=%H", "--grep=^Cctk-Action: file$", "-n1",
                           "--until=2019-12-31T23:59:59+08:00"], capture_output=True, text=True).stdout.strip()
    assert a["seed"] == seed and a["algorithm"] == "cctk-sha256-v1" and a["rate"] == "8.00%"
    # every key-supervision class present is covered, then units
    assert any(v.startswith("stratum:") for v in a["reasons"].values())
    # anyone can recompute the unit part: the lowest SHA-256("seed:code") of an uncovered unit comes first
    unit_picks = [c for c in a["codes"] if a["reasons"][c].startswith("unit:")]
    if unit_picks:
        ranks = {c: hashlib.sha256(f"{seed}:{c}".encode()).hexdigest() for c in unit_picks}
        assert unit_picks == sorted(unit_picks, key=ranks.get)
    b = json.loads(run(repo, "inspect", "sample", "--year", "2019", "--format", "json").output)
    assert a == b
    c = json.loads(run(repo, "inspect", "sample", "--year", "2019", "--seed", "other", "--rate", "30%",
                       "--format", "json").output)
    assert c["size"] == 10 and c["seed"] == "other"          # ceil(0.30 × 31)


def test_save_verify_record_report(repo):
    res = run(repo, "inspect", "sample", "--year", "2019", "--save", "--as", "zeng.gang")
    assert res.exit_code == 0, res.output
    assert run(repo, "inspect", "sample", "--year", "2019", "--save", "--as", "zeng.gang").exit_code == 1
    assert run(repo, "inspect", "sample", "--year", "2019", "--verify").exit_code == 0
    saved = (repo / "inspections" / "2019.yaml").read_text("utf-8")
    code = saved.split("codes:")[1].split("- ")[1].split()[0]
    res = run(repo, "inspect", "record", code, "--kind", "performance", "--result", "pass", "--on", "2019-12-20",
              "--as", "zeng.gang")
    assert res.exit_code == 0, res.output
    assert run(repo, "inspect", "record", code, "--kind", "bogus", "--result", "pass", "--as", "zeng.gang").exit_code == 1
    assert run(repo, "inspect", "record", code, "--kind", "self", "--result", "fail", "--as", "zeng.gang").exit_code == 1
    assert run(repo, "inspect", "record", code, "--kind", "self", "--result", "pass", "--as", "wang.fang").exit_code == 1
    rep = json.loads(run(repo, "inspect", "report", "--year", "2019", "--format", "json").output)
    assert rep["inspected"] == 1 and rep["sample_done"] == 1 and rep["passed"] == 1
    log = subprocess.run(["git", "-C", str(repo), "log", "-1", "--format=%B"], capture_output=True, text=True).stdout
    assert "Cctk-Action: inspect" in log and "Cctk-Inspection: 2019-001" in log
    # tampering with the saved sample is detected
    (repo / "inspections" / "2019.yaml").write_text(saved.replace(code, "LHHT-2019-000001"), "utf-8")
    assert run(repo, "inspect", "sample", "--year", "2019", "--verify").exit_code == 1


def test_rate_rises():
    from decimal import Decimal as D
    from cctk.inspections import rate_for_year
    assert [rate_for_year({}, y) for y in (2019, 2020, 2021, 2030)] == [D("0.08"), D("0.10"), D("0.12"), D("0.30")]


def _codes(res, code):
    return [d for d in json.loads(res.output) if d["code"] == code]


def test_failed_inspection_is_a_check_finding_at_each_revision(repo):
    """A failed inspection is a CC406 finding in `cctk check`, read from inspections/<year>.yaml in the work
    tree or at --rev (git), until a passing re-inspection; alerts --rev read the records the same way."""
    code = "LHHT-2019-000031"
    res = run(repo, "inspect", "record", code, "--kind", "performance", "--result", "fail", "--findings",
              "交付设备型号与合同不符", "--on", "2020-01-05", "--as", "zeng.gang")
    assert res.exit_code == 0, res.output
    res = run(repo, "check", "--select", "CC406", "--format", "json", "--no-review")
    found = _codes(res, "CC406")
    assert res.exit_code == 1 and [d["contract"] for d in found] == [code]
    assert "交付设备型号与合同不符" in json.dumps(found, ensure_ascii=False)
    assert found[0]["path"].endswith(f"{code}/contract.md") and found[0]["line"] > 1
    assert [d["contract"] for d in _codes(run(repo, "check", "--select", "CC406", "--format", "json", "--no-review",
                                              "--rev", "HEAD"), "CC406")] == [code]
    assert _codes(run(repo, "check", "--select", "CC406", "--format", "json", "--no-review", "--rev", "HEAD~1"),
                  "CC406") == []

    def alerted(*args):
        res = run(repo, "alerts", "--format", "json", *args)
        assert res.exit_code in (0, 1) and not isinstance(res.exception, Exception), repr(res.exception)
        data = json.loads(res.stdout)["alerts"]
        return {(a["kind"], a["contract"]) for a in data}
    assert ("inspection-failed", code) in alerted("--rev", "HEAD")
    assert ("inspection-failed", code) not in alerted("--rev", "HEAD~1")
    res = run(repo, "feedback", code, "--text", "设备到货延迟", "--as", "wang.fang")
    assert res.exit_code == 0, res.output
    assert ("feedback-open", code) in alerted("--rev", "HEAD") and ("feedback-open", code) not in alerted("--rev", "HEAD~1")
    # a passing re-inspection clears the finding
    res = run(repo, "inspect", "record", code, "--kind", "performance", "--result", "pass", "--on", "2020-01-12",
              "--as", "zeng.gang")
    assert res.exit_code == 0, res.output
    assert _codes(run(repo, "check", "--select", "CC406", "--format", "json", "--no-review"), "CC406") == []
