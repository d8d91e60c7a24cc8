"""Text-review findings (cctk.review, when installed) as per-contract rules of `cctk check`.

cctk.rules may not import cctk.review (sibling domain modules stay independent, see
pyproject's import-linter contract), so the front end imports it and hands the module here.
"""

from __future__ import annotations

import hashlib
from importlib import resources

from cctk.model import Contract, Diagnostic
from cctk.rules.settings import fingerprint

PREFIX = "CR"   # the review's code namespace (CR001…)


def hook(review_module, snap):
    """(per-contract function, cache tag) for a loaded cctk.review module, or (None, None)."""
    fn = getattr(review_module, "review_contract", None)
    if fn is None:
        return None, None
    loader = getattr(review_module, "load_playbook", None)
    state: dict = {}

    def playbook():
        # Loaded on the first text that needs reviewing: a warm run serves every review from the cache.
        if "playbook" not in state:
            try:
                state["playbook"] = loader(snap.root) if loader is not None else None
            except Exception:   # a broken playbook is the review command's to report; fall back to defaults
                state["playbook"] = None
        return state["playbook"]

    def run(contract: Contract) -> list[Diagnostic]:
        try:
            findings = fn(contract, playbook=playbook())
        except Exception:   # one unreviewable text must not stop the check
            return []
        return [f.to_diagnostic(contract.code) for f in findings]

    return run, fingerprint(_source_hash(), snap.policy.get("review"))


def _source_hash() -> str:
    h = hashlib.sha1()
    try:
        for f in sorted(resources.files("cctk.review").iterdir(), key=lambda p: p.name):
            if f.name.endswith(".py"):
                h.update(f.read_bytes())
        # the shipped playbook is part of the review too: a changed default must not serve old findings
        h.update(resources.files("cctk").joinpath("data/review_playbook.yaml").read_bytes())
    except (ModuleNotFoundError, OSError):
        pass
    return h.hexdigest()[:12]
