"""Supervision commands: payments, suppliers, supplier, inspect, alerts, feedback, report, export, publish.
Thin: parse options, call cctk.payments / suppliers / inspections / supervision / export, print."""

from __future__ import annotations

import datetime as dt
import gc
import json
import sys
from pathlib import Path

import click

from cctk import i18n
from cctk.cli.common import fail, repo_root

i18n.register({
    "cli.sv.date": ("invalid date '{value}' for {option}: use YYYY-MM-DD", "{option} 的日期“{value}”无效：请用 YYYY-MM-DD"),
    "cli.sv.none": ("nothing to show", "无记录"),
    "cli.sv.pay_total": ("{n} instalments; outstanding {outstanding}; overdue {overdue} ({count}); interest {interest}",
                         "共 {n} 期；未付 {outstanding}；逾期 {overdue}（{count} 期）；逾期利息 {interest}"),
    "cli.sv.alerts_total": ("{n} alerts as of {as_of}", "截至 {as_of} 共 {n} 条提示"),
    "cli.sv.listed": ("{kind} list {supplier} {name}: {start} – {end} ({cause}: {reason}) [{source}]",
                      "{kind}名单 {supplier} {name}：{start} 至 {end}（{cause}：{reason}）[{source}]"),
    "cli.sv.recorded": ("recorded, commit {commit}", "已登记，提交 {commit}"),
    "cli.sv.sample": ("{year} sample: {size} of {population} contracts (rate {rate}), {covered}/{units} units; seed {seed} ({source}); algorithm {algorithm}",
                      "{year} 年抽检样本：{population} 份中抽取 {size} 份（比例 {rate}），覆盖 {covered}/{units} 个单位；种子 {seed}（{source}）；算法 {algorithm}"),
    "cli.sv.no_seed": ("no seed: {why}; give one with --seed", "无可用种子：{why}；请用 --seed 指定"),
    "cli.sv.verify_ok": ("the saved sample matches the draw from its seed", "已保存样本与按种子重新抽取的结果一致"),
    "cli.sv.verify_bad": ("the saved sample does NOT match the draw from its seed: saved {saved}, drawn {drawn}",
                          "已保存样本与按种子重新抽取的结果不一致：保存 {saved}，重抽 {drawn}"),
    "cli.sv.no_sample": ("no saved sample for {year} (cctk inspect sample --year {year} --save)",
                         "{year} 年没有已保存的样本（cctk inspect sample --year {year} --save）"),
    "cli.sv.ocds_invalid": ("the OCDS package is not valid against the 1.1.5 schema:", "OCDS 发布包未通过 1.1.5 模式校验："),
    "cli.sv.ocds_done": ("{n} releases written to {path} (valid OCDS 1.1; {secret} secret contracts withheld)",
                         "已写入 {n} 条发布至 {path}（符合 OCDS 1.1；{secret} 份涉密合同未公开）"),
    "cli.sv.pay_done": ("{n} contracts written to {json} and {csv}; payable now {payable}",
                        "已写入 {n} 份合同至 {json} 和 {csv}；当前应付 {payable}"),
    "cli.sv.pub_done": ("{n} contracts published in {dir}; {secret} secret contracts withheld",
                        "已在 {dir} 公开 {n} 份合同；{secret} 份涉密合同未公开"),
    "cli.sv.report_done": ("report for {year} written to {path}", "{year} 年度报告已写入 {path}"),
    "cli.sv.no_supplier": ("no supplier or contracts for credit code {code}", "找不到统一社会信用代码为 {code} 的供应商或合同"),
})


def _date(value, option):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(i18n.t("cli.sv.date", value=value, option=option), 2)


def _load(root, contracts=True, rev=None):
    from cctk.store.gitio import GitError
    from cctk.store.loader import load
    try:
        return load(root, rev, contracts=contracts)
    except GitError as exc:
        fail(f"--rev {rev}: {exc}", 2)


def _as_of(snap, value):
    from cctk.payments import as_of_date
    return as_of_date(snap.config, _date(value, "--as-of"))


def _settings(snap):
    from cctk.rules.settings import settings
    return settings(snap.policy)


def _extras(root, snap):
    from cctk.inspections import load_records
    from cctk.supervision.feedback import load_all
    return load_records(root, snap.rev), load_all(root, snap.all_paths, snap.rev)


