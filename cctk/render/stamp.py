"""The filing watermark (备案水印) and the filing data embedded in a filed PDF.

``stamp_filing`` puts a small red stamp — filing number, filing date, short content hash —
in the top-right margin of every page of any PDF (a rendered contract or an image-only
scan). The visible stamp is outlines (Typst's SVG export draws glyphs as paths), so it
never mixes characters into the text layer around it; one line of transparent real text
under it carries the same words, so pdftotext and search find the filing number. The
stamp is one Form XObject shared by all pages and each page only gets a short content
stream appended: a 100-page scan is stamped without touching its page content.

``embed_filing`` attaches the canonical record as an embedded file (as e-invoices do
under PDF/A-3) and writes filing number, content hash and commit id into the metadata.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError, PyPdfError
from pypdf.generic import (
    ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, NameObject,
)

from cctk.render.errors import RenderError
from cctk.render.fonts import find_fonts

MAX_PAGES = 2000
RECORD_NAME = "contract-record.json"
META = {"number": "/CctkFilingNumber", "code": "/CctkContractCode", "sha256": "/CctkContentSha256",
        "commit": "/CctkCommit", "record_sha256": "/CctkRecordSha256", "filed_on": "/CctkFilingDate"}
XOBJECT_NAME = "/CctkFilingStamp"


def open_pdf(pdf_bytes: bytes, name: str = "PDF") -> PdfReader:
    """A reader for an input PDF, refusing corrupt, encrypted and empty files with a clear error."""
    if not pdf_bytes.lstrip()[:5].startswith(b"%PDF-"):
        raise RenderError("pdf.corrupt", file=name, problem="no %PDF- header")
    try:
        reader = PdfReader(io.BytesIO(pdf_bytes), strict=False)
        if reader.is_encrypted:
            raise RenderError("pdf.encrypted", file=name)
        pages = len(reader.pages)
    except RenderError:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            AssertionError, RecursionError) as exc:
        raise RenderError("pdf.corrupt", file=name, problem=f"{type(exc).__name__}: {exc}") from None
    if pages == 0:
        raise RenderError("pdf.empty", file=name)
    if pages > MAX_PAGES:
        raise RenderError("pdf.too_many_pages", file=name, pages=pages, limit=MAX_PAGES)
    return reader


def stamp_lines(number: str, date: dt.date | str, short_hash: str, office: str = "") -> tuple[str, str]:
    day = date if isinstance(date, str) else date.isoformat()
    return (f"{office}合同备案  {number}".strip(), f"备案日期 {day}  内容哈希 {short_hash}")


def _as_form(writer: PdfWriter, stamp: bytes):
    """The stamp's only page as a Form XObject inside ``writer``; returns (ref, width, height)."""
    reader = PdfReader(io.BytesIO(stamp))
    page = reader.pages[0]
    box = page.mediabox
    form = DecodedStreamObject()
    form.set_data(page.get_contents().get_data())
    form.update({
        NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): ArrayObject([FloatObject(v) for v in (box.left, box.bottom, box.right, box.top)]),
        NameObject("/Resources"): page["/Resources"].clone(writer),
    })
    return writer._add_object(form), float(box.width), float(box.height)


def _placement(page, w: float, h: float) -> str:
    """``cm`` operands putting a w x h stamp upright in the top-right margin of the page as shown
    (the page's crop box and /Rotate respected); scaled down on small pages."""
    box = page.cropbox
    rot = int(page.get("/Rotate", 0) or 0) % 360
    pw, ph = float(box.width), float(box.height)
    vw, vh = (ph, pw) if rot in (90, 270) else (pw, ph)       # size as displayed
    scale = min(1.0, 0.45 * vw / w, 0.12 * vh / h)
    margin = min(18.0, 0.03 * vw)
    x, y = vw - margin - w * scale, vh - margin - h * scale    # displayed coordinates of the stamp's corner
    s = scale
    x0, y0 = float(box.left), float(box.bottom)
    # displayed (x, y) -> page space for each rotation (the viewer rotates the page clockwise by /Rotate)
    if rot == 0:
        a, b, c, d, e, f = s, 0, 0, s, x0 + x, y0 + y
    elif rot == 90:
        a, b, c, d, e, f = 0, s, -s, 0, x0 + pw - y, y0 + x
    elif rot == 180:
        a, b, c, d, e, f = -s, 0, 0, -s, x0 + pw - x, y0 + ph - y
    else:
        a, b, c, d, e, f = 0, -s, s, 0, x0 + y, y0 + ph - x
    return " ".join(f"{v:.4f}" for v in (a, b, c, d, e, f))


def _stream(writer: PdfWriter, data: bytes):
    s = DecodedStreamObject()
    s.set_data(data)
    return writer._add_object(s)


