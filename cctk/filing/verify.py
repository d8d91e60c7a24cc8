"""``cctk verify FILE.pdf``: is this a filed PDF of this repository, and was it altered?

Fast on purpose (target ≤ 0.5 s for the whole process): importing pyHanko costs ≈ 1 s and pypdf
≈ 0.3 s, while the checks a filed PDF needs are few and exact, so they are done here with
asn1crypto (CMS structures) and cryptography (signature maths) on the raw bytes:

1. the last signature's /ByteRange must start at 0 and end at the end of the file (nothing was
   appended: no page or embedded record replaced by an incremental update), the digest of the
   covered bytes must equal the CMS messageDigest (no byte changed), and the CMS signature over the
   signed attributes must verify with the signer's certificate;
2. the signer's certificate must be issued by ``filing_office: ca:`` and valid at the signing time;
3. the embedded record (``contract-record.json``) must hash to the content hash in the metadata;
4. inside a repository: the contract named in the metadata must have ``filing.pdf_sha256`` equal to
   the file's SHA-256 (and number / content hash equal), and the embedded base commit must be the
   parent of the commit that wrote filed.pdf (see cctk.filing.pdf) — or, if another commit slipped in
   between, one with the same contract.md.

Only when the raw layout is not the one cctk writes (a PDF from elsewhere) does it fall back to pypdf
to read the metadata. ``cctk verify --full`` runs pyHanko's complete validation (cctk.render.verify)
in addition.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from cctk import i18n
from cctk.filing import messages  # noqa: F401  (registers the catalog)

META = {"number": b"/CctkFilingNumber", "code": b"/CctkContractCode", "sha256": b"/CctkContentSha256",
        "commit": b"/CctkCommit", "record_sha256": b"/CctkRecordSha256", "filed_on": b"/CctkFilingDate"}
RECORD_NAME = "contract-record.json"
_BYTERANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")
_EMBEDDED = re.compile(rb"/Type\s*/EmbeddedFile\s*/Length\s+(\d+)\s*>>\s*stream\r?\n")
_ESCAPES = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}


@dataclass(slots=True)
class Verdict:
    valid: bool = False
    signed: bool = False
    intact: bool = False              # digest and signature value check out
    whole_document: bool = False      # the signature covers the file to its last byte
    trusted: bool | None = None       # issued by the configured CA; None: no CA configured
    signer: str | None = None
    signed_at: str | None = None
    sha256: str = ""
    metadata: dict = field(default_factory=dict)
    record_ok: bool | None = None
    repo_match: bool | None = None
    filed_in: str | None = None       # commit that wrote filed.pdf
    problems: list[tuple[str, dict]] = field(default_factory=list)
    notes: list[tuple[str, dict]] = field(default_factory=list)

    def lines(self, lang: str | None = None) -> list[str]:
        head = (i18n.t("fverify.valid", lang, signer=self.signer, when=self.signed_at) if self.valid
                else i18n.t("fverify.invalid", lang))
        return ([head] + ["  ✗ " + i18n.t(k, lang, **a) for k, a in self.problems]
                + ["  · " + i18n.t(k, lang, **a) for k, a in self.notes])

    def to_json(self) -> dict:
        return {"valid": self.valid, "signed": self.signed, "intact": self.intact,
                "whole_document": self.whole_document, "trusted": self.trusted, "signer": self.signer,
                "signed_at": self.signed_at, "sha256": self.sha256, "metadata": self.metadata,
                "record_ok": self.record_ok, "repo_match": self.repo_match, "filed_in": self.filed_in,
                "problems": [i18n.both(k, **a) for k, a in self.problems],
                "notes": [i18n.both(k, **a) for k, a in self.notes]}


# --- raw PDF reading (only what cctk itself writes; anything else falls back to pypdf) ---------

def _literal(data: bytes, start: int) -> bytes | None:
    """The PDF literal string starting at data[start] == '(' (escapes and nesting decoded).
    Hand-written: a dozen lines instead of importing a PDF library for three metadata values."""
    out, depth, i = bytearray(), 0, start
    while i < len(data):
        ch = data[i]
        if ch == 0x5C:                                   # backslash
            i += 1
            nxt = data[i]
            if 0x30 <= nxt <= 0x37:
                j = i
                while j < i + 3 and j < len(data) and 0x30 <= data[j] <= 0x37:
                    j += 1
                out.append(int(data[i:j], 8) & 0xFF)
                i = j
                continue
            if nxt in (0x0A, 0x0D):                      # line continuation
                i += 1 + (nxt == 0x0D and i + 1 < len(data) and data[i + 1] == 0x0A)
                continue
            out.append(_ESCAPES.get(nxt, nxt))
        elif ch == 0x28:
            depth += 1
            if depth > 1:
                out.append(ch)
        elif ch == 0x29:
            depth -= 1
            if depth == 0:
                return bytes(out)
            out.append(ch)
        else:
            out.append(ch)
        i += 1
    return None


def _text(raw: bytes) -> str:
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", "replace")
    return raw.decode("latin-1")


def raw_metadata(data: bytes) -> dict[str, str]:
    """The Cctk* document-information entries (last occurrence wins, as in an incremental update)."""
    meta = {}
    for key, name in META.items():
        pos = data.rfind(name + b" (")
        if pos < 0:
            continue
        value = _literal(data, pos + len(name) + 1)
        if value is not None:
            meta[key] = _text(value)
    return meta


def raw_record(data: bytes) -> bytes | None:
    hits = list(_EMBEDDED.finditer(data))
    if len(hits) != 1:
        return None
    m = hits[0]
    return data[m.end():m.end() + int(m.group(1))]


def _pypdf_metadata(data: bytes, name: str) -> tuple[dict, bytes | None]:
    from cctk.render.stamp import embedded_record, filing_metadata, open_pdf
    reader = open_pdf(data, name)
    return filing_metadata(reader), embedded_record(reader)


# --- the signature ------------------------------------------------------------------------------

def _load_ca(settings: dict, root):
    office = settings.get("filing_office") or {}
    ca = office.get("ca") if isinstance(office, dict) else None
    if not ca:
        return None, None
    from cryptography import x509
    path = Path(str(ca))
    if not path.is_absolute() and root is not None:
        path = Path(root) / path
    try:
        return x509.load_pem_x509_certificate(path.read_bytes()), str(ca)
    except (OSError, ValueError) as exc:
        from cctk.render.errors import RenderError
        raise RenderError("render.config", field="filing_office.ca", problem=f"{path}: {exc}") from None


def _sig_time(data: bytes, at: int):
    """/M of the signature dictionary around ``at`` (PAdES puts the signing time there, not in the CMS)."""
    import datetime as dt
    start, end = data.rfind(b" obj", 0, at), data.find(b"endobj", at)
    pos = data.find(b"/M (", max(start, 0), end if end > 0 else None)
    raw = _literal(data, pos + 3) if pos >= 0 else None
    m = re.match(r"D:(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(Z|[+-]\d\d'?\d\d'?)?", _text(raw)) if raw else None
    if not m:
        return None
    y, mo, d, h, mi, sec, tz = m.groups()
    offset = dt.timedelta(0)
    if tz and tz != "Z":
        digits = tz[1:].replace("'", "")
        offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0)) * (1 if tz[0] == "+" else -1)
    return dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(sec), tzinfo=dt.timezone(offset))


def check_signature(data: bytes, v: Verdict, ca=None, ca_label: str | None = None) -> None:
    ranges = list(_BYTERANGE.finditer(data))
    if not ranges:
        v.problems.append(("fverify.not_signed", {}))
        return
    a, b, c, d = (int(x) for x in ranges[-1].groups())
    if a != 0 or b > c or c + d > len(data) or data[b:b + 1] != b"<" or data[c - 1:c] != b">":
        v.problems.append(("fverify.crypto", {"problem": f"malformed /ByteRange [{a} {b} {c} {d}]"}))
        return
    v.signed = True
    from asn1crypto import cms
    # asn1crypto.tsp adds CMS attribute names; import it before any lookup builds the reverse name map,
    # or pyHanko, used later in the same process, cannot name 'signing_certificate_v2'
    from asn1crypto import tsp  # noqa: F401
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    try:
        info = cms.ContentInfo.load(bytes.fromhex(data[b + 1:c - 1].decode("ascii")))
        sd = info["content"]
        si = sd["signer_infos"][0]
        algo = si["digest_algorithm"]["algorithm"].native            # sha256 / sha384 / sha512
        digest = hashlib.new(algo)
        mv = memoryview(data)
        digest.update(mv[a:a + b])
        digest.update(mv[c:c + d])
        attrs = {attr["type"].native: attr["values"][0] for attr in si["signed_attrs"]}
        sid = si["sid"].chosen
        cert = next(x.chosen for x in sd["certificates"]
                    if x.name == "certificate" and x.chosen.issuer == sid["issuer"]
                    and x.chosen.serial_number == sid["serial_number"].native)
        signer = x509.load_der_x509_certificate(cert.dump())
        when = attrs.get("signing_time")
        when = when.native if when is not None else _sig_time(data, ranges[-1].start())
    except Exception as exc:     # malformed DER, missing parts: asn1crypto raises many kinds
        v.problems.append(("fverify.crypto", {"problem": f"{type(exc).__name__}: {exc}"}))
        return
    cn = signer.subject.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)
    v.signer = cn[0].value if cn else signer.subject.rfc4514_string()
    v.signed_at = when.isoformat(timespec="seconds") if when else None
    v.whole_document = c + d == len(data)
    digest_ok = attrs.get("message_digest") is not None and attrs["message_digest"].native == digest.digest()
    signed_attrs = b"\x31" + si["signed_attrs"].dump()[1:]           # signed as a SET OF, stored [0] IMPLICIT
    sig = si["signature"].native
    hash_algo = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}.get(algo)
    key = signer.public_key()
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(sig, signed_attrs, ec.ECDSA(hash_algo))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(sig, signed_attrs, padding.PKCS1v15(), hash_algo)
        else:
            raise InvalidSignature
        sig_ok = True
    except (InvalidSignature, TypeError, ValueError):
        sig_ok = False
    v.intact = digest_ok and sig_ok
    if not digest_ok:
        v.problems.append(("fverify.altered", {}))
    elif not sig_ok:
        v.problems.append(("fverify.bad_signature", {}))
    if v.intact and not v.whole_document:
        v.problems.append(("fverify.appended", {"n": len(data) - (c + d)}))
    if ca is None:
        v.notes.append(("fverify.no_ca", {}))
        return
    try:
        signer.verify_directly_issued_by(ca)
        v.trusted = True
    except (ValueError, TypeError, InvalidSignature):
        v.trusted = False
        v.problems.append(("fverify.untrusted", {"signer": v.signer, "ca": ca_label}))
        return
    if when is not None and not (signer.not_valid_before_utc <= when <= signer.not_valid_after_utc):
        v.trusted = False
        v.problems.append(("fverify.expired", {"when": v.signed_at}))
    else:
        v.notes.append(("fverify.trusted", {"ca": ca_label}))


# --- the repository -----------------------------------------------------------------------------

def _git(root, *args) -> str | None:
    proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True)
    return proc.stdout.decode("utf-8", "replace").strip() if proc.returncode == 0 else None


def _contract_file(root: Path, code: str) -> Path | None:
    if not code or "/" in code or "\\" in code or code.startswith("."):
        return None
    hits = sorted((root / "contracts").glob(f"*/{code}/contract.md"))
    return hits[0] if hits else None


def _front_matter(path: Path) -> dict:
    from cctk.store.yamlio import load_fast
    text = path.read_text("utf-8")
    end = text.find("\n---\n", 3)
    data = load_fast(text[4:end + 1]) if text.startswith("---\n") and end > 0 else None
    return data if isinstance(data, dict) else {}


def check_repository(data: bytes, v: Verdict, root: Path) -> None:
    meta = v.metadata
    code = meta.get("code", "")
    path = _contract_file(root, code)
    if path is None:
        v.repo_match = False
        v.problems.append(("fverify.no_contract", {"code": code}))
        return
    filing = _front_matter(path).get("filing") or {}
    if not isinstance(filing, dict):
        filing = {}
    checks = [("filing.number", filing.get("number"), meta.get("number")),
              ("filing.sha256", filing.get("sha256"), meta.get("sha256")),
              ("filing.pdf_sha256", filing.get("pdf_sha256"), v.sha256)]
    for fname, repo_value, pdf_value in checks:
        if repo_value is not None and str(repo_value) != pdf_value:
            v.repo_match = False
            v.problems.append(("fverify.mismatch", {"code": code, "field": fname, "repo": repo_value,
                                                    "pdf": pdf_value}))
    if not filing.get("number"):
        v.repo_match = False
        v.problems.append(("fverify.no_filing", {"sha": v.sha256[:16]}))
    if v.repo_match is False:
        return
    if not filing.get("pdf_sha256"):
        # a filing recorded before filed PDFs were committed: number and content hash are all there is
        v.repo_match = True
        v.notes.append(("fverify.no_pdf_sha", {"code": code}))
        return
    rel_pdf = path.relative_to(root).parent.joinpath("filed.pdf").as_posix()
    rel_md = path.relative_to(root).as_posix()
    log = _git(root, "log", "-1", "--format=%H %P", "--", rel_pdf)
    if not log:
        v.notes.append(("fverify.not_git", {"problem": f"no commit writes {rel_pdf}"}))
    else:
        filed, *parents = log.split()
        v.filed_in = filed
        base = meta.get("commit", "")
        same = base in parents
        if not same and parents and base:
            # a commit of another contract may have landed between reading HEAD and committing
            ours, theirs = _git(root, "rev-parse", f"{base}:{rel_md}"), _git(root, "rev-parse", f"{parents[0]}:{rel_md}")
            same = ours is not None and ours == theirs and _git(root, "merge-base", "--is-ancestor", base, filed) is not None
        if not same:
            v.repo_match = False
            v.problems.append(("fverify.commit", {"commit": base[:12] or "-", "filed": filed[:12]}))
            return
    v.repo_match = True
    v.notes.append(("fverify.match", {"code": code, "path": rel_pdf, "commit": (v.filed_in or "?")[:12]}))


def find_root(start=None) -> Path | None:
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "cctk.yaml").is_file():
            return folder
    return None


def verify(data: bytes, root: Path | None = None, *, name: str = "PDF") -> Verdict:
    """Verify a filed PDF's bytes; ``root`` the repository (None: signature and record only).
    Raises RenderError only for a broken configuration (unreadable CA file)."""
    v = Verdict(sha256=hashlib.sha256(data).hexdigest())
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        v.problems.append(("fverify.unreadable", {"file": name, "problem": "no %PDF- header"}))
        return v
    settings = {}
    if root is not None:
        from cctk.store.yamlio import load_fast
        settings = load_fast((root / "cctk.yaml").read_text("utf-8")) or {}
    ca, label = _load_ca(settings, root)
    check_signature(data, v, ca, label)
    meta, record = raw_metadata(data), raw_record(data)
    if not meta.get("code") or record is None:
        try:
            meta, record = _pypdf_metadata(data, name)
        except Exception as exc:        # RenderError (corrupt, encrypted) or a pypdf failure
            text = exc.text() if hasattr(exc, "text") else f"{type(exc).__name__}: {exc}"
            v.problems.append(("fverify.unreadable", {"file": name, "problem": text}))
    v.metadata = meta
    if record is None:
        v.record_ok = False
        v.problems.append(("fverify.no_record", {}))
    else:
        sha = hashlib.sha256(record).hexdigest()
        # cctk embeds the canonical content itself, so both hashes are the record's; other producers
        # may embed a fuller record and state its own hash in /CctkRecordSha256
        v.record_ok = sha == meta.get("record_sha256", meta.get("sha256"))
        if v.record_ok:
            v.notes.append(("fverify.record_ok", {"name": RECORD_NAME, "size": len(record), "sha": sha[:12]}))
        else:
            v.problems.append(("fverify.record_changed", {}))
    if meta.get("number"):
        v.notes.append(("fverify.filing", {"number": meta["number"], "code": meta.get("code", "?"),
                                           "sha": meta.get("sha256", "?")[:12], "commit": meta.get("commit", "?")[:12]}))
    if root is not None and meta.get("code"):
        check_repository(data, v, root)
    elif root is None:
        v.notes.append(("fverify.no_repo", {}))
    v.valid = (v.signed and v.intact and v.whole_document and v.trusted is not False and bool(v.record_ok)
               and v.repo_match is not False)
    return v
