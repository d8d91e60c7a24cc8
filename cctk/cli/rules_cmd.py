"""cctk rules: list the rule book, or show one rule's documentation."""

from __future__ import annotations

import json

import click

from cctk import i18n
from cctk.cli.common import fail
from cctk.store.repo import NotARepository, find_root

i18n.register({"rules.unknown_code": ("no rule with code '{code}' (see 'cctk rules')",
                                      "没有代码为“{code}”的规则（见“cctk rules”）")})


@click.command()
@click.argument("code", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format. 输出格式。")
@click.option("--no-local-rules", is_flag=True, help="Only cctk's built-in rules. 仅内置规则。")
def rules(code, fmt, no_local_rules):
    """List the rules `cctk check` applies, or print one rule's documentation (规则列表与说明).

    Inside a repository its own rules (policy/rules.yaml, policy/*.py) and severity
    overrides are included.

    \b
    Example:
      cctk rules
      cctk rules --format json
      cctk rules CC201
    """
    from cctk.rules import load_rules
    from cctk.rules.docs import rule_markdown
    from cctk.store.loader import load

    snap = None
    if not no_local_rules:
        try:
            snap = load(find_root(None), contracts="registers")
        except NotARepository:
            snap = None
    ruleset = load_rules(snap, local=not no_local_rules)
    lang = i18n.get_lang()
    if code:
        found = ruleset.get(code.upper())
        if found is None:
            matches = [r for r in ruleset.rules if r.slug == code]
            found = matches[0] if matches else None
        if found is None:
            fail(i18n.t("rules.unknown_code", code=code), 2)
        if fmt == "json":
            click.echo(json.dumps(found.to_json(), ensure_ascii=False, indent=2))
        else:
            click.echo(rule_markdown(found, settings=ruleset.settings))
        return
    if fmt == "json":
        click.echo(json.dumps([r.to_json() for r in ruleset.rules], ensure_ascii=False, indent=2))
        return
    for r in ruleset.rules:
        sev = click.style(f"{r.severity.label:<7}", fg={"error": "red", "warning": "yellow"}.get(r.severity.label, "cyan"))
        click.echo(f"{r.code}  {r.slug:<34} {sev} {r.summary_text(lang)}")
