"""A PAdES baseline B-B signature over a whole PDF, written by cctk itself (pypdf, cryptography and a
few lines of DER), with a PKCS#12 signer.

Why not pyHanko for signing: in a ``cctk file`` process it cost ≈ 0.7 s of a 1 s budget — importing
``pyhanko.sign`` takes 0.45 s (its signer module pulls in the validation stack and aiohttp, whose
connector builds an SSL context at import), and one signature 0.2 s (it builds the CMS twice to size
the placeholder, then parses the document again with its own reader to append an incremental
update). What a B-B signature needs is small and fixed, so it is written here in the same pypdf pass
that stamps the document (``write_signed``): a signature field on page 1, a signature dictionary
(/Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached, /M = signing time, /Reason, /Location) whose
/Contents is a zero-filled placeholder of exactly the size the CMS can reach, then /ByteRange and the
CMS (SignedData, detached; signed attributes content-type, message-digest and ESS
signing-certificate-v2, no signing-time, as PAdES wants; signer and CA certificates embedded) are
filled in place. pyHanko remains the independent validator (``cctk verify --full``, the tests).

The filing office's keys, their settings in cctk.yaml and the demo district CA are cctk.filing.keys.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from cctk.render.errors import RenderError

FIELD_NAME = "CctkFiling"
# /ByteRange is written as this fixed-width placeholder and overwritten in place (same width)
_BYTERANGE_MARK = b"[0 ********** ********** **********]" + b" " * 8


@dataclass(frozen=True)
class Signer:
    """A private key with its certificate (DER) and the other certificates to embed (the CA)."""

    key: object                       # cryptography private key (EC or RSA)
    cert: bytes
    chain: tuple[bytes, ...] = ()

    @classmethod
    def load_pkcs12(cls, path, passphrase: bytes | None = None) -> "Signer":
        from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
        key, cert, extra = pkcs12.load_key_and_certificates(Path(path).read_bytes(), passphrase)
        if key is None or cert is None:
            raise ValueError("no private key or certificate inside")
        return cls(key, cert.public_bytes(Encoding.DER), tuple(c.public_bytes(Encoding.DER) for c in extra or ()))

    def _ec(self) -> bool:
        from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey
        return isinstance(self.key, EllipticCurvePrivateKey)

    def sign_raw(self, data: bytes) -> bytes:
        """SHA-256 signature of ``data``: ECDSA with RFC 6979 nonces (same input, same bytes — the demo
        promises same seed, same files), or RSA PKCS#1 v1.5 (deterministic already)."""
        from cryptography.hazmat.primitives import hashes
        if self._ec():
            from cryptography.hazmat.primitives.asymmetric.ec import ECDSA
            try:
                return self.key.sign(data, ECDSA(hashes.SHA256(), deterministic_signing=True))
            except TypeError:     # cryptography < 44 has no RFC 6979 signing
                return self.key.sign(data, ECDSA(hashes.SHA256()))
        from cryptography.hazmat.primitives.asymmetric import padding
        return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def max_signature_size(self) -> int:
        n = (self.key.key_size + 7) // 8
        return 2 * (n + 3) + 3 if self._ec() else n     # DER ECDSA-Sig-Value at its longest / RSA modulus

    @property
    def algorithm(self) -> str:
        return "sha256_ecdsa" if self._ec() else "sha256_rsa"


def load_signer(p12_path, password: str | None) -> Signer:
    path = Path(p12_path)
    if not path.is_file():
        raise RenderError("sign.p12", file=str(path), problem="file not found")
    try:
        return Signer.load_pkcs12(path, password.encode() if password else None)
    except (ValueError, TypeError) as exc:
        raise RenderError("sign.p12", file=str(path), problem=str(exc)) from None


# --- the CMS, in DER: a fixed structure, written directly (asn1crypto took 35 ms to import and build it) ---

def _tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        return bytes((tag, n)) + content
    size = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((tag, 0x80 | len(size))) + size + content


