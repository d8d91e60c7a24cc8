"""cctk.render: templates in the sandbox, PDFs read back with poppler, stamp, signature, verify."""

from __future__ import annotations

import filecmp
import hashlib
import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image, ImageChops, ImageStat
from pypdf import PdfReader, PdfWriter

from cctk.cli.main import cli
from cctk.model.money import parse_uppercase
from cctk.render import RenderError
from cctk.render.pdf import render_contract_pdf, render_legality_form
from cctk.render.repo import load_contract
from cctk.filing.keys import make_pki
from cctk.render.sign import load_signer, sign_pdf
from cctk.render.stamp import embed_filing, stamp_filing
from cctk.render.templates import list_templates, render_contract_text, template_deviation
from cctk.render.verify import verify_pdf
from cctk.store.records import parse_contract
from cctk.store.yamlio import dump_roundtrip

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures" / "render"
SAMPLE = "LHHT-2019-000001"
NUMBER = "罗财合备〔2019〕1号"

DATA = dict(code="LHHT-2024-000007", title="罗湖区政府办公室办公设备采购合同", unit="LH001",
            counterparty={"name": "深圳市罗湖信息技术有限公司", "credit_code": "91440303MA5F0A1B22", "sme": True},
            amount="86500.00", performance_bond="4325.00", procurement_method="inquiry",
            payment_schedule=[{"share": "30%", "trigger": "signing", "days": 10, "advance": True},
                              {"share": "70%", "trigger": "acceptance", "days": 15, "final": True}],
            dates={"drafted": "2024-03-04", "signed": "2024-03-12"},
            subject="台式计算机20台、激光打印机5台", delivery_date="2024-04-30")


