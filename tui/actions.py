"""Lifecycle actions from the UI: a thin adapter over cctk.lifecycle.actions.

The UI never edits records itself: it calls the same verb functions as the CLI, so the
commit and its checks are identical, and a refusal (``workflow.Refused``) is shown with
its reason. Before confirming, ``actions.plan`` — the verb run as a dry run — gives the
field-level diff, the files, the subject, the trailers and the author the commit will have.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

VERBS = ("submit", "approve", "sign", "file", "pay", "accept", "evaluate", "archive")
# verb -> parameters the clerk fills in
PARAMS: dict[str, tuple[str, ...]] = {
    "submit": (), "approve": ("step", "opinion"), "sign": ("on",), "file": (),
    "pay": ("amount", "on", "instalment"), "accept": ("on", "result"), "evaluate": ("score",), "archive": (),
}


@dataclass
class Preview:
    verb: str
    allowed: bool
    reason: str = ""
    changes: list[tuple[str, object, object]] = field(default_factory=list)   # (field, old, new)
    files: list[str] = field(default_factory=list)
    subject: str = ""
    trailers: dict[str, str] = field(default_factory=dict)
    author: str = ""
    status: str = ""
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[tuple[str, str]]:
        """(text, style) lines for the confirmation dialog: the diff first, then the commit."""
        out = []
        from tui.data.detail import flatten
        for name, old, new in flatten(self.changes):
            if old is None:
                out.append((f"+ {name}: {new}", "green"))
            elif new is None:
                out.append((f"- {name}: {old}", "red"))
            else:
                out.append((f"~ {name}: {old} → {new}", "yellow"))
        out += [(f"  {p}", "dim") for p in self.files]
        out.append((f"  {self.subject}", "bold"))
        out += [(f"  {k}: {v}", "") for k, v in self.trailers.items()]
        out.append((f"  Author: {self.author}", ""))
        out += [(f"  {n}", "italic") for n in self.notes]
        return out


def defaults(verb: str, contract, today: dt.date, states: list | None = None) -> dict[str, str]:
    """Parameters prefilled: today, a passed acceptance, and for a payment the first instalment
    still owed (from cctk.payments' states) with its outstanding amount."""
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
        from cctk.payments import schedule_state
        for s in states if states is not None else schedule_state(contract, as_of=today):
            if s.outstanding > 0:
                out["instalment"], out["amount"] = s.id, f"{s.outstanding:.2f}"
                break
    return out


def _call(verb: str, params: dict[str, str]) -> tuple[tuple, dict]:
    """The verb's positional and keyword arguments from the dialog's fields (as the CLI passes them)."""
    p = {k: v for k, v in params.items() if v != ""}
    if verb == "approve":
        return (p.get("step", "unit-review"), p.get("opinion", "")), {}
    if verb == "sign":
        return (p.get("on"),), {}
    if verb == "pay":
        return (p.get("amount", ""), p.get("on")), {"instalment": p.get("instalment")}
    if verb == "accept":
        return (p.get("on"), p.get("result", "pass")), {}
    if verb == "evaluate":
        return (p.get("score", ""),), {}
    return (), {}


def preview(root: Path, code: str, verb: str, person: str | None, params: dict[str, str]) -> Preview:
    """The verb as a dry run (cctk.lifecycle.actions.plan): refused with the library's reason, or
    exactly what the commit will change."""
    from cctk.lifecycle import actions
    from cctk.lifecycle.workflow import Refused

    args, kwargs = _call(verb, params)
    try:
        r = actions.plan(verb, root, code, *args, person=person, **kwargs)
    except Refused as exc:
        return Preview(verb, False, exc.text())
    except (ValueError, TypeError) as exc:     # e.g. a date the clerk is still typing
        return Preview(verb, False, str(exc))
    return Preview(verb, True, "", r.changes, r.files, r.subject, r.trailers, r.author, r.status, r.notes)


def perform(root: Path, code: str, verb: str, person: str | None, params: dict[str, str]) -> str:
    """Run the verb with the library; returns the short commit id. Raises Refused on refusal."""
    from cctk.lifecycle import actions

    args, kwargs = _call(verb, params)
    return getattr(actions, verb)(root, code, *args, person=person, **kwargs).commit[:10]


def refusal_text(exc: Exception) -> str:
    return exc.text() if hasattr(exc, "text") else str(exc)
