"""``cctk tui [REPO]``: start the terminal UI in its own process.

This module must not import textual or tui (cctk never does): it checks that Textual is
installed and execs ``python -m tui``, so the CLI stays light and the UI owns its process.
"""

from __future__ import annotations

import importlib.util
import os
import sys

import click

from cctk import i18n

i18n.register({
    "tui.missing": ("The terminal UI needs Textual: pip install 'cctk[tui]'",
                    "终端界面需要 Textual：pip install 'cctk[tui]'"),
})


@click.command("tui")
@click.argument("repo", required=False, type=click.Path(file_okay=False))
@click.pass_context
def tui(ctx, repo):
    """Open the terminal UI (终端界面) on REPO (default: the current repository).

    \b
    Example:
      cctk tui demo-repo
      cctk --lang en tui
    """
    if importlib.util.find_spec("textual") is None:
        click.echo(f"{i18n.t('tui.missing', 'en')}\n{i18n.t('tui.missing', 'zh')}", err=True)
        ctx.exit(2)
    argv = [sys.executable, "-m", "tui"]
    if repo:
        argv.append(repo)
    argv += ["--lang", i18n.get_lang()]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, argv)
