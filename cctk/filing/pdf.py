"""The filed PDF (备案 PDF), produced by ``cctk file`` and committed with the filing record.

    base       the signed scan attached at signing (``cctk sign --scan``; any PDF, image-only too),
               else the contract rendered final (no 草稿 watermark)
    → stamp    the filing watermark on every page: number, filing date, short content hash
    → embed    ``contract-record.json`` = the canonical content whose SHA-256 is ``filing.sha256``,
               plus number / code / content hash / base commit / filing date in the document info
    → sign     PAdES B-B by the filing office certificate of cctk.yaml, covering the whole file

The commit id embedded is the **base commit**: HEAD when filing starts, i.e. the parent of the
commit that adds filed.pdf. The filing commit's own id cannot be inside the PDF, because the PDF is
part of that commit's tree (the id would depend on itself). ``cctk verify`` checks exactly this
relation: the commit that last wrote filed.pdf has the embedded commit as its parent (or, after a
concurrent commit slipped in between, at least the same contract.md as that parent).

Everything is computed before the commit; any error (corrupt or encrypted scan, no font, no or
unreadable certificate) raises ``Refused`` and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from pathlib import Path

from cctk.filing import messages  # noqa: F401  (registers the catalog)

# pypdf logs a warning line for every repaired defect of a scan ("EOF marker not found"); the
# bilingual error or the successful filing already says what matters
logging.getLogger("pypdf").addHandler(logging.NullHandler())
from cctk.model import Contract
from cctk.render.errors import RenderError

FILED_NAME = "filed.pdf"
FILED_KIND = "filed-pdf"
SHORT_HASH = 12
REASON = "合同备案 contract filing"


def signed_scan(root: Path, contract_path: str, contract: Contract) -> tuple[str, bytes] | None:
    """The signed scan recorded at signing (the last ``signed-scan`` attachment), checked against its
    sha256; None when the contract has none."""
    from cctk.lifecycle.workflow import Refused
    scans = [a for a in contract.attachments if a.kind == "signed-scan"]
    if not scans:
        return None
    att = scans[-1]
    rel = f"{contract_path.rsplit('/', 1)[0]}/{att.path}"
    target = Path(root) / rel
    if not target.is_file():
        raise Refused("filing.scan_missing", path=rel)
    data = target.read_bytes()
    if att.sha256 and hashlib.sha256(data).hexdigest() != att.sha256:
        raise Refused("filing.scan_changed", path=rel, sha=att.sha256[:12])
    return rel, data


def check_scan(data: bytes, name: str) -> None:
    """For ``cctk sign --scan``: refuse (Refused, nothing signed) a scan that is corrupt, encrypted or
    empty, since the filed PDF is made from it — better now than at filing, when it is committed."""
    from cctk.i18n import t
    from cctk.lifecycle.workflow import Refused
    from cctk.render.stamp import open_pdf
    try:
        open_pdf(data, name)
    except RenderError as exc:
        cause = exc

        class ScanRefused(Refused):
            def text(self, lang: str | None = None) -> str:
                return t("filing.scan_bad", lang, problem=cause.text(lang))
        raise ScanRefused("filing.scan_bad", problem=cause.text("en")) from None


def sign(pdf_bytes: bytes, signer, *, when: dt.datetime | None = None, location: str = "",
         reason: str = REASON, name: str = "PDF") -> bytes:
    """PAdES B-B over the whole document (cctk.render.sign). With ``when`` the signing time and the
    new half of the document /ID are fixed, so the output depends on the input only."""
    from cctk.render.sign import sign_pdf
    return sign_pdf(pdf_bytes, signer, when=when, location=location, reason=reason, name=name)


def build_filed_pdf(root, contract: Contract, *, number: str, filed_on: dt.date, content_sha256: str,
                    commit: str, settings: dict, base: bytes | None = None, base_name: str = "PDF",
                    signer=None, when: dt.datetime | None = None, worker: "TypstWorker | None" = None) -> bytes:
    """The signed, stamped filed PDF of ``contract`` (see the module docstring). RenderError on bad input.
    Stamp, embedded record and signature are written in one pypdf pass. ``worker``: the Typst part
    (rendered contract, stamp) already under way in another process (``TypstWorker``)."""
    from cctk.filing.keys import load_signer, office
    from cctk.lifecycle.numbering import canonical_content
    from cctk.render.stamp import stamp_filing   # also refuses corrupt / encrypted / empty input

    if signer is None:
        signer = load_signer(settings, root)         # fail fast, before rendering anything
    stamp = None
    if worker is not None:                           # a RenderError from the worker is raised by result()
        if base is None:
            done = worker.result()
            if done is not None:                     # else (the worker failed) rendered here, below
                base, stamp = done
                base_name = f"{contract.code} (rendered)"
        else:                                        # a scan: its problems are reported before the stamp's
            def stamp():
                done = worker.result()
                return done[1] if done is not None else None
    if base is None:
        from cctk.render.pdf import render_contract_pdf
        base, base_name = render_contract_pdf(contract, root, draft=False), f"{contract.code} (rendered)"
    record = canonical_content(contract)
    cfg = office(settings)
    location = str(cfg.get("location") or settings.get("district") or "")
    return stamp_filing(base, number, filed_on, content_sha256[:SHORT_HASH], repo_root=root, settings=settings,
                        name=base_name, embed={"record": record, "number": number, "code": contract.code,
                                               "content_sha256": content_sha256, "commit": commit,
                                               "filed_on": filed_on},
                        sign={"signer": signer, "when": when, "location": location, "reason": REASON},
                        stamp=stamp)


class TypstWorker:
    """The Typst half of a filed PDF — the contract rendered final (unless a signed scan is the base),
    then the stamp — in a forked process, while the verb goes on in this one.

    Why: on the 100,000-contract demo ``cctk file`` was ≈ 1.2 s CPU, above its 1 s target, and almost
    nothing in it could overlap: Typst holds the GIL while it compiles (a thread gains nothing). The
    child's part (importing the renderer, Typst's font book, the two compiles: ≈ 0.25 s) runs on the
    second core while this process finds the filing number, imports pypdf and the signing stack and
    reads the certificate (≈ 0.25 s). The stamp needs the number: ``stamp()`` sends its two lines
    when the number is known; ``result()`` returns (rendered contract or None, stamp).

    Only started where a fork is safe and useful: POSIX, one Python thread, Typst not yet loaded in
    this process (its Rust thread pool would not survive the fork), more than one CPU. Otherwise, or if
    the child fails in any way other than a RenderError (which is the answer), the work is done here
    as before (``result()`` returns None). The child writes nothing but its answer to a pipe and
    leaves with ``os._exit``."""

    TIMEOUT = 120.0      # seconds: a 15-page contract takes 0.3 s; a stuck child must not hang the verb

    def __init__(self, root, contract: Contract, settings: dict, *, render: bool):
        import os
        import pickle

        self.pid = None
        self._lines = os.pipe()
        self._answer = os.pipe()
        pid = os.fork()
        if pid == 0:                                 # the child
            status = 0
            try:
                os.close(self._lines[1])
                os.close(self._answer[0])
                try:
                    from cctk.render.fonts import find_fonts
                    from cctk.render.pdf import render_contract_pdf, stamp_pdf
                    base = render_contract_pdf(contract, root, draft=False) if render else None
                    with os.fdopen(self._lines[0], "rb") as fh:
                        lines = fh.read()
                    if not lines:                    # the verb stopped before it had a number
                        os._exit(0)
                    out = ("ok", base, stamp_pdf(find_fonts(settings, root), *pickle.loads(lines)))
                except RenderError as exc:
                    out = ("error", exc.key, exc.args_)
                except BaseException as exc:      # noqa: BLE001 — reported, then redone in the parent
                    out = ("crash", f"{type(exc).__name__}: {exc}")
                with os.fdopen(self._answer[1], "wb") as fh:
                    fh.write(pickle.dumps(out))
            except BaseException:                 # noqa: BLE001
                status = 1
            finally:
                os._exit(status)
        self.pid = pid
        os.close(self._lines[0])
        os.close(self._answer[1])
        self._out = None

    @classmethod
    def start(cls, root, contract: Contract, settings: dict) -> "TypstWorker | None":
        import os
        import sys
        import threading
        if "filing_office" not in settings or not hasattr(os, "fork") or threading.active_count() != 1 \
                or "typst" in sys.modules:
            return None
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        if cpus < 2:
            return None
        render = not any(a.kind == "signed-scan" for a in contract.attachments)
        try:
            return cls(root, contract, settings, render=render)
        except OSError:
            return None

    def stamp(self, line1: str, line2: str) -> None:
        import os
        import pickle
        fd, self._lines = self._lines[1], (None, None)
        if fd is None:
            return
        try:
            os.write(fd, pickle.dumps((line1, line2)))    # a few hundred bytes: never blocks
        except OSError:                                    # the child already answered (an error) or died
            pass
        finally:
            os.close(fd)

    def result(self) -> tuple[bytes | None, bytes] | None:
        """(rendered contract or None, stamp); None if the worker failed (do the work here)."""
        import os
        import pickle
        if self._out is None:
            if self._lines[1] is not None:    # no stamp asked for: the child, told so, answers nothing
                os.close(self._lines[1])
                self._lines = (None, None)
            chunks = []
            fd = self._answer[0]
            if fd is not None:
                import select
                import time
                deadline = time.monotonic() + self.TIMEOUT
                while True:
                    left = deadline - time.monotonic()
                    if left <= 0 or not select.select([fd], [], [], left)[0]:
                        chunks = []                   # stuck: stopped below, the work is done here
                        break
                    chunk = os.read(fd, 1 << 20)
                    if not chunk:
                        break
                    chunks.append(chunk)
            self.close()
            try:
                self._out = pickle.loads(b"".join(chunks)) if chunks else ("crash", "no answer")
            except Exception:                 # noqa: BLE001 — a truncated answer: do the work here
                self._out = ("crash", "unreadable answer")
        kind, *rest = self._out
        if kind == "error":
            raise RenderError(rest[0], **rest[1])
        return (rest[0], rest[1]) if kind == "ok" else None

    def close(self) -> None:
        """Stop the child if it is still working (the verb was refused) and reap it."""
        import os
        import signal
        for fd in (self._lines[1], self._answer[0]):
            if fd is not None:
                os.close(fd)
        self._lines, self._answer = (None, None), (None, None)
        if self.pid is not None:
            pid, self.pid = self.pid, None
            try:
                if os.waitpid(pid, os.WNOHANG) == (0, 0):
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
            except ChildProcessError:
                pass


def _failed(code: str, cause: RenderError):
    """A Refused whose text nests the cause in the same language (zh or en), for the CLI."""
    from cctk.i18n import t
    from cctk.lifecycle.workflow import Refused

    class FilingRefused(Refused):
        def text(self, lang: str | None = None) -> str:
            return t("filing.pdf_failed", lang, code=code, problem=cause.text(lang))

    return FilingRefused("filing.pdf_failed", code=code, problem=cause.text("en"))


def attach_filed_pdf(root, contract_path: str, contract: Contract, filing: dict, rec,
                     settings: dict, worker: TypstWorker | None = None) -> tuple[dict, list[str]]:
    """For the ``file`` verb: build filed.pdf for ``filing`` (number, on, sha256 already set), add
    ``filing['pdf_sha256']`` and an attachments entry to ``rec``; returns ({repo path: bytes} for the
    commit, notes). Raises Refused (nothing written) on any problem.

    A repository without any ``filing_office:`` in cctk.yaml (made before filed PDFs existed) files
    without a PDF and gets a note saying how to set one up; once configured, a missing or unreadable
    certificate refuses the filing."""
    from cctk.i18n import t
    from cctk.lifecycle import txn
    from cctk.lifecycle.workflow import Refused

    if "filing_office" not in settings:
        return {}, [t("filing.no_office_note")]
    root = Path(root)
    if worker is not None:                 # first: the worker may be waiting for the number
        from cctk.render.stamp import stamp_lines
        worker.stamp(*stamp_lines(filing["number"], filing["on"], filing["sha256"][:SHORT_HASH],
                                  str(settings.get("district", ""))))
    scan = signed_scan(root, contract_path, contract)
    base_commit = txn.head(root) or "0" * 40
    try:
        pdf = build_filed_pdf(root, contract, number=filing["number"], filed_on=filing["on"],
                              content_sha256=filing["sha256"], commit=base_commit, settings=settings,
                              base=scan[1] if scan else None, base_name=scan[0] if scan else "PDF",
                              when=None, worker=worker)
    except RenderError as exc:
        raise _failed(contract.code, exc) from None
    sha = hashlib.sha256(pdf).hexdigest()
    filing["pdf_sha256"] = sha
    rec.append("attachments", {"path": FILED_NAME, "kind": FILED_KIND, "sha256": sha})
    return {f"{contract_path.rsplit('/', 1)[0]}/{FILED_NAME}": pdf}, []


def refile_pdf(root, contract_path: str, contract: Contract, number: str, rec,
               settings: dict) -> tuple[dict, list[str]]:
    """For ``cctk file --renumber``: the filed PDF shows the filing number, so a renumbered filing gets
    a new filed.pdf (same content hash, new number, base commit = HEAD), a new ``filing.pdf_sha256``
    and a new attachments entry (the list is append-only). Filings without a filed PDF are left alone."""
    from cctk.lifecycle import txn

    filing = contract.filing
    if filing is None or not filing.pdf_sha256:
        return {}, []
    root = Path(root)
    scan = signed_scan(root, contract_path, contract)
    try:
        pdf = build_filed_pdf(root, contract, number=number, filed_on=filing.on, content_sha256=filing.sha256 or "",
                              commit=txn.head(root) or "0" * 40, settings=settings,
                              base=scan[1] if scan else None, base_name=scan[0] if scan else "PDF")
    except RenderError as exc:
        raise _failed(contract.code, exc) from None
    sha = hashlib.sha256(pdf).hexdigest()
    rec.set_in("filing", "pdf_sha256", sha)
    rec.append("attachments", {"path": FILED_NAME, "kind": FILED_KIND, "sha256": sha})
    return {f"{contract_path.rsplit('/', 1)[0]}/{FILED_NAME}": pdf}, []
