"""cctk check as one library call (cctk.rules.pipeline): the result memo, the facts path, pull-request mode.

Each cache layer must give exactly what a cold run gives; these tests compare them on the demo district.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from cctk.rules import pipeline
from cctk.store.loader import load


def _key(result):
    return sorted((d.path, d.code, d.line, d.col, d.message, json.dumps(d.args, sort_keys=True, default=str))
                  for d in result.diagnostics)


def _git(root: Path, *args: str):
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def test_memo_facts_and_cold_agree(repo):
    cold_snap, cold = pipeline.check(repo, use_cache=False)
    first_snap, first = pipeline.check(repo)
    assert first.timings.get("memo") is None and first_snap.mode == "facts"
    again_snap, again = pipeline.check(repo)
    assert again.timings.get("memo") == 1.0 and again_snap.mode == "none"     # nothing decoded
    assert _key(cold) == _key(first) == _key(again) and cold.diagnostics
    assert [(s.diagnostic.code, s.reason) for s in cold.suppressed] == [(s.diagnostic.code, s.reason)
                                                                        for s in again.suppressed]
    # a different date or option is another result
    _, other = pipeline.check(repo, select=["CC2"])
    assert other.timings.get("memo") is None and {d.code[:3] for d in other.diagnostics} <= {"CC2"}


def test_memo_misses_when_any_input_changes(repo):
    _, before = pipeline.check(repo)
    supplier = repo / "suppliers" / f"{load(repo).contracts[0].counterparty.credit_code}.yaml"
    supplier.write_text(supplier.read_text("utf-8").replace("name:", "name: 改名", 1), "utf-8")
    _, after = pipeline.check(repo)
    assert after.timings.get("memo") is None
    assert not any(d.message == "ref.supplier_name" for d in before.diagnostics)
    assert any(d.message == "ref.supplier_name" for d in after.diagnostics)
    _, cold = pipeline.check(repo, use_cache=False)
    assert _key(after) == _key(cold)


def test_untracked_attachment_probe_invalidates_memo(repo):
    """An attachment git does not track is asked about on the file system; removing it must not be
    hidden by the memo."""
    contract = load(repo).contracts[0]
    record = repo / contract.path
    text = record.read_text("utf-8")
    if "\nattachments:" in text:
        att = contract.attachments[0].path
    else:
        att = "scan.pdf"
        head, sep, body = text.partition("\n---\n")
        record.write_text(head + '\nattachments: [{path: "scan.pdf", kind: "other"}]' + sep + body, "utf-8")
    target = record.parent / att
    target.write_bytes(b"%PDF-1.4 scan")
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "--no-verify", "-m", "scan")
    _git(repo, "rm", "-q", "--cached", str(target.relative_to(repo)))        # now untracked, still present
    _, present = pipeline.check(repo)
    assert not any(d.message == "attachment.missing" and d.contract == contract.code for d in present.diagnostics)
    target.unlink()
    _, gone = pipeline.check(repo)
    assert any(d.message == "attachment.missing" and d.contract == contract.code for d in gone.diagnostics)


def test_changed_mode_loads_only_what_can_matter_and_agrees_with_full_run(repo):
    _git(repo, "checkout", "-q", "-b", "pr")
    snap = load(repo)
    by_unit: dict[str, list] = {}
    for c in snap.contracts:
        by_unit.setdefault(c.unit, []).append(c)
    unit, members = max(by_unit.items(), key=lambda kv: len(kv[1]))
    edited = members[:2]
    for c in edited:
        path = repo / c.path
        path.write_text(path.read_text("utf-8") + "\n补充说明：测试。\n", "utf-8")
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "pr")
    pr_snap, pr = pipeline.check(repo, changed_base="main")
    _, full = pipeline.check(repo, use_cache=False)
    changed = {c.path for c in edited}
    assert pr.changed == changed
    loaded = {c.path for c in pr_snap.contracts}
    assert changed <= loaded and len(loaded) < len(snap.contracts)     # not every contract decoded
    assert {c.unit for c in pr_snap.contracts} >= {unit}
    codes = {c.code for c in edited}
    expected = [d for d in full.diagnostics
                if d.path in changed or not d.path.startswith("contracts/") or d.code in ("CC501", "CC502", "CC203")
                and d.contract not in codes]
    got = {(d.path, d.code, d.line, d.message) for d in pr.diagnostics}
    # every finding on a changed contract is the full run's
    assert {x for x in got if x[0] in changed} == {(d.path, d.code, d.line, d.message) for d in full.diagnostics
                                                   if d.path in changed}
    assert got <= {(d.path, d.code, d.line, d.message) for d in expected}
    # an untracked new contract in the work tree is part of the change (found from the listing, not git ls-files)
    import shutil
    src = repo / edited[0].path
    new = src.parent.parent / "LHHT-2099-000001"
    shutil.copytree(src.parent, new)
    _, pr2 = pipeline.check(repo, changed_base="main")
    assert pr2.changed == changed | {f"{new.relative_to(repo).as_posix()}/contract.md"}


def _edit(path: Path, old: str, new: str):
    text = path.read_text("utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), "utf-8")


def _copy(repo: Path, c, code: str, *, keep_code: bool = False) -> Path:
    """A copy of contract ``c`` in a new folder ``code`` (the record keeps c's code when ``keep_code``)."""
    import shutil
    folder = repo / c.path.rsplit("/", 1)[0]
    target = folder.parent / code
    shutil.copytree(folder, target)
    if not keep_code:
        _edit(target / "contract.md", f'code: "{c.code}"', f'code: "{code}"')
    return target / "contract.md"


def _pull_request(repo: Path) -> set[str]:
    """Commit, on a branch ``pr``, changes of every kind the cross-contract rules care about; the codes of
    the changed contracts."""
    import re
    import shutil

    snap = load(repo)
    cs = sorted(snap.contracts, key=lambda c: c.code)
    filed = [c for c in cs if c.filing and c.filing.number]
    _git(repo, "checkout", "-q", "-b", "pr")
    at = lambda c: repo / c.path                                                         # noqa: E731
    changed = set()
    body = cs[0]                                                         # text only
    at(body).write_text(at(body).read_text("utf-8") + "\n补充说明：测试。\n", "utf-8")
    a, b, c = filed[0], filed[1], filed[2]
    _edit(at(b), f'number: "{b.filing.number}"', f'number: "{a.filing.number}"')       # CC203 with a
    year = re.search(r"〔(\d+)〕", c.filing.number)[1]
    last = max(int(re.search(r"〕(\d+)号", x.filing.number)[1]) for x in filed if f"〔{year}〕" in x.filing.number)
    _edit(at(c), f'number: "{c.filing.number}"', f'number: "罗财合备〔{year}〕{last + 3}号"')   # CC204: a gap
    units = sorted({x.unit for x in cs})
    d = cs[5]
    _edit(at(d), f'unit: "{d.unit}"', f'unit: "{next(u for u in units if u != d.unit)}"')   # moves unit
    e, other = cs[6], next(x for x in cs if x.counterparty.credit_code != cs[6].counterparty.credit_code)
    _edit(at(e), e.counterparty.credit_code, other.counterparty.credit_code)              # another supplier
    _edit(at(e), f'name: "{e.counterparty.name}"', f'name: "{other.counterparty.name}"')
    # CC501 on an unchanged contract: a copy of one just under 50,000, signed the same day
    x = next(x for x in cs if 40000 <= x.amount < 50000 and x not in (a, b, c, d, e, body))
    _copy(repo, x, f"LHHT-{x.code[5:9]}-900001")
    # CC502: copies of the largest contract (one supplier, one unit, one year; the demo counts a unit's
    # year from ten contracts)
    big = max((x for x in cs if x.dates.get("signed") and x.status in ("signed", "performing", "accepted", "evaluated",
                                                                       "archived")), key=lambda x: x.amount)
    copies = [f"LHHT-{big.code[5:9]}-9000{n:02d}" for n in range(10, 20)]
    for code in copies:
        _copy(repo, big, code)
    dup = _copy(repo, cs[7], f"LHHT-{cs[7].code[5:9]}-900004", keep_code=True)       # code.duplicate
    gone = next(x for x in reversed(filed) if x not in (a, b, c))
    shutil.rmtree(at(gone).parent)                                       # a deleted contract
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "pr")
    changed |= {body.code, b.code, c.code, d.code, e.code, cs[7].code, gone.code}
    changed |= {f"LHHT-{x.code[5:9]}-900001", *copies}
    assert dup.exists()
    return changed


