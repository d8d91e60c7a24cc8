"""cctk doctor: is this machine ready? Each check says how to fix what is missing."""

from __future__ import annotations

import platform
import shutil
import subprocess
import sys

import click

from cctk import i18n
from cctk.cli import messages  # noqa: F401


def _check(ok: bool, label: str, fix: str | None) -> bool:
    mark = click.style("✓", fg="green") if ok else click.style("✗", fg="red")
    click.echo(f"{mark} {label}")
    if not ok and fix:
        click.echo(f"    → {fix}")
    return ok


def cjk_fonts() -> list[str]:
    if not shutil.which("fc-list"):
        return []
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
    return sorted({line.split(",")[0].strip() for line in out.splitlines() if line.strip()})


@click.command()
def doctor():
    """Check Python, git, fonts, the working-day calendar and hooks (环境检查).

    \b
    Example:
      cctk doctor
    """
    from cctk.model.workdays import calendar_coverage
    from cctk.store.repo import NotARepository, find_root
    from cctk.store.yamlio import LIBYAML, rapidyaml_available

    results = []
    py_ok = sys.version_info >= (3, 11)
    results.append(_check(py_ok, i18n.t("doctor.python", version=platform.python_version()), i18n.t("doctor.python_fix")))
    git = shutil.which("git")
    version = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip() if git else ""
    results.append(_check(bool(git), i18n.t("doctor.git", version=version.replace("git version ", "")),
                          i18n.t("doctor.git_fix")))
    results.append(_check(LIBYAML, i18n.t("doctor.libyaml"), i18n.t("doctor.libyaml_fix")))
    # optional: without it records parse on the libyaml path, about three times slower
    _check(rapidyaml_available(), i18n.t("doctor.rapidyaml"), i18n.t("doctor.rapidyaml_fix"))
    fonts = cjk_fonts()
    results.append(_check(bool(fonts), i18n.t("doctor.fonts", fonts=", ".join(fonts[:4]) or i18n.t("doctor.missing")),
                          i18n.t("doctor.fonts_fix")))
    results.append(_check(bool(shutil.which("pdftotext") and shutil.which("pdfsig")), i18n.t("doctor.poppler"),
                          i18n.t("doctor.poppler_fix")))
    cov = calendar_coverage()
    results.append(_check(cov is not None, i18n.t("doctor.calendar", first=cov[0] if cov else "?",
                                                  last=cov[1] if cov else "?"), i18n.t("doctor.calendar_fix")))
    try:
        root = find_root()
        _check(True, i18n.t("doctor.repo", path=root), None)
        hooks_dir = root / ".git" / "hooks"
        installed = [h for h in ("pre-commit", "commit-msg") if (hooks_dir / h).is_file()
                     and "cctk" in (hooks_dir / h).read_text(errors="replace")]
        results.append(_check(bool(installed), i18n.t("doctor.hooks", hooks=", ".join(installed) or i18n.t("doctor.missing")),
                              i18n.t("doctor.hooks_fix")))
    except NotARepository:
        _check(False, i18n.t("doctor.repo", path=i18n.t("doctor.missing")), i18n.t("doctor.repo_fix"))
    raise SystemExit(0 if all(results[:3]) else 2)