def _refusal(fn, *args, **kwargs):
    from cctk.lifecycle.workflow import Refused
    try:
        return fn(*args, **kwargs)
    except Refused as exc:
        fail(exc.text(), 1)


as_of_opt = click.option("--as-of", "as_of", metavar="DATE", help="Evaluation date (default: cctk.yaml as_of, else today). 评估日期。")
fmt_opt = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
                       help="Output format. 输出格式。")
as_opt = click.option("--as", "person", metavar="PERSON_ID", help="Act as this person from policy/org.yaml. 操作人。")


# --- payments -------------------------------------------------------------------------------

@click.command()
@click.option("--overdue", is_flag=True, help="Only overdue instalments. 仅显示逾期。")
@click.option("--unit", help="Only this budget unit. 仅此单位。")
@as_of_opt
@fmt_opt
def payments(overdue, unit, as_of, fmt):
    """State of every instalment: due date, paid, outstanding, overdue, SME interest (付款情况).

    Exit 1 when an instalment is overdue.

    \b
    Example:
      cctk payments --overdue --as-of 2020-01-15
    """
    from decimal import Decimal

    from cctk.payments import repository_states

    root = repo_root()
    snap = _load(root)
    day = _as_of(snap, as_of)
    states = repository_states(snap.contracts, as_of=day, settings=_settings(snap), unit=unit, overdue=overdue)
    late = [s for s in states if s.status == "overdue"]
    if fmt == "json":
        click.echo(json.dumps({"as_of": day.isoformat(), "instalments": [s.to_json() for s in states]},
                              ensure_ascii=False, indent=1))
    else:
        for s in states:
            click.echo(f"{s.code}  #{s.id:<3} {s.trigger:<10} {s.due.isoformat() if s.due else '—':<10}  "
                       f"{s.value:>14,.2f}  paid {s.paid:>14,.2f}  {s.status:<9}"
                       + (f"  {s.days_late}d  interest {s.interest:,.2f}" if s.status in ("overdue", "paid-late") else "")
                       + ("  SME" if s.sme else ""))
        click.echo(i18n.t("cli.sv.pay_total", n=len(states),
                          outstanding=f"{sum((s.outstanding for s in states), Decimal(0)):,.2f}",
                          overdue=f"{sum((s.outstanding for s in late), Decimal(0)):,.2f}", count=len(late),
                          interest=f"{sum((s.interest for s in states), Decimal(0)):,.2f}"))
    sys.exit(1 if late else 0)


# --- suppliers ------------------------------------------------------------------------------

@click.command()
@click.option("--list", "kind", type=click.Choice(["red", "black"]), help="Only this list. 名单类型。")
@as_of_opt
@click.option("--apply", is_flag=True, help="Record the derived listings (one commit per supplier). 登记推导出的名单。")
@as_opt
@fmt_opt
def suppliers(kind, as_of, apply, person, fmt):
    """Supplier red and black lists in force (供应商红黑名单), recorded and derived from policy/suppliers.yaml.

    \b
    Example:
      cctk suppliers --list black --as-of 2020-01-15
      cctk suppliers --apply --as liu.yang
    """
    from cctk.suppliers import apply_derived, effective_listings

    root = repo_root()
    snap = _load(root)
    day = _as_of(snap, as_of)
    inspections, feedback = _extras(root, snap)
    if apply:
        done = _refusal(apply_derived, root, day, person=person, inspections=inspections, feedback=feedback)
        for l, commit in done:
            click.echo(f"{l.list} {l.supplier} {l.cause} {l.start} – {l.end}: " + i18n.t("cli.sv.recorded", commit=commit[:10]))
        return
    rows = [l for l in effective_listings(snap, day, inspections=inspections, feedback=feedback)
            if l.in_force(day) and (kind is None or l.list == kind)]
    if fmt == "json":
        click.echo(json.dumps([l.to_json() for l in rows], ensure_ascii=False, indent=1))
        return
    if not rows:
        click.echo(i18n.t("cli.sv.none"))
    for l in rows:
        sup = snap.suppliers.get(l.supplier)
        click.echo(i18n.t("cli.sv.listed", kind=l.list, supplier=l.supplier, name=sup.name if sup else "",
                          start=l.start or "…", end=l.end or "…", cause=l.cause, reason=l.reason, source=l.source))


