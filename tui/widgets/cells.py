"""Cell-width text helpers: CJK characters take two terminal cells."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size


def fit(text: str, width: int, right: bool = False) -> str:
    """Pad or crop ``text`` to exactly ``width`` cells (an ellipsis marks a crop)."""
    if width <= 0:
        return ""
    size = cell_len(text)
    if size > width:
        return set_cell_size(text, width - 1) + "…"
    fill = " " * (width - size)
    return fill + text if right else text + fill


def pad(text: str, width: int) -> str:
    return fit(text, width)
