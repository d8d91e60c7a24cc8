"""The layering of the code is checked, not just described."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_linter_contracts_hold():
    proc = subprocess.run([str(Path(sys.executable).parent / "lint-imports")], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_cli_does_not_load_textual():
    code = ("import sys, importlib, pkgutil, cctk\n"
            "from cctk.cli.main import COMMANDS\n"
            "for target in COMMANDS.values():\n"
            "    try: importlib.import_module(target.split(':')[0])\n"
            "    except ModuleNotFoundError: pass\n"
            "bad = [m for m in sys.modules if m == 'textual' or m.startswith(('textual.', 'tui'))]\n"
            "print(bad); sys.exit(1 if bad else 0)\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
