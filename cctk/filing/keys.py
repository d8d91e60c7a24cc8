"""The filing office's signing key: where it and its password come from, and the self-signed
district CA that `cctk init` and the demo create (real deployments use the district's CA).

cctk.yaml::

    filing_office:
      name: 深圳市罗湖区财政局
      p12: .cctk/pki/filing-office.p12        # key + certificate (+ CA), never committed
      password_env: CCTK_FILING_P12_PASSWORD  # the password comes from this variable ...
      password_file: .cctk/pki/password       # ... or, when it is unset, from this file (outside git)
      ca: .cctk/pki/district-ca.pem           # trust anchor for `cctk verify` (committed)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from pathlib import Path

from cctk.filing import messages  # noqa: F401  (registers the catalog)
from cctk.render.errors import RenderError

PKI_DIR = ".cctk/pki"
PASSWORD_ENV = "CCTK_FILING_P12_PASSWORD"


def _path(value, repo_root) -> Path:
    path = Path(str(value)).expanduser()
    return path if path.is_absolute() or repo_root is None else Path(repo_root) / path


def office(settings: dict) -> dict:
    cfg = settings.get("filing_office") or {}
    if not isinstance(cfg, dict) or not cfg.get("p12"):
        raise RenderError("sign.no_office")
    return cfg


def password(settings: dict, repo_root) -> str | None:
    """The p12 password: the variable named by password_env if set, else password_file, else none."""
    cfg = office(settings)
    env = cfg.get("password_env")
    if env and os.environ.get(str(env)) is not None:
        return os.environ[str(env)]
    if cfg.get("password_file"):
        path = _path(cfg["password_file"], repo_root)
        try:
            return path.read_text("utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            if env:
                raise RenderError("sign.password", env=str(env), file=str(cfg["p12"])) from None
            raise RenderError("filing.password_file", file=str(path), problem=str(exc)) from None
    if env:
        raise RenderError("sign.password", env=str(env), file=str(cfg["p12"]))
    return None


def _signer_class():
    """The signer type (cctk.render.sign.Signer: ECDSA with RFC 6979 nonces, so the same document
    signed at the same time gives the same bytes — the demo promises same seed, same files)."""
    from cctk.render.sign import Signer
    return Signer


def load_signer(settings: dict, repo_root):
    """The filing office's signer from cctk.yaml; RenderError (bilingual) when missing or unreadable."""
    from cctk.render.sign import load_signer as load_p12
    cfg = office(settings)
    path = _path(cfg["p12"], repo_root)
    pw = password(settings, repo_root)
    if not path.is_file():
        raise RenderError("sign.p12", file=str(path), problem="file not found / 文件不存在")
    return load_p12(path, pw)


# --- a self-signed district CA --------------------------------------------------------------

