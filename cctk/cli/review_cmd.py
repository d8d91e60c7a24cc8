"""`cctk review FILE|CODE…` — the intelligent text review (智能审核). Thin: resolve arguments,
call cctk.review, print."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from cctk import i18n
from cctk.review import PlaybookError, Severity, find_root, load_playbook, review_file  # noqa: F401
from cctk.review import messages  # noqa: F401

_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def _resolve(name: str) -> Path | None:
    p = Path(name)
    if p.is_file():
        return p
    root = find_root(Path.cwd())
    if root is not None and "/" not in name:
        hits = sorted((root / "contracts").glob(f"*/{name}/contract.md"))
        if hits:
            return hits[0]
    return None


@click.command("review")
@click.argument("targets", nargs=-1, required=True, metavar="FILE|CODE...")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format. 输出格式。")
def review(targets, fmt):
    """Review contract text for legal traps (智能审核合同文本).

    A CODE is looked up as contracts/*/CODE/contract.md in the repository containing the current
    directory; any other argument is a Markdown or text file (with or without cctk front matter).
    Exit 1 when an error-severity finding is reported.

    \b
    Example:
      cctk review LHHT-2019-000001
      cctk review draft.md --format json
    """
    paths = []
    for t in targets:
        p = _resolve(t)
        if p is None:
            click.echo(i18n.t("review.cli.missing", name=t), err=True)
            sys.exit(2)
        paths.append(p)
    results = []
    for p in paths:
        try:
            results.append((str(p), review_file(p)))
        except (OSError, UnicodeDecodeError) as exc:
            click.echo(i18n.t("review.cli.unreadable", name=str(p), error=exc), err=True)
            sys.exit(2)
        except PlaybookError as exc:
            click.echo(str(exc), err=True)
            sys.exit(2)
    errors = sum(1 for _, fs in results for f in fs if f.severity == Severity.ERROR)
    if fmt == "json":
        click.echo(json.dumps([{"path": path, "findings": [f.to_json() for f in fs]} for path, fs in results],
                              ensure_ascii=False, indent=2))
    else:
        colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        for path, fs in results:
            for f in fs:
                sev = f.severity.label
                head = f"{path}:{f.line}:{f.col}: {f.category} {sev} {f.text()}"
                click.echo(click.style(head, fg=_COLOURS[f.severity]) if colour else head)
                click.echo(f"    {i18n.t('review.cli.quote')}: {f.quote}")
                if f.basis:
                    click.echo(f"    {i18n.t('review.cli.basis')}: {f.basis.cite()}")
                if f.suggestion:
                    click.echo(f"    {i18n.t('review.cli.fix')}: {f.fix()}")
        total = sum(len(fs) for _, fs in results)
        click.echo(i18n.t("review.cli.summary", files=len(results), findings=total, errors=errors))
    sys.exit(1 if errors else 0)
