"""`cctk demo`: build the demo district repository (thin: options -> cctk.demo.generate -> summary)."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import click

from cctk import i18n
from cctk.demo import DemoError, generate
from cctk.demo.generate import HISTORY_CHOICES, PDF_CHOICES

_STATUS_ORDER = ("drafting", "review", "approved", "signed", "performing", "accepted", "evaluated", "archived",
                 "rejected", "terminated")


def _progress():
    """Progress on stderr only when it is a terminal and not in CI."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        return None

    def report(phase: str, done: int, total: int):
        text = i18n.t("demo.progress", phase=i18n.t(f"demo.phase.{phase}"), done=done, total=total)
        sys.stderr.write("\r\033[K" + text)
        if phase == "checkout":
            sys.stderr.write("\n")
        sys.stderr.flush()

    return report


def _tui_available() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("textual", "cctk.cli.tui_cmd"))


def print_summary(s) -> None:
    t = i18n.t
    click.echo(t("demo.summary.title", path=s.path))
    click.echo(t("demo.summary.seed", seed=s.seed, as_of=s.as_of.isoformat(), history=s.history))
    click.echo(t("demo.summary.units", n=s.units, people=s.people))
    click.echo(t("demo.summary.suppliers", n=s.suppliers))
    click.echo(t("demo.summary.contracts", n=s.contracts, amount=f"{s.total_amount:,.2f}"))
    for status in _STATUS_ORDER:
        if s.by_status.get(status):
            click.echo(t("demo.summary.status", status=status, n=s.by_status[status]))
    click.echo(t("demo.summary.commits", n=s.commits, head=s.head[:12]))
    click.echo(t("demo.summary.planted", n=len(s.planted)))
    for p in s.planted:
        click.echo(t("demo.summary.planted_item", contract=p["contract"], problem=p["problem"]))
    click.echo(t("demo.summary.pdfs", pdfs=s.pdfs))
    click.echo(t("demo.summary.time", seconds=s.seconds))
    click.echo(t("demo.summary.next"))
    click.echo(f"  cd {s.path}")
    click.echo("  cctk ls --status performing")
    click.echo(f"  cctk check --as-of {s.as_of.isoformat()}")
    if s.planted:
        click.echo(f"  cctk show {s.planted[0]['contract']}")
    click.echo("  git log --format='%h %ad %an %s' --date=short | head")
    click.echo(f"  cctk tui {s.path}")


@click.command("demo")
@click.argument("directory", required=False, default="cctk-demo", type=click.Path(file_okay=False, path_type=Path))
@click.option("--contracts", "count", type=int, default=600, show_default=True,
              help="Number of contracts to generate. 合同数量。")
@click.option("--seed", type=int, default=2019, show_default=True,
              help="Random seed: the same seed gives the same repository, commit ids included. 随机种子。")
@click.option("--pdfs", type=click.Choice(PDF_CHOICES), default="recent", show_default=True,
              help="Which filings carry a signed, stamped filed.pdf: the 20 most recent, all, or none. "
                   "哪些备案生成已签章的备案 PDF：最近 20 份、全部或不生成。")
@click.option("--history", type=click.Choice(HISTORY_CHOICES), default="auto", show_default=True,
              help="auto: one commit per action up to 50,000 actions (about 5,000 contracts), beyond that older actions are collapsed "
                   "into one import commit (see docs/demo.md); full: always one commit per action. 历史模式。")
@click.option("--no-tui", is_flag=True, help="Print the summary instead of opening the TUI. 不打开 TUI，只输出摘要。")
def demo(directory: Path, count: int, seed: int, pdfs: str, history: str, no_tui: bool):
    """Build a realistic demo district repository with real git history (生成演示仓库).

    About 197 budget units, 80 suppliers and COUNT contracts over 2018–2019; every lifecycle
    action is one dated git commit by the person who performed it. A few problems are planted
    on purpose and listed in .cctk/planted.yaml. DIRECTORY must not exist or be empty.

    \b
    Example:
      cctk demo demo-repo --contracts 600 --seed 2019 --no-tui
    """
    try:
        summary = generate(directory, contracts=count, seed=seed, pdfs=pdfs, progress=_progress(), history=history)
    except DemoError as exc:
        # Both languages: the person may be reading a log in either (current language first).
        texts = i18n.both(exc.key, **exc.args_)
        first = i18n.get_lang()
        click.echo(f"cctk demo: {texts[first]}", err=True)
        click.echo(f"cctk demo: {texts['en' if first == 'zh' else 'zh']}", err=True)
        sys.exit(2)
    if sys.stdout.isatty() and not no_tui and _tui_available():
        sys.stdout.flush()
        os.execv(sys.executable, [sys.executable, "-m", "cctk", "tui", str(summary.path)])
    print_summary(summary)
    if sys.stdout.isatty() and not no_tui:
        click.echo(i18n.t("demo.tui_missing"))
