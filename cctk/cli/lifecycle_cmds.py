"""Lifecycle verbs (submit … archive, amend), history and audit: thin wrappers over cctk.lifecycle."""

from __future__ import annotations

import json
import sys

import click

from cctk import i18n
from cctk.cli.common import fail, repo_root

i18n.register({
    "cli.lc.done": ("{action} {code}: status {status}, commit {commit}", "{action} {code}：状态 {status}，提交 {commit}"),
    "cli.lc.number": ("filing number: {number}", "备案号：{number}"),
    "cli.lc.audit_ok": ("audit: {commits} commits, {contracts} contracts, no breaches ({seconds:.2f} s)",
                        "审计：{commits} 个提交、{contracts} 份合同，未发现违规（{seconds:.2f} 秒）"),
    "cli.lc.audit_bad": ("audit: {n} breaches in {commits} commits ({seconds:.2f} s)",
                         "审计：{commits} 个提交中发现 {n} 处违规（{seconds:.2f} 秒）"),
    "cli.lc.no_history": ("no history for {code}", "{code} 没有历史记录"),
})


def as_option(f):
    return click.option("--as", "person", metavar="PERSON_ID",
                        help="Act as this person from policy/org.yaml (default: the person whose email is "
                             "git config user.email). 操作人。")(f)


def _run(fn, *args, **kwargs):
    from cctk.lifecycle.workflow import Refused
    root = repo_root()
    try:
        result = fn(root, *args, **kwargs)
    except Refused as exc:
        fail(exc.text(), 1)
    except ValueError as exc:        # a malformed date
        fail(f"{exc}", 2)
    click.echo(i18n.t("cli.lc.done", action=result.action, code=result.code, status=result.status,
                      commit=result.commit[:10]))
    if result.values.get("number"):
        click.echo(i18n.t("cli.lc.number", number=result.values["number"]))
    for note in result.notes:
        click.echo(note, err=True)
    return result


def _actions():
    from cctk.lifecycle import actions
    return actions


@click.command()
@click.argument("code")
@click.option("--on", help="Date submitted, YYYY-MM-DD (default today). 提交日期。")
@as_option
def submit(code, on, person):
    """Submit a draft for review: drafting → review (提交审核).

    \b
    Example:
      cctk submit LHHT-2026-000001
    """
    _run(_actions().submit, code, person=person, on=on)


def _review_cmd(name, fn_name, doc):
    @click.command(name=name, help=doc)
    @click.argument("code")
    @click.option("--step", required=True, help="Review step from policy/workflow.yaml, e.g. unit-review. 审核环节。")
    @click.option("--opinion", default="", help="Opinion text. 审核意见。")
    @click.option("--amendment", help="Review a supplementary agreement (its id, e.g. A1). 补充协议编号。")
    @click.option("--on", help="Date, YYYY-MM-DD (default today). 日期。")
    @as_option
    def cmd(code, step, opinion, amendment, on, person):
        _run(getattr(_actions(), fn_name), code, step, opinion, person=person, on=on, amendment=amendment)
    return cmd


approve = _review_cmd("approve", "approve", """Approve a review step (审批通过); the last step moves review → approved.

\b
Example:
  cctk approve LHHT-2026-000001 --step unit-review --opinion 同意
  cctk approve LHHT-2026-000001 --step legality-review --as chen.jing
""")
reject = _review_cmd("reject", "reject", """Reject at a review step (审核退回): review → rejected; needs --opinion.

\b
Example:
  cctk reject LHHT-2026-000001 --step unit-review --opinion "付款条款不明确"
""")


@click.command()
@click.argument("code")
@click.option("--on", required=True, help="Signing date YYYY-MM-DD. 签订日期。")
@click.option("--scan", type=click.Path(exists=True, dir_okay=False), help="Signed scan (PDF), kept beside the record. 签署扫描件。")
@as_option
def sign(code, on, scan, person):
    """Record the signing: approved → signed (签订). Key-supervision contracts need legality review first.

    \b
    Example:
      cctk sign LHHT-2026-000001 --on 2026-11-10 --scan signed.pdf
    """
    _run(_actions().sign, code, on, scan=scan, person=person)