@click.command()
@click.argument("code")
@as_of_opt
@click.option("--add", "add_kind", type=click.Choice(["black", "red"]), help="List the supplier by hand. 手工列入名单。")
@click.option("--reason", help="Reason of a manual listing. 理由。")
@click.option("--evidence", help="Evidence (file, contract, decision number). 依据。")
@click.option("--start", help="Listing start (default: as-of date). 开始日期。")
@click.option("--end", help="Listing end. 结束日期。")
@click.option("--months", type=int, help="Listing length in months (instead of --end). 期限（月）。")
@click.option("--appeal", type=int, metavar="N", help="Record an appeal against listing N (1-based). 对第 N 条名单申请复核。")
@click.option("--decision", type=click.Choice(["pending", "upheld", "lifted"]), default="pending", help="Appeal decision. 复核结论。")
@click.option("--text", help="Appeal text. 复核内容。")
@as_opt
@fmt_opt
def supplier(code, as_of, add_kind, reason, evidence, start, end, months, appeal, decision, text, person, fmt):
    """One supplier: contracts, payments, scores and listing history (供应商档案); or list it / record an appeal.

    \b
    Example:
      cctk supplier 91440303MA57AALD4Y
      cctk supplier 91440303MA57AALD4Y --add black --reason "提供虚假材料" --evidence "罗财决〔2020〕3号" --months 12 --as liu.yang
      cctk supplier 91440303MA57AALD4Y --appeal 1 --decision lifted --text "复核撤销" --as liu.yang
    """
    from cctk.suppliers import add_listing, appeal as do_appeal, supplier_record

    root = repo_root()
    snap = _load(root)
    day = _as_of(snap, as_of)
    if add_kind:
        listing, commit = _refusal(add_listing, root, code, add_kind, reason=reason or "", evidence=evidence or "",
                                   start=_date(start, "--start"), end=_date(end, "--end"), months=months,
                                   person=person, as_of=day)
        click.echo(i18n.t("cli.sv.recorded", commit=commit[:10]))
        return
    if appeal is not None:
        _, commit = _refusal(do_appeal, root, code, appeal, text or "", decision=decision, person=person, as_of=day)
        click.echo(i18n.t("cli.sv.recorded", commit=commit[:10]))
        return
    inspections, feedback = _extras(root, snap)
    rec = supplier_record(snap, code, day, settings=_settings(snap), inspections=inspections, feedback=feedback)
    if not rec["registered"] and not rec["contracts"]:
        fail(i18n.t("cli.sv.no_supplier", code=code), 1)
    if fmt == "json":
        click.echo(json.dumps(rec, ensure_ascii=False, indent=1))
        return
    click.echo(f"{rec['name']}  {code}  SME={rec['sme']}  black={rec['black_now']} red={rec['red_now']}")
    click.echo(f"contracts {len(rec['contracts'])}  total {rec['total']}  paid {rec['paid']}  overdue {rec['overdue']}  "
               f"average score {rec['average_score'] or '–'}")
    for r in rec["contracts"]:
        click.echo(f"  {r['code']}  {r['status']:<10} {r['amount']:>14}  paid {r['paid']:>14}  score {r['score'] or '–'}  {r['title']}")
    for i, l in enumerate(rec["listings"], 1):
        click.echo(f"  [{i}] {l['list']} {l.get('start')} – {l.get('end') or '…'} {l.get('cause')} {l.get('reason')} "
                   f"({l.get('authority')}; {l.get('evidence')}) [{l['source']}] appeals: {len(l.get('appeals') or [])}")


# --- inspections ----------------------------------------------------------------------------

@click.group()
def inspect():
    """Performance inspections (履约检查): draw the yearly sample, record inspections, report.

    \b
    Example:
      cctk inspect sample --year 2019
      cctk inspect record LHHT-2019-000015 --kind performance --result fail --findings "人员不足" --as sun.li
      cctk inspect report --year 2019
    """


