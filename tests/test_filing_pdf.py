"""The filed PDF: `cctk file` in a real git repository commits a stamped, record-carrying, PAdES-signed
filed.pdf with the filing record; poppler reads it back; `cctk verify` tells genuine from altered."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from cctk.filing.keys import init_pki, make_pki, yaml_block
from cctk.filing.verify import verify
from cctk.lifecycle import actions as A
from cctk.lifecycle.workflow import Refused
from test_lifecycle_util import git, make_repo, new_contract, state

NUMBER = "罗财合备〔2026〕1号"
ROOT = Path(__file__).resolve().parents[1]


def cctk(repo: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cctk", "--lang", "en", *args], cwd=repo, capture_output=True,
                          text=True, env=dict(os.environ, **(env or {})))


def approved(repo: Path, code: str) -> None:
    A.submit(repo, code, person="wang.fang", on="2026-11-03")
    A.approve(repo, code, "unit-review", "同意", person="li.qiang")
    A.approve(repo, code, "unit-head", "同意签订", person="zhang.wei")


def scan_pdf(pages: int, size=(240, 340)) -> bytes:
    """An image-only scan (no text layer), as a scanner makes it."""
    images = [Image.new("L", size, 255 - (i * 7) % 60) for i in range(pages)]
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=30)
    return out.getvalue()


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """A repository with a demo district CA configured and one approved contract (built once)."""
    repo = make_repo(tmp_path_factory.mktemp("base") / "r")
    settings, ignore, _ = init_pki(repo)
    with open(repo / "cctk.yaml", "a", encoding="utf-8") as fh:
        fh.write(yaml_block(settings))
    (repo / ".gitignore").write_text("\n".join(ignore) + "\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "filing office\n\nCctk-Action: init")
    code = new_contract(repo)
    approved(repo, code)
    return repo


@pytest.fixture
def repo(base, tmp_path) -> Path:
    copy = tmp_path / "r"
    shutil.copytree(base, copy, symlinks=True)
    return copy


def code_of(repo: Path) -> str:
    return next((repo / "contracts").glob("*/*/contract.md")).parent.name


def folder(repo: Path) -> Path:
    return next((repo / "contracts").glob("*/*/contract.md")).parent


@pytest.fixture(scope="module")
def filed(base, tmp_path_factory) -> Path:
    """The base repository signed and filed through the real CLI."""
    repo = tmp_path_factory.mktemp("filed") / "r"
    shutil.copytree(base, repo, symlinks=True)
    code = code_of(repo)
    A.sign(repo, code, "2026-11-10", person="wang.fang")
    proc = cctk(repo, "file", code, "--on", "2026-11-13", "--as", "liu.yang")
    assert proc.returncode == 0, proc.stderr
    assert NUMBER in proc.stdout
    return repo


def poppler(tool: str, pdf: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([tool, *args, str(pdf)] if tool == "pdfsig" else [tool, *args, str(pdf), "-"]
                          if tool == "pdftotext" else [tool, *args, str(pdf)], capture_output=True, text=True)


# --- filing ------------------------------------------------------------------------------------

def test_file_commits_filed_pdf_with_the_record_in_one_commit(filed):
    code = code_of(filed)
    rel = folder(filed).relative_to(filed).as_posix()
    changed = git(filed, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(changed) == [f"{rel}/contract.md", f"{rel}/filed.pdf"]
    assert git(filed, "status", "--porcelain") == ""
    from cctk.store.records import parse_contract
    c, _ = parse_contract(f"{rel}/contract.md", (folder(filed) / "contract.md").read_bytes())
    pdf = (folder(filed) / "filed.pdf").read_bytes()
    assert c.filing.number == NUMBER and c.status == "performing"
    assert c.filing.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    att = [a for a in c.attachments if a.kind == "filed-pdf"]
    assert [(a.path, a.sha256) for a in att] == [("filed.pdf", c.filing.pdf_sha256)]
    # the embedded base commit is the filing commit's parent
    reader = PdfReader(io.BytesIO(pdf))
    assert str(reader.metadata["/CctkCommit"]) == git(filed, "rev-parse", "HEAD^")
    assert str(reader.metadata["/CctkContentSha256"]) == c.filing.sha256
    assert str(reader.metadata["/CctkContractCode"]) == code
    from cctk.lifecycle.numbering import canonical_content
    assert reader.attachments["contract-record.json"][0] == canonical_content(c)


def test_poppler_reads_number_chinese_fonts_and_valid_signature(filed):
    pdf = folder(filed) / "filed.pdf"
    text = poppler("pdftotext", pdf, "-enc", "UTF-8").stdout
    assert NUMBER in text and "办公设备采购" in text and "备案日期 2026-11-13" in text
    fonts = poppler("pdffonts", pdf).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts   # emb column
    sig = poppler("pdfsig", pdf).stdout
    assert "Signature is Valid" in sig and "Total document signed" in sig
    assert "深圳市罗湖区财政局" in sig


def test_pdfsig_fails_after_any_change(filed, tmp_path):
    data = bytearray((folder(filed) / "filed.pdf").read_bytes())
    pos = data.find(b"/CctkFilingDate")        # a byte inside the signed range
    data[pos + 6] ^= 0x01
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(bytes(data))
    out = poppler("pdfsig", bad)
    assert "Signature is Valid" not in out.stdout


# --- verify ------------------------------------------------------------------------------------

def test_verify_genuine_file_matches_the_filing(filed):
    proc = cctk(filed, "verify", str((folder(filed) / "filed.pdf").relative_to(filed)))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("VALID: signed by 深圳市罗湖区财政局")
    assert "matches the filing of" in proc.stdout and NUMBER in proc.stdout


def test_verify_page_replaced(filed, tmp_path):
    src = folder(filed) / "filed.pdf"
    writer = PdfWriter(str(src), incremental=True)   # an appended update, as a PDF editor saves it
    writer.insert_blank_page(595, 842, index=0)
    writer.remove_page(1)
    out = tmp_path / "page.pdf"
    with open(out, "wb") as fh:
        writer.write(fh)
    v = verify(out.read_bytes(), filed)
    assert not v.valid and not v.whole_document
    assert ("fverify.no_filing" in {k for k, _ in v.problems}
            or any(k == "fverify.mismatch" and a["field"] == "filing.pdf_sha256" for k, a in v.problems))
    assert any(k == "fverify.appended" for k, _ in v.problems)
    assert cctk(filed, "verify", str(out)).returncode == 1


def test_verify_embedded_record_edited(filed, tmp_path):
    data = (folder(filed) / "filed.pdf").read_bytes()
    # same length, different amount: the file still parses, the digest no longer matches
    record = PdfReader(io.BytesIO(data)).attachments["contract-record.json"][0]
    assert b'"86500' in record
    edited = data.replace(record, record.replace(b'"86500', b'"96500'))
    assert edited != data and len(edited) == len(data)
    v = verify(edited, filed)
    assert not v.valid and not v.intact and v.record_ok is False
    keys = {k for k, _ in v.problems}
    assert {"fverify.altered", "fverify.record_changed"} <= keys
    out = tmp_path / "record.pdf"
    out.write_bytes(edited)
    proc = cctk(filed, "verify", str(out))
    assert proc.returncode == 1 and "INVALID" in proc.stdout and "altered" in proc.stdout


def test_verify_pdf_from_elsewhere(filed, tmp_path):
    # an unsigned PDF
    foreign = tmp_path / "foreign.pdf"
    foreign.write_bytes(scan_pdf(1))
    proc = cctk(filed, "verify", str(foreign))
    assert proc.returncode == 1 and "no digital signature" in proc.stdout
    # a genuine-looking filed PDF signed by another "CA" for the same contract
    other = make_pki(tmp_path / "pki", office_name="某某财政局")
    from cctk.filing.keys import _signer_class
    signer = _signer_class().load_pkcs12(str(other["p12"]))
    import datetime as dt
    from cctk.filing.pdf import build_filed_pdf
    from cctk.render.repo import load_contract, settings
    c = load_contract(filed, code_of(filed))
    forged = build_filed_pdf(filed, c, number=NUMBER, filed_on=dt.date(2026, 11, 13), content_sha256=c.filing.sha256,
                             commit=git(filed, "rev-parse", "HEAD^"), settings=settings(filed), signer=signer)
    v = verify(forged, filed)
    assert not v.valid and v.intact and v.trusted is False
    assert any(k == "fverify.untrusted" for k, _ in v.problems)
    assert any(k == "fverify.mismatch" and a["field"] == "filing.pdf_sha256" for k, a in v.problems)


# --- scans and bad input -----------------------------------------------------------------------

def test_image_only_scan_is_stamped_signed_and_findable(repo, tmp_path):
    code = code_of(repo)
    scan = tmp_path / "signed.pdf"
    scan.write_bytes(scan_pdf(3))
    A.sign(repo, code, "2026-11-10", scan=str(scan), person="wang.fang")
    A.file(repo, code, on="2026-11-13", person="liu.yang")
    pdf = folder(repo) / "filed.pdf"
    assert len(PdfReader(str(pdf)).pages) == 3
    assert NUMBER in poppler("pdftotext", pdf, "-enc", "UTF-8").stdout
    assert verify(pdf.read_bytes(), repo).valid


def test_300_page_scan(repo, tmp_path):
    import time
    code = code_of(repo)
    scan = tmp_path / "signed.pdf"
    scan.write_bytes(scan_pdf(300, size=(60, 85)))
    A.sign(repo, code, "2026-11-10", scan=str(scan), person="wang.fang")
    started = time.perf_counter()
    A.file(repo, code, on="2026-11-13", person="liu.yang")
    elapsed = time.perf_counter() - started
    pdf = folder(repo) / "filed.pdf"
    assert len(PdfReader(str(pdf)).pages) == 300
    assert verify(pdf.read_bytes(), repo).valid
    assert elapsed < 20, elapsed        # generous on a loaded shared machine; benchmark: docs/pdf.md


def _encrypted_scan() -> bytes:
    w = PdfWriter(clone_from=PdfReader(io.BytesIO(scan_pdf(1))))
    w.encrypt("secret", algorithm="AES-128")
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["corrupt", "encrypted"])
def test_bad_scan_refused_at_signing(repo, tmp_path, kind):
    code = code_of(repo)
    scan = tmp_path / "signed.pdf"
    scan.write_bytes(b"%PDF-1.7\n this is not really a PDF\n" if kind == "corrupt" else _encrypted_scan())
    before = state(repo)
    proc = cctk(repo, "sign", code, "--on", "2026-11-10", "--scan", str(scan), "--as", "wang.fang")
    assert proc.returncode == 1 and "nothing was signed" in proc.stderr and "signed.pdf" in proc.stderr
    assert ("qpdf --decrypt" in proc.stderr) if kind == "encrypted" else ("not a readable PDF" in proc.stderr)
    assert state(repo) == before


@pytest.mark.parametrize("kind", ["corrupt", "encrypted"])
def test_bad_scan_in_repository_files_nothing(repo, tmp_path, kind):
    """A bad scan that got into the repository some other way (an older cctk, a hand-made commit)."""
    code = code_of(repo)
    scan = tmp_path / "signed.pdf"
    scan.write_bytes(scan_pdf(1))
    A.sign(repo, code, "2026-11-10", scan=str(scan), person="wang.fang")
    bad = b"%PDF-1.7\n this is not really a PDF\n" if kind == "corrupt" else _encrypted_scan()
    target = folder(repo) / "signed-scan.pdf"
    record = folder(repo) / "contract.md"
    record.write_text(record.read_text("utf-8").replace(hashlib.sha256(target.read_bytes()).hexdigest(),
                                                        hashlib.sha256(bad).hexdigest()), "utf-8")
    target.write_bytes(bad)
    git(repo, "commit", "-qam", "replace scan")
    before = state(repo)
    proc = cctk(repo, "file", code, "--on", "2026-11-13", "--as", "liu.yang")
    assert proc.returncode == 1
    assert "nothing was filed" in proc.stderr and "signed-scan.pdf" in proc.stderr
    assert ("encrypted" in proc.stderr and "qpdf --decrypt" in proc.stderr) if kind == "encrypted" else \
        "not a readable PDF" in proc.stderr
    assert state(repo) == before
    zh = cctk(repo, "--lang", "zh", "file", code, "--on", "2026-11-13", "--as", "liu.yang")
    assert "未备案" in zh.stderr and state(repo) == before


def test_scan_changed_since_signing_files_nothing(repo, tmp_path):
    code = code_of(repo)
    scan = tmp_path / "signed.pdf"
    scan.write_bytes(scan_pdf(1))
    A.sign(repo, code, "2026-11-10", scan=str(scan), person="wang.fang")
    (folder(repo) / "signed-scan.pdf").write_bytes(scan_pdf(2))
    git(repo, "commit", "-qam", "scan swapped without the record")
    before = state(repo)
    with pytest.raises(Refused) as exc:
        A.file(repo, code, on="2026-11-13", person="liu.yang")
    assert "differs from the sha256 recorded at signing" in exc.value.text("en")
    assert state(repo) == before


def test_missing_certificate_password_or_font_files_nothing(repo, tmp_path):
    code = code_of(repo)
    A.sign(repo, code, "2026-11-10", person="wang.fang")
    before = state(repo)
    p12 = repo / ".cctk/pki/filing-office.p12"
    p12.rename(tmp_path / "p12")
    proc = cctk(repo, "file", code, "--on", "2026-11-13", "--as", "liu.yang")
    assert proc.returncode == 1 and "PKCS#12" in proc.stderr and "nothing was filed" in proc.stderr
    assert state(repo) == before
    (tmp_path / "p12").rename(p12)
    pw = repo / ".cctk/pki/password"
    pw.rename(tmp_path / "pw")
    with pytest.raises(Refused) as exc:
        A.file(repo, code, on="2026-11-13", person="liu.yang")
    assert "CCTK_FILING_P12_PASSWORD" in exc.value.text("en") and "环境变量" in exc.value.text("zh")
    assert state(repo) == before
    (tmp_path / "pw").rename(pw)
    cfg = repo / "cctk.yaml"
    text = cfg.read_text("utf-8")
    cfg.write_text(text + 'pdf_font: "/nonexistent/font.ttf"\n', "utf-8")
    git(repo, "commit", "-qam", "font\n\nCctk-Action: init")
    before = state(repo)
    with pytest.raises(Refused) as exc:
        A.file(repo, code, on="2026-11-13", person="liu.yang")
    assert "font" in exc.value.text("en") and "字体" in exc.value.text("zh")
    assert state(repo) == before


def test_repository_without_filing_office_files_without_pdf(tmp_path):
    repo = make_repo(tmp_path / "plain")
    code = new_contract(repo)
    approved(repo, code)
    A.sign(repo, code, "2026-11-10", person="wang.fang")
    r = A.file(repo, code, on="2026-11-13", person="liu.yang")
    assert r.values["number"] == NUMBER and "pdf_sha256:" not in (folder(repo) / "contract.md").read_text("utf-8")
    assert any("filing_office" in n for n in r.notes)
    assert not (folder(repo) / "filed.pdf").exists()


def test_init_creates_demo_ca_outside_git_with_warning(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "CCTK_FILING_P12_PASSWORD"}
    proc = subprocess.run([sys.executable, "-m", "cctk", "--lang", "en", "init", "d"], cwd=tmp_path,
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "real deployments use the certificate issued by the district's CA" in proc.stderr
    repo = tmp_path / "d"
    tracked = git(repo, "ls-files").split()
    assert ".cctk/pki/district-ca.pem" in tracked
    assert not [p for p in tracked if p.endswith((".p12", ".key", "password"))]
    assert (repo / ".cctk/pki/filing-office.p12").is_file() and (repo / ".cctk/pki/password").stat().st_mode & 0o077 == 0
    from cctk.filing.keys import load_signer
    from cctk.render.repo import settings
    cfg = settings(repo)
    assert cfg["filing_office"]["ca"] == ".cctk/pki/district-ca.pem"
    assert load_signer(cfg, repo) is not None                     # password read from the file
    assert "templates/pdf/contract.typ" in tracked and "templates/contracts/goods@2018.1.yaml" in tracked
    assert "policy/workflow.yaml" in tracked


def test_renumber_makes_a_new_filed_pdf(repo):
    a = code_of(repo)
    b = new_contract(repo)
    approved(repo, b)
    A.sign(repo, a, "2026-11-10", person="wang.fang")
    A.sign(repo, b, "2026-11-10", person="wang.fang")
    git(repo, "checkout", "-q", "-b", "clerk2")
    A.file(repo, b, on="2026-11-12", person="liu.yang")
    git(repo, "checkout", "-q", "main")
    A.file(repo, a, on="2026-11-12", person="liu.yang")
    git(repo, "checkout", "-q", "clerk2")
    git(repo, "merge", "-q", "--no-edit", "main")            # both now claim 罗财合备〔2026〕1号
    r = A.file(repo, b, renumber=True, person="liu.yang")
    assert r.values["number"] == "罗财合备〔2026〕2号"
    pdf_b = next(repo.glob(f"contracts/*/{b}/filed.pdf"))
    assert "罗财合备〔2026〕2号" in poppler("pdftotext", pdf_b, "-enc", "UTF-8").stdout
    assert sorted(git(repo, "show", "--name-only", "--format=", "HEAD").split()) == sorted(
        [f"{pdf_b.parent.relative_to(repo).as_posix()}/{n}" for n in ("contract.md", "filed.pdf")])
    for pdf in (pdf_b, next(repo.glob(f"contracts/*/{a}/filed.pdf"))):
        v = verify(pdf.read_bytes(), repo)
        assert v.valid, v.lines("en")
    text = (pdf_b.parent / "contract.md").read_text("utf-8")
    assert text.count("kind: filed-pdf") == 2                 # attachments stay append-only


# --- the Typst worker: `cctk file` renders the contract and the stamp in a forked process ------------

WORKER_PROBE = r'''
import os, sys
import cctk.filing.pdf as F
from cctk.lifecycle import actions as A
repo, mode, code = sys.argv[1:4]
parent, seen = os.getpid(), []
if mode == "crash":                       # the worker fails in an unexpected way: the work is redone here
    import cctk.render.typst_md as M
    real = M.typst_string
    def convert(*a, **k):
        if os.getpid() != parent:
            raise ValueError("boom in the worker")
        return real(*a, **k)
    M.typst_string = convert
real_result = F.TypstWorker.result
def result(self):
    out = real_result(self)
    seen.append(out is not None)
    return out
F.TypstWorker.result = result
A.file(repo, code, on="2026-11-13", person="liu.yang")
print("worker", seen, "typst loaded here" if "typst" in sys.modules else "")
'''


@pytest.mark.parametrize("mode,scan", [("ok", False), ("crash", False), ("ok", True), ("crash", True)])
def test_worker_renders_or_its_work_is_redone_here(repo, tmp_path, mode, scan):
    code = code_of(repo)
    if scan:
        (tmp_path / "signed.pdf").write_bytes(scan_pdf(2))
    A.sign(repo, code, "2026-11-10", person="wang.fang", scan=str(tmp_path / "signed.pdf") if scan else None)
    proc = subprocess.run([sys.executable, "-c", WORKER_PROBE, str(repo), mode, code], capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr
    if mode == "ok":     # used, and Typst never loaded in the verb's own process
        assert "worker [True] \n" in proc.stdout or proc.stdout.strip() == "worker [True]", proc.stdout
    else:
        assert "worker [False] typst loaded here" in proc.stdout, proc.stdout
    pdf = folder(repo) / "filed.pdf"
    assert NUMBER in poppler("pdftotext", pdf, "-enc", "UTF-8").stdout
    assert verify(pdf.read_bytes(), repo).valid


def test_worker_error_files_nothing(repo):
    """A problem found in the worker (here: the configured font is missing) refuses the filing."""
    code = code_of(repo)
    A.sign(repo, code, "2026-11-10", person="wang.fang")
    with open(repo / "cctk.yaml", "a", encoding="utf-8") as fh:
        fh.write('pdf_font: "/nonexistent/font.ttf"\n')
    git(repo, "commit", "-qam", "font\n\nCctk-Action: init")
    before = state(repo)
    proc = cctk(repo, "file", code, "--on", "2026-11-13", "--as", "liu.yang")
    assert proc.returncode == 1 and "font" in proc.stderr and "nothing was filed" in proc.stderr, proc.stderr
    assert state(repo) == before


def test_scan_filed_through_the_cli(repo, tmp_path):
    code = code_of(repo)
    scan = tmp_path / "signed.pdf"
    scan.write_bytes(scan_pdf(2))
    A.sign(repo, code, "2026-11-10", scan=str(scan), person="wang.fang")
    proc = cctk(repo, "file", code, "--on", "2026-11-13", "--as", "liu.yang")
    assert proc.returncode == 0, proc.stderr
    pdf = folder(repo) / "filed.pdf"
    assert len(PdfReader(str(pdf)).pages) == 2
    assert NUMBER in poppler("pdftotext", pdf, "-enc", "UTF-8").stdout
    assert verify(pdf.read_bytes(), repo).valid
