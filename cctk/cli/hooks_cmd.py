"""``cctk hook NAME`` (what the shims in hooks/ run) and ``cctk hooks install``. Kept tiny: a hook
runs on every commit, so this module imports only the hook logic."""

from __future__ import annotations

import sys
from pathlib import Path

import click


def _root() -> Path:
    import subprocess
    proc = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True)
    top = proc.stdout.decode().strip()
    if top:
        return Path(top)
    proc = subprocess.run(["git", "rev-parse", "--absolute-git-dir"], capture_output=True)   # bare (server)
    return Path(proc.stdout.decode().strip() or ".")


@click.command()
@click.argument("name", type=click.Choice(["pre-commit", "commit-msg", "pre-receive", "update"]))
@click.argument("args", nargs=-1)
def hook(name, args):
    """Run a git hook's checks (what hooks/* call). 运行 git 钩子检查。

    \b
    Example:
      cctk hook pre-commit
      echo "$OLD $NEW refs/heads/main" | cctk hook pre-receive
    """
    from cctk.lifecycle import hooks
    root = _root()
    if name == "pre-commit":
        code, text = hooks.pre_commit(root)
    elif name == "commit-msg":
        if not args:
            raise click.UsageError("commit-msg needs the message file")
        code, text = hooks.commit_msg(root, args[0])
    elif name == "update":
        if len(args) != 3:
            raise click.UsageError("update needs REF OLD NEW")
        ref, old, new = args
        code, text = hooks.receive(root, [(old, new, ref)])
    else:
        updates = [tuple(line.split()) for line in sys.stdin.read().splitlines() if line.strip()]
        code, text = hooks.receive(root, updates)
    if text:
        click.echo(text, err=True)
    sys.exit(code)


@click.group()
def hooks():
    """Install cctk's git hooks. 安装 git 钩子。

    \b
    Example:
      cctk hooks install
      cctk hooks install --server /srv/git/contracts.git
    """


@hooks.command()
@click.option("--server", "server", metavar="BARE_REPO", type=click.Path(exists=True, file_okay=False),
              help="Install the server-side pre-receive hook into this bare repository. 安装服务端钩子。")
def install(server):
    """Install client hooks (pre-commit, commit-msg) here, or --server BARE for pre-receive.

    \b
    Example:
      cctk hooks install
      cctk hooks install --server /srv/git/contracts.git
    """
    from cctk import i18n
    from cctk.lifecycle import hooks as h
    target = Path(server) if server else _root()
    paths = h.install(target, server=bool(server))
    click.echo(i18n.t("hook.installed", hooks=", ".join(Path(p).name for p in paths),
                      path=str(Path(paths[0]).parent)))