@click.command(name="file")
@click.argument("code")
@click.option("--on", help="Filing date YYYY-MM-DD (default today). 备案日期。")
@click.option("--renumber", is_flag=True, help="Take the next free number after a number conflict. 重新编号。")
@as_option
def file_cmd(code, on, renumber, person):
    """File a signed contract (备案): number, deadline, content hash; signed → performing.

    Contracts outside the filing scope are recorded as not requiring filing (no number).

    \b
    Example:
      cctk file LHHT-2026-000001
      cctk file LHHT-2026-000001 --renumber     # after the server reported a duplicate number
    """
    _run(_actions().file, code, on=on, renumber=renumber, person=person)


@click.command()
@click.argument("code")
@click.option("--amount", required=True, help="Amount in yuan, e.g. 25950.00. 金额。")
@click.option("--on", required=True, help="Payment date YYYY-MM-DD. 付款日期。")
@click.option("--instalment", help="Instalment id from the payment schedule. 期次。")
@click.option("--note", default="", help="Note. 备注。")
@as_option
def pay(code, amount, on, instalment, note, person):
    """Record a payment (付款); never beyond the amount plus signed amendments, never before filing.

    \b
    Example:
      cctk pay LHHT-2026-000001 --amount 25950.00 --on 2026-11-20 --instalment 1
    """
    _run(_actions().pay, code, amount, on, instalment=instalment, note=note, person=person)


@click.command()
@click.argument("code")
@click.option("--on", required=True, help="Acceptance date YYYY-MM-DD. 验收日期。")
@click.option("--result", type=click.Choice(["pass", "fail"]), required=True, help="pass 合格 / fail 不合格.")
@click.option("--report", type=click.Path(exists=True, dir_okay=False), help="Acceptance report file. 验收报告。")
@click.option("--member", "members", multiple=True, help="Acceptance panel member (person id). 验收人员。")
@as_option
def accept(code, on, result, report, members, person):
    """Record acceptance (验收): pass moves performing → accepted.

    \b
    Example:
      cctk accept LHHT-2026-000001 --on 2026-12-01 --result pass --report report.pdf
    """
    _run(_actions().accept, code, on, result, report=report, members=members, person=person)


@click.command()
@click.argument("code")
@click.option("--score", help="Score 0–100 (or give the criteria instead). 评分。")
@click.option("--criterion", "criteria", multiple=True, metavar="ID=SCORE",
              help="A criterion's score from policy/evaluation.yaml, repeatable or comma-separated; the score is "
                   "then computed with the rubric. 评价项得分。")
@click.option("--scores", "criteria_list", metavar="ID=SCORE,…", help="All criteria at once. 全部评价项得分。")
@click.option("--on", help="Date YYYY-MM-DD (default today). 日期。")
@as_option
def evaluate(code, score, criteria, criteria_list, on, person):
    """Record the performance evaluation (履约评价): accepted → evaluated.

    With criteria the score is weighted by policy/evaluation.yaml and capped after a failed acceptance or
    inspection. 按评价项打分时依评价细则加权计算，验收或检查不合格的封顶。

    \b
    Example:
      cctk evaluate LHHT-2026-000001 --score 92
      cctk evaluate LHHT-2026-000001 --scores quality=90,timeliness=80,service=85,compliance=100
    """
    from cctk.suppliers import parse_criteria
    items = list(criteria) + ([criteria_list] if criteria_list else [])
    try:
        scores = parse_criteria(items)
    except ValueError as exc:
        fail(f"--criterion: {exc}", 2)
    if score is None and not scores:
        fail("--score or --criterion/--scores is required / 须给出 --score 或 --criterion/--scores", 2)
    _run(_actions().evaluate, code, score, on=on, scores=scores or None, person=person)


@click.command()
@click.argument("code")
@as_option
def archive(code, person):
    """Archive an evaluated contract (归档): evaluated → archived.

    \b
    Example:
      cctk archive LHHT-2026-000001
    """
    _run(_actions().archive, code, person=person)


@click.command()
@click.argument("code")
@click.option("--reason", required=True, help="Why the contract ends. 终止理由。")
@as_option
def terminate(code, reason, person):
    """Terminate a contract (终止), with a reason kept in the commit.

    \b
    Example:
      cctk terminate LHHT-2026-000001 --reason "供应商严重违约，依约解除"
    """
    _run(_actions().terminate, code, reason, person=person)