def _seq(*parts: bytes) -> bytes:
    return _tlv(0x30, b"".join(parts))


def _oid(dotted: str) -> bytes:
    first, second, *rest = (int(x) for x in dotted.split("."))
    out = bytearray([40 * first + second])
    for n in rest:
        chunk = [n & 0x7F]
        while n > 0x7F:
            n >>= 7
            chunk.append(0x80 | (n & 0x7F))
        out += bytes(reversed(chunk))
    return _tlv(0x06, bytes(out))


def _span(der: bytes, start: int) -> tuple[int, int]:
    """(content start, end) of the TLV at der[start]."""
    n, head = der[start + 1], 2
    if n & 0x80:
        head += n & 0x7F
        n = int.from_bytes(der[start + 2:start + head], "big")
    return start + head, start + head + n


def _children(der: bytes, start: int) -> list[tuple[int, int]]:
    """(start, end) of each element inside the constructed TLV at der[start]."""
    pos, end = _span(der, start)
    out = []
    while pos < end:
        out.append((pos, _span(der, pos)[1]))
        pos = out[-1][1]
    return out


def _issuer_and_serial(cert: bytes) -> tuple[bytes, bytes]:
    """The certificate's issuer Name and serial number INTEGER, as the exact bytes it holds."""
    fields = _children(cert, _children(cert, 0)[0][0])          # Certificate { TBSCertificate { ...
    if cert[fields[0][0]] == 0xA0:                               # [0] version
        fields = fields[1:]
    (s0, s1), _algorithm, (i0, i1) = fields[:3]
    return cert[i0:i1], cert[s0:s1]


_SHA256 = _seq(_oid("2.16.840.1.101.3.4.2.1"))
_DATA = _oid("1.2.840.113549.1.7.1")


def cms_signature(signer: Signer, digest: bytes, signature: bytes | None = None) -> bytes:
    """DER ContentInfo(SignedData), detached, over a document whose SHA-256 is ``digest``: signed
    attributes content-type, message-digest and ESS signing-certificate-v2 (RFC 5035; no
    signing-time, as PAdES wants), the signer's and the other certificates. With ``signature`` given
    (a stand-in of the longest possible size), only the size of the result matters."""
    issuer, serial = _issuer_and_serial(signer.cert)
    ess = _seq(_seq(_seq(                                        # SigningCertificateV2 { certs { ESSCertIDv2 {
        _tlv(0x04, hashlib.sha256(signer.cert).digest()),         # hashAlgorithm: DEFAULT sha256, omitted
        _seq(_seq(_tlv(0xA4, issuer)), serial))))                 # issuerSerial { [4] directoryName, serial }
    attrs = sorted([                                              # DER: a SET OF sorts its encodings
        _seq(_oid("1.2.840.113549.1.9.3"), _tlv(0x31, _DATA)),
        _seq(_oid("1.2.840.113549.1.9.4"), _tlv(0x31, _tlv(0x04, digest))),
        _seq(_oid("1.2.840.113549.1.9.16.2.47"), _tlv(0x31, ess)),
    ])
    if signature is None:
        signature = signer.sign_raw(_tlv(0x31, b"".join(attrs)))   # signed as a SET OF, stored [0] IMPLICIT
    algorithm = (_seq(_oid("1.2.840.10045.4.3.2")) if signer.algorithm == "sha256_ecdsa"
                 else _seq(_oid("1.2.840.113549.1.1.11"), b"\x05\x00"))
    info = _seq(_tlv(0x02, b"\x01"), _seq(issuer, serial), _SHA256, _tlv(0xA0, b"".join(attrs)), algorithm,
                _tlv(0x04, signature))
    signed = _seq(_tlv(0x02, b"\x01"), _tlv(0x31, _SHA256), _seq(_DATA),
                  _tlv(0xA0, b"".join(sorted((signer.cert, *signer.chain)))), _tlv(0x31, info))
    return _seq(_oid("1.2.840.113549.1.7.2"), _tlv(0xA0, signed))


