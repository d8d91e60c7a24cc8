"""OCDS export validated against the shipped 1.1.5 schema; secret contracts withheld."""
import datetime as dt
import json
import subprocess
from pathlib import Path


from conftest import run


def _secret(repo, code="LHHT-2019-000031"):
    path = next(repo.glob(f"contracts/*/{code}/contract.md"))
    text = path.read_text("utf-8").replace("status: performing", "status: performing\nsecret: true", 1)
    path.write_text(text, "utf-8")
    subprocess.run(["git", "-C", str(repo), "commit", "-qam", "classify"], check=True)


def test_ocds_valid_and_secret_withheld(repo, tmp_path):
    from cctk.export.ocds import validate
    _secret(repo)
    res = run(repo, "export", "ocds", "-o", str(tmp_path / "o.json"))
    assert res.exit_code == 0, res.output
    pkg = json.loads((tmp_path / "o.json").read_text("utf-8"))
    assert validate(pkg) == [] and pkg["version"] == "1.1"
    codes = [r["contracts"][0]["id"] for r in pkg["releases"]]
    assert "LHHT-2019-000031" not in codes and "1 secret" in res.output
    assert "LHHT-2019-000022" not in codes            # not filed
    rel = [r for r in pkg["releases"] if r["contracts"][0]["id"] == "LHHT-2018-000004"][0]
    assert len(rel["contracts"][0]["amendments"]) == 2
    tx = [r for r in pkg["releases"] if r["contracts"][0].get("implementation", {}).get("transactions")]
    assert tx and all(t["payer"]["id"].startswith("CN-LH-") for r in tx for t in r["contracts"][0]["implementation"]["transactions"])
    # the validator really checks: a wrong tag or a string amount is reported
    rel["tag"] = ["bogus"]
    rel["contracts"][0]["value"]["amount"] = "1"
    errors = validate(pkg)
    assert any("tag" in e for e in errors) and any("amount" in e for e in errors)


def test_ocds_stdout_subprocess(repo):
    out = subprocess.run([str(Path(__file__).parent.parent / ".venv/bin/cctk"), "export", "ocds"], cwd=repo,
                         capture_output=True, text=True)
    assert out.returncode == 0 and json.loads(out.stdout)["releases"]


def test_schema_shipped_with_licence():
    from importlib import resources
    base = resources.files("cctk").joinpath("data/ocds-1.1.5")
    assert "Apache" in base.joinpath("SOURCE.md").read_text("utf-8")
    assert base.joinpath("release-schema.json").is_file()


def test_ocds_validation_is_per_release_and_still_complete(repo):
    """The compiled per-release check keeps what the one-pass validation checked: the envelope, every
    release (here the last one), uniqueItems on releases, formats (a transaction source must be a URI)."""
    import copy

    from cctk.export.ocds import package, validate
    from cctk.store.loader import load
    snap = load(repo)
    pkg, _ = package(snap, as_of=dt.date(2020, 1, 15))
    assert validate(pkg) == [] and len(pkg["releases"]) > 2
    bad = copy.deepcopy(pkg)
    bad["releases"][-1]["date"] = "2020-01-15"                       # not a date-time
    bad["releases"].append(copy.deepcopy(bad["releases"][0]))          # the same release twice
    bad["publishedDate"] = "yesterday"
    errors = validate(bad)
    assert any(e.startswith("publishedDate:") for e in errors)
    bad["publishedDate"] = pkg["publishedDate"]
    errors = validate(bad)
    n = len(bad["releases"])
    assert any(e.startswith(f"releases/{n - 2}/date:") for e in errors), errors
    assert f"releases/{n - 1}: same release as releases/0 (uniqueItems)" in errors
    with_tx = copy.deepcopy([r for r in pkg["releases"] if r["contracts"][0].get("implementation", {}).get("transactions")][0])
    with_tx["contracts"][0]["implementation"]["transactions"][0]["source"] = "cctk"
    assert any("source" in e and "uri" in e for e in validate({**pkg, "releases": [pkg["releases"][0], with_tx]}))


def test_cached_templates_give_the_same_package(repo):
    """`cctk export ocds` streams releases from per-blob templates (cached); on any date — also one before
    recorded payments — the bytes equal json.dumps of package() over full records, and the cached run
    equals the cold one."""
    import io

    from cctk.export.ocds import package, write_package
    from cctk.store.loader import load
    full = load(repo)
    paid = sorted(p.on for c in full.contracts for p in c.payments)
    for day in (dt.date(2020, 1, 15), dt.date(2022, 3, 1), paid[len(paid) // 2]):
        pkg, secret = package(full, as_of=day)
        want = json.dumps(pkg, ensure_ascii=False, separators=(",", ":")).encode()
        cold = io.BytesIO()
        assert write_package(full, cold, as_of=day) == (len(pkg["releases"]), secret, [])
        assert cold.getvalue() == want
        for _ in range(2):            # templates made and stored, then read from the cache
            got = io.BytesIO()
            n, _, errors = write_package(load(repo, contracts="summary"), got, as_of=day)
            assert not errors and got.getvalue() == want
