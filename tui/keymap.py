"""Key bindings by id, remappable in cctk.yaml:

    tui:
      keys:
        contracts: f3,ctrl+l      # binding id -> comma-separated keys

Each binding id maps to a default key and a description key (see messages.py); screens
build their ``BINDINGS`` from here so the footer, the help screen and the command palette
show the same names. (posting keeps ids this way; harlequin keeps actions apart from keys.)
"""

from __future__ import annotations

from textual.binding import Binding

from tui.messages import t

# id -> (default keys, action, description key, show in footer)
DEFAULTS: dict[str, tuple[str, str, str, bool]] = {
    # app-wide
    "dashboard": ("f2", "app.switch_mode('dashboard')", "tui.key.dashboard", True),
    "contracts": ("f3", "app.switch_mode('contracts')", "tui.key.contracts", True),
    "suppliers": ("f4", "app.switch_mode('suppliers')", "tui.key.suppliers", True),
    "inspections": ("f5", "app.switch_mode('inspections')", "tui.key.inspections", True),
    "help": ("f1,question_mark", "app.help", "tui.key.help", True),
    "quit": ("ctrl+q", "app.quit", "tui.key.quit", True),
    # contracts list
    "filter": ("slash", "focus_filter", "tui.key.filter", True),
    "clear": ("escape", "clear_filter", "tui.key.clear", False),
    "sort": ("f6", "sort", "tui.key.sort", True),
    "reverse": ("f7", "reverse", "tui.key.reverse", True),
    "facets": ("f8", "toggle_facets", "tui.key.facets", True),
    # detail
    "back": ("escape", "back", "tui.key.back", True),
    "actions": ("f9,a", "actions", "tui.key.actions", True),
    "next-tab": ("right,l", "next_tab", "tui.key.next_tab", False),
    "prev-tab": ("left,h", "prev_tab", "tui.key.prev_tab", False),
    # inspections
    "prev-year": ("left,left_square_bracket", "prev_year", "tui.key.prev_year", True),
    "next-year": ("right,right_square_bracket", "next_year", "tui.key.next_year", True),
}

_overrides: dict[str, str] = {}


def configure(config: dict | None) -> list[str]:
    """Apply ``tui: keys:`` from cctk.yaml; return problems (unknown ids) to show the user."""
    _overrides.clear()
    problems = []
    keys = ((config or {}).get("tui") or {}).get("keys") or {}
    if not isinstance(keys, dict):
        return ["tui.keys must be a mapping / tui.keys 必须是映射"]
    for bid, value in keys.items():
        if bid not in DEFAULTS:
            problems.append(f"tui.keys: unknown binding id '{bid}' / 未知按键编号“{bid}”")
            continue
        _overrides[bid] = ",".join(value) if isinstance(value, list) else str(value)
    return problems


def keymap() -> dict[str, str]:
    """Overrides in the form ``App.set_keymap`` takes."""
    return dict(_overrides)


def keys_for(bid: str) -> str:
    return _overrides.get(bid) or DEFAULTS[bid][0]


def binding(bid: str, *, show: bool | None = None, priority: bool = False) -> Binding:
    default, action, desc, footer = DEFAULTS[bid]
    # The description is a catalog key, translated per instance by ``translate_bindings``
    # so one process can show either language (tests, snapshots).
    return Binding(default, action, desc, show=footer if show is None else show, id=bid, priority=priority)


def translate_bindings(node) -> None:
    """Give a DOM node's own binding copies descriptions in the current language."""
    import dataclasses

    kb = node._bindings.key_to_bindings
    for key, items in kb.items():
        kb[key] = [dataclasses.replace(b, description=t(b.description)) if b.description.startswith("tui.") else b
                   for b in items]


def bindings(*ids: str) -> list[Binding]:
    return [binding(b) for b in ids]


def describe() -> list[tuple[str, str, str]]:
    """(id, keys, description) for the help screen."""
    return [(bid, keys_for(bid), t(DEFAULTS[bid][2])) for bid in DEFAULTS]
