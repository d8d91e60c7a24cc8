"""The demo generator: deterministic, clean apart from its planted problems, real git history."""

from __future__ import annotations

import datetime as dt
import importlib
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cctk.cli.main import cli
from cctk.demo import DemoError, generate
import importlib
gen_module = importlib.import_module("cctk.demo.generate")
from cctk.model.ids import credit_code_problem
from cctk.model.workdays import add_workdays
from cctk.store.records import parse_contract

ROOT = Path(__file__).resolve().parents[1]
SMALL = 60

# action -> role that must author it (approve: by step)
# (file: finance numbers a filing; the unit's contract-admin records "no filing needed" below the threshold)
ROLE_OF = {"create": {"clerk"}, "submit": {"clerk"}, "sign": {"clerk"}, "accept": {"clerk"},
           "evaluate": {"contract-admin"}, "amend": {"clerk"}, "file": {"finance", "contract-admin"},
           "pay": {"finance"}, "archive": {"contract-admin"}, "terminate": {"unit-head"}}
STEP_ROLE = {"unit-review": {"contract-admin"}, "legality-review": {"legal-reviewer"}, "unit-head": {"unit-head"},
             "amendment-review": {"contract-admin"}, "amendment-legality-review": {"legal-reviewer"},
             "amendment-head": {"unit-head"}}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    dest = tmp_path_factory.mktemp("demo") / "repo"
    summary = generate(dest, contracts=SMALL, seed=7)
    return dest, summary


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def load_all(repo: Path):
    out = {}
    for path in sorted(repo.glob("contracts/*/*/contract.md")):
        contract, diags = parse_contract(str(path.relative_to(repo)), path.read_bytes())
        out[path.parent.name] = (contract, diags)
    return out


def commits(repo: Path) -> list[dict]:
    fmt = ("%H%x00%ae%x00%at%x00%ct%x00%(trailers:key=Cctk-Action,valueonly)%x00"
           "%(trailers:key=Cctk-Contract,valueonly)%x00%(trailers:key=Cctk-Step,valueonly)%x00"
           "%(trailers:key=Cctk-Filing-Number,valueonly)%x1e")
    rows = []
    for rec in git(repo, "log", "--reverse", f"--format={fmt}").split("\x1e"):
        rec = rec.strip("\n")
        if not rec:
            continue
        sha, email, at, ct, action, contract, step, number = rec.split("\x00")
        rows.append({"sha": sha, "email": email, "at": int(at), "ct": int(ct), "action": action.strip(),
                     "contract": contract.strip(), "step": step.strip(), "number": number.strip()})
    return rows


def planted(repo: Path) -> list[dict]:
    return yaml.safe_load((repo / ".cctk/planted.yaml").read_text("utf-8"))["problems"]


# --- determinism -----------------------------------------------------------------------------

def test_same_seed_same_commit_ids_different_seed_differs(small, tmp_path):
    dest, summary = small
    again = generate(tmp_path / "again", contracts=SMALL, seed=7)
    assert again.head == summary.head == git(dest, "rev-parse", "HEAD").strip()
    other = generate(tmp_path / "other", contracts=SMALL, seed=8, pdfs="none")   # PDFs: same seed only
    assert other.head != summary.head


