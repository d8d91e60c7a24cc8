"""Filed PDFs in the demo history: the ``file`` commit of a chosen filing carries filed.pdf, made by the
same code as ``cctk file`` (cctk.filing.pdf) — rendered contract, filing stamp, embedded canonical
record, PAdES signature of the demo filing office.

Deterministic: the demo CA and office keys are derived from the seed (cctk.filing.keys.make_pki), ECDSA
signatures use RFC 6979 nonces, the signing time is the filing commit's time and the document /ID is
derived from the content, so the same seed gives the same PDF bytes (on the same fonts: the PDF embeds
whichever CJK font fontconfig finds). The private keys are therefore public knowledge: demo only.

The base commit embedded is the parent of the filing commit, read from git fast-import with
``get-mark`` as the history is being written (see cctk.filing.pdf for why the parent).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import tempfile
from pathlib import Path

PKI = ".cctk/pki"
RECENT = 20
CA_START = dt.date(2017, 12, 1)


def office_yaml() -> str:
    return ("# The filing office's signing certificate (备案机关签名证书): a DEMO CA whose keys are derived from\n"
            "# the seed — public knowledge. Real deployments use the certificate issued by the district's CA.\n"
            "filing_office:\n"
            '  name: "深圳市罗湖区财政局"\n'
            f'  p12: "{PKI}/filing-office.p12"\n'
            f'  ca: "{PKI}/district-ca.pem"\n'
            '  location: "深圳市罗湖区"\n')


def targets(events: list, choice: str) -> set[int]:
    """ids of the ``file`` events that get a filed PDF: the most recent RECENT, all, or none."""
    files = [e for e in events if e.action == "file" and e.data.get("required", True)]   # numbered filings
    if choice == "all":
        return {id(e) for e in files}
    if choice == "recent":
        return {id(e) for e in files[-RECENT:]}
    return set()


class FiledPdfs:
    """Builds filed PDFs during the demo replay. ``static`` are the demo's first-commit files (cctk.yaml,
    policy/org.yaml ...) — written to a scratch folder the renderer reads unit names and settings from."""

    def __init__(self, dest: Path, seed: int, static: list[tuple[str, bytes]]):
        from cctk.filing.keys import load_signer, make_pki
        from cctk.render.repo import settings

        make_pki(Path(dest) / PKI, seed=seed, not_before=CA_START, years=30)
        self.scratch = Path(tempfile.mkdtemp(prefix="cctk-demo-pdf-"))
        for rel, data in static:
            if rel in ("cctk.yaml", "policy/org.yaml"):
                (self.scratch / rel).parent.mkdir(parents=True, exist_ok=True)
                (self.scratch / rel).write_bytes(data)
        pki = self.scratch / PKI
        pki.mkdir(parents=True)
        for name in ("filing-office.p12", "district-ca.pem"):
            shutil.copy(Path(dest) / PKI / name, pki / name)
        self.settings = settings(self.scratch)
        self.signer = load_signer(self.settings, self.scratch)
        self.ca_pem = (Path(dest) / PKI / "district-ca.pem").read_bytes()
        self.count = 0

    def close(self) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)

    def file(self, record: dict, contract_md: bytes, path: str, when: dt.datetime, base_commit: str) -> bytes:
        """Add sha256 / pdf_sha256 / the filed-pdf attachment to ``record`` (filing already set);
        return the PDF. ``contract_md`` is the record as rendered just before (for the model)."""
        from cctk.filing.pdf import FILED_KIND, FILED_NAME, build_filed_pdf
        from cctk.lifecycle.numbering import content_sha256
        from cctk.store.records import parse_contract

        contract, diags = parse_contract(path, contract_md)
        if contract is None:
            raise ValueError(f"{path}: {diags}")
        sha = content_sha256(contract)
        filing = record["filing"]
        on = dt.date.fromisoformat(filing["on"])
        pdf = build_filed_pdf(self.scratch, contract, number=filing["number"], filed_on=on, content_sha256=sha,
                              commit=base_commit, settings=self.settings, signer=self.signer, when=when)
        filing["sha256"] = sha
        filing["pdf_sha256"] = hashlib.sha256(pdf).hexdigest()
        record.setdefault("attachments", []).append(
            {"path": FILED_NAME, "kind": FILED_KIND, "sha256": filing["pdf_sha256"]})
        self.count += 1
        return pdf
