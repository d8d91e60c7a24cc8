"""The public register: redaction, secret contracts, downloads, search in headless Chromium."""
import json
import subprocess

import pytest

from conftest import run


import tempfile

PERSONAL = {"id": "11010519491231002X", "mobile": "13812345678", "landline": "0755-82345678",
            "bank": "6222021234567890123", "address": "深圳市罗湖区东门街道某某花园3栋501"}
CODE = "LHHT-2019-000031"
CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"]


def _plant(repo):
    path = next(repo.glob(f"contracts/*/{CODE}/contract.md"))
    extra = (f"\n联系人身份证号：{PERSONAL['id']}，手机 {PERSONAL['mobile']}，电话 {PERSONAL['landline']}。\n"
             f"收款银行账号：{PERSONAL['bank']}\n家庭住址：{PERSONAL['address']}\n")
    path.write_text(path.read_text("utf-8") + extra, "utf-8")
    subprocess.run(["git", "-C", str(repo), "commit", "-qam", "plant"], check=True)


@pytest.fixture
def published(repo, tmp_path):
    _plant(repo)
    other = next(repo.glob("contracts/*/LHHT-2019-000018/contract.md"))
    other.write_text(other.read_text("utf-8").replace("\nstatus:", "\nsecret: true\nstatus:", 1), "utf-8")
    subprocess.run(["git", "-C", str(repo), "commit", "-qam", "classify"], check=True)
    res = run(repo, "publish", str(tmp_path / "pub"))
    assert res.exit_code == 0, res.output
    return tmp_path / "pub", res.output


def test_no_personal_data_leaks(published):
    pub, out = published
    assert "1 secret" in out
    blob = "".join(p.read_text("utf-8") for p in pub.rglob("*") if p.is_file())
    for kind, value in PERSONAL.items():
        assert value not in blob, kind
    page = (pub / "contracts" / f"{CODE}.html").read_text("utf-8")
    assert page.count("〔已隐去〕") >= 5
    assert "91440303MA5D046FXM" in page                  # an organisation's credit code is public, kept


def test_secret_excluded_and_downloads(published):
    pub, _ = published
    assert not (pub / "contracts" / "LHHT-2019-000018.html").exists()
    data = json.loads((pub / "data" / "contracts.json").read_text("utf-8"))
    assert data["secret_withheld"] == 1 and all(c["code"] != "LHHT-2019-000018" for c in data["contracts"])
    csv_text = (pub / "data" / "contracts.csv").read_text("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("code,title") and len(csv_text.splitlines()) == data["published"] + 1
    from cctk.export.ocds import validate
    assert validate(json.loads((pub / "data" / "ocds-release-package.json").read_text("utf-8"))) == []


def _dom(url):
    with tempfile.TemporaryDirectory() as profile:
        out = subprocess.run(["chromium", *CHROME_FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
                             capture_output=True, text=True, timeout=90)
    return out.stdout


def test_search_in_headless_chromium(published):
    pub, _ = published
    total = json.loads((pub / "data" / "contracts.json").read_text("utf-8"))["published"]
    dom = _dom((pub / "index.html").as_uri() + "?q=" + CODE.lower())
    assert 'data-search-done="' + CODE.lower() + '"' in dom        # the page's script ran
    assert 'id="count-shown">1<' in dom
    import re
    visible = [r for r in re.findall(r"<tr [^>]*>", dom) if "hidden" not in r]
    assert len(visible) == 1 and CODE.lower() in visible[0]
    dom = _dom((pub / "index.html").as_uri() + "?q=%E7%BD%97%E6%B9%96%E5%8C%BA%20%E5%9B%BE%E4%B9%A6%E9%A6%86")
    assert 'id="count-shown">' in dom and f'id="count-shown">{total}<' not in dom


def test_refuses_foreign_folder(repo, tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    res = run(repo, "publish", str(tmp_path / "x"))
    assert res.exit_code == 1 and (tmp_path / "x" / "keep.txt").read_text() == "mine"


def test_cached_pages_equal_cold_register(repo, tmp_path):
    """Pages and the OCDS download come from per-blob templates (cached); the register written from the
    cache equals the one written from full records, on a date after and one before recorded payments."""
    import datetime as dt

    from cctk.export.publish import publish
    from cctk.store.loader import load

    def files(d):
        return {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}

    full = load(repo)
    paid = sorted(p.on for c in full.contracts for p in c.payments)
    for day in (dt.date(2020, 1, 15), paid[len(paid) // 2]):
        publish(full, tmp_path / "cold", as_of=day)
        want = files(tmp_path / "cold")
        for n in range(2):
            publish(load(repo, contracts="summary"), tmp_path / f"warm{n}", as_of=day)
            assert files(tmp_path / f"warm{n}") == want
