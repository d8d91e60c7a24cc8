"""Checks across files: references to units, people and suppliers, codes, folders, attachments.

The per-file checks (schema, amounts, dates, schedule totals) happen while parsing and
are cached with the record; these depend on other files and are re-run every time
(dictionary lookups, cheap).
"""

from __future__ import annotations

import os
import posixpath
import re

from cctk.model import Contract, Diagnostic, Severity
from cctk.store.loader import Snapshot
from cctk.store.records import diag, split, decode


def _located(snap: Snapshot, contract: Contract, key: str, at: tuple, **args) -> Diagnostic:
    d = diag(key, contract.path, **args)
    d.contract = contract.code
    d.line, d.col = _position(snap, contract, at)
    return d


def _position(snap: Snapshot, contract: Contract, at: tuple):
    """Re-read one file to locate a field (only when there is something to report)."""
    try:
        if snap.rev is None:
            data = (snap.root / contract.path).read_bytes()
        else:
            from cctk.store.gitio import git
            data = git(snap.root, "cat-file", "blob", snap.files[contract.path])
    except Exception:
        return None, None
    text, _ = decode(contract.path, data)
    src, _ = split(contract.path, text or "")
    if src is None:
        return None, None
    return src.position(at)


def _probe(snap: Snapshot, path: str, test) -> bool:
    """Ask the file system about a path git does not list (an untracked attachment). The answer is
    remembered in snap.probes: a cached check result is only reused while every probe answers the same."""
    result = test(os.path.join(snap.root, path))
    snap.probes[f"{test.__name__}:{path}"] = result
    return result


def reference_checks(snap: Snapshot, only: set[str] | None = None) -> list[Diagnostic]:
    """``only``: check just these contract paths (pull-request mode); duplicates are still found
    against every contract."""
    out: list[Diagnostic] = []
    pattern = re.compile(snap.config["code_pattern"])
    by_code: dict[str, str] = {}
    people, units, suppliers = snap.org.people, snap.org.units, snap.suppliers
    for c in snap.contracts:
        first = by_code.setdefault(c.code, c.path)
        if only is not None and c.path not in only:
            continue
        if not pattern.match(c.code):
            out.append(_located(snap, c, "code.pattern", ("code",), field="code", value=c.code,
                                pattern=snap.config["code_pattern"]))
        folder = c.path.split("/")[2]
        if folder != c.code:
            out.append(_located(snap, c, "code.folder", ("code",), field="code", value=c.code, folder=folder))
        if first != c.path:
            out.append(_located(snap, c, "code.duplicate", ("code",), field="code", value=c.code, other=first))
        if units and c.unit not in units:
            out.append(_located(snap, c, "ref.unit", ("unit",), field="unit", value=c.unit))
        supplier = suppliers.get(c.counterparty.credit_code)
        if supplier is None:
            out.append(_located(snap, c, "ref.supplier", ("counterparty", "credit_code"),
                                field="counterparty.credit_code", value=c.counterparty.credit_code))
        elif supplier.name != c.counterparty.name:
            out.append(_located(snap, c, "ref.supplier_name", ("counterparty", "name"), field="counterparty.name",
                                name=c.counterparty.name, registered=supplier.name))
        # the located list only for a record naming someone unknown (nearly none do)
        if people and ((c.clerk and c.clerk not in people) or any(by and by not in people for by in c.approvers)):
            found = [(("clerk",), c.clerk)] + [(("approvals", i, "by"), by) for i, by in enumerate(c.approvers)]
            for at, person in found:
                if person and person not in people:
                    out.append(_located(snap, c, "ref.person", at, field=".".join(map(str, at)), value=person))
        if not c.attachment_paths:
            continue
        folder_path = posixpath.dirname(c.path)
        for i, att_path in enumerate(c.attachment_paths):
            norm = posixpath.normpath(att_path)
            if att_path.startswith("/") or norm.startswith("..") or "\\" in att_path or ":" in att_path.split("/")[0]:
                out.append(_located(snap, c, "attachment.unsafe", ("attachments", i, "path"),
                                    field=f"attachments.{i}.path", value=att_path))
                continue
            full = f"{folder_path}/{norm}"
            # Work tree: ask the file system (only for attachments, not for every file); revision: the tree mode.
            is_link = full in snap.symlinks or (snap.rev is None and full not in snap.all_paths
                                                and _probe(snap, full, os.path.islink))
            if is_link:
                out.append(_located(snap, c, "attachment.symlink", ("attachments", i, "path"),
                                    field=f"attachments.{i}.path", value=att_path))
            elif full not in snap.all_paths and not (snap.rev is None and _probe(snap, full, os.path.isfile)):
                out.append(_located(snap, c, "attachment.missing", ("attachments", i, "path"),
                                    field=f"attachments.{i}.path", value=att_path))
    return out


def all_diagnostics(snap: Snapshot, only: set[str] | None = None) -> list[Diagnostic]:
    """Parse and reference diagnostics (``only``: of these contract paths, plus those of other files)."""
    own = snap.diagnostics if only is None else [d for d in snap.diagnostics
                                                 if d.path in only or not d.path.startswith("contracts/")]
    diags = list(own) + reference_checks(snap, only)
    diags.sort(key=Diagnostic.sort_key)
    return diags


def exit_code(diags: list[Diagnostic], fail_on: Severity = Severity.ERROR) -> int:
    return 1 if any(d.severity >= fail_on for d in diags) else 0