def test_import_history_ends_in_the_same_tree(small, tmp_path, monkeypatch):
    """Collapsed history (used at large scale) must leave exactly the same files as full history."""
    dest, summary = small
    monkeypatch.setattr(gen_module, "FULL_HISTORY_MAX_EVENTS", 100)
    monkeypatch.setattr(gen_module, "TAIL_EVENTS", 40)
    s = generate(tmp_path / "imp", contracts=SMALL, seed=7)
    assert s.history == "import" and summary.history == "full"
    assert s.commits < summary.commits
    # .cctk/demo.yaml records the history mode, so it differs by design; a filed PDF embeds its base commit
    # (the parent of the commit adding it), which differs between histories, and so do the hashes of it
    pdf_dirs = {line.split("\t")[1].rsplit("/", 1)[0] for repo in (dest, tmp_path / "imp")
                for line in git(repo, "ls-tree", "-r", "HEAD").splitlines() if line.endswith("/filed.pdf")}

    def files(repo):
        return [line for line in git(repo, "ls-tree", "-r", "HEAD").splitlines() if not line.endswith(".cctk/demo.yaml")
                and line.split("\t")[1].rsplit("/", 1)[0] not in pdf_dirs]

    def without_pdf_hashes(repo, folder):
        text = git(repo, "show", f"HEAD:{folder}/contract.md")
        return [line for line in text.splitlines() if "sha256" not in line]
    assert files(tmp_path / "imp") == files(dest)
    for folder in pdf_dirs:
        assert without_pdf_hashes(tmp_path / "imp", folder) == without_pdf_hashes(dest, folder)
    acts = [c["action"] for c in commits(tmp_path / "imp")]
    assert acts[0] == "init" and "import" in acts and acts.count("import") == 1
    # the import commit covers every unit: its author may create for all of them, so audit accepts it; what
    # audit still reports is the planted missing legality review, if its approval/signing is in the tail
    from cctk.lifecycle.audit import audit
    report = audit(tmp_path / "imp")
    missing = {p["contract"] for p in planted(tmp_path / "imp") if p["problem"] == "missing-legal-review"}
    assert {(f.diag.code, f.diag.contract) for f in report.findings} <= {("LC012", c) for c in missing}


# --- the repository's content ----------------------------------------------------------------

