"""Lifecycle actions from the UI: a thin adapter over cctk.lifecycle.actions.

The UI never edits records itself: it calls the same verb functions as the CLI, so the
commit and its checks are identical, and a refusal (``workflow.Refused``) is shown with
its reason. Before confirming, the dialog lists what the action records (its parameters,
the acting person, the commit trailer) and the role check's verdict from
``workflow.authorize``. The library has no dry run yet, so the exact diff is not shown
before the commit (see docs/tui.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

VERBS = ("submit", "approve", "sign", "file", "pay", "accept", "evaluate", "archive")
# verb -> parameters the clerk fills in (name, default factory)
PARAMS: dict[str, tuple[str, ...]] = {
    "submit": (), "approve": ("step", "opinion"), "sign": ("on",), "file": (),
    "pay": ("amount", "on", "instalment"), "accept": ("on", "result"), "evaluate": ("score",), "archive": (),
}


@dataclass
class Preview:
    verb: str
    allowed: bool
    reason: str = ""
    changes: list[str] = field(default_factory=list)


def library():
    try:
        from cctk.lifecycle import actions
    except ImportError:
        return None
    return actions


def defaults(verb: str, contract, today: dt.date) -> dict[str, str]:
    out = {}
    for name in PARAMS[verb]:
        if name == "on":
            out[name] = today.isoformat()
        elif name == "result":
            out[name] = "pass"
        elif name == "step":
            out[name] = "unit-review"
        else:
            out[name] = ""
    if verb == "pay":
        from tui.data.index import schedule_status
        for inst, value, paid, _ in schedule_status(contract):
            if paid < value:
                out["instalment"], out["amount"] = inst.id, str(value - paid)
                break
    return out


def preview(root: Path, snap, contract, verb: str, person: str | None, params: dict[str, str]) -> Preview:
    """Whether the acting person's role allows the verb, and what the commit will record."""
    from tui.messages import t

    lib = library()
    if lib is None:
        return Preview(verb, False, t("tui.act.unavailable"))
    from cctk.lifecycle import workflow
    try:
        who = workflow.resolve_person(snap.org, person, None if person else lib._git_email(Path(root)))
        workflow.authorize(who, snap.policy, verb, contract, step=params.get("step") or None)
    except workflow.Refused as exc:
        return Preview(verb, False, exc.text())
    except Exception as exc:  # e.g. an unknown step: the verb itself will say more
        return Preview(verb, False, str(exc))
    changes = [f"  {contract.path}"]
    changes += [f"+ {k}: {v}" for k, v in params.items() if v != ""]
    changes += [f"  Cctk-Action: {verb}", f"  Cctk-Contract: {contract.code}", f"  Author: {who.name} <{who.email}>"]
    return Preview(verb, True, "", changes)


def perform(root: Path, code: str, verb: str, person: str | None, params: dict[str, str]) -> str:
    """Run the verb with the library; returns the short commit id. Raises Refused on refusal."""
    lib = library()
    if lib is None:
        from tui.messages import t
        raise RuntimeError(t("tui.act.unavailable"))
    p = {k: v for k, v in params.items() if v != ""}
    fn = getattr(lib, verb)
    if verb == "approve":
        result = fn(root, code, p.get("step", "unit-review"), p.get("opinion", ""), person=person)
    elif verb == "sign":
        result = fn(root, code, p.get("on"), person=person)
    elif verb == "pay":
        result = fn(root, code, p["amount"], p.get("on"), instalment=p.get("instalment"), person=person)
    elif verb == "accept":
        result = fn(root, code, p.get("on"), p.get("result", "pass"), person=person)
    elif verb == "evaluate":
        result = fn(root, code, p["score"], person=person)
    else:
        result = fn(root, code, person=person)
    return str(getattr(result, "commit", result) or "")[:10]


def refusal_text(exc: Exception) -> str:
    return exc.text() if hasattr(exc, "text") else str(exc)
