"""The ``cctk`` command: a bare root group; each command lives in its own module and is
imported only when used, so ``cctk hook pre-commit`` does not pay for the PDF stack."""

from __future__ import annotations

import gc
import importlib
import sys

import click

from cctk import __version__, i18n

# command name -> "module:attribute"
COMMANDS = {
    "init": "cctk.cli.repo_cmds:init",
    "demo": "cctk.cli.demo_cmd:demo",
    "new": "cctk.cli.repo_cmds:new",
    "ls": "cctk.cli.repo_cmds:ls",
    "show": "cctk.cli.repo_cmds:show",
    "check": "cctk.cli.check_cmd:check",
    "rules": "cctk.cli.rules_cmd:rules",
    "schema": "cctk.cli.repo_cmds:schema",
    "doctor": "cctk.cli.doctor_cmd:doctor",
    "edit": "cctk.cli.repo_cmds:edit",
    "review": "cctk.cli.review_cmd:review",
    "render": "cctk.cli.render_cmd:render",
    "templates": "cctk.cli.render_cmd:templates",
    "verify": "cctk.cli.filing_cmd:verify",
    "tui": "cctk.cli.tui_cmd:tui",
    "submit": "cctk.cli.lifecycle_cmds:submit",
    "approve": "cctk.cli.lifecycle_cmds:approve",
    "reject": "cctk.cli.lifecycle_cmds:reject",
    "sign": "cctk.cli.lifecycle_cmds:sign",
    "file": "cctk.cli.lifecycle_cmds:file_cmd",
    "pay": "cctk.cli.lifecycle_cmds:pay",
    "accept": "cctk.cli.lifecycle_cmds:accept",
    "evaluate": "cctk.cli.lifecycle_cmds:evaluate",
    "archive": "cctk.cli.lifecycle_cmds:archive",
    "terminate": "cctk.cli.lifecycle_cmds:terminate",
    "amend": "cctk.cli.lifecycle_cmds:amend",
    "history": "cctk.cli.lifecycle_cmds:history",
    "audit": "cctk.cli.lifecycle_cmds:audit",
    "hook": "cctk.cli.hooks_cmd:hook",
    "hooks": "cctk.cli.hooks_cmd:hooks",
    "payments": "cctk.cli.supervision_cmds:payments",
    "suppliers": "cctk.cli.supervision_cmds:suppliers",
    "supplier": "cctk.cli.supervision_cmds:supplier",
    "inspect": "cctk.cli.supervision_cmds:inspect",
    "alerts": "cctk.cli.supervision_cmds:alerts",
    "feedback": "cctk.cli.supervision_cmds:feedback",
    "report": "cctk.cli.supervision_cmds:report",
    "export": "cctk.cli.supervision_cmds:export",
    "publish": "cctk.cli.supervision_cmds:publish",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx, name):
        if name in self.commands:
            return self.commands[name]
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, _, attr = target.partition(":")
        try:
            return getattr(importlib.import_module(module), attr)
        except ModuleNotFoundError as exc:
            if exc.name == module:  # a command whose module has not landed yet
                return None
            raise


def _set_lang(ctx, param, value):
    i18n.set_lang(value)
    return value


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cctk")
@click.option("--lang", type=click.Choice(["zh", "en"]), callback=_set_lang, expose_value=False, is_eager=True,
              help="Language of messages (default: from the locale). 输出语言。")
def cli():
    """cctk — contracts as code for government contract supervision (政府合同监管).

    \b
    Example:
      cctk demo demo-repo --no-tui && cd demo-repo && cctk check
    """


def main():
    # A command runs for seconds and builds large acyclic data (records, findings): collect cycles
    # rarely rather than rescanning a growing heap every 700 allocations.
    gc.set_threshold(100_000, 50, 100)
    try:
        cli(prog_name="cctk")
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
