"""Alerts and problem reports."""
import json
import subprocess


from conftest import run


def test_alerts_demo(repo):
    res = run(repo, "alerts", "--format", "json")
    data = json.loads(res.output)
    kinds = {(a["kind"], a["contract"]) for a in data["alerts"]}
    assert ("supplier-blacklisted", "LHHT-2019-000022") in kinds and res.exit_code == 1
    assert all(a["responsible"] and a["message_zh"] for a in data["alerts"])
    later = json.loads(run(repo, "alerts", "--as-of", "2020-03-01", "--format", "json").output)["alerts"]
    overdue = [a for a in later if a["kind"] == "payment-overdue" and a["contract"] == "LHHT-2019-000031"]
    assert overdue and overdue[0]["deadline"] == "2020-01-21"
    unit = json.loads(run(repo, "alerts", "--unit", "LH010", "--format", "json").output)["alerts"]
    assert {a["unit"] for a in unit} == {"LH010"}


def test_feedback_open_then_resolved(repo):
    res = run(repo, "feedback", "LHHT-2019-000031", "--text", "设备到货延迟", "--severity", "high", "--as", "wang.fang")
    assert res.exit_code == 0, res.output
    alerts = json.loads(run(repo, "alerts", "--format", "json").output)["alerts"]
    assert any(a["kind"] == "feedback-open" and a["contract"] == "LHHT-2019-000031" for a in alerts)
    assert run(repo, "feedback", "LHHT-2019-000031", "--resolve", "2", "--text", "x", "--as", "wang.fang").exit_code == 1
    res = run(repo, "feedback", "LHHT-2019-000031", "--resolve", "1", "--text", "已到货", "--as", "wang.fang")
    assert res.exit_code == 0, res.output
    alerts = json.loads(run(repo, "alerts", "--format", "json").output)["alerts"]
    assert not any(a["kind"] == "feedback-open" for a in alerts)
    text = (repo / "contracts/2019/LHHT-2019-000031/feedback.yaml").read_text("utf-8")
    assert "设备到货延迟" in text and "resolved" in text
    log = subprocess.run(["git", "-C", str(repo), "log", "-1", "--format=%B"], capture_output=True, text=True).stdout
    assert "Cctk-Action: feedback" in log and "Cctk-Resolved: yes" in log


def test_report_html_pdf(repo, tmp_path):
    res = run(repo, "report", "--year", "2019", "-o", str(tmp_path / "r.html"))
    assert res.exit_code == 0, res.output
    html = (tmp_path / "r.html").read_text("utf-8")
    assert html.count("<svg") == 3 and "LHHT-2019-000002" in html      # the late filing is traceable
    res = run(repo, "report", "--year", "2019", "-o", str(tmp_path / "r.pdf"))
    assert res.exit_code == 0, res.output
    text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True).stdout
    assert "年度合同监管报告" in text and "CC201" in text


def test_cached_alerts_equal_cold_computation(repo):
    """`cctk alerts` reads per-blob alert facts and whole-run results from the cache; on any date (also one
    before recorded payments, computed from the full record) they equal the computation over full records."""
    import datetime as dt

    from cctk.inspections import load_records
    from cctk.rules.settings import settings as rule_settings
    from cctk.store.loader import load
    from cctk.supervision import alerts as al
    from cctk.supervision.feedback import load_all
    from cctk.suppliers import effective_listings

    full = load(repo)
    settings = rule_settings(full.policy)
    inspections, feedback = load_records(repo, None), load_all(repo, full.all_paths, None)
    paid = sorted(p.on for c in full.contracts for p in c.payments)
    days = [dt.date(2020, 1, 15), dt.date(2021, 6, 30), paid[len(paid) // 2]]     # the last: some payments later
    for day in days:
        listings = effective_listings(full, day, inspections=inspections, feedback=feedback)
        cold = [a.to_json() for a in al.compute(full, day, settings=settings, inspections=inspections,
                                                feedback=feedback, listings=listings)]
        assert cold
        for _ in range(2):            # first: facts computed and stored; second: whole run from the cache
            light = load(repo, contracts="summary")
            got = al.repository_alerts(light, day, settings=settings, inspections=inspections, feedback=feedback)
            assert [a.to_json() for a in got] == cold
    stale = [f for f in al.alert_facts(load(repo, contracts="summary"), days[2], settings=settings)
             if f.upto and f.upto > days[2]]
    assert not stale                  # contracts paid after the date were recomputed as of it
    light = load(repo, contracts="summary")
    unit = al.repository_alerts(light, days[0], settings=settings, inspections=inspections, feedback=feedback,
                                unit="LH010")
    assert unit and {a.unit for a in unit} == {"LH010"}


def test_report_filing_block_counts_unfiled_contracts(repo, tmp_path):
    """The report's filing block: in scope = signed that year and subject to filing; unfiled = those without a
    filing number (computed here from the records, independently of the report's own code)."""
    from cctk.lifecycle import numbering
    from cctk.store.loader import load

    res = run(repo, "report", "--year", "2019", "-o", str(tmp_path / "r.json"))
    assert res.exit_code == 0, res.output
    filing = json.loads((tmp_path / "r.json").read_text("utf-8"))["filing"]
    snap = load(repo)
    scope = [c for c in snap.contracts if c.dates.get("signed") and c.dates["signed"].year == 2019
             and numbering.in_scope(c, snap.policy)]
    unfiled = sorted(c.code for c in scope if not (c.filing and c.filing.number))
    assert filing["in_scope"] == len(scope) and filing["filed"] == len(scope) - len(unfiled)
    assert filing["unfiled_codes"] == unfiled
