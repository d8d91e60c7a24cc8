"""cctk check: schema and reference checks, the rule book (cctk.rules) and the text review."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click

from cctk import i18n
from cctk.cli.common import SEVERITY_COLOURS, fail, progress_callback, repo_root, rev_option, use_colour
from cctk.model import Severity
from cctk.store import gitio

i18n.register({
    "check.changed_all": ("policy, suppliers or cctk.yaml changed since {base}: checking everything",
                          "自 {base} 以来策略、供应商或 cctk.yaml 有变更：检查全部合同"),
    "check.changed_none": ("no contract changed since {base}", "自 {base} 以来没有合同变更"),
    "check.suppressed": ("suppressed", "已忽略"),
    "check.bad_date": ("--as-of: '{value}' is not a date YYYY-MM-DD", "--as-of：“{value}”不是 YYYY-MM-DD 格式的日期"),
    "check.as_of": ("deadlines evaluated as of {date}", "期限按 {date} 计算"),
    "check.path_outside": ("'{path}' is not inside the repository {root}", "“{path}”不在仓库 {root} 之内"),
})


def _repo_path(root: Path, given: str) -> str:
    """A PATHS argument as a repository-relative path: relative to the current directory when it exists
    there (the repository's own folders otherwise, as from its top)."""
    here = Path.cwd() / given
    target = here if here.exists() else root / given
    try:
        rel = target.resolve().relative_to(root.resolve())
    except ValueError:
        fail(i18n.t("check.path_outside", path=given, root=str(root)), 2)
    return "." if not rel.parts else rel.as_posix()


def _codes(values) -> list[str]:
    return [c.strip().upper() for v in values for c in v.split(",") if c.strip()]


def _as_of(ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(i18n.t("check.bad_date", value=value))


def _review(snap):
    """The text review as per-contract rules, when cctk.review is installed."""
    try:
        import cctk.review as review
        import cctk.review.messages  # noqa: F401  (cached findings are printed without running the review)
    except ImportError:
        return None, None
    from cctk.rules.textreview import hook
    return hook(review, snap)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github", "junit"]), default="text",
              show_default=True, help="Output format. 输出格式。")
@rev_option()
@click.option("--select", multiple=True, metavar="CODE[,CODE]",
              help="Only these codes (prefixes allowed: CC2). 只检查这些代码（可用前缀）。")
@click.option("--ignore", "ignore_", multiple=True, metavar="CODE[,CODE]",
              help="Skip these codes (prefixes allowed). 跳过这些代码。")
@click.option("--severity", type=click.Choice(["info", "warning", "error"]), default="info", show_default=True,
              help="Lowest severity reported. 报告的最低级别。")
@click.option("--changed", metavar="BASE", default=None,
              help="Only contracts changed since BASE (merge base), plus cross-contract findings involving them. "
                   "仅检查自 BASE 以来变更的合同。")
@click.option("--as-of", "as_of", metavar="DATE", callback=_as_of, default=None,
              help="Evaluate deadlines as of DATE (default: cctk.yaml as_of, else today). 按指定日期计算期限。")
@click.option("--fail-on", type=click.Choice(["error", "warning"]), default="error", show_default=True,
              help="Lowest severity that makes the exit code 1. 导致失败的最低级别。")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Write the report to a file (atomically) instead of standard output. 输出到文件。")
@click.option("--no-cache", is_flag=True, help="Ignore the index and findings caches. 不使用缓存。")
@click.option("--no-local-rules", is_flag=True,
              help="Do not run the repository's own rules from policy/ (untrusted repositories). 不运行仓库自定义规则。")
@click.option("--no-review", is_flag=True, help="Skip the text review. 不进行文本审核。")
def check(paths, fmt, rev, select, ignore_, severity, changed, as_of, fail_on, output, no_cache, no_local_rules,
          no_review):
    """Check contracts: schema, references, the rule book and the text review (检查合同).

    Exit code 0 clean, 1 problems at --fail-on level, 2 usage or environment error.
    Rules are listed by `cctk rules`; suppress one in a record with
    `ignore: [{code: CC201, reason: "…"}]` (the reason is shown in reports).

    \b
    Example:
      cctk check
      cctk check contracts/2019 --format json
      cctk check --changed origin/main --format sarif -o cctk.sarif
      cctk check --select CC2 --as-of 2024-06-30 --fail-on warning
    """
    from cctk.rules import pipeline, report

    root = repo_root()
    if changed and not gitio.is_git_repo(root):
        fail(i18n.t("cli.git_failed", error="--changed needs a git repository"))
    prefixes = [_repo_path(root, p) for p in paths]
    if "." in prefixes:
        prefixes = []       # the repository itself: everything
    try:
        snap, result = pipeline.check(
            root, rev, as_of=as_of, select=_codes(select), ignore=_codes(ignore_),
            min_severity=Severity.parse(severity), changed_base=changed, use_cache=not no_cache,
            local_rules=not no_local_rules, review=None if no_review else _review,
            progress=progress_callback("cli.loading"), paths=prefixes or None)
    except gitio.GitError as exc:
        fail(i18n.t(exc.key, **exc.args_))
    scope = result.changed
    if changed and scope is None:
        click.echo(i18n.t("check.changed_all", base=changed), err=True)
    files = sorted(snap.files) if scope is None else sorted(p for p in snap.files if p in scope)
    if prefixes:
        inside = lambda p: pipeline.under(p, prefixes)  # noqa: E731
        result.diagnostics = [d for d in result.diagnostics if inside(d.path)]
        result.suppressed = [s for s in result.suppressed if inside(s.diagnostic.path)]
        files = [f for f in files if inside(f)]
        result.checked = len(files)

    if fmt == "text":
        text = None
        _print_text(result, len(files), to=output)
    elif fmt == "json":
        text = report.to_json(result)
    elif fmt == "sarif":
        text = report.to_sarif(result, root.as_uri() + "/")
    elif fmt == "github":
        text = report.to_github(result)
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:
            with open(summary, "a", encoding="utf-8") as fh:
                fh.write(report.step_summary(result))
    else:
        text = report.to_junit(result, files)
    if text is not None:
        _emit(text, output)
    fail_level = Severity.parse(fail_on)
    raise SystemExit(1 if any(d.severity >= fail_level for d in result.diagnostics) else 0)


def _emit(text: str, output: str | None):
    if output is None:
        click.echo(text)
        return
    tmp = f"{output}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text + "\n")
    os.replace(tmp, output)


def _print_text(result, files: int, to: str | None):
    from cctk.rules.report import slug_of

    lines: list[tuple[str, dict]] = []
    current = None
    for d in result.diagnostics:
        if d.contract != current and d.contract:
            current = d.contract
            lines.append((f"== {d.contract}", {"bold": True}))
        slug = slug_of(result, d.code)
        sev = click.style(d.severity.label, fg=SEVERITY_COLOURS[d.severity])
        rule = f"{d.code} {slug}" if slug else d.code
        lines.append((f"{d.location()}: {rule} {sev}: {d.text()}", {}))
        fix = d.fix()
        if fix:
            lines.append((f"    {i18n.t('cli.fix')}: {fix}", {}))
    for s in result.suppressed:
        d = s.diagnostic
        lines.append((f"{d.location()}: {d.code} {i18n.t('check.suppressed')}: {s.reason}", {"dim": True}))
    errors = sum(d.severity == Severity.ERROR for d in result.diagnostics)
    warnings = sum(d.severity == Severity.WARNING for d in result.diagnostics)
    if result.diagnostics:
        lines.append((i18n.t("cli.summary", files=files, errors=errors, warnings=warnings), {}))
    else:
        lines.append((i18n.t("cli.clean", files=files), {}))
    if to is not None:
        _emit("\n".join(click.unstyle(line) for line, _ in lines), to)
        return
    colour = use_colour()
    # One write: 60,000 click.secho calls cost ~2.5 s at 100k contracts.
    click.echo("\n".join(click.style(line, **style) if style else line for line, style in lines), color=colour)
    sys.stdout.flush()
