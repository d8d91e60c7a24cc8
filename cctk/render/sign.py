"""A PAdES signature over a PDF (pyHanko) with a PKCS#12 signer.

The filing office's keys, their settings in cctk.yaml and the demo district CA are cctk.filing.keys.
"""

from __future__ import annotations

import io
from pathlib import Path

from cryptography.hazmat.primitives.serialization import pkcs12

from cctk.render.errors import RenderError


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