@inspect.command("sample")
@click.option("--year", type=int, required=True, help="Year of signing drawn from. 年度。")
@click.option("--rate", help="Sampling rate, e.g. 10% (default: policy/inspections.yaml). 抽检比例。")
@click.option("--seed", help="Public seed (default: commit id of the year's last filing). 随机种子。")
@click.option("--save", is_flag=True, help="Commit the sample to inspections/<year>.yaml. 保存样本。")
@click.option("--verify", is_flag=True, help="Redraw from the saved seed and compare. 复核已保存样本。")
@as_opt
@fmt_opt
def inspect_sample(year, rate, seed, save, verify, person, fmt):
    """Draw the year's reproducible, stratified inspection sample (抽检).

    \b
    Example:
      cctk inspect sample --year 2019 --save --as sun.li
      cctk inspect sample --year 2019 --verify
    """
    from decimal import Decimal

    from cctk.inspections import draw, save_sample, seed_for_year
    from cctk.inspections.records import read_year
    from cctk.inspections.sample import _share

    root = repo_root()
    snap = _load(root)
    if verify:
        saved = read_year(root, year).get("sample")
        if not saved:
            fail(i18n.t("cli.sv.no_sample", year=year), 1)
        again = draw(snap.contracts, year, saved["seed"], snap.policy, rate=_share(saved["rate"]))
        if again.codes == saved["codes"]:
            click.echo(i18n.t("cli.sv.verify_ok"))
            return
        fail(i18n.t("cli.sv.verify_bad", saved=", ".join(saved["codes"]), drawn=", ".join(again.codes)), 1)
    source = "--seed"
    if not seed:
        seed, source = seed_for_year(root, year)
        if not seed:
            fail(i18n.t("cli.sv.no_seed", why=source), 2)
    try:
        r = _share(rate) if rate else None
    except Exception:
        fail(i18n.t("cli.sv.date", value=rate, option="--rate"), 2)
    if r is not None and not (Decimal(0) < r <= 1):
        fail(i18n.t("cli.sv.date", value=rate, option="--rate"), 2)
    sample = draw(snap.contracts, year, seed, snap.policy, rate=r, seed_source=source)
    if fmt == "json":
        click.echo(json.dumps(sample.to_json(), ensure_ascii=False, indent=1))
    else:
        click.echo(i18n.t("cli.sv.sample", year=year, size=sample.size, population=sample.population,
                          rate=f"{sample.rate * 100:.2f}%", covered=sample.units_covered, units=sample.units_total,
                          seed=seed, source=source, algorithm=sample.algorithm))
        for code in sample.codes:
            click.echo(f"  {code}  {sample.reasons[code]}")
    if save:
        commit = _refusal(save_sample, root, sample, person=person)
        click.echo(i18n.t("cli.sv.recorded", commit=commit[:10]))


@inspect.command("record")
@click.argument("code")
@click.option("--kind", required=True, help="performance | platform | third-party | self. 检查类型。")
@click.option("--result", required=True, help="pass | fail. 检查结论。")
@click.option("--findings", default="", help="What was found. 发现的问题。")
@click.option("--on", help="Date of the inspection (default: as-of date). 检查日期。")
@as_opt
def inspect_record(code, kind, result, findings, on, person):
    """Record an inspection of a contract (登记检查结果); a failure feeds the supplier black list.

    \b
    Example:
      cctk inspect record LHHT-2019-000015 --kind performance --result fail --findings "驻场人员不足" --as sun.li
    """
    from cctk.inspections import record

    root = repo_root()
    entry, commit = _refusal(record, root, code, kind=kind, result=result, findings=findings,
                             on=_date(on, "--on"), person=person)
    click.echo(f"{entry['id']} {code} {kind} {result}: " + i18n.t("cli.sv.recorded", commit=commit[:10]))


@inspect.command("report")
@click.option("--year", type=int, required=True, help="Year. 年度。")
@fmt_opt
def inspect_report(year, fmt):
    """Coverage and results of the year's inspections (检查情况报告).

    \b
    Example:
      cctk inspect report --year 2019
    """
    from cctk.inspections import load_records, report
    from cctk.inspections.records import read_year

    root = repo_root()
    snap = _load(root)
    rep = report(snap, year, load_records(root), read_year(root, year).get("sample"))
    if fmt == "json":
        click.echo(json.dumps(rep, ensure_ascii=False, indent=1))
        return
    click.echo(f"{year}: population {rep['population']}, sample {rep['sample_size']} (done {rep['sample_done']}, "
               f"pending {len(rep['sample_pending'])}), inspected {rep['inspected']} ({rep['coverage']}), "
               f"units {rep['units_inspected']}/{rep['units_total']}, pass {rep['passed']}, fail {rep['failed']}")
    for kind, n in sorted(rep["by_kind"].items()):
        click.echo(f"  {kind}: pass {n.get('pass', 0)} fail {n.get('fail', 0)}")
    for f in rep["failures"]:
        click.echo(f"  FAIL {f['id']} {f['contract']} {f['unit']} {f['supplier']}: {f.get('findings')}")


