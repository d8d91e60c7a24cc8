"""The lifecycle verbs. Each one: read the record with the round trip, check the move against the
state machine and the policy, edit, validate the result (parse_contract + moves.check_change),
and make exactly one commit (txn.commit_files). A refused action raises ``Refused`` before anything
is written; a failure later leaves the repository as it was (see txn.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from cctk.i18n import register
from cctk.lifecycle import numbering, txn
from cctk.lifecycle.moves import Change, check_change, parse_both, raw_record, record_diff
from cctk.lifecycle.record import RecordText
from cctk.lifecycle.workflow import LEGALITY_STEP, Refused, authorize, resolve_person, steps_for, step_def
from cctk.model import Contract, Severity
from cctk.model.money import AmountError, format_amount, parse_amount

register({
    "act.no_contract": ("no contract with code '{code}'", "找不到编码为“{code}”的合同"),
    "act.invalid": ("{path} is invalid, fix it first ('cctk check'): {detail}",
                    "{path} 记录无效，请先修正（cctk check）：{detail}"),
    "act.state": ("{code} is '{status}'; '{action}' needs status {needed}",
                  "{code} 当前状态为“{status}”；“{action}”要求状态为 {needed}"),
    "act.result_invalid": ("the edit would make the record invalid: {detail}", "此操作将使记录无效：{detail}"),
    "act.check": ("{detail}", "{detail}"),
    "act.changed": ("{path} changed on disk during the action; nothing was committed",
                    "操作期间 {path} 在磁盘上被修改；未提交"),
    "act.step_done": ("{code}: step '{step}' is already approved", "{code}：环节“{step}”已审批通过"),
    "act.step_order": ("{code}: step '{step}' comes after '{before}', which is not approved yet",
                       "{code}：环节“{step}”须在“{before}”通过之后进行"),
    "act.opinion": ("a rejection needs an opinion (--opinion)", "退回须填写意见（--opinion）"),
    "act.legality": ("{code} is under key supervision ({why}): it needs the legal office's legality review "
                     "(cctk approve {code} --step legality-review) before signing",
                     "{code} 属于重点监管合同（{why}）：签订前须经法制机构合法性审查（cctk approve {code} --step legality-review）"),
    "act.date_before": ("{what} date {on} is before the signing date {signed}", "{what}日期 {on} 早于签订日期 {signed}"),
    "act.file_missing": ("file not found: {path}", "找不到文件：{path}"),
    "act.not_pdf": ("{path} is not a PDF file", "{path} 不是 PDF 文件"),
    "act.filed": ("{code} is already filed as {number}; use 'cctk file {code} --renumber' only after a number conflict",
                  "{code} 已备案，备案号 {number}；仅在备案号冲突时使用“cctk file {code} --renumber”"),
    "act.renumber_none": ("{code}'s filing number {number} is not used by another contract; nothing to renumber",
                          "{code} 的备案号 {number} 未与其他合同重复；无需重新编号"),
    "act.not_filed": ("{code} is not filed yet: nothing to renumber", "{code} 尚未备案：无需重新编号"),
    "act.no_signing": ("{code} has no signing date: sign it first (cctk sign)", "{code} 没有签订日期：请先签订（cctk sign）"),
    "act.amount": ("invalid amount '{value}': {reason}", "金额“{value}”无效：{reason}"),
    "act.positive": ("the amount must be more than zero", "金额必须大于零"),
    "act.unfiled": ("{code} must be filed before any payment (cctk file {code})",
                    "{code} 须先备案才能付款（cctk file {code}）"),
    "act.overpay": ("{code}: paying {amount} would bring payments to {total}, above the contract amount {limit} "
                    "(amount plus signed amendments)", "{code}：支付 {amount} 后累计付款 {total}，超过合同金额 {limit}（含已签订补充协议）"),
    "act.final_before_acceptance": ("{code}: {what} is due only after acceptance; record a passed acceptance first "
                                    "(cctk accept)", "{code}：{what}须在验收合格后支付；请先登记验收（cctk accept）"),
    "act.instalment": ("{code} has no instalment '{id}'", "{code} 没有期次“{id}”"),
    "act.score": ("score must be a number from 0 to 100", "评分须为 0 到 100 之间的数字"),
    "act.reason": ("a termination needs a reason (--reason)", "终止须说明理由（--reason）"),
    "act.amend_cap": ("{code}: supplementary agreements would add {total} in all, more than {share} of the original "
                      "amount {amount} (limit {limit}; 政府采购法 art. 49)",
                      "{code}：补充协议累计增加金额 {total}，超过原合同金额 {amount} 的 {share}（上限 {limit}；《政府采购法》第四十九条）"),
    "act.no_amendment": ("{code} has no supplementary agreement '{id}'", "{code} 没有补充协议“{id}”"),
    "act.amendment_state": ("{code}: supplementary agreement {id} is '{status}'; this needs {needed}",
                            "{code}：补充协议 {id} 状态为“{status}”；此操作要求 {needed}"),
    "act.late": ("filed late: the deadline was {due} (7 working days after signing, {source}); recorded as late",
                 "逾期备案：截止日期为 {due}（签订后 7 个工作日，{source}）；已记录为逾期"),
    "act.scope_out": ("{code} is outside the filing scope (below {min} yuan, not key supervision): "
                      "recorded as not requiring filing, no number", "{code} 不在备案范围内（低于 {min} 元且非重点监管）：记录为无需备案，不编号"),
    "act.sign_late": ("signed {days} days after the award notice (limit {limit} calendar days, 政府采购法 art. 46)",
                      "中标通知后第 {days} 天签订（期限 {limit} 个日历日，《政府采购法》第四十六条）"),
})

VERB_ZH = {"submit": "提交审核", "approve": "审批通过", "reject": "审核退回", "sign": "签订", "file": "备案",
           "pay": "付款", "accept": "验收", "evaluate": "履约评价", "archive": "归档", "terminate": "终止",
           "amend": "补充协议"}


@dataclass
class Result:
    code: str
    action: str
    commit: str
    status: str
    notes: list[str] = field(default_factory=list)      # bilingual texts already formatted
    values: dict = field(default_factory=dict)
    # what the commit records (filled by every run; a dry run — plan() — stops here, commit "")
    changes: list[tuple[str, object, object]] = field(default_factory=list)   # (field, old, new) in contract.md
    files: list[str] = field(default_factory=list)                           # paths the commit writes
    subject: str = ""
    trailers: dict[str, str] = field(default_factory=dict)
    author: str = ""


# Set by plan(): _finish runs every check and returns what it would commit, without writing.
_DRY_RUN: ContextVar[bool] = ContextVar("cctk_lifecycle_dry_run", default=False)


def plan(verb: str, root, code: str, *args, **kwargs) -> Result:
    """Dry run of a verb (same arguments as the verb): the same checks and refusals (``Refused``),
    and the field-level diff, files, subject, trailers and author it would commit — nothing written."""
    fn = {"submit": submit, "approve": approve, "reject": reject, "sign": sign, "file": file, "pay": pay,
          "accept": accept, "evaluate": evaluate, "archive": archive, "terminate": terminate, "amend": amend,
          "amend_sign": amend_sign}.get(verb)
    if fn is None:
        raise ValueError(f"unknown verb {verb!r}")
    token = _DRY_RUN.set(True)
    try:
        return fn(root, code, *args, **kwargs)
    finally:
        _DRY_RUN.reset(token)


@dataclass
class _Ctx:
    root: Path
    snap: object
    person: object
    path: str
    data: bytes
    contract: Contract
    today: dt.date
    raw: dict | None = None


def _git_email(root: Path) -> str | None:
    proc = subprocess.run(["git", "-C", str(root), "config", "user.email"], capture_output=True)
    return proc.stdout.decode().strip() or None


def contract_path(root: Path, code: str) -> str:
    from cctk.store.lookup import worktree_path

    path = worktree_path(root, code)
    if path is None:
        raise Refused("act.no_contract", code=code)
    return path


def _first_error(diags) -> str:
    errors = [d for d in diags if d.severity == Severity.ERROR]
    return "; ".join(f"{d.location()}: {d.text()}" for d in errors[:3]) or "-"


def _open(root: Path, code: str, person_id: str | None, *, contracts: bool = False, action: str = "") -> _Ctx:
    from cctk.lifecycle import settings
    from cctk.store.records import parse_contract

    root = Path(root).resolve()
    txn.recover(root)
    if contracts:
        from cctk.store.loader import load
        snap = load(root, contracts=contracts)
    else:            # a one-contract action reads the settings only, not the 100,000 other records
        snap = settings.read(root)
    person = resolve_person(snap.org, person_id, None if person_id else _git_email(root))
    path = contract_path(root, code)
    from cctk.lifecycle.conflict import refuse_if_conflicted
    refuse_if_conflicted(root, txn.git_dir(root), path, code, f"cctk {action}".strip())
    data = (root / path).read_bytes()
    contract, diags = parse_contract(path, data)
    if contract is None or any(d.severity == Severity.ERROR for d in diags):
        raise Refused("act.invalid", path=path, detail=_first_error(diags))
    raw = raw_record(data)          # what _finish diffs against (the record is parsed once)
    as_of = snap.config.get("as_of")
    today = dt.date.fromisoformat(str(as_of)) if as_of else dt.date.today()
    return _Ctx(root, snap, person, path, data, contract, today, raw)


def _need(ctx: _Ctx, action: str, *statuses: str) -> None:
    if ctx.contract.status not in statuses:
        raise Refused("act.state", code=ctx.contract.code, status=ctx.contract.status, action=action,
                      needed=" / ".join(statuses))


def _finish(ctx: _Ctx, rec: RecordText, action: str, *, step: str | None = None, message: str = "",
            extra: dict[str, bytes] | None = None, trailers: dict[str, str] | None = None,
            notes: list[str] | None = None, values: dict | None = None) -> Result:
    new = rec.bytes()
    changes = {ctx.path: new, **(extra or {})}
    # git status reads the whole index (100,000 entries): it runs while the edit is validated.
    check = None if _DRY_RUN.get() else txn.DirtyCheck(ctx.root, list(changes))
    try:
        after, after_raw, diags = parse_both(ctx.path, new)
        if after is None or any(d.severity == Severity.ERROR for d in diags):
            raise Refused("act.result_invalid", detail=_first_error(diags))
        before, before_raw = ctx.contract, ctx.raw
        problems = check_change(Change(ctx.path, before, after, before_raw, after_raw), action, step, ctx.person,
                                ctx.snap.policy, ctx.snap.org)
        if problems:
            raise Refused("act.check", detail="; ".join(p.text() for p in problems))
        if (ctx.root / ctx.path).read_bytes() != ctx.data:       # hash-guarded save (as fava does)
            raise Refused("act.changed", path=ctx.path)
        code = ctx.contract.code
        all_trailers = {"Cctk-Action": action, "Cctk-Contract": code}
        if step:
            all_trailers["Cctk-Step"] = step
        all_trailers.update(trailers or {})
        subject = f"{VERB_ZH.get(action, action)} {code}" + (f"：{message}" if message else "")
        result = Result(code, action, "", after.status, notes or [], values or {},
                        changes=record_diff(before_raw or {}, after_raw or {}), files=sorted(changes), subject=subject,
                        trailers=all_trailers, author=f"{ctx.person.name} <{ctx.person.email}>")
        if check is None:
            return result
        result.commit = txn.commit_files(ctx.root, changes, subject, trailers=all_trailers,
                                         author=(ctx.person.name, ctx.person.email), action=action, check=check)
        return result
    finally:
        if check is not None:
            check.close()


def _date(value, default: dt.date) -> dt.date:
    if value is None:
        return default
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _check_after_signing(ctx: _Ctx, on: dt.date, what: str) -> None:
    signed = ctx.contract.dates.get("signed")
    if signed and on < signed:
        raise Refused("act.date_before", what=what, on=on.isoformat(), signed=signed.isoformat())


def _attach(ctx: _Ctx, src: str | os.PathLike, name: str, kind: str, *, pdf: bool = False) -> tuple[str, bytes, dict]:
    src = Path(src)
    if not src.is_file():
        raise Refused("act.file_missing", path=str(src))
    data = src.read_bytes()
    if pdf and not data.startswith(b"%PDF-"):
        raise Refused("act.not_pdf", path=str(src))
    folder = ctx.path.rsplit("/", 1)[0]
    suffix = src.suffix.lower() or ".bin"
    rel = f"{name}{suffix}"
    return f"{folder}/{rel}", data, {"path": rel, "kind": kind, "sha256": hashlib.sha256(data).hexdigest()}


# --- review --------------------------------------------------------------------------------

def submit(root, code: str, *, person: str | None = None, on=None) -> Result:
    ctx = _open(root, code, person, action="submit")
    _need(ctx, "submit", "drafting")
    authorize(ctx.person, ctx.snap.policy, "submit", ctx.contract)
    rec = RecordText(ctx.data)
    rec.data["status"] = "review"
    rec.set_in("dates", "submitted", _date(on, ctx.today))
    return _finish(ctx, rec, "submit")


def _why_key(contract: Contract, policy: dict) -> str:
    return ", ".join(contract.key_supervision) or "major-amount"


def _review(root, code, step, opinion, person, on, amendment, result) -> Result:
    ctx = _open(root, code, person, action="reject" if result == "rejected" else "approve")
    c = ctx.contract
    action = "approve" if result == "approved" else "reject"
    if result == "rejected" and not (opinion or "").strip():
        raise Refused("act.opinion")
    rec = RecordText(ctx.data)
    if amendment:
        amend = _amendment(c, amendment)
        if amend.status not in ("review",):
            raise Refused("act.amendment_state", code=c.code, id=amendment, status=amend.status, needed="review")
        steps = steps_for(c, ctx.snap.policy, amendment=True)
        done = {a.step.split(":", 1)[1] for a in c.approvals
                if a.step.startswith(f"{amendment}:") and a.result == "approved"}
        record_step = f"{amendment}:{step}"
    else:
        _need(ctx, action, "review")
        steps = steps_for(c, ctx.snap.policy)
        done = {a.step for a in c.approvals if a.result == "approved"}
        record_step = step
    step_def(c, ctx.snap.policy, step, amendment=bool(amendment))
    if step in done:
        raise Refused("act.step_done", code=c.code, step=step)
    for s in steps:
        if s["id"] == step:
            break
        if s["id"] not in done:
            raise Refused("act.step_order", code=c.code, step=step, before=s["id"])
    role = authorize(ctx.person, ctx.snap.policy, action, c, step=step, amendment=bool(amendment))
    day = _date(on, ctx.today)
    entry = {"step": record_step, "by": ctx.person.id, "role": role, "on": day, "result": result}
    if opinion:
        entry["opinion"] = opinion
    rec.append("approvals", entry)
    remaining = [s["id"] for s in steps if s["id"] not in done and s["id"] != step]
    if amendment:
        idx = [a.id for a in c.amendments].index(amendment)
        if result == "rejected":
            rec.data["amendments"][idx]["status"] = "rejected"
        elif not remaining:
            rec.data["amendments"][idx]["status"] = "approved"
    elif result == "rejected":
        rec.data["status"] = "rejected"
    elif not remaining:
        rec.data["status"] = "approved"
    trailers = {"Cctk-Amendment": amendment} if amendment else None
    return _finish(ctx, rec, action, step=step, message=opinion or "", trailers=trailers,
                   values={"remaining": remaining})


def approve(root, code: str, step: str, opinion: str = "", *, person: str | None = None, on=None,
            amendment: str | None = None) -> Result:
    return _review(root, code, step, opinion, person, on, amendment, "approved")


def reject(root, code: str, step: str, opinion: str, *, person: str | None = None, on=None,
           amendment: str | None = None) -> Result:
    return _review(root, code, step, opinion, person, on, amendment, "rejected")


# --- signing and filing --------------------------------------------------------------------

def sign(root, code: str, on, *, scan: str | None = None, person: str | None = None) -> Result:
    from cctk.lifecycle.workflow import is_key_supervision

    ctx = _open(root, code, person, action="sign")
    c = ctx.contract
    _need(ctx, "sign", "approved")
    authorize(ctx.person, ctx.snap.policy, "sign", c)
    done = {a.step for a in c.approvals if a.result == "approved"}
    if is_key_supervision(c, ctx.snap.policy) and LEGALITY_STEP not in done:
        raise Refused("act.legality", code=c.code, why=_why_key(c, ctx.snap.policy))
    day = _date(on, ctx.today)
    rec = RecordText(ctx.data)
    rec.data["status"] = "signed"
    rec.set_in("dates", "signed", day)
    extra, notes = {}, []
    if scan:
        path, data, att = _attach(ctx, scan, "signed-scan", "signed-scan", pdf=True)
        from cctk.filing.pdf import check_scan   # a scan the filed PDF cannot be made from is refused now
        check_scan(data, str(scan))
        extra[path] = data
        rec.append("attachments", att)
    award = c.dates.get("award")
    limit = int(((ctx.snap.policy.get("thresholds") or {}).get("signing") or {}).get("deadline_days", 30))
    if award and (day - award).days > limit:
        from cctk.i18n import t
        notes.append(t("act.sign_late", days=(day - award).days, limit=limit))
    return _finish(ctx, rec, "sign", message=day.isoformat(), extra=extra, notes=notes)


def file(root, code: str, *, on=None, renumber: bool = False, person: str | None = None) -> Result:
    """备案: scope, number (sequential per year), deadline, content hash; signed → performing."""
    ctx = _open(root, code, person, action="file")
    c = ctx.contract
    worker = None
    if not renumber and c.status == "signed" and not (c.filing and c.filing.number) \
            and numbering.in_scope(c, ctx.snap.policy):
        # the filed PDF's Typst part (render, stamp) starts now on the other core (docs/pdf.md)
        from cctk.filing.pdf import TypstWorker
        worker = TypstWorker.start(ctx.root, c, ctx.snap.config)
    try:
        return _file(ctx, on=on, renumber=renumber, worker=worker)
    finally:
        if worker is not None:
            worker.close()


def _file(ctx: _Ctx, *, on, renumber: bool, worker) -> Result:
    from cctk.i18n import t

    from cctk.lifecycle.numindex import in_use

    c = ctx.contract
    fmt = ctx.snap.config.get("filing_number_format") or "备〔{year}〕{seq}号"
    # Numbers of the other contracts as committed (the commit is made on HEAD), from the number index.
    used = {n: other for n, other in in_use(ctx.root, "HEAD", exclude_path=ctx.path).items()
            if other != c.code} if txn.head(ctx.root) else {}
    rec = RecordText(ctx.data)
    if renumber:
        if not (c.filing and c.filing.number):
            raise Refused("act.not_filed", code=c.code)
        if c.filing.number not in used:
            raise Refused("act.renumber_none", code=c.code, number=c.filing.number)
        authorize(ctx.person, ctx.snap.policy, "file", c)
        year = (c.filing.on or ctx.today).year
        number = numbering.next_number(fmt, year, list(used) + [c.filing.number])
        old = c.filing.number
        rec.data["filing"]["number"] = number
        from cctk.filing.pdf import refile_pdf   # the filed PDF shows the number: it is made anew
        extra, pdf_notes = refile_pdf(ctx.root, ctx.path, c, number, rec, ctx.snap.config)
        return _finish(ctx, rec, "file", message=f"{old} → {number}", extra=extra, notes=pdf_notes,
                       trailers={"Cctk-Filing-Number": number, "Cctk-Renumbered": old}, values={"number": number})
    _need(ctx, "file", "signed")
    if c.filing and c.filing.number:
        raise Refused("act.filed", code=c.code, number=c.filing.number)
    authorize(ctx.person, ctx.snap.policy, "file", c)
    signed = c.dates.get("signed")
    if signed is None:
        raise Refused("act.no_signing", code=c.code)
    day = _date(on, ctx.today)
    _check_after_signing(ctx, day, "filing / 备案")
    rec.data["status"] = "performing"
    if not numbering.in_scope(c, ctx.snap.policy):
        rec.set("filing", {"required": False, "on": day, "by": ctx.person.id})
        note = t("act.scope_out", code=c.code, min=format_amount(numbering.min_amount(ctx.snap.policy)))
        return _finish(ctx, rec, "file", message="无需备案", notes=[note], values={"number": None})
    missing = [s["id"] for s in steps_for(c, ctx.snap.policy)
               if s["id"] not in {a.step for a in c.approvals if a.result == "approved"}]
    if missing:
        raise Refused("act.check", detail=t("lc.steps", code=c.code, steps=", ".join(missing)))
    number = numbering.next_number(fmt, day.year, list(used))
    due, source = numbering.deadline(signed, ctx.snap.policy)
    late = day > due
    filing = {"number": number, "on": day, "by": ctx.person.id, "required": True}
    if late:
        filing["late"] = True
    filing["sha256"] = numbering.content_sha256(c)
    from cctk.filing.pdf import attach_filed_pdf   # filed.pdf in the same commit (docs/pdf.md)
    extra, pdf_notes = attach_filed_pdf(ctx.root, ctx.path, c, filing, rec, ctx.snap.config, worker=worker)
    rec.set("filing", filing)
    notes = ([t("act.late", due=due.isoformat(), source=source)] if late else []) + pdf_notes
    return _finish(ctx, rec, "file", message=number, trailers={"Cctk-Filing-Number": number}, notes=notes,
                   extra=extra, values={"number": number, "late": late, "due": due.isoformat(), "sha256": filing["sha256"]})


# --- performance ---------------------------------------------------------------------------

def _money(value, *, negative: bool = False) -> Decimal:
    try:
        return parse_amount(value, allow_negative=negative)
    except (AmountError, InvalidOperation, ValueError) as exc:
        raise Refused("act.amount", value=value, reason=getattr(exc, "reason", str(exc))) from None


def ceiling(c: Contract) -> Decimal:
    """What may be paid in all: the amount plus signed supplementary agreements."""
    return c.amount + sum((a.amount_change for a in c.amendments if a.status == "signed"), Decimal(0))


def pay(root, code: str, amount, on, *, instalment: str | None = None, note: str = "",
        person: str | None = None) -> Result:
    ctx = _open(root, code, person, action="pay")
    c = ctx.contract
    if c.status == "signed":
        raise Refused("act.unfiled", code=c.code)
    _need(ctx, "pay", "performing", "accepted", "evaluated")
    if c.filing is None or (c.filing.required and not c.filing.number):
        raise Refused("act.unfiled", code=c.code)
    authorize(ctx.person, ctx.snap.policy, "pay", c)
    value = _money(amount)
    if value <= 0:
        raise Refused("act.positive")
    day = _date(on, ctx.today)
    _check_after_signing(ctx, day, "payment / 付款")
    limit = ceiling(c)
    total = c.paid + value
    if total > limit:
        raise Refused("act.overpay", code=c.code, amount=format_amount(value), total=format_amount(total),
                      limit=format_amount(limit))
    accepted = c.acceptance is not None and c.acceptance.result == "pass"
    if instalment is not None:
        inst = next((i for i in c.payment_schedule if i.id == instalment), None)
        if inst is None:
            raise Refused("act.instalment", code=c.code, id=instalment)
        if (inst.final or inst.trigger == "acceptance") and not accepted:
            raise Refused("act.final_before_acceptance", code=c.code, what=f"instalment {inst.id} / 第{inst.id}期")
    if not accepted and c.payment_schedule:
        before_acceptance = sum((i.value(c.amount) for i in c.payment_schedule
                                 if not i.final and i.trigger != "acceptance"), Decimal(0))
        if total > before_acceptance:
            raise Refused("act.final_before_acceptance", code=c.code,
                          what=f"{format_amount(total - before_acceptance)} / 尾款")
    rec = RecordText(ctx.data)
    entry = {"on": day, "amount": value, "instalment": instalment, "by": ctx.person.id}
    if note:
        entry["note"] = note
    rec.append("payments", entry)
    return _finish(ctx, rec, "pay", message=f"¥{format_amount(value)}", values={"paid": str(total)})


def accept(root, code: str, on, result: str, *, report: str | None = None, members=(),
           person: str | None = None) -> Result:
    ctx = _open(root, code, person, action="accept")
    c = ctx.contract
    _need(ctx, "accept", "performing")
    authorize(ctx.person, ctx.snap.policy, "accept", c)
    if result not in ("pass", "fail"):
        raise Refused("act.check", detail="--result pass|fail")
    day = _date(on, ctx.today)
    _check_after_signing(ctx, day, "acceptance / 验收")
    rec = RecordText(ctx.data)
    acc = {"on": day, "result": result}
    if members:
        acc["members"] = list(members)
    extra = {}
    if report:
        path, data, att = _attach(ctx, report, f"acceptance-report-{day.isoformat()}", "acceptance-report")
        extra[path] = data
        acc["report"] = att["path"]
        rec.append("attachments", att)
    rec.set("acceptance", acc)
    if result == "pass":
        rec.data["status"] = "accepted"
    return _finish(ctx, rec, "accept", message=result, extra=extra)


def evaluate(root, code: str, score=None, *, on=None, scores: dict | None = None, person: str | None = None) -> Result:
    """``score`` as given, or ``scores`` per criterion: the score is then computed with the rubric
    (policy/evaluation.yaml via cctk.suppliers.compute_score, capped after a failed acceptance or inspection)."""
    ctx = _open(root, code, person, action="evaluate")
    c = ctx.contract
    _need(ctx, "evaluate", "accepted")
    authorize(ctx.person, ctx.snap.policy, "evaluate", c)
    notes = []
    if scores:
        from cctk.inspections import load_records
        from cctk.suppliers import compute_score, failures_for
        try:
            computed, notes = compute_score(scores, ctx.snap.policy,
                                            failures=failures_for(c, load_records(ctx.root)))
        except ValueError as exc:
            raise Refused("act.check", detail=str(exc)) from None
        if score is not None and Decimal(str(score)) != computed:
            raise Refused("act.check", detail=f"--score {score} ≠ {computed} computed from the criteria / "
                                              f"与按评价项计算的得分 {computed} 不一致")
        score = computed
    if score is None:
        raise Refused("act.score")
    try:
        value = Decimal(str(score))
    except InvalidOperation:
        raise Refused("act.score") from None
    if not (0 <= value <= 100) or value != value.quantize(Decimal("0.01")):
        raise Refused("act.score")
    rec = RecordText(ctx.data)
    ev = {"on": _date(on, ctx.today), "score": str(value), "by": ctx.person.id}
    if scores:
        ev["scores"] = {k: str(v) for k, v in scores.items()}
    rec.set("evaluation", ev)
    rec.data["status"] = "evaluated"
    return _finish(ctx, rec, "evaluate", message=str(value), notes=notes, values={"score": str(value)})


def archive(root, code: str, *, person: str | None = None) -> Result:
    ctx = _open(root, code, person, action="archive")
    _need(ctx, "archive", "evaluated")
    authorize(ctx.person, ctx.snap.policy, "archive", ctx.contract)
    rec = RecordText(ctx.data)
    rec.data["status"] = "archived"
    return _finish(ctx, rec, "archive")


def terminate(root, code: str, reason: str, *, person: str | None = None) -> Result:
    ctx = _open(root, code, person, action="terminate")
    if not (reason or "").strip():
        raise Refused("act.reason")
    _need(ctx, "terminate", "drafting", "review", "approved", "signed", "performing", "accepted")
    authorize(ctx.person, ctx.snap.policy, "terminate", ctx.contract)
    rec = RecordText(ctx.data)
    rec.data["status"] = "terminated"
    return _finish(ctx, rec, "terminate", message=reason.strip().splitlines()[0])


# --- supplementary agreements (补充协议) -------------------------------------------------------

def _amendment(c: Contract, amendment_id: str):
    for a in c.amendments:
        if a.id == amendment_id:
            return a
    raise Refused("act.no_amendment", code=c.code, id=amendment_id)


def amendment_cap(c: Contract, policy: dict) -> Decimal:
    share = str(((policy.get("thresholds") or {}).get("amendments") or {}).get("max_share", "10%"))
    return (c.amount * Decimal(share.rstrip("%")) / 100).quantize(Decimal("0.01"))


def amend(root, code: str, title: str, amount_change="0", *, text: str | None = None,
          person: str | None = None) -> Result:
    """Draft a supplementary agreement: its own Markdown file beside contract.md, status review."""
    ctx = _open(root, code, person, action="amend")
    c = ctx.contract
    _need(ctx, "amend", "signed", "performing", "accepted")
    authorize(ctx.person, ctx.snap.policy, "amend", c)
    change = _money(amount_change, negative=True)
    added = sum((a.amount_change for a in c.amendments if a.status != "rejected" and a.amount_change > 0),
                Decimal(0)) + max(change, Decimal(0))
    cap = amendment_cap(c, ctx.snap.policy)
    if added > cap:
        share = str(((ctx.snap.policy.get("thresholds") or {}).get("amendments") or {}).get("max_share", "10%"))
        raise Refused("act.amend_cap", code=c.code, total=format_amount(added), share=share,
                      amount=format_amount(c.amount), limit=format_amount(cap))
    new_id = f"A{len(c.amendments) + 1}"
    folder = ctx.path.rsplit("/", 1)[0]
    rel = f"amendments/{new_id}.md"
    body = text if text is not None else f"# {title}\n\n（补充协议正文）\n"
    rec = RecordText(ctx.data)
    rec.append("amendments", {"id": new_id, "title": title, "amount_change": change, "path": rel,
                              "status": "review"})
    return _finish(ctx, rec, "amend", message=f"{new_id} {title}", extra={f"{folder}/{rel}": body.encode("utf-8")},
                   trailers={"Cctk-Amendment": new_id}, values={"id": new_id})


def amend_sign(root, code: str, amendment_id: str, on, *, person: str | None = None) -> Result:
    ctx = _open(root, code, person, action="amend")
    c = ctx.contract
    _need(ctx, "amend", "signed", "performing", "accepted")
    authorize(ctx.person, ctx.snap.policy, "amend", c)
    amend_rec = _amendment(c, amendment_id)
    if amend_rec.status != "approved":
        raise Refused("act.amendment_state", code=c.code, id=amendment_id, status=amend_rec.status, needed="approved")
    day = _date(on, ctx.today)
    _check_after_signing(ctx, day, "amendment / 补充协议")
    rec = RecordText(ctx.data)
    idx = [a.id for a in c.amendments].index(amendment_id)
    rec.data["amendments"][idx]["status"] = "signed"
    from cctk.lifecycle.record import q
    rec.data["amendments"][idx]["signed"] = q(day)
    return _finish(ctx, rec, "amend", message=f"{amendment_id} 签订", trailers={"Cctk-Amendment": amendment_id})