@click.command()
@click.argument("code")
@click.option("--title", help="Title of a new supplementary agreement. 补充协议名称。")
@click.option("--amount-change", default="0", help="Change of the amount in yuan (negative to reduce). 金额变化。")
@click.option("--text", "text_file", type=click.Path(exists=True, dir_okay=False), help="Its Markdown text. 正文文件。")
@click.option("--sign", "sign_id", metavar="ID", help="Sign an approved supplementary agreement. 签订补充协议。")
@click.option("--on", help="Signing date for --sign. 签订日期。")
@as_option
def amend(code, title, amount_change, text_file, sign_id, on, person):
    """Supplementary agreements (补充协议): draft one (its own file, review, ≤ 10% in all) or sign it.

    Review it with 'cctk approve CODE --amendment A1 --step amendment-review'.

    \b
    Example:
      cctk amend LHHT-2026-000001 --title 增加打印机 --amount-change 8000 --text a1.md
      cctk amend LHHT-2026-000001 --sign A1 --on 2026-12-03
    """
    if sign_id:
        if not on:
            fail("--on is required with --sign / --sign 需要 --on", 2)
        _run(_actions().amend_sign, code, sign_id, on, person=person)
        return
    if not title:
        fail("--title is required / 需要 --title", 2)
    text = open(text_file, encoding="utf-8").read() if text_file else None
    _run(_actions().amend, code, title, amount_change, text=text, person=person)


@click.command()
@click.argument("code")
@click.option("--rev", default="HEAD", show_default=True, help="Read history up to this revision. 版本。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def history(code, rev, fmt):
    """Print a contract's life from git: action, when, who, field changes, signature (合同履历).

    \b
    Example:
      cctk history LHHT-2019-000001
    """
    from cctk.lifecycle.trail import history as hist
    root = repo_root()
    entries = hist(root, code, rev)
    if not entries:
        fail(i18n.t("cli.lc.no_history", code=code), 1)
    if fmt == "json":
        click.echo(json.dumps([{"commit": e.commit.oid, "action": e.action, "date": e.commit.date,
                                "author": e.commit.author_name, "email": e.commit.author_email,
                                "person": e.person, "signature": e.commit.sig,
                                "changes": [{"field": f, "old": o, "new": n} for f, o, n in e.changes]}
                               for e in entries], ensure_ascii=False, indent=2, default=str))
        return
    for e in entries:
        sig = {"G": "signed ✓", "U": "signed ✓", "N": "", "-": "", "B": "BAD SIGNATURE"}.get(e.commit.sig,
                                                                                         f"signature {e.commit.sig}")
        click.secho(f"{e.commit.date[:10]}  {e.action or '?':9}  {e.commit.author_name} <{e.commit.author_email}>"
                    f"  {e.commit.oid[:10]}  {sig}".rstrip(), bold=True)
        click.echo(f"    {e.commit.subject}")
        for field, old, new in e.changes[:40]:
            if old is None:
                click.echo(f"    + {field}: {_short(new)}")
            elif new is None:
                click.echo(f"    - {field}: {_short(old)}")
            else:
                click.echo(f"    ~ {field}: {_short(old)} → {_short(new)}")


def _short(value) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, str) else value
    text = text.replace("\n", "⏎")
    return text if len(text) <= 100 else text[:97] + "…"


@click.command()
@click.option("--since", metavar="REV", help="Only commits after REV. 起始版本。")
@click.option("--rev", default="HEAD", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def audit(since, rev, fmt):
    """Verify the whole trail: recognised actions by authorised people, frozen content, unique filing
    numbers, signatures (审计). Exit 1 on any breach.

    \b
    Example:
      cctk audit
      cctk audit --since v2026.1 --format json
    """
    from cctk.lifecycle.audit import audit as run_audit
    root = repo_root()
    report = run_audit(root, since, rev)
    if fmt == "json":
        click.echo(json.dumps({"commits": report.commits, "contracts": report.contracts,
                               "seconds": round(report.seconds, 3),
                               "findings": [dict(f.diag.to_json(), commit=f.commit) for f in report.findings]},
                              ensure_ascii=False, indent=2))
    else:
        for f in report.findings:
            loc = f"{f.diag.path}: " if f.diag.path else ""
            click.echo(f"{f.commit[:10]} {loc}{f.diag.code} {f.diag.text()}")
        if report.ok:
            click.echo(i18n.t("cli.lc.audit_ok", commits=report.commits, contracts=report.contracts,
                              seconds=report.seconds))
        else:
            click.echo(i18n.t("cli.lc.audit_bad", n=len(report.findings), commits=report.commits,
                              seconds=report.seconds))
    sys.exit(0 if report.ok else 1)