def _name(cn: str, org: str):
    from cryptography import x509
    from cryptography.x509.oid import NameOID
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _write_private(path: Path, data: bytes, mode: int = 0o600) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def make_pki(directory, *, district: str = "深圳市罗湖区", office_name: str = "深圳市罗湖区财政局",
             password: str | None = None, seed: int | None = None, not_before: dt.date | None = None,
             years: int = 20) -> dict[str, Path]:
    """district-ca.pem (+ .key) and filing-office.p12 in ``directory``.

    With ``seed`` (the demo) keys, serials and validity are derived from it and certificates are
    signed with RFC 6979 ECDSA, so the certificates and every signature made with them are the same
    bytes on every run; the keys are then public knowledge — demonstration only. Without it (cctk
    init) keys are random. Either way: real deployments use the district's CA.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import ExtendedKeyUsageOID

    folder = Path(directory)

    def key(label: str):
        if seed is None:
            return ec.generate_private_key(ec.SECP256R1())
        n = int.from_bytes(hashlib.sha256(f"cctk-demo-{seed}-{label}".encode()).digest(), "big")
        return ec.derive_private_key(n % (2 ** 255 - 19) + 1, ec.SECP256R1())

    def serial(label: str) -> int:
        if seed is None:
            return x509.random_serial_number()
        return int.from_bytes(hashlib.sha256(f"cctk-demo-serial-{seed}-{label}".encode()).digest()[:16], "big") >> 1

    def sign(builder, k):
        try:
            return builder.sign(k, hashes.SHA256(), ecdsa_deterministic=True)
        except TypeError:   # cryptography < 44
            return builder.sign(k, hashes.SHA256())

    start = not_before or (dt.date.today() - dt.timedelta(days=1))
    begin = dt.datetime(start.year, start.month, start.day, tzinfo=dt.timezone.utc)
    end = begin + dt.timedelta(days=365 * years)
    ca_key, office_key = key("ca"), key("office")
    ca_name = _name(f"{district} 合同备案演示 CA (demo)", district)
    ca = sign(x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
              .serial_number(serial("ca")).not_valid_before(begin).not_valid_after(end)
              .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
              .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                           data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                           crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
              .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False), ca_key)
    cert = sign(x509.CertificateBuilder().subject_name(_name(office_name, district)).issuer_name(ca_name)
                .public_key(office_key.public_key()).serial_number(serial("office"))
                .not_valid_before(begin).not_valid_after(end)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                             data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                             crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(office_key.public_key()), critical=False),
                ca_key)
    enc = serialization.BestAvailableEncryption(password.encode()) if password else serialization.NoEncryption()
    paths = {"ca": folder / "district-ca.pem", "ca_key": folder / "district-ca.key", "p12": folder / "filing-office.p12"}
    _write_private(paths["ca"], ca.public_bytes(serialization.Encoding.PEM), 0o644)
    _write_private(paths["ca_key"], ca_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         enc))
    _write_private(paths["p12"], pkcs12.serialize_key_and_certificates(b"filing-office", office_key, cert, [ca], enc))
    return paths


def init_pki(root, *, district: str = "", office_name: str = "") -> tuple[dict, list[str], str]:
    """For `cctk init`: a district CA + office certificate under .cctk/pki/, the password from
    $CCTK_FILING_P12_PASSWORD or generated into .cctk/pki/password (0600, git-ignored).
    Returns the ``filing_office:`` settings, the lines for .gitignore and the warning to print."""
    from cctk.i18n import t
    root = Path(root)
    folder = root / PKI_DIR
    pw = os.environ.get(PASSWORD_ENV)
    if pw:
        where = t("filing.password_env", env=PASSWORD_ENV)
    else:
        pw = secrets.token_urlsafe(24)
        _write_private(folder / "password", (pw + "\n").encode())
        where = t("filing.password_generated", file=f"{PKI_DIR}/password", env=PASSWORD_ENV)
    district = district or "深圳市罗湖区"
    office_name = office_name or f"{district}财政局"
    make_pki(folder, district=district, office_name=office_name, password=pw)
    settings = {"name": office_name, "p12": f"{PKI_DIR}/filing-office.p12", "password_env": PASSWORD_ENV,
                "password_file": f"{PKI_DIR}/password", "ca": f"{PKI_DIR}/district-ca.pem"}
    ignore = [f"/{PKI_DIR}/*.p12", f"/{PKI_DIR}/*.key", f"/{PKI_DIR}/password", f"/{PKI_DIR}/*.tmp"]
    return settings, ignore, t("filing.pki_created", dir=PKI_DIR, where=where)


def yaml_block(settings: dict) -> str:
    """The ``filing_office:`` block for cctk.yaml (values are plain ASCII paths or a name)."""
    import json
    lines = ["# The filing office's signing certificate (备案机关签名证书). Created by `cctk init` as a",
             "# self-signed DEMO CA: real deployments put the certificate issued by the district's CA here.",
             "filing_office:"]
    for k, v in settings.items():
        lines.append(f"  {k}: {json.dumps(v, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"
