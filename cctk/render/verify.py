"""Self-verification of a filed PDF: the filing office's signature (whole document, intact,
signer from the configured CA), the embedded record against its hash, and — inside a
repository — the filing recorded for the contract."""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path

from cctk import i18n
from cctk.render.errors import RenderError
from cctk.render.repo import load_contract, settings as load_settings
from cctk.render.stamp import embedded_record, filing_metadata, open_pdf


# pyHanko logs a traceback for every untrusted path; the result already says so, in both languages.
for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).addHandler(logging.NullHandler())
    logging.getLogger(_name).propagate = False


@dataclass(slots=True)
class VerifyResult:
    valid: bool = False
    signed: bool = False
    intact: bool = False              # the signed bytes are unchanged
    whole_document: bool = False      # nothing was added after signing
    trusted: bool | None = None       # signer chains to the configured CA; None: no CA configured
    signer: str | None = None
    signed_at: str | None = None
    metadata: dict = field(default_factory=dict)
    record_ok: bool | None = None
    repo_match: bool | None = None
    problems: list[tuple[str, dict]] = field(default_factory=list)   # (catalog key, args)
    notes: list[tuple[str, dict]] = field(default_factory=list)

    def lines(self, lang: str | None = None) -> list[str]:
        out = []
        if self.valid:
            out.append(i18n.t("verify.valid", lang, signer=self.signer, when=self.signed_at))
        else:
            out.append(i18n.t("verify.invalid", lang))
        for key, args in self.problems:
            out.append("  ✗ " + i18n.t(key, lang, **args))
        for key, args in self.notes:
            out.append("  · " + i18n.t(key, lang, **args))
        return out

    def to_json(self) -> dict:
        return {"valid": self.valid, "signed": self.signed, "intact": self.intact,
                "whole_document": self.whole_document, "trusted": self.trusted, "signer": self.signer,
                "signed_at": self.signed_at, "metadata": self.metadata, "record_ok": self.record_ok,
                "repo_match": self.repo_match,
                "problems": [i18n.both(k, **a) for k, a in self.problems],
                "notes": [i18n.both(k, **a) for k, a in self.notes]}


def _trust_root(cfg: dict, repo_root):
    office = cfg.get("filing_office") or {}
    ca = office.get("ca") if isinstance(office, dict) else None
    if not ca:
        return None, None
    path = Path(ca) if Path(ca).is_absolute() or repo_root is None else Path(repo_root) / ca
    from pyhanko.keys import load_cert_from_pemder
    try:
        return load_cert_from_pemder(str(path)), str(ca)
    except (OSError, ValueError) as exc:
        raise RenderError("render.config", field="filing_office.ca", problem=str(exc)) from None


def _check_signature(pdf_bytes: bytes, result: VerifyResult, root, ca_label) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        sigs = reader.embedded_signatures
    except Exception as exc:  # pyHanko's reader raises its own PdfReadError family
        result.problems.append(("verify.crypto", {"problem": f"{type(exc).__name__}: {exc}"}))
        return
    if not sigs:
        result.problems.append(("verify.not_signed", {}))
        return
    result.signed = True
    sig = sigs[-1]
    ctx = ValidationContext(trust_roots=[root] if root is not None else [], allow_fetching=False,
                            revocation_mode="soft-fail")
    try:
        status = validate_pdf_signature(sig, ctx, skip_diff=False)
    except Exception as exc:
        result.problems.append(("verify.crypto", {"problem": f"{type(exc).__name__}: {exc}"}))
        return
    result.intact = bool(status.intact and status.valid)
    result.signer = status.signing_cert.subject.native.get("common_name") if status.signing_cert else None
    result.signed_at = status.signer_reported_dt.isoformat(timespec="seconds") if status.signer_reported_dt else None
    cov = status.coverage.name if status.coverage is not None else "UNKNOWN"
    result.whole_document = cov == "ENTIRE_FILE"
    if not result.intact:
        result.problems.append(("verify.altered", {}))
    elif not result.whole_document:
        level = status.modification_level.name if status.modification_level is not None else cov
        result.problems.append(("verify.appended", {"level": level}))
    if root is None:
        result.notes.append(("verify.no_ca", {}))
    else:
        result.trusted = bool(status.trusted)
        if not result.trusted:
            result.problems.append(("verify.untrusted", {"signer": result.signer, "ca": ca_label}))


def verify_pdf(pdf_bytes: bytes, repo_root=None, *, name: str = "PDF") -> VerifyResult:
    result = VerifyResult()
    reader = open_pdf(pdf_bytes, name)
    cfg = load_settings(repo_root)
    root, ca_label = _trust_root(cfg, repo_root)
    _check_signature(pdf_bytes, result, root, ca_label)
    meta = filing_metadata(reader)
    result.metadata = meta
    record = embedded_record(reader)
    if record is None:
        result.record_ok = False
        result.problems.append(("verify.no_record", {}))
    else:
        result.record_ok = hashlib.sha256(record).hexdigest() == meta.get("record_sha256")
        if result.record_ok:
            result.notes.append(("verify.record_ok", {"name": "contract-record.json", "size": len(record)}))
        else:
            result.problems.append(("verify.record_changed", {}))
    if meta.get("number"):
        result.notes.append(("verify.filing", {"number": meta.get("number"), "code": meta.get("code", "?"),
                                               "sha": meta.get("sha256", "?")[:12], "commit": meta.get("commit", "?")[:12]}))
    if repo_root is not None and meta.get("code"):
        _check_repo(pdf_bytes, meta, repo_root, result)
    result.valid = (result.signed and result.intact and result.whole_document and result.trusted is not False
                    and bool(result.record_ok) and result.repo_match is not False)
    return result


def _check_repo(pdf_bytes: bytes, meta: dict, repo_root, result: VerifyResult) -> None:
    code = meta["code"]
    try:
        contract = load_contract(repo_root, code)
    except RenderError:
        result.repo_match = False
        result.problems.append(("verify.repo_no_contract", {"code": code}))
        return
    filing = contract.filing
    checks = [("filing.number", filing.number if filing else None, meta.get("number")),
              ("filing.sha256", filing.sha256 if filing else None, meta.get("sha256"))]
    if filing and filing.pdf_sha256:
        checks.append(("filing.pdf_sha256", filing.pdf_sha256, hashlib.sha256(pdf_bytes).hexdigest()))
    for fname, repo_value, pdf_value in checks:
        if repo_value is None and fname == "filing.sha256":
            continue   # recorded by the filing step; older filings may lack it
        if repo_value != pdf_value:
            result.repo_match = False
            result.problems.append(("verify.repo_mismatch", {"code": code, "field": fname, "repo": repo_value,
                                                             "pdf": pdf_value}))
    if result.repo_match is None:
        result.repo_match = True
        result.notes.append(("verify.repo_match", {"code": code}))