def pdf_date(when: dt.datetime) -> str:
    """D:YYYYMMDDHHmmSS+HH'mm' (the signing time in its own offset, as pyHanko wrote it)."""
    off = when.utcoffset() or dt.timedelta(0)
    sign, off = ("-", -off) if off < dt.timedelta(0) else ("+", off)
    minutes = int(off.total_seconds()) // 60
    return when.strftime("D:%Y%m%d%H%M%S") + f"{sign}{minutes // 60:02d}'{minutes % 60:02d}'"


def _declare_extensions(writer, root, *, ec: bool) -> None:
    """What pyHanko declared in the catalog for such a signature: PDF 1.7 with the ESIC developer
    extension (PAdES structures) and, for ECDSA, PDF 2.0 with the ISO 32002 extension."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

    def ext(base: str, level: int, **more) -> DictionaryObject:
        d = DictionaryObject({NameObject("/Type"): NameObject("/DeveloperExtensions"),
                              NameObject("/BaseVersion"): NameObject(base),
                              NameObject("/ExtensionLevel"): NumberObject(level)})
        d.update({NameObject(k): TextStringObject(v) for k, v in more.items()})
        return d

    def number(v: str) -> tuple[int, ...]:
        try:
            return tuple(int(p) for p in v.strip().lstrip("/").split("."))
        except ValueError:
            return (1, 0)

    current = str(root.get("/Version") or writer.pdf_header[5:])
    version = max(current.lstrip("/"), "2.0" if ec else "1.7", key=number)
    root[NameObject("/Version")] = NameObject("/" + version)
    exts = root.get("/Extensions")
    exts = exts.get_object() if exts is not None else DictionaryObject()
    root[NameObject("/Extensions")] = exts
    if "/ESIC" not in exts:
        exts[NameObject("/ESIC")] = ext("/1.7", 1)
    if ec:
        iso = exts.get("/ISO_")
        iso = iso.get_object() if iso is not None else ArrayObject()
        if isinstance(iso, DictionaryObject):
            iso = ArrayObject([iso])
        if not any(int(e.get_object().get("/ExtensionLevel", 0)) == 32002 for e in iso):
            iso.append(ext("/2.0", 32002, **{"/URL": "https://www.iso.org/standard/45875.html",
                                             "/ExtensionRevision": ":2022"}))
        exts[NameObject("/ISO_")] = iso


def write_signed(writer, signer: Signer, *, when: dt.datetime | None = None, reason: str = "",
                 location: str = "", seed: bytes = b"") -> bytes:
    """Write pypdf ``writer`` as a PDF signed by ``signer`` over the whole file (see the module
    docstring). ``when`` (default: now) is the signing time; the second half of the document /ID is
    derived from ``seed`` and it, so the same input signed at the same time gives the same bytes."""
    from pypdf.generic import (ArrayObject, ByteStringObject, DictionaryObject, NameObject, NumberObject,
                               PdfObject, TextStringObject)

    class Raw(PdfObject):
        """Bytes written as they are: the placeholders filled in after writing."""

        def __init__(self, data: bytes):
            self.data = data

        def write_to_stream(self, stream, encryption_key=None) -> None:
            stream.write(self.data)

        def clone(self, pdf_dest, force_duplicate=False, ignore_fields=()):
            return self

    when = when or dt.datetime.now().astimezone().replace(microsecond=0)
    size = len(cms_signature(signer, bytes(32), bytes(signer.max_signature_size()))) + 32
    root = writer.root_object
    page = writer.pages[0]
    form = root.get("/AcroForm")
    form = form.get_object() if form is not None else None
    if form is None:
        form = DictionaryObject({NameObject("/Fields"): ArrayObject()})
        root[NameObject("/AcroForm")] = writer._add_object(form)
    fields = form.get("/Fields")
    if fields is None:
        fields = ArrayObject()
        form[NameObject("/Fields")] = fields
    fields = fields.get_object()
    taken = {str(f.get_object().get("/T")) for f in fields}
    name = next(n for n in (FIELD_NAME, *(f"{FIELD_NAME}-{i}" for i in range(2, 1000))) if n not in taken)
    form[NameObject("/SigFlags")] = NumberObject(3)
    sig = DictionaryObject({
        NameObject("/Type"): NameObject("/Sig"), NameObject("/Filter"): NameObject("/Adobe.PPKLite"),
        NameObject("/SubFilter"): NameObject("/ETSI.CAdES.detached"),
        NameObject("/ByteRange"): Raw(_BYTERANGE_MARK),
        NameObject("/Contents"): Raw(b"<" + b"0" * (2 * size) + b">"),
        NameObject("/M"): TextStringObject(pdf_date(when)),
    })
    if location:
        sig[NameObject("/Location")] = TextStringObject(location)
    if reason:
        sig[NameObject("/Reason")] = TextStringObject(reason)
    widget = writer._add_object(DictionaryObject({
        NameObject("/FT"): NameObject("/Sig"), NameObject("/T"): TextStringObject(name),
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Widget"),
        NameObject("/F"): NumberObject(132), NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
        NameObject("/P"): page.indirect_reference, NameObject("/V"): writer._add_object(sig),
    }))
    fields.append(widget)
    annots = page.get("/Annots")
    if annots is None:
        page[NameObject("/Annots")] = ArrayObject([widget])
    else:
        annots.get_object().append(widget)
    _declare_extensions(writer, root, ec=signer.algorithm == "sha256_ecdsa")
    if writer._info is not None:        # the modification date is the signing time (as pyHanko set it)
        writer._info[NameObject("/ModDate")] = TextStringObject(pdf_date(when))
    first = writer._ID[0] if writer._ID else ByteStringObject(hashlib.sha256(seed).digest()[:16])
    writer._ID = ArrayObject([first, ByteStringObject(
        hashlib.sha256(seed + when.isoformat().encode()).digest()[:16])])
    out = io.BytesIO()
    writer.write(out)
    data = bytearray(out.getbuffer())
    mark = data.rfind(b"/ByteRange " + _BYTERANGE_MARK)
    if mark < 0:
        raise RenderError("sign.failed", problem="signature placeholder not found")
    start = data.index(b"/Contents <", mark) + len(b"/Contents ")
    end = start + 2 * size + 2
    ranges = f"[0 {start} {end} {len(data) - end}]".encode()
    pos = mark + len(b"/ByteRange ")
    data[pos:pos + len(_BYTERANGE_MARK)] = ranges.ljust(len(_BYTERANGE_MARK))
    digest = hashlib.sha256()
    view = memoryview(data)
    digest.update(view[:start])
    digest.update(view[end:])
    view.release()
    blob = cms_signature(signer, digest.digest())
    if len(blob) > size:
        raise RenderError("sign.failed", problem=f"signature of {len(blob)} bytes exceeds its {size}-byte slot")
    data[start + 1:start + 1 + 2 * len(blob)] = blob.hex().upper().encode()
    return bytes(data)


def sign_pdf(pdf_bytes: bytes, signer: Signer, *, reason: str = "合同备案 contract filing", location: str = "",
             name: str = "PDF", when: dt.datetime | None = None) -> bytes:
    """A PAdES baseline (B-B) signature over the whole document."""
    from pypdf import PdfWriter
    from cctk.render.stamp import open_pdf
    reader = open_pdf(pdf_bytes, name)   # corrupt/encrypted -> clear error
    try:
        return write_signed(PdfWriter(clone_from=reader), signer, when=when, reason=reason, location=location,
                            seed=hashlib.sha256(pdf_bytes).digest())
    except RenderError:
        raise
    except Exception as exc:   # pypdf and cryptography raise many types
        raise RenderError("sign.failed", problem=f"{name}: {type(exc).__name__}: {exc}") from None