def run(*args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


def pdftotext(pdf: bytes, tmp_path: Path) -> str:
    f = tmp_path / "x.pdf"
    f.write_bytes(pdf)
    return run("pdftotext", "-enc", "UTF-8", str(f), "-").stdout


@pytest.fixture
def repo(tmp_path):
    """A copy of the sample repository (cctk.yaml, policy, contracts) with a contract made from a template."""
    r = tmp_path / "repo"
    for part in ("cctk.yaml", "policy", "contracts", "suppliers"):
        src = ROOT / part
        (shutil.copytree if src.is_dir() else shutil.copy)(src, r / part) if src.is_dir() else (
            r.mkdir(exist_ok=True), shutil.copy(src, r / part))
    record, body = render_contract_text("goods@2018.1", DATA, r)
    record["status"] = "performing"
    record["filing"] = {"number": NUMBER, "on": "2024-03-15", "by": "liu.yang"}
    folder = r / "contracts" / "2024" / DATA["code"]
    folder.mkdir(parents=True)
    (folder / "contract.md").write_text("---\n" + dump_roundtrip(record) + "---\n" + body, "utf-8")
    return r


def templated(repo) -> object:
    return load_contract(repo, DATA["code"])


# --- templates --------------------------------------------------------------------------

def test_five_templates_shipped_and_package_copy_identical():
    refs = {t.ref for t in list_templates(ROOT)}
    assert {"goods@2018.1", "services@2018.1", "it-services@2018.1", "works@2018.1", "lease-out@2018.1"} <= refs
    cmp = filecmp.dircmp(ROOT / "templates", ROOT / "cctk" / "data" / "templates")
    def same(c):
        return not (c.left_only or c.right_only or c.diff_files) and all(same(s) for s in c.subdirs.values())
    assert same(cmp), "templates/ and cctk/data/templates/ must be identical"


def test_record_and_text_from_same_data(repo):
    record, body = render_contract_text("goods", DATA, repo)
    assert record["template"] == "goods@2018.1" and record["amount"] == "86500.00"
    assert record["payment_schedule"][0] == {"id": "1", "share": "30%", "trigger": "signing", "days": 10,
                                             "advance": True}
    assert "人民币捌万陆仟伍佰元整（¥86,500.00）" in body
    # every uppercase amount in the text equals the figures beside it
    import re
    pairs = re.findall(r"人民币([零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整]+)（¥([\d,]+\.\d\d)）", body)
    assert len(pairs) >= 4
    for words, figures in pairs:
        assert parse_uppercase(words) == Decimal(figures.replace(",", ""))
    contract, diags = parse_contract("c.md", ("---\n" + dump_roundtrip(record) + "---\n" + body).encode())
    assert contract is not None, [d.text("en") for d in diags]


@pytest.mark.parametrize("tid,extra", [
    ("services", {"subject": "物业管理服务", "service_start": "2024-04-01", "service_end": "2025-03-31"}),
    ("it-services", {"subject": "合同监管平台", "delivery_date": "2024-10-31", "ip_ownership": "joint"}),
    ("works", {"subject": "办公楼修缮工程", "site": "罗湖区文锦中路1008号", "start_date": "2024-05-01",
               "duration_days": 60}),
    ("lease-out", {"subject": "临街商铺", "address": "罗湖区人民南路1号", "area": "120.5", "lease_start": "2024-05-01",
                   "lease_end": "2027-04-30", "monthly_rent": "12000.00", "deposit": "24000.00"}),
])
def test_each_template_renders(repo, tid, extra):
    data = {k: v for k, v in DATA.items() if k not in ("subject", "delivery_date")} | extra
    record, body = render_contract_text(tid, data, repo)
    assert record["template"] == f"{tid}@2018.1"
    assert "## 第一部分 协议书" in body and "## 第三部分 专用条款" in body
    if tid == "it-services":
        assert "### 数据保密与数据安全" in body and "### 知识产权" in body and "双方共有" in body
    if tid == "lease-out":
        assert "人民币壹万贰仟元整（¥12,000.00）" in body and "出租方" in body


def test_bad_data_is_refused(repo):
    with pytest.raises(RenderError) as e:
        render_contract_text("goods", {**DATA, "dispute": "duel"}, repo)
    assert e.value.key == "tpl.var_option" and "仲裁" not in e.value.text("en")
    with pytest.raises(RenderError) as e:
        render_contract_text("goods", {**DATA, "delivery_plaec": "x"}, repo)
    assert e.value.key == "tpl.var_unknown"
    with pytest.raises(RenderError) as e:
        render_contract_text("goods", {**DATA, "amount": 86500.0}, repo)
    assert e.value.key == "tpl.field"
    with pytest.raises(RenderError):
        render_contract_text("nope", DATA, repo)


def _own_template(repo, text: str) -> None:
    d = repo / "templates" / "contracts"
    d.mkdir(parents=True, exist_ok=True)
    (d / "evil@1.md.j2").write_text(text, "utf-8")
    (d / "evil@1.yaml").write_text("title: x\ncategory: goods\n", "utf-8")


def test_template_syntax_error_names_file_and_line(repo):
    _own_template(repo, "# {{ title }}\n\nok\n{% if %}\n")
    with pytest.raises(RenderError) as e:
        render_contract_text("evil@1", DATA | {"subject": None, "delivery_date": None} and
                             {k: v for k, v in DATA.items() if k not in ("subject", "delivery_date")}, repo)
    assert e.value.key == "tpl.syntax"
    assert "evil@1.md.j2:4" in e.value.text("en") and "模板语法错误" in e.value.text("zh")


def test_sandbox_escape_is_refused(repo):
    _own_template(repo, "# t\n\n{{ ''.__class__.__mro__[1].__subclasses__() }}\n")
    data = {k: v for k, v in DATA.items() if k not in ("subject", "delivery_date")}
    with pytest.raises(RenderError) as e:
        render_contract_text("evil@1", data, repo)
    assert e.value.key == "tpl.security" and "evil@1.md.j2:3" in e.value.text("en")
    _own_template(repo, "# t\n\n{{ cycler.__init__.__globals__.os.system('touch /tmp/pwned') }}\n")
    with pytest.raises(RenderError) as e:
        render_contract_text("evil@1", data, repo)
    assert e.value.key in ("tpl.security", "tpl.undefined")


def test_deviation(repo):
    c = templated(repo)
    dev = template_deviation(c, repo)
    assert dev.same, dev.diff
    c.body = c.body.replace("质保期为验收合格之日起36个月", "质保期为验收合格之日起12个月")
    dev = template_deviation(c, repo)
    assert not dev.same and dev.added == 1 and dev.removed == 1 and dev.hunks == 1
    assert "增加 1 行" in dev.summary("zh")
    c.amount = Decimal("90000.00")     # the record changed, the text did not
    c.payment_schedule = []
    assert template_deviation(c, repo).removed >= 1


# --- PDF ----------------------------------------------------------------------------------

def test_contract_pdf_text_fonts_and_determinism(repo, tmp_path):
    c = templated(repo)
    pdf = render_contract_pdf(c, repo, draft=True)
    assert pdf == render_contract_pdf(c, repo, draft=True)
    text = pdftotext(pdf, tmp_path)
    assert "罗湖区政府办公室办公设备采购合同" in text
    assert "付款计划表" in text and "人民币捌万陆仟伍佰元整（¥86,500.00）" in text
    assert __import__("re").search(r"—\s?1\s?—", text)
    assert "草稿" not in text              # the watermark is outlines, not text
    fonts = run("pdffonts", str(tmp_path / "x.pdf")).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts   # emb column
    assert any("CJK" in line for line in fonts)
    info = run("pdfinfo", str(tmp_path / "x.pdf")).stdout
    assert "A4" in info and "2024" in info


def test_page_image_matches_expected(repo, tmp_path):
    pdf = render_contract_pdf(templated(repo), repo, draft=True)
    (tmp_path / "p.pdf").write_bytes(pdf)
    run("pdftoppm", "-r", "40", "-gray", "-png", "-f", "1", "-l", "1", "-singlefile", str(tmp_path / "p.pdf"),
        str(tmp_path / "page"))
    got = Image.open(tmp_path / "page.png").convert("L")
    expected_file = FIX / "goods-page1.png"
    if not expected_file.exists():        # generated once, then committed
        got.save(expected_file)
    expected = Image.open(expected_file).convert("L")
    assert got.size == expected.size
    diff = ImageStat.Stat(ImageChops.difference(got, expected)).mean[0]
    assert diff < 2.0, f"page 1 differs from the expected image by {diff:.2f} grey levels on average"


def test_legality_form(repo, tmp_path):
    c = templated(repo)
    pdf = render_legality_form(c, [{"code": "R042", "severity": "warning", "message": "付款期限超过30日"}], repo)
    text = pdftotext(pdf, tmp_path)
    assert "合法性审查意见表" in text and "付款期限超过30日" in text and DATA["code"] in text


def test_no_font_gives_install_hint(repo):
    (repo / "cctk.yaml").write_text((repo / "cctk.yaml").read_text("utf-8") + 'pdf_font: "No Such Font"\n', "utf-8")
    with pytest.raises(RenderError) as e:
        render_contract_pdf(templated(repo), repo, draft=True)
    assert e.value.key == "pdf.font_missing"


# --- stamp, sign, verify ------------------------------------------------------------------------

@pytest.fixture
def keys(tmp_path):
    return make_pki(tmp_path / "keys", password="s3cret")


def filed(repo, keys, *, number=NUMBER) -> tuple[bytes, bytes]:
    c = templated(repo)
    pdf = render_contract_pdf(c, repo, draft=False)
    stamped = stamp_filing(pdf, number, "2024-03-15", "1a2b3c4d", repo_root=repo)
    record = b'{"code": "LHHT-2024-000007"}'
    embedded = embed_filing(stamped, record, number=number, code=c.code, content_sha256="ab" * 32,
                            commit="c" * 40, filed_on="2024-03-15")
    return pdf, sign_pdf(embedded, load_signer(keys["p12"], "s3cret"))


def test_stamp_extracts_number_and_keeps_body_verbatim(repo, tmp_path):
    c = templated(repo)
    pdf = render_contract_pdf(c, repo, draft=False)
    stamped = stamp_filing(pdf, NUMBER, "2024-03-15", "1a2b3c4d", repo_root=repo)
    before, after = pdftotext(pdf, tmp_path), pdftotext(stamped, tmp_path)
    assert NUMBER in after and NUMBER not in before
    assert after.count(NUMBER) == len(PdfReader(io.BytesIO(stamped)).pages)
    for line in before.splitlines():
        assert line in after                 # every body line still extracts verbatim


def test_stamp_image_only_scan(tmp_path, repo):
    img = Image.new("L", (850, 1100), 255)
    buf = io.BytesIO()
    img.save(buf, format="PDF", resolution=100)
    stamped = stamp_filing(buf.getvalue(), NUMBER, "2024-03-15", "1a2b3c4d", repo_root=repo)
    assert NUMBER in pdftotext(stamped, tmp_path)


def test_corrupt_and_encrypted_input(tmp_path, repo):
    with pytest.raises(RenderError) as e:
        stamp_filing(b"%PDF-1.7\ngarbage", NUMBER, "2024-03-15", "x", repo_root=repo, name="scan.pdf")
    assert e.value.key == "pdf.corrupt" and "scan.pdf" in e.value.text("en")
    with pytest.raises(RenderError) as e:
        stamp_filing(b"hello", NUMBER, "2024-03-15", "x", repo_root=repo)
    assert e.value.key == "pdf.corrupt"
    w = PdfWriter()
    w.add_blank_page(595, 842)
    w.encrypt("pw")
    buf = io.BytesIO()
    w.write(buf)
    with pytest.raises(RenderError) as e:
        stamp_filing(buf.getvalue(), NUMBER, "2024-03-15", "x", repo_root=repo)
    assert e.value.key == "pdf.encrypted" and "qpdf" in e.value.text("en")


def _configure(repo, keys):
    with open(repo / "cctk.yaml", "a", encoding="utf-8") as fh:
        fh.write(f'filing_office:\n  p12: "{keys["p12"]}"\n  password_env: CCTK_TEST_P12\n  ca: "{keys["ca"]}"\n')


def test_signed_pdf_pdfsig_and_verify(repo, keys, tmp_path):
    _configure(repo, keys)
    _, signed = filed(repo, keys)
    f = tmp_path / "filed.pdf"
    f.write_bytes(signed)
    out = run("pdfsig", str(f)).stdout
    assert "Signature is Valid" in out and "Total document signed" in out and "深圳市罗湖区财政局" in out
    result = verify_pdf(signed, repo)
    assert result.valid and result.trusted and result.signer == "深圳市罗湖区财政局", result.lines("en")
    assert result.metadata["number"] == NUMBER
    # a changed byte
    b = bytearray(signed)
    i = b.find(b"/CctkFilingNumber")
    b[i - 40] ^= 0x01
    f.write_bytes(bytes(b))
    assert "Signature is Valid" not in run("pdfsig", str(f)).stdout
    assert not verify_pdf(bytes(b), repo).valid


def test_page_replaced_and_record_edited_are_caught(repo, keys, tmp_path):
    _configure(repo, keys)
    _, signed = filed(repo, keys)
    # a page replaced in an incremental update (signature bytes untouched)
    w = PdfWriter(io.BytesIO(signed), incremental=True)
    w.pages[0][__import__("pypdf").generic.NameObject("/Contents")] = w._add_object(
        __import__("pypdf").generic.DecodedStreamObject())
    out = io.BytesIO()
    w.write(out)
    r = verify_pdf(out.getvalue(), repo)
    assert not r.valid and any(k == "verify.appended" for k, _ in r.problems), r.lines("en")
    f = tmp_path / "p.pdf"
    f.write_bytes(out.getvalue())
    assert "Total document signed" not in run("pdfsig", str(f)).stdout
    # the embedded record edited (file rewritten)
    reader = PdfReader(io.BytesIO(signed))
    w = PdfWriter(clone_from=reader)
    w.add_attachment("contract-record.json", b'{"code": "FORGED"}')
    out = io.BytesIO()
    w.write(out)
    r = verify_pdf(out.getvalue(), repo)
    assert not r.valid


def test_pdf_from_elsewhere(repo, keys, tmp_path):
    _configure(repo, keys)
    unsigned = render_contract_pdf(templated(repo), repo, draft=False)
    r = verify_pdf(unsigned, repo)
    assert not r.valid and ("verify.not_signed", {}) in r.problems
    other = make_pki(tmp_path / "other")
    _, signed = filed(repo, other.__class__(other.ca_cert, other.ca_key, other.p12, None) and other) if False else (
        None, sign_pdf(embed_filing(unsigned, b"{}", number=NUMBER, code=DATA["code"], content_sha256="0",
                                    commit="0", filed_on="2024-03-15"), load_signer(other["p12"], None)))
    r = verify_pdf(signed, repo)
    assert not r.valid and r.trusted is False


def test_repo_mismatch(repo, keys):
    _configure(repo, keys)
    _, signed = filed(repo, keys, number="罗财合备〔2024〕99号")
    r = verify_pdf(signed, repo)
    assert not r.valid and any(k == "verify.repo_mismatch" for k, _ in r.problems)


# --- CLI -------------------------------------------------------------------------------------

def test_legality_form_shows_review_findings(repo, tmp_path, monkeypatch):
    """The form carries the automatic review's findings (it once called the review wrongly and showed none)."""
    from cctk.review import load_playbook, review_contract
    from cctk.store.loader import load

    path = next(repo.glob(f"contracts/*/{DATA['code']}/contract.md"))
    path.write_text(path.read_text("utf-8") + "\n甲方于验收合格后九十日内向乙方支付全部合同价款。\n", "utf-8")
    contract = next(c for c in load(repo).contracts if c.code == DATA["code"])
    found = review_contract(contract, playbook=load_playbook(repo))
    assert found
    monkeypatch.chdir(repo)
    res = CliRunner().invoke(cli, ["render", DATA["code"], "--form", "legality-review", "-o", str(tmp_path / "l.pdf")])
    assert res.exit_code == 0, res.output
    form = run("pdftotext", "-layout", str(tmp_path / "l.pdf"), "-").stdout
    assert all(f.code in form for f in found), (found, form[:2000])


def test_cli_render_templates_verify(repo, keys, tmp_path, monkeypatch):
    _configure(repo, keys)
    monkeypatch.chdir(repo / "contracts")
    monkeypatch.setenv("CCTK_TEST_P12", "s3cret")
    runner = CliRunner()
    res = runner.invoke(cli, ["--lang", "en", "render", DATA["code"], "-o", str(tmp_path / "o.pdf")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "o.pdf").read_bytes().startswith(b"%PDF-")
    res = runner.invoke(cli, ["render", DATA["code"], "--form", "legality-review", "-o", str(tmp_path / "l.pdf")])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["--lang", "en", "render", "LHHT-2099-999999", "-o", str(tmp_path / "n.pdf")])
    assert res.exit_code == 1 and "not found" in res.output and not (tmp_path / "n.pdf").exists()
    res = runner.invoke(cli, ["templates"])
    assert res.exit_code == 0 and "goods@2018.1" in res.output
    _, signed = filed(repo, keys)
    (tmp_path / "f.pdf").write_bytes(signed)
    res = runner.invoke(cli, ["--lang", "zh", "verify", str(tmp_path / "f.pdf")])
    assert res.exit_code == 0 and "有效" in res.output, res.output
    (tmp_path / "g.pdf").write_bytes(b"%PDF-1.4 broken")
    res = runner.invoke(cli, ["--lang", "en", "verify", str(tmp_path / "g.pdf")])
    assert res.exit_code == 1 and "INVALID" in res.output
