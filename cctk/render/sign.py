"""The filing office's PAdES signature on filed PDFs (pyHanko), and a demo district CA.

cctk.yaml::

    filing_office:
      name: 深圳市罗湖区财政局
      p12: keys/filing-office.p12        # PKCS#12 with key + certificate (+ chain)
      password_env: CCTK_FILING_P12_PASSWORD   # optional: unencrypted p12 without it
      ca: keys/district-ca.pem           # trust anchor `cctk verify` checks the signer against
"""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from cctk.render.errors import RenderError


@dataclass(frozen=True, slots=True)
class OfficeKeys:
    ca_cert: Path
    ca_key: Path
    p12: Path
    password: str | None


def _name(cn: str, org: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _write_private(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def create_district_ca(directory, *, district: str = "深圳市罗湖区", office: str = "深圳市罗湖区财政局",
                       password: str | None = None, years: int = 10, warn=True) -> OfficeKeys:
    """A self-signed district CA and a filing-office signing certificate issued by it, for
    `cctk init` and the demo. Real deployments use the certificate issued by the district's CA.
    Writes district-ca.pem, district-ca.key, filing-office.p12 into ``directory``."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) - dt.timedelta(days=1)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(f"{district} 合同备案演示 CA (demo)", district)
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now)
          .not_valid_after(now + dt.timedelta(days=365 * years))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name(office, district)).issuer_name(ca_name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=365 * years))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    enc = (serialization.BestAvailableEncryption(password.encode()) if password
           else serialization.NoEncryption())
    p12 = pkcs12.serialize_key_and_certificates(b"filing-office", key, cert, [ca], enc)
    paths = OfficeKeys(ca_cert=folder / "district-ca.pem", ca_key=folder / "district-ca.key",
                       p12=folder / "filing-office.p12", password=password)
    _write_private(paths.ca_cert, ca.public_bytes(serialization.Encoding.PEM))
    _write_private(paths.ca_key, ca_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     enc))
    _write_private(paths.p12, p12)
    if warn:
        from cctk import i18n
        print(i18n.t("sign.demo_ca", dir=str(folder)), file=sys.stderr)
    return paths


def office_config(settings: dict, repo_root=None) -> dict:
    office = settings.get("filing_office") or {}
    if not isinstance(office, dict) or not office.get("p12"):
        raise RenderError("sign.no_office")
    return office


def _path(value: str, repo_root) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() or repo_root is None else Path(repo_root) / path


def load_signer(p12_path, password: str | None):
    from pyhanko.sign import signers
    path = Path(p12_path)
    if not path.is_file():
        raise RenderError("sign.p12", file=str(path), problem="file not found")
    try:
        # read the p12 ourselves so a wrong password gives our message, not pyHanko's log line
        key, cert, extra = pkcs12.load_key_and_certificates(path.read_bytes(),
                                                             password.encode() if password else None)
    except (ValueError, TypeError) as exc:
        raise RenderError("sign.p12", file=str(path), problem=str(exc)) from None
    if key is None or cert is None:
        raise RenderError("sign.p12", file=str(path), problem="no private key or certificate inside")
    signer = signers.SimpleSigner.load_pkcs12(str(path), passphrase=password.encode() if password else None)
    if signer is None:
        raise RenderError("sign.p12", file=str(path), problem="pyHanko could not load it")
    return signer


def signer_from_settings(settings: dict, repo_root=None):
    office = office_config(settings, repo_root)
    password = None
    if office.get("password_env"):
        env = str(office["password_env"])
        password = os.environ.get(env)
        if password is None:
            raise RenderError("sign.password", env=env, file=str(office["p12"]))
    return load_signer(_path(str(office["p12"]), repo_root), password)


def sign_pdf(pdf_bytes: bytes, signer, *, reason: str = "合同备案 contract filing", location: str = "",
             name: str = "PDF") -> bytes:
    """A PAdES baseline (B-B) signature over the whole document, as an incremental update."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from cctk.render.stamp import open_pdf
    open_pdf(pdf_bytes, name)   # corrupt/encrypted -> clear error before pyHanko sees it
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
        meta = signers.PdfSignatureMetadata(
            field_name="CctkFiling", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
            reason=reason, location=location or None)
        out = signers.PdfSigner(meta, signer=signer).sign_pdf(writer, in_place=False)
        return out.getvalue()
    except RenderError:
        raise
    except Exception as exc:   # pyHanko raises many types (SigningError, PdfReadError, ValueError ...)
        raise RenderError("sign.failed", problem=f"{type(exc).__name__}: {exc}") from None


def sign_filed_pdf(pdf_bytes: bytes, settings: dict, repo_root=None) -> bytes:
    """Sign with the filing office certificate configured in cctk.yaml."""
    office = office_config(settings, repo_root)
    return sign_pdf(pdf_bytes, signer_from_settings(settings, repo_root),
                    location=str(office.get("location") or settings.get("district") or ""))