# --- alerts and feedback --------------------------------------------------------------------

@click.command()
@as_of_opt
@click.option("--unit", help="Only this budget unit. 仅此单位。")
@click.option("--rev", default=None, metavar="REV",
              help="Read the repository, inspections and problem reports at a git revision. 读取指定 git 版本。")
@fmt_opt
def alerts(as_of, unit, rev, fmt):
    """What needs attention now (系统提示): filing, payments, acceptance, term end, evaluation, black-listed
    suppliers, open problem reports, failed inspections — with deadline and the person responsible.

    Exit 1 when there is an error-level alert.

    \b
    Example:
      cctk alerts --as-of 2020-01-15 --unit LH010
      cctk alerts --rev HEAD~10
    """
    from cctk.supervision.alerts import repository_alerts

    root = repo_root()
    snap = _load(root, contracts="lazy", rev=rev)      # listed and hashed only: alert facts come per blob from the cache
    gc.freeze()     # the loaded heap has no cycles to find: without this, collections rescan it (~1 s at 20k)
    day = _as_of(snap, as_of)
    inspections, feedback = _extras(root, snap)
    items = repository_alerts(snap, day, settings=_settings(snap), inspections=inspections, feedback=feedback,
                              unit=unit)
    if fmt == "json":
        click.echo(json.dumps({"as_of": day.isoformat(), "alerts": [a.to_json() for a in items]}, ensure_ascii=False,
                              indent=1))
    else:
        for a in items:
            click.echo(f"{a.level:<7} {a.code}  {a.unit:<6} {a.deadline.isoformat() if a.deadline else '—':<10} "
                       f"{a.responsible or '-':<14} {a.text()}")
        click.echo(i18n.t("cli.sv.alerts_total", n=len(items), as_of=day.isoformat()))
    sys.exit(1 if any(a.level == "error" for a in items) else 0)


@click.command()
@click.argument("code")
@click.option("--text", required=True, help="What happened, or how it was resolved. 问题或处理结果。")
@click.option("--severity", type=click.Choice(["low", "medium", "high"]), default="medium", show_default=True)
@click.option("--resolve", type=int, metavar="N", help="Close problem report N. 关闭第 N 号问题。")
@click.option("--breach", is_flag=True, help="With --resolve: the problem was a proven breach (feeds the black list). 查实违约。")
@click.option("--on", help="Date (default: as-of date). 日期。")
@as_opt
def feedback(code, text, severity, resolve, breach, on, person):
    """Record a problem met during performance, or resolve one (问题反馈).

    \b
    Example:
      cctk feedback LHHT-2019-000015 --text "保洁人员连续三天未到岗" --severity high --as wang.fang
      cctk feedback LHHT-2019-000015 --resolve 1 --text "已补足人员" --as wang.fang
    """
    from cctk.supervision.feedback import add

    root = repo_root()
    entry, commit = _refusal(add, root, code, text, severity=severity, on=_date(on, "--on"), person=person,
                             resolve=resolve, breach=breach)
    click.echo(f"{code} #{entry['n']}: " + i18n.t("cli.sv.recorded", commit=commit[:10]))


# --- report ---------------------------------------------------------------------------------

@click.command()
@click.option("--year", type=int, required=True, help="Year. 年度。")
@click.option("-o", "--output", default=None, help="report.html or report.pdf (default: report-<year>.html). 输出文件。")
def report(year, output):
    """The yearly supervision report with charts (年度监管报告), as HTML or PDF.

    \b
    Example:
      cctk report --year 2019 -o report-2019.pdf
    """
    from cctk.inspections.records import read_year
    from cctk.store.files import atomic_write
    from cctk.suppliers import effective_listings
    from cctk.supervision.report import build, to_html, to_pdf

    root = repo_root()
    snap = _load(root)
    inspections, feedback = _extras(root, snap)
    listings = effective_listings(snap, _as_of(snap, None), inspections=inspections, feedback=feedback)
    data = build(snap, year, settings=_settings(snap), inspections=inspections,
                 sample=read_year(root, year).get("sample"), listings=listings)
    out = Path(output or f"report-{year}.html")
    if out.suffix.lower() == ".pdf":
        atomic_write(out, to_pdf(data, root))
    elif out.suffix.lower() in (".html", ".htm"):
        atomic_write(out, to_html(data))
    else:
        out.suffix.lower() == ".json" or fail(i18n.t("cli.sv.date", value=str(out), option="-o"), 2)
        atomic_write(out, json.dumps({k: v for k, v in data.items() if k != "charts"}, ensure_ascii=False, indent=1))
    click.echo(i18n.t("cli.sv.report_done", year=year, path=out))


