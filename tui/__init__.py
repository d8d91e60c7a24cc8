"""The cctk terminal UI (Textual). ``python -m tui REPO`` or ``cctk tui REPO``.

cctk never imports this package; this package imports cctk.
"""