def _unreduced(monkeypatch):
    """Pull-request mode with every contract loaded, and no stored result."""
    monkeypatch.setattr(pipeline, "affected", lambda *a, **k: None)
    monkeypatch.setattr(pipeline.ResultMemo, "get", lambda *a, **k: None)
    monkeypatch.setattr(pipeline.ResultMemo, "put", lambda *a, **k: None)


@pytest.mark.parametrize("walk, rev", [(64, None), (0, None), (64, "pr")])
def test_changed_mode_equals_a_run_with_every_contract_loaded(repo, monkeypatch, walk, rev):
    """The contracts pull-request mode loads (cctk/rules/affected.py) must give exactly the findings of
    the same mode with every contract loaded: duplicated and missing filing numbers, splitting and
    concentration involving unchanged contracts, a moved unit, a new supplier, a duplicate code, a
    deleted record. ``walk`` 0: CC204's neighbours found by reading the whole year; ``rev``: the branch
    checked as a revision (the work tree back on main)."""
    from cctk.rules import affected as affected_mod

    monkeypatch.setattr(affected_mod, "_WALK", walk)
    monkeypatch.setattr(pipeline.os, "getloadavg", lambda: (0.0, 0.0, 0.0))     # the helper process too
    codes = _pull_request(repo)
    if rev:
        _git(repo, "checkout", "-q", "main")
    snap, pr = pipeline.check(repo, rev, changed_base="main")
    found = {d.code for d in pr.diagnostics}
    assert {"CC203", "CC204", "CC501", "CC502", "CC021"} <= found
    # findings on unchanged contracts that name a changed one are kept (CC501's original, CC203's a)
    assert any(d.code == "CC501" and d.contract not in codes for d in pr.diagnostics)
    assert len(snap.contracts) < len(load(repo, rev).contracts)
    again_snap, again = pipeline.check(repo, rev, changed_base="main")
    assert again.timings.get("memo") == 1.0 and _key(again) == _key(pr)
    _unreduced(monkeypatch)
    full_snap, full = pipeline.check(repo, rev, changed_base="main")
    assert len(full_snap.contracts) == len(load(repo, rev).contracts)
    assert _key(pr) == _key(full)
    assert [(s.diagnostic.code, s.diagnostic.path, s.reason) for s in pr.suppressed] == \
           [(s.diagnostic.code, s.diagnostic.path, s.reason) for s in full.suppressed]


