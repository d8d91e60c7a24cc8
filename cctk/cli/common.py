"""Shared pieces of the command line: finding the repository, printing diagnostics, progress."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from cctk import i18n
from cctk.cli import messages  # noqa: F401
from cctk.model import Diagnostic, Severity
from cctk.store.repo import NotARepository, find_root

SEVERITY_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def fail(message: str, code: int = 2):
    click.echo(message, err=True)
    sys.exit(code)


def use_colour(stream=None) -> bool | None:
    if os.environ.get("NO_COLOR"):
        return False
    return None  # click decides: colour only on a terminal


def repo_root(path: str | None = None) -> Path:
    try:
        return find_root(path)
    except NotARepository as exc:
        fail(i18n.t("cli.not_repo", path=exc.path))


def progress_callback(label_key: str):
    """A progress callback drawing on stderr when it is a terminal (quiet in CI and pipes)."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        return None
    label = i18n.t(label_key)

    def report(done: int, total: int):
        sys.stderr.write(f"\r{label}: {done}/{total}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return report


def print_diagnostics(diags: list[Diagnostic], fmt: str, files: int) -> None:
    if fmt == "json":
        click.echo(json.dumps([d.to_json() for d in diags], ensure_ascii=False, indent=2))
        return
    colour = use_colour()
    current = None
    for d in diags:
        if d.contract != current and d.contract:
            current = d.contract
            click.secho(f"== {d.contract}", bold=True, color=colour)
        sev = click.style(d.severity.label, fg=SEVERITY_COLOURS[d.severity])
        click.echo(f"{d.location()}: {d.code} {sev}: {d.text()}", color=colour)
        fix = d.fix()
        if fix:
            click.echo(f"    {i18n.t('cli.fix')}: {fix}", color=colour)
    errors = sum(d.severity == Severity.ERROR for d in diags)
    warnings = sum(d.severity == Severity.WARNING for d in diags)
    if diags:
        click.echo(i18n.t("cli.summary", files=files, errors=errors, warnings=warnings))
    else:
        click.echo(i18n.t("cli.clean", files=files))


def format_option(*choices: str, default: str | None = None):
    return click.option("--format", "fmt", type=click.Choice(list(choices)), default=default or choices[0],
                        show_default=True, help="Output format. 输出格式。")


def rev_option():
    return click.option("--rev", default=None, metavar="REV",
                        help="Read the repository at a git revision (no work tree needed). 读取指定 git 版本。")
