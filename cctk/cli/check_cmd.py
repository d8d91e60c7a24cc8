"""cctk check: schema and reference checks (later: the policy rules and text review)."""

from __future__ import annotations

import click

from cctk import i18n
from cctk.cli.common import fail, format_option, print_diagnostics, progress_callback, repo_root, rev_option
from cctk.model import Severity
from cctk.repository import all_diagnostics, exit_code
from cctk.store import gitio
from cctk.store.loader import load


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@format_option("text", "json")
@rev_option()
@click.option("--fail-on", type=click.Choice(["error", "warning"]), default="error", show_default=True,
              help="Lowest severity that makes the exit code 1. 导致失败的最低级别。")
@click.option("--no-cache", is_flag=True, help="Ignore the index cache. 不使用缓存。")
def check(paths, fmt, rev, fail_on, no_cache):
    """Check contracts: schema, references, dates, payment schedules (检查合同).

    Exit code 0 clean, 1 problems at --fail-on level, 2 usage or environment error.

    \b
    Example:
      cctk check
      cctk check contracts/2019 --format json
      cctk check --rev HEAD~3
    """
    root = repo_root()
    try:
        snap = load(root, rev, use_cache=not no_cache, progress=progress_callback("cli.loading"))
    except gitio.GitError as exc:
        fail(i18n.t(exc.key, **exc.args_))
    diags = all_diagnostics(snap)
    files = len(snap.files)
    if paths:
        prefixes = [str((root / p).resolve().relative_to(root)) if not p.startswith("contracts") else p.rstrip("/")
                    for p in paths]
        diags = [d for d in diags if any(d.path == p or d.path.startswith(p + "/") for p in prefixes)]
        files = sum(1 for f in snap.files if any(f == p or f.startswith(p + "/") for p in prefixes))
    print_diagnostics(diags, fmt, files)
    raise SystemExit(exit_code(diags, Severity.parse(fail_on)))