def test_changed_records_checked_by_the_helper_process_equal_checking_them_here(repo, monkeypatch, tmp_path):
    """Pull-request mode checks the changed records in a forked process while the work tree is listed
    (when a core is idle); what it stores must be what this process would have computed."""
    _pull_request(repo)
    monkeypatch.setattr(pipeline.os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    _, helped = pipeline.check(repo, changed_base="main")
    assert helped.timings.get("rechecked") == 0.0                     # the helper had stored every finding
    monkeypatch.setenv("CCTK_CACHE_DIR", str(tmp_path / "other-cache"))   # empty caches, no helper
    monkeypatch.setattr(pipeline, "_warm_changed", lambda *a, **k: None)
    _, alone = pipeline.check(repo, changed_base="main")
    assert alone.timings.get("rechecked", 0) > 0
    assert _key(helped) == _key(alone) and helped.diagnostics


def test_changed_mode_pools_hold_each_rules_partition(repo):
    """Every contract sharing a cross-contract rule's partition with a changed contract (or one carrying
    its code) is loaded: affected.POOLS and the rules' ``partition`` agree."""
    from cctk.rules.affected import affected
    from cctk.rules.engine import changed_contracts, load_rules

    from dataclasses import replace

    codes = _pull_request(repo)
    full = load(repo)
    scope = changed_contracts(repo, "main")
    lazy = load(repo, contracts="lazy")
    keys = [c for c in full.contracts if c.code in codes]
    ruleset = load_rules(lazy)
    assert scope and keys
    for rule in ruleset.rules:
        if rule.scope == "repository" and rule.partition is not None:
            # one cross-contract rule at a time: another's pool must not hide a gap in this one's
            alone = replace(ruleset, rules=[r for r in ruleset.rules if r.scope == "contract" or r is rule])
            loaded = affected(lazy, scope, alone)
            assert loaded is not None and len(loaded) < len(full.contracts)
            wanted = {rule.partition(k) for k in keys}
            mates = {c.path for c in full.contracts if rule.partition(c) in wanted
                     and not (rule.code == "CC203" and rule.partition(c) is None)       # no number: never related
                     and not (rule.code == "CC502" and not c.dates.get("signed"))}       # unsigned: not counted
            assert mates <= loaded, (rule.code, sorted(mates - loaded)[:5])


def test_changed_mode_sees_the_work_tree(repo):
    """Work-tree changes beside the committed ones: staged, modified, untracked (the index is compared
    with the merge base, the listing supplies the rest), and a file changed back to the base's bytes."""
    _git(repo, "checkout", "-q", "-b", "pr")
    snap = load(repo)
    cs = sorted(snap.contracts, key=lambda c: c.path)
    committed, staged, modified, reverted = cs[0], cs[1], cs[2], cs[3]
    for c in (committed, reverted):
        (repo / c.path).write_text((repo / c.path).read_text("utf-8") + "\n提交。\n", "utf-8")
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "pr")
    (repo / staged.path).write_text((repo / staged.path).read_text("utf-8") + "\n暂存。\n", "utf-8")
    _git(repo, "add", staged.path)
    (repo / modified.path).write_text((repo / modified.path).read_text("utf-8") + "\n修改。\n", "utf-8")
    _git(repo, "checkout", "main", "--", reverted.path)          # staged back to the base's bytes
    new = _copy(repo, cs[4], "LHHT-2099-000001")
    from cctk.rules.engine import ChangedQuery
    expected = {committed.path, staged.path, modified.path, new.relative_to(repo).as_posix()}
    _, pr = pipeline.check(repo, changed_base="main")
    assert pr.changed == expected
    assert ChangedQuery(repo, "main").result() == expected       # comparing the work tree itself
    assert ChangedQuery(repo, "main", "HEAD").result() == {committed.path, reverted.path}