def test_layout_settings_and_clean_work_tree(small):
    dest, summary = small
    assert git(dest, "status", "--porcelain") == ""
    assert git(dest, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    cfg = yaml.safe_load((dest / "cctk.yaml").read_text("utf-8"))
    assert cfg["as_of"] == "2020-01-15" and cfg["demo_seed"] == 7
    assert cfg["code_format"] == "LHHT-{year}-{seq:06d}"
    org = yaml.safe_load((dest / "policy/org.yaml").read_text("utf-8"))
    assert 190 <= len(org["units"]) <= 205
    codes = {u["code"] for u in org["units"]}
    assert {"LH001", "LHSF", "LHCZ"} <= codes
    assert any(u["name"].endswith("街道办事处") for u in org["units"])
    assert any("小学" in u["name"] for u in org["units"]) and any("医院" in u["name"] for u in org["units"])
    assert all(u["name_en"] for u in org["units"])
    roles = {r for p in org["people"] for r in p["roles"]}
    assert roles == {"clerk", "contract-admin", "unit-head", "legal-reviewer", "finance", "auditor", "inspector"}
    for p in org["people"]:
        assert set(p) == {"id", "name", "email", "roles", "units"} and set(p["units"]) <= codes
    assert len({p["id"] for p in org["people"]}) == len(org["people"])
    assert summary.units == len(org["units"]) and summary.contracts == SMALL


def test_credit_codes_valid_including_letter_led(small):
    dest, _ = small
    files = sorted((dest / "suppliers").glob("*.yaml"))
    assert 75 <= len(files) <= 85
    firsts = set()
    for f in files:
        s = yaml.safe_load(f.read_text("utf-8"))
        assert s["credit_code"] == f.stem and credit_code_problem(s["credit_code"]) is None, f
        assert isinstance(s["sme"], bool) and s["name"] and s["region"]
        firsts.add(s["credit_code"][0])
    assert {"N", "Y", "A", "9"} <= firsts


def test_every_contract_parses_without_diagnostics_and_is_consistent(small):
    dest, _ = small
    org = yaml.safe_load((dest / "policy/org.yaml").read_text("utf-8"))
    units = {u["code"] for u in org["units"]}
    people = {p["id"]: p for p in org["people"]}
    suppliers = {f.stem: yaml.safe_load(f.read_text("utf-8")) for f in (dest / "suppliers").glob("*.yaml")}
    loaded = load_all(dest)
    assert len(loaded) == SMALL
    plants = {(p["contract"], p["problem"]) for p in planted(dest)}
    for code, (c, diags) in loaded.items():
        assert diags == [] and c is not None, (code, diags)
        assert c.unit in units and c.clerk in people and c.unit in people[c.clerk]["units"]
        sup = suppliers[c.counterparty.credit_code]
        assert sup["name"] == c.counterparty.name and sup["sme"] == c.counterparty.sme
        d = c.dates
        assert d["start"] <= d["end"] and d["drafted"] <= d.get("submitted", d["drafted"])
        if "signed" in d:
            assert d.get("award", d["signed"]) <= d["signed"] <= d["start"]
            assert (d["signed"] - d.get("award", d["signed"])).days <= 30
        if c.filing and c.filing.required:
            assert d["signed"] <= c.filing.on
            if (code, "late-filing") not in plants:
                assert c.filing.on <= add_workdays(d["signed"], 7) and not c.filing.late
        if c.payment_schedule:
            assert sum(i.share for i in c.payment_schedule) == 1
        paid = sum((p.amount for p in c.payments), Decimal(0))
        if (code, "payment-beyond-amount") not in plants:
            assert paid <= c.amount
        if c.status in ("archived", "evaluated", "accepted") and c.payment_schedule and c.status == "archived":
            assert paid >= c.amount or code in {p[0] for p in plants}
        for p in c.payments:
            if c.filing and c.filing.required:
                assert p.on > c.filing.on
        if c.performance_bond is not None:
            assert c.performance_bond <= c.amount / 10
        if (code, "amendment-over-10pct") not in plants:
            assert sum((a.amount_change for a in c.amendments), Decimal(0)) <= c.amount / 10
        if c.key_supervision and "signed" in d and (code, "missing-legal-review") not in plants:
            assert any(a.step == "legality-review" for a in c.approvals)
        if c.amount >= Decimal("10000000"):
            assert "major-amount" in c.key_supervision
        for a in c.attachments:
            assert (dest / "contracts" / str(d["drafted"].year) / code / a.path).is_file()
    # numbers: filing numbers unique and gap-free per year
    numbers = sorted(c.filing.number for c, _ in loaded.values() if c.filing and c.filing.number)
    assert len(numbers) == len(set(numbers))


def test_planted_problems_present_as_recorded(small):
    dest, summary = small
    plants = planted(dest)
    assert {p["problem"] for p in plants} == {"late-filing", "missing-legal-review", "amendment-over-10pct",
                                             "payment-beyond-amount", "blacklisted-supplier"}
    assert [p["contract"] for p in plants] == [p["contract"] for p in summary.planted]
    loaded = load_all(dest)
    for p in plants:
        c = loaded[p["contract"]][0]
        if p["problem"] == "late-filing":
            assert c.filing.late and c.filing.on > add_workdays(c.dates["signed"], 7)
        elif p["problem"] == "missing-legal-review":
            assert c.key_supervision and "signed" in c.dates
            assert not any(a.step == "legality-review" for a in c.approvals)
        elif p["problem"] == "amendment-over-10pct":
            assert sum(a.amount_change for a in c.amendments) > c.amount / 10
        elif p["problem"] == "payment-beyond-amount":
            assert sum(x.amount for x in c.payments) > c.amount
        elif p["problem"] == "blacklisted-supplier":
            sup = yaml.safe_load((dest / "suppliers" / f"{c.counterparty.credit_code}.yaml").read_text("utf-8"))
            black = [x for x in sup["listings"] if x["list"] == "black"]
            assert black and set(black[0]) == {"list", "start", "end", "authority", "cause", "reason", "evidence",
                                               "scope", "by", "appeals"}
            signed = c.dates["signed"]
            assert any(dt.date.fromisoformat(x["start"]) <= signed <= dt.date.fromisoformat(x["end"]) for x in black)
    # no other contract signed with a black-listed supplier while listed
    listed = {}
    for f in (dest / "suppliers").glob("*.yaml"):
        for x in yaml.safe_load(f.read_text("utf-8"))["listings"]:
            if x["list"] == "black":
                listed.setdefault(f.stem, []).append((dt.date.fromisoformat(x["start"]), dt.date.fromisoformat(x["end"])))
    bad = [code for code, (c, _) in loaded.items() if "signed" in c.dates
           and any(a <= c.dates["signed"] <= b for a, b in listed.get(c.counterparty.credit_code, []))]
    assert bad == [p["contract"] for p in plants if p["problem"] == "blacklisted-supplier"]


# --- the history ---------------------------------------------------------------------------

def test_every_commit_has_trailers_and_the_right_author(small):
    dest, _ = small
    org = yaml.safe_load((dest / "policy/org.yaml").read_text("utf-8"))
    by_email = {p["email"]: p for p in org["people"]}
    rows = commits(dest)
    assert rows[0]["action"] == "init"
    seen_actions = set()
    for row in rows:
        assert row["action"], row
        person = by_email[row["email"]]
        assert row["at"] == row["ct"]
        if row["action"] in ("init", "supplier-list"):
            continue
        seen_actions.add(row["action"])
        assert row["contract"].startswith("LHHT-")
        role = STEP_ROLE[row["step"]] if row["action"] == "approve" else ROLE_OF[row["action"]]
        assert role & set(person["roles"]), (row, person)
        changed = git(dest, "show", "--name-only", "--format=", row["sha"]).split()
        assert changed and all(f"/{row['contract']}/" in path for path in changed)
    assert {"create", "submit", "approve", "sign", "file", "pay", "accept", "evaluate", "archive", "amend"} <= seen_actions
    # exact trailer block shape on a sample commit
    msg = git(dest, "log", "-1", "--format=%B", rows[5]["sha"])
    summary, blank, *trailers = msg.rstrip("\n").split("\n")
    assert blank == "" and row_contract_in(summary, rows[5]["contract"])
    assert trailers[0] == f"Cctk-Action: {rows[5]['action']}" and trailers[1] == f"Cctk-Contract: {rows[5]['contract']}"


def row_contract_in(summary: str, code: str) -> bool:
    return code in summary


def test_dates_monotone_per_contract_and_lifecycle_order(small):
    dest, _ = small
    last: dict[str, int] = {}
    actions: dict[str, list[str]] = {}
    prev_time = 0
    for row in commits(dest):
        assert row["at"] >= prev_time  # one branch, in date order
        prev_time = row["at"]
        code = row["contract"]
        if not code:
            continue
        assert row["at"] > last.get(code, 0)
        last[code] = row["at"]
        # a supplementary agreement's review (amendment-* steps) belongs to the amendment, not the main review
        actions.setdefault(code, []).append("amend" if row["step"].startswith("amendment-") else row["action"])
    for code, acts in actions.items():
        assert acts[0] == "create"
        order = ["create", "submit", "approve", "sign", "file", "accept", "evaluate", "archive"]
        main = [a for a in acts if a in order]
        assert [order.index(a) for a in main] == sorted(order.index(a) for a in main), (code, acts)
        if "terminate" in acts:
            assert acts[-1] == "terminate"


def test_record_follows_each_action(small):
    """Replay one contract's history: each commit changes the status as its action implies."""
    dest, _ = small
    code = next(p["contract"] for p in planted(dest) if p["problem"] == "payment-beyond-amount")
    year = code.split("-")[1]
    path = f"contracts/{year}/{code}/contract.md"
    expected = {"create": "drafting", "submit": "review", "sign": {"signed", "performing"}, "file": "performing",
                "accept": "accepted", "evaluate": "evaluated", "archive": "archived"}
    n_pay = 0
    for row in commits(dest):
        if row["contract"] != code:
            continue
        c, diags = parse_contract(path, git(dest, "show", f"{row['sha']}:{path}").encode())
        assert diags == []
        want = expected.get(row["action"])
        if want:
            assert c.status in (want if isinstance(want, set) else {want}), row
        if row["action"] == "pay":
            n_pay += 1
            assert len(c.payments) == n_pay
    assert c.status == "archived"


# --- refusal and the CLI -------------------------------------------------------------------

def test_refuses_non_empty_directory(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(DemoError):
        generate(tmp_path, contracts=5)
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]
    res = CliRunner().invoke(cli, ["demo", str(tmp_path), "--contracts", "5", "--no-tui"])
    assert res.exit_code == 2
    assert "已存在且非空" in res.output and "not empty" in res.output
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_cli_runner_builds_and_prints_summary(tmp_path):
    res = CliRunner().invoke(cli, ["--lang", "en", "demo", str(tmp_path / "d"), "--contracts", "25", "--seed", "3",
                                   "--pdfs", "none", "--no-tui"])
    assert res.exit_code == 0, res.output
    assert "contracts: 25" in res.output and "planted problems" in res.output and "cctk ls" in res.output
    assert "pdfs: none" in (tmp_path / "d/.cctk/demo.yaml").read_text()
    assert len(list((tmp_path / "d").glob("contracts/*/*/contract.md"))) == 25
    res = CliRunner().invoke(cli, ["demo", str(tmp_path / "e"), "--pdfs", "some"])
    assert res.exit_code == 2


def test_subprocess_default_size(tmp_path):
    """The real command at the default size (600 contracts), as a user runs it."""
    dest = tmp_path / "cctk-demo"
    res = subprocess.run([sys.executable, "-m", "cctk", "--lang", "zh", "demo", "--no-tui"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "演示仓库已生成" in res.stdout and res.stderr == ""
    loaded = load_all(dest)
    assert len(loaded) == 600
    assert all(diags == [] for _, diags in loaded.values())
    amounts = sorted(c.amount for c, _ in loaded.values())
    assert amounts[0] >= 5000 and amounts[-1] <= 50_000_000
    assert sum(a >= 50_000 for a in amounts) > 200 and any(a >= 10_000_000 for a in amounts)
    assert sum(a < 50_000 for a in amounts) > 150
    statuses = {c.status for c, _ in loaded.values()}
    assert {"performing", "archived"} <= statuses
    assert git(dest, "status", "--porcelain") == ""


# --- filed PDFs (cctk/demo/pdfs.py) ----------------------------------------------------------

def test_recent_filings_carry_signed_filed_pdfs_in_their_filing_commit(small):
    from cctk.filing.verify import verify
    dest, _ = small
    filings = [r for r in commits(dest) if r["action"] == "file" and r["number"]]     # numbered filings
    pdfs = sorted(p.relative_to(dest).as_posix() for p in dest.glob("contracts/*/*/filed.pdf"))
    assert len(pdfs) == min(20, len(filings)) and pdfs
    recent = {r["contract"] for r in filings[-20:]}
    assert {p.split("/")[2] for p in pdfs} == recent
    for rel in pdfs:
        added = git(dest, "log", "--diff-filter=A", "--format=%H%x00%(trailers:key=Cctk-Action,valueonly)", "--",
                    rel).strip().split("\x00")
        assert added[1].strip() == "file"                      # the filing commit itself carries it
        v = verify((dest / rel).read_bytes(), dest)
        assert v.valid, (rel, v.lines("en"))
        assert v.metadata["commit"] == git(dest, "rev-parse", f"{added[0]}^").strip()
    c, _ = parse_contract(pdfs[0].replace("filed.pdf", "contract.md"), (dest / pdfs[0]).with_name("contract.md").read_bytes())
    assert c.filing.pdf_sha256 and any(a.kind == "filed-pdf" and a.path == "filed.pdf" for a in c.attachments)
    sig = subprocess.run(["pdfsig", str(dest / pdfs[-1])], capture_output=True, text=True).stdout
    assert "Signature is Valid" in sig and "Total document signed" in sig
    # the CA certificate is committed, the demo's private keys are not
    tracked = git(dest, "ls-files", ".cctk/pki").split()
    assert tracked == [".cctk/pki/district-ca.pem"] and (dest / ".cctk/pki/filing-office.p12").is_file()


# --- the history passes its own audit (cctk audit), but for the planted problems ---------------------------

# Which planted problem shows where (docs/demo.md "Planted problems"): only the missing legality review is a
# breach of the trail (the unit head approved and the clerk signed without the legal office's step); the
# others are commits a verb would refuse but whose record changes are each a legal action, so they are
# `cctk check` findings about the content.
CHECK_CODES = {"late-filing": "CC201", "missing-legal-review": "CC101", "amendment-over-10pct": "CC302",
               "payment-beyond-amount": "CC303", "blacklisted-supplier": "CC105"}


def test_audit_of_the_demo_reports_only_the_planted_missing_legal_review(repo, monkeypatch):
    """On a copy of the session `demo` fixture (audit and check write caches into the repository)."""
    import json

    demo = repo
    monkeypatch.chdir(demo)
    res = CliRunner().invoke(cli, ["audit", "--format", "json"])
    report = json.loads(res.output)
    plants = {p["problem"]: p["contract"] for p in planted(demo)}
    code = plants["missing-legal-review"]
    actions = {r["sha"]: (r["action"], r["step"]) for r in commits(demo)}
    found = sorted((f["code"], f["contract"], *actions[f["commit"]]) for f in report["findings"])
    # the unit head's approval completes the review without the legality step; the clerk signs anyway
    assert found == [("LC012", code, "approve", "unit-head"), ("LC012", code, "sign", "")], found
    assert res.exit_code == 1 and report["contracts"] == 60 and report["commits"] > 500


def test_check_of_the_demo_finds_each_planted_problem_as_its_only_error(repo, monkeypatch):
    import json

    demo = repo
    monkeypatch.chdir(demo)
    res = CliRunner().invoke(cli, ["check", "--format", "json"])
    errors = sorted((f["code"], f["contract"]) for f in json.loads(res.output) if f["severity"] == "error")
    assert errors == sorted((CHECK_CODES[p["problem"]], p["contract"]) for p in planted(demo)), errors


# Warnings the planted problems bring with them: the supplements over 10% also raise the price (CC306,
# "amendments increase the price"), on the same contract. Nothing else is deliberate (docs/demo.md).
PLANTED_WARNINGS = {"amendment-over-10pct": "CC306"}


def _check_findings(root: Path, monkeypatch) -> list[tuple[str, str, str]]:
    import json

    monkeypatch.chdir(root)
    res = CliRunner().invoke(cli, ["check", "--format", "json"])
    assert res.exit_code == 1, res.output
    return sorted((f["severity"], f["code"], f["contract"]) for f in json.loads(res.output))


def _expected(root: Path) -> list[tuple[str, str, str]]:
    out = [("error", CHECK_CODES[p["problem"]], p["contract"]) for p in planted(root)]
    out += [("warning", PLANTED_WARNINGS[p["problem"]], p["contract"]) for p in planted(root)
            if p["problem"] in PLANTED_WARNINGS]
    return sorted(out)


def test_check_of_the_demo_finds_the_planted_problems_and_nothing_else(repo, monkeypatch):
    """No generator-made warnings either: model texts that exist (CC601), the confidentiality clause where
    the text review requires it (CR015), parties the review reads right (CR010), and the district's own
    supplier-concentration setting (CC502, policy/rules.yaml)."""
    found = _check_findings(repo, monkeypatch)
    assert found == _expected(repo), found


def test_check_of_another_seed_finds_the_planted_problems_and_nothing_else(small, tmp_path, monkeypatch):
    import shutil

    root = tmp_path / "copy"
    shutil.copytree(small[0], root, symlinks=True)
    found = _check_findings(root, monkeypatch)
    assert found == _expected(root), found


def test_templates_named_exist_and_confidentiality_where_the_review_requires_it(small):
    from cctk.demo.text import needs_confidentiality

    shipped = {p.name.removesuffix(".md.j2") for p in (ROOT / "cctk/data/templates/contracts").glob("*.md.j2")}
    rules = yaml.safe_load((small[0] / "policy/rules.yaml").read_text("utf-8"))
    assert rules["supplier_concentration"]["min_contracts"] == 10
    categories = set()
    for code, (c, _diags) in load_all(small[0]).items():
        categories.add(c.category)
        if c.category == "other":
            assert not c.template, code
        else:
            assert c.template in shipped, (code, c.template)
        if needs_confidentiality(c.title, c.body):
            assert "## 第" in c.body and "条 保密" in c.body, code
    assert {"goods", "services"} <= categories