# --- export and publish ---------------------------------------------------------------------

@click.group()
def export():
    """Exports (导出): OCDS 1.1 disclosure, the payment-system hand-off.

    \b
    Example:
      cctk export ocds -o ocds.json
      cctk export payments --since 2019-12-01 -o out/payments
    """


@export.command("ocds")
@click.option("-o", "--output", default="-", help="Output file (default: stdout). 输出文件。")
@as_of_opt
def export_ocds(output, as_of):
    """Filed, non-secret contracts as an OCDS 1.1 release package, validated before it is written.

    \b
    Example:
      cctk export ocds -o ocds-release-package.json
    """
    import os
    import tempfile

    from cctk.export.ocds import write_package

    root = repo_root()
    snap = _load(root, contracts="lazy")      # listed only: release templates come per blob from the cache
    gc.freeze()
    day = _as_of(snap, as_of)
    target = None if output == "-" else Path(output)
    if target:
        target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".cctk-", dir=target.parent if target else None)
    try:
        with os.fdopen(fd, "w+b") as fh:
            n, secret, errors = write_package(snap, fh, as_of=day)
            if errors:
                click.echo(i18n.t("cli.sv.ocds_invalid"), err=True)
                for e in errors[:20]:
                    click.echo(f"  {e}", err=True)
                sys.exit(1)
            fh.flush()
            if target is None:
                fh.seek(0)
                out = click.get_binary_stream("stdout")
                while block := fh.read(1 << 20):
                    out.write(block)
                out.write(b"\n")
                out.flush()
            else:
                os.fsync(fh.fileno())
        if target is not None:
            os.replace(tmp, target)
            tmp = None
            click.echo(i18n.t("cli.sv.ocds_done", n=n, path=output, secret=secret), err=True)
    finally:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)


@export.command("payments")
@click.option("--since", help="Only contracts filed, paid or triggered on or after this date. 起始日期。")
@click.option("-o", "--output", default="payments", help="Path stem: writes STEM.json and STEM.csv. 输出路径前缀。")
@as_of_opt
def export_payments(since, output, as_of):
    """Filed contracts and payable instalments for the payment system (推送支付系统), JSON and CSV.

    \b
    Example:
      cctk export payments --since 2019-12-01 -o out/payments
    """
    from cctk.export.payments import build, to_csv, total_payable
    from cctk.store.files import atomic_write

    root = repo_root()
    snap = _load(root)
    doc = build(snap, as_of=_as_of(snap, as_of), since=_date(since, "--since"), settings=_settings(snap))
    stem = Path(output)
    if stem.suffix in (".json", ".csv"):
        stem = stem.with_suffix("")
    stem.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(stem.with_suffix(".json"), json.dumps(doc, ensure_ascii=False, indent=1))
    atomic_write(stem.with_suffix(".csv"), to_csv(doc))
    click.echo(i18n.t("cli.sv.pay_done", n=len(doc["contracts"]), json=stem.with_suffix(".json"),
                      csv=stem.with_suffix(".csv"), payable=f"{total_payable(doc):,.2f}"))


@click.command()
@click.argument("directory", type=click.Path(file_okay=False))
@as_of_opt
def publish(directory, as_of):
    """Write the static public register (合同公开): searchable index, one page per contract, CSV/JSON/OCDS
    downloads; personal data redacted, secret contracts withheld.

    \b
    Example:
      cctk publish public/ && chromium public/index.html
    """
    from cctk.export.publish import publish as do_publish

    root = repo_root()
    snap = _load(root, contracts="lazy")      # listed only: pages and releases come per blob from the cache
    gc.freeze()
    res = _refusal(do_publish, snap, Path(directory), as_of=_as_of(snap, as_of))
    click.echo(i18n.t("cli.sv.pub_done", n=res["published"], dir=res["dir"], secret=res["secret_withheld"]))