def test_filtered_listing_equals_filtering_the_full_listing(repo):
    """`cctk ls --status/--unit/--year` filters in SQLite; cold, warm and with one new blob it must list
    exactly what filtering every summary row lists."""
    from cctk.store.cache import SUMMARY_FIELDS

    def expected():
        rows = load(repo, contracts="summary", use_cache=False).summaries
        i = SUMMARY_FIELDS.index("status")
        return {p: r for p, r in rows.items() if r[i] == "performing"}

    where = {"status": ["performing"]}
    cold = load(repo, contracts="summary", where=where).summaries            # nothing cached yet
    warm = load(repo, contracts="summary", where=where).summaries
    assert cold == warm == expected() and cold
    path = repo / sorted(cold)[0]
    path.write_text(path.read_text("utf-8").replace("status: performing", "status: accepted", 1), "utf-8")
    changed = load(repo, contracts="summary", where=where).summaries          # one blob not in the cache
    assert changed == expected() and sorted(cold)[0] not in changed


def test_registers_mode_does_not_list_contracts(repo):
    full = load(repo, contracts=False)
    light = load(repo, contracts="registers")
    assert light.config == full.config and light.org == full.org and light.suppliers == full.suppliers
    assert any(p.startswith("contracts/") for p in full.all_paths)
    assert not any(p.startswith("contracts/") for p in light.all_paths)
    assert {p for p in full.all_paths if not p.startswith("contracts/")} == light.all_paths


def test_parallel_cold_load_equals_serial(repo, monkeypatch):
    """Cold loads on both cores (work-tree workers read their own files; revisions are streamed by the
    parent) give exactly the serial result, changed files included."""
    from cctk.store import loader

    path = repo / load(repo).contracts[3].path
    path.write_text(path.read_text("utf-8") + "\n补充。\n", "utf-8")          # a changed (hashed) file
    serial = load(repo, use_cache=False, workers=1)
    monkeypatch.setattr(loader, "PARALLEL_MIN", 1)
    for rev in (None, "HEAD"):
        parallel = load(repo, rev, use_cache=False, workers=2)
        expected = serial if rev is None else load(repo, rev, use_cache=False, workers=1)
        assert [(c.path, c.oid, c.amount, c.body) for c in parallel.contracts] == \
               [(c.path, c.oid, c.amount, c.body) for c in expected.contracts]
        assert sorted(d.sort_key() for d in parallel.diagnostics) == sorted(d.sort_key() for d in expected.diagnostics)


def test_ls_stored_answer_equals_a_fresh_listing_and_follows_changes(repo):
    from conftest import run as cli

    first = cli(repo, "ls", "--status", "performing")
    again = cli(repo, "ls", "--status", "performing")                 # the stored answer
    fresh = cli(repo, "ls", "--status", "performing", "--format", "json")
    assert first.exit_code == again.exit_code == 0 and first.output == again.output
    codes = [r["code"] for r in json.loads(fresh.output)]
    assert codes and all(code in first.output for code in codes)
    target = repo / json.loads(fresh.output)[0]["path"]
    target.write_text(target.read_text("utf-8").replace("status: performing", "status: signed", 1), "utf-8")
    after = cli(repo, "ls", "--status", "performing")
    assert codes[0] not in after.output and after.output != first.output
    zh = cli(repo, "--lang", "zh", "ls", "--status", "performing")
    assert zh.output != after.output                                 # the language is part of the key


