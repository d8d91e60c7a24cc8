"""``python -m tui [REPO] [--lang zh|en]``: resolve the repository, read settings, run the app."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path


def _person(root: Path, org) -> str | None:
    """The acting person: git's user.email matched against policy/org.yaml."""
    try:
        email = subprocess.run(["git", "-C", str(root), "config", "user.email"], capture_output=True,
                               text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    person = org.person_by_email(email) if email else None
    return person.id if person else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tui", description="cctk terminal UI / 终端界面")
    parser.add_argument("repo", nargs="?", default=None)
    parser.add_argument("--lang", choices=["zh", "en"], default=None)
    parser.add_argument("--start", choices=["dashboard", "contracts", "suppliers", "inspections"],
                        default="dashboard")
    args = parser.parse_args(argv)

    from cctk import i18n
    from cctk.store.loader import load
    from cctk.store.repo import NotARepository, find_root

    i18n.set_lang(args.lang)                   # None: from CCTK_LANG / the locale, like the CLI
    try:
        root = find_root(args.repo or Path.cwd())
    except NotARepository as exc:
        print(i18n.t("config.missing", path=exc.path), file=sys.stderr)
        return 2
    # cctk.yaml, org, policy and suppliers only; contracts/ is not even listed (the app lists it while the
    # stored rows are shown): 0.3 s instead of 1.3-1.6 s wall at 100,000 contracts
    settings = load(root, contracts="registers")

    from tui.app import make_app
    from tui.data.repo import as_of
    # the evaluation date the CLI uses (cctk.yaml as_of, else today): alerts and deadlines agree with it
    app = make_app(root, config=settings.config, person=_person(root, settings.org), start=args.start,
                   today=as_of(settings), registers=settings)
    # When the terminal hangs up (tmux kill-session, ssh drops), leave at once rather than spin on a
    # dead pty: a SIGHUP does not always arrive (under make it goes to make only), so stdin is watched.
    from tui import hangup
    hangup.watch(sys.stdin.fileno() if sys.stdin else 0)
    app.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