def stamp_filing(pdf_bytes: bytes, number: str, date: dt.date | str, short_hash: str, *,
                 repo_root=None, settings: dict | None = None, office: str | None = None,
                 name: str = "PDF", embed: dict | None = None, sign: dict | None = None,
                 stamp: bytes | None = None) -> bytes:
    """``pdf_bytes`` with the filing stamp on every page. Raises RenderError on corrupt,
    encrypted or empty input (nothing is written). ``embed`` (the keyword arguments of
    ``embed_filing``: record, number, code, content_sha256, commit, filed_on) also embeds the
    record in the same pass, and ``sign`` (signer, when, location, reason: see
    cctk.render.sign.write_signed) signs the result in it too — one parse and one write instead of
    three (cctk file). ``stamp``: the stamp already rendered (``stamp_pdf`` of these lines), or a function returning it (or None: rendered here)."""
    from cctk.render.repo import settings as load_settings
    cfg = settings if settings is not None else load_settings(repo_root)
    reader = open_pdf(pdf_bytes, name)
    if callable(stamp):
        stamp = stamp()
    if stamp is None:
        # the stamp itself is a Typst render (cctk.render.pdf, which imports no pypdf: ``cctk file``
        # renders it in another process, see cctk.filing.pdf.TypstWorker)
        from cctk.render.pdf import stamp_pdf
        if office is None:
            office = str(cfg.get("district", ""))
        stamp = stamp_pdf(find_fonts(cfg, repo_root), *stamp_lines(number, date, short_hash, office))
    try:
        writer = PdfWriter(clone_from=reader)
        ref, w, h = _as_form(writer, stamp)
        pre = _stream(writer, b"q\n")
        for page in writer.pages:
            resources = page.get("/Resources")
            resources = resources.get_object() if resources is not None else None
            if resources is None:
                resources = DictionaryObject()
                page[NameObject("/Resources")] = resources
            xobjects = resources.get("/XObject")
            if xobjects is None:
                xobjects = DictionaryObject()
                resources[NameObject("/XObject")] = xobjects
            xobjects = xobjects.get_object()
            xobjects[NameObject(XOBJECT_NAME)] = ref
            post = _stream(writer, f"\nQ\nq {_placement(page, w, h)} cm {XOBJECT_NAME} Do Q\n".encode())
            contents = page.get("/Contents")
            if contents is None:
                parts = []
            else:
                obj = contents.get_object()
                parts = list(obj) if isinstance(obj, ArrayObject) else [contents]
            # wrap the original content in q/Q so a graphics state it leaves behind cannot move the stamp
            page[NameObject("/Contents")] = ArrayObject([pre, *parts, post])
        if embed is not None:
            _embed_into(writer, **embed)
        if sign is None:
            out = io.BytesIO()
            writer.write(out)
            return out.getvalue()
    except RenderError:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise RenderError("pdf.corrupt", file=name, problem=f"{type(exc).__name__}: {exc}") from None
    from cctk.render.sign import write_signed
    seed = hashlib.sha256(pdf_bytes).digest() + repr(sorted((embed or {}).items())).encode()
    try:
        return write_signed(writer, seed=seed, **sign)
    except RenderError:
        raise
    except Exception as exc:   # pypdf, asn1crypto and cryptography raise many types
        raise RenderError("sign.failed", problem=f"{name}: {type(exc).__name__}: {exc}") from None


def embed_filing(pdf_bytes: bytes, record: bytes, *, number: str, code: str, content_sha256: str,
                 commit: str, filed_on: dt.date | str, name: str = "PDF") -> bytes:
    """Attach the canonical record (``contract-record.json``) and write the filing data into
    the document information: /CctkFilingNumber, /CctkContractCode, /CctkContentSha256,
    /CctkCommit, /CctkRecordSha256, /CctkFilingDate."""
    reader = open_pdf(pdf_bytes, name)
    writer = PdfWriter(clone_from=reader)
    _embed_into(writer, record, number=number, code=code, content_sha256=content_sha256, commit=commit,
                filed_on=filed_on)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _embed_into(writer: PdfWriter, record: bytes, *, number: str, code: str, content_sha256: str, commit: str,
                filed_on: dt.date | str) -> None:
    writer.add_attachment(RECORD_NAME, record)
    day = filed_on if isinstance(filed_on, str) else filed_on.isoformat()
    writer.add_metadata({
        META["number"]: number, META["code"]: code, META["sha256"]: content_sha256, META["commit"]: commit,
        META["record_sha256"]: hashlib.sha256(record).hexdigest(), META["filed_on"]: day,
    })


def filing_metadata(reader: PdfReader) -> dict[str, str]:
    info = reader.metadata or {}
    return {key: str(info[pdf_key]) for key, pdf_key in META.items() if pdf_key in info}


def embedded_record(reader: PdfReader) -> bytes | None:
    files = reader.attachments
    data = files.get(RECORD_NAME)
    return data[0] if data else None