@pytest.mark.parametrize("workers,bare", [(1, False), (2, False), (2, True)])
def test_cold_check_reviews_in_the_parse_workers(repo, tmp_path, monkeypatch, workers, bare):
    """A cold cached check runs the per-contract rules and the text review on each batch as it is parsed
    (engine.after_parse_hook); run() then finds every finding cached and checks nothing again. The
    result equals an uncached run's, and the caches it filled serve the next run. ``bare``: a revision
    of a bare clone (the workers stream blobs with cat-file, findings are located in those blobs)."""
    from cctk.cli.check_cmd import _review
    from cctk.rules import engine
    from cctk.store import loader

    rev = None
    if bare:
        clone = tmp_path / "bare.git"
        subprocess.run(["git", "clone", "-q", "--bare", str(repo), str(clone)], check=True)
        repo, rev = clone, "HEAD"
        monkeypatch.setenv("CCTK_CACHE_DIR", str(tmp_path / "cache"))
    real_fill = loader._fill
    monkeypatch.setattr(loader, "_fill", lambda *a, **k: real_fill(*a, **{**k, "workers": workers}))
    monkeypatch.setattr(loader, "PARALLEL_MIN", 50)
    _, cold = pipeline.check(repo, rev, use_cache=False, review=_review)
    handed = []     # what run() was given as found already: every contract, from whichever process checked it
    real_findings = engine._contract_findings
    monkeypatch.setattr(engine, "_contract_findings",
                        lambda *a, **k: handed.append(dict(a[11] if len(a) > 11 else k.get("known") or {}))
                        or real_findings(*a, **k))
    snap, first = pipeline.check(repo, rev, review=_review)
    monkeypatch.setattr(engine, "_contract_findings", real_findings)
    assert first.timings["rechecked"] == 0.0          # all of it done while parsing
    assert len(handed) == 1 and set(handed[0]) == {c.oid for c in snap.contracts}
    assert all(rules is not None and review is not None for rules, review in handed[0].values())
    assert _key(first) == _key(cold) and cold.diagnostics
    assert any(d.line and d.line > 1 for d in first.diagnostics if d.path.endswith("contract.md"))   # located
    # the next run (memo bypassed by another evaluation option) reads the same findings from the caches
    monkeypatch.setattr(engine, "_check_misses", lambda *a, **k: (_ for _ in ()).throw(AssertionError("rechecked")))
    _, again = pipeline.check(repo, rev, review=_review, select=["CC", "CR"])
    assert _key(again) == _key(cold)


def test_check_paths_checks_only_those_contracts_with_the_full_runs_findings(repo):
    """`cctk check PATHS` (contract folders or files, a year, relative to the current directory) checks only
    the contracts there — the rest is not decoded — and reports exactly what a full run reports for them,
    cross-contract findings included."""
    from conftest import run as cli_run

    full = json.loads(cli_run(repo, "check", "--format", "json").output)
    flagged = sorted({d["path"] for d in full if d["path"].startswith("contracts/") and d["code"][:3] in ("CC2", "CC5")})
    assert flagged
    clean = next(p for p in sorted(str(x.relative_to(repo)) for x in repo.glob("contracts/*/*/contract.md"))
                 if p not in {d["path"] for d in full})
    cases = [[p.rsplit("/", 1)[0]] for p in flagged[:6]] + [[flagged[0], clean], [clean], ["contracts/2018"]]
    for paths in cases:
        got = json.loads(cli_run(repo, "check", "--format", "json", *paths).output)
        want = [d for d in full if any(d["path"] == p or d["path"].startswith(p.rstrip("/") + "/") for p in paths)]
        assert sorted(map(json.dumps, got)) == sorted(map(json.dumps, want)), paths
    snap, result = pipeline.check(repo, paths=[flagged[0].rsplit("/", 1)[0]])
    assert result.changed == {flagged[0]} and len(snap.contracts) < len(load(repo).contracts)
    # relative to the current directory, as a shell completes it
    year, code = flagged[0].split("/")[1:3]
    got = json.loads(cli_run(repo / "contracts" / year, "check", "--format", "json", code).output)
    assert sorted(map(json.dumps, got)) == sorted(map(json.dumps, [d for d in full if d["path"] == flagged[0]]))
    # a path outside the repository is a usage error, not a traceback
    res = cli_run(repo, "check", str(repo.parent))
    assert res.exit_code == 2 and "not inside the repository" in res.output
