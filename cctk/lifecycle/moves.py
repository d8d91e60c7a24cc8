"""The state machine and the one check every gate shares: is this change of a record a legal action?

``check_change`` compares a record before and after a commit (or an action) and returns problems as
Diagnostics: the status move must be one the named action makes, only the fields that action may
touch may change, lists of past events are append-only, frozen fields never change after signing,
and the person must hold a role for the action. Verbs, the commit-msg hook, the server hook and
``cctk audit`` all call it, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from cctk.i18n import register
from cctk.lifecycle.edit import SIGNED_STATES, frozen_changes
from cctk.lifecycle.workflow import Refused, authorize
from cctk.model import Contract, Diagnostic, Org, Severity

register({
    "lc.no_action": ("commit changes contract {code} but has no 'Cctk-Action:' trailer; use a cctk verb "
                     "(cctk submit/approve/sign/…) or add 'Cctk-Action: edit' for a draft edit",
                     "提交修改了合同 {code}，但没有“Cctk-Action:”尾注；请使用 cctk 命令（cctk submit/approve/sign 等），"
                     "起草阶段的手工修改请加“Cctk-Action: edit”"),
    "lc.unknown_action": ("unknown action '{action}' in the Cctk-Action trailer", "Cctk-Action 尾注中的操作“{action}”无法识别"),
    "lc.move": ("{code}: '{action}' cannot move the status from {before} to {after}",
                "{code}：操作“{action}”不能将状态从 {before} 改为 {after}"),
    "lc.field": ("{code}: field '{field}' may not be changed by '{action}'",
                 "{code}：操作“{action}”不得修改字段“{field}”"),
    "lc.history": ("{code}: '{field}' is a past record and may not be changed or removed",
                   "{code}：“{field}”是既往记录，不得修改或删除"),
    "lc.frozen": ("{code}: field '{field}' is frozen after signing; change it with 'cctk amend'",
                  "{code}：签订后字段“{field}”已冻结；如需变更请使用“cctk amend”"),
    "lc.role": ("{text}", "{text}"),
    "lc.author": ("commit author {email} is not a person in policy/org.yaml", "提交作者 {email} 不在 policy/org.yaml 人员名单中"),
    "lc.claimed": ("{code}: '{field}' names {claimed} but the commit is by {person}",
                   "{code}：“{field}”记载为 {claimed}，但提交人为 {person}"),
    "lc.invalid": ("{code}: the record is invalid: {detail}", "{code}：记录无效：{detail}"),
    "lc.deleted": ("{code}: a signed contract's file {path} may not be deleted or replaced",
                   "{code}：已签订合同的文件 {path} 不得删除或替换"),
    "lc.trailer_code": ("the Cctk-Contract trailer says {claimed} but the commit changes {codes}",
                        "Cctk-Contract 尾注为 {claimed}，但提交修改的是 {codes}"),
    "lc.legality": ("{code} is under key supervision and needs an approved legality-review before signing",
                    "{code} 属于重点监管合同，签订前须经合法性审查（legality-review）通过"),
    "lc.steps": ("{code}: approved without the review steps {steps}", "{code}：缺少审核环节 {steps} 即被批准"),
})

CODES = {"lc.no_action": "LC001", "lc.unknown_action": "LC001", "lc.move": "LC002", "lc.role": "LC003",
         "lc.author": "LC003", "lc.claimed": "LC003", "lc.frozen": "LC004", "lc.field": "LC005",
         "lc.history": "LC006", "lc.invalid": "LC007", "lc.deleted": "LC011", "lc.trailer_code": "LC010",
         "lc.legality": "LC012", "lc.steps": "LC012"}

END = ("archived", "rejected", "terminated")
AMENDABLE = ("signed", "performing", "accepted")
# action -> {status before: statuses after}; None = the record does not exist.
MOVES: dict[str, dict] = {
    "create": {None: {"drafting"}},
    "import": {None: {"drafting", "review", "approved", "signed", "performing", "accepted", "evaluated",
                      "archived", "rejected", "terminated"}},
    "edit": {"drafting": {"drafting"}},
    "submit": {"drafting": {"review"}},
    "approve": {"review": {"review", "approved"}, **{s: {s} for s in AMENDABLE}},
    "reject": {"review": {"rejected"}, **{s: {s} for s in AMENDABLE}},
    "sign": {"approved": {"signed"}},
    "file": {"signed": {"performing"}, "performing": {"performing"}, "accepted": {"accepted"},
             "evaluated": {"evaluated"}},
    "pay": {"performing": {"performing"}, "accepted": {"accepted"}, "evaluated": {"evaluated"}},
    "accept": {"performing": {"accepted", "performing"}},
    "evaluate": {"accepted": {"evaluated"}},
    "archive": {"evaluated": {"archived"}},
    "terminate": {s: {"terminated"} for s in ("drafting", "review", "approved", "signed", "performing", "accepted")},
    "amend": {s: {s} for s in AMENDABLE},
}
ACTIONS = tuple(MOVES)
# Fields each action may change (a dotted prefix); None = any field.
ANY = None
FIELDS: dict[str, tuple | None] = {
    "create": ANY, "import": ANY,
    "edit": ANY,
    "submit": ("status", "dates.submitted"),
    "approve": ("status", "approvals", "amendments"),
    "reject": ("status", "approvals", "amendments"),
    "sign": ("status", "dates.signed", "dates.published", "dates.start", "attachments"),
    "file": ("status", "filing", "attachments"),
    "pay": ("payments",),
    "accept": ("status", "acceptance", "attachments", "dates.delivered"),
    "evaluate": ("status", "evaluation"),
    "archive": ("status", "attachments"),
    "terminate": ("status", "dates.end"),
    "amend": ("amendments", "attachments"),
}
# Fields a draft edit may not touch: they are written by actions only.
ACTION_ONLY = ("code", "status", "approvals", "filing", "acceptance", "payments", "evaluation", "amendments")
APPEND_ONLY = ("approvals", "payments", "attachments")


def dx(key: str, path: str, code: str | None = None, severity: Severity = Severity.ERROR, **args) -> Diagnostic:
    return Diagnostic(code=CODES.get(key, "LC000"), severity=severity, path=path, message=key,
                      args={"code": code or "", **args}, contract=code, field=args.get("field"))


def record_diff(before, after, prefix: str = "") -> list[tuple[str, object, object]]:
    """Field-level differences between two plain records: (dotted path, old, new)."""
    if isinstance(before, dict) and isinstance(after, dict):
        out = []
        for key in list(before) + [k for k in after if k not in before]:
            out += record_diff(before.get(key), after.get(key), f"{prefix}{key}.")
        return out
    if isinstance(before, list) and isinstance(after, list):
        out = []
        for i in range(max(len(before), len(after))):
            out += record_diff(before[i] if i < len(before) else None, after[i] if i < len(after) else None,
                               f"{prefix}{i}.")
        return out
    if before != after:
        return [(prefix.rstrip("."), before, after)]
    return []


def _allowed(field: str, allowed: tuple) -> bool:
    return any(field == a or field.startswith(a + ".") for a in allowed)


@dataclass
class Change:
    path: str                    # contract.md path
    before: Contract | None
    after: Contract | None
    before_raw: dict | None      # front matter + "body" as plain data
    after_raw: dict | None


def infer_action(before: Contract | None, after: Contract | None) -> str | None:
    """A best guess of the action a change makes (for messages and for commits without a trailer)."""
    if after is None:
        return None
    if before is None:
        return "create" if after.status == "drafting" else "import"
    b, a = before.status, after.status
    if a == "terminated" and b != "terminated":
        return "terminate"
    for action in ("submit", "sign", "evaluate", "archive"):
        if b in MOVES[action] and a in MOVES[action][b] and a != b:
            return action
    if b == "review" and a in ("approved", "rejected"):
        return "approve" if a == "approved" else "reject"
    if len(after.approvals) > len(before.approvals):
        return "reject" if after.approvals[-1].result == "rejected" else "approve"
    if (before.filing, b) != (after.filing, a) and a in ("performing", "accepted", "evaluated"):
        if before.filing != after.filing:
            return "file"
    if before.acceptance != after.acceptance:
        return "accept"
    if len(after.payments) > len(before.payments):
        return "pay"
    if before.amendments != after.amendments:
        return "amend"
    if b == a == "drafting":
        return "edit"
    return None


def check_change(ch: Change, action: str | None, step: str | None, person, policy: dict,
                 org: Org | None = None) -> list[Diagnostic]:
    code = (ch.after or ch.before).code if (ch.after or ch.before) else ch.path.split("/")[2]
    out: list[Diagnostic] = []
    if action is None:
        return [dx("lc.no_action", ch.path, code)]
    if action not in MOVES:
        return [dx("lc.unknown_action", ch.path, code, action=action)]
    if ch.after is None:
        # Deleting a record: only a draft may go away (a withdrawn draft), never a signed one.
        if ch.before is not None and ch.before.status != "drafting":
            out.append(dx("lc.deleted", ch.path, code, path=ch.path))
        return out
    b_status = ch.before.status if ch.before else None
    a_status = ch.after.status
    targets = MOVES[action].get(b_status)
    if targets is None or a_status not in targets:
        out.append(dx("lc.move", ch.path, code, action=action, before=b_status or "-", after=a_status))
    # Fields outside the action, append-only history, frozen content.
    diffs = record_diff(ch.before_raw or {}, ch.after_raw or {}) if ch.before_raw is not None else []
    allowed = FIELDS.get(action)
    reported = set()
    for field, old, new in diffs:
        top = field.split(".")[0]
        if action == "edit" and _allowed(field, ACTION_ONLY):
            key = "lc.field"
        elif allowed is not None and not _allowed(field, allowed):
            key = "lc.field"
        elif top in APPEND_ONLY and old is not None:
            key = "lc.history"
        elif top == "filing" and ch.before and ch.before.filing and ch.before.filing.number \
                and field not in ("filing.number", "filing.pdf_sha256"):   # renumber: a new filed PDF
            key = "lc.history"
        elif top in ("acceptance", "evaluation") and old is not None and not (
                top == "acceptance" and ch.before and ch.before.acceptance and ch.before.acceptance.result == "fail"):
            key = "lc.history"
        else:
            continue
        name = ".".join(field.split(".")[:2]) if top in APPEND_ONLY else field
        if (key, name) not in reported:
            reported.add((key, name))
            out.append(dx(key, ch.path, code, field=name, action=action))
    if ch.before is not None:
        for name in frozen_changes(ch.before, ch.after):
            out.append(dx("lc.frozen", ch.path, code, field=name))
    # Moves that need earlier steps: no signing without the review steps (legality review for key supervision).
    if action == "sign" or (action == "approve" and a_status == "approved" and b_status == "review"):
        from cctk.lifecycle.workflow import LEGALITY_STEP, steps_for
        done = {a.step for a in ch.after.approvals if a.result == "approved"}
        missing = [s["id"] for s in steps_for(ch.after, policy) if s["id"] not in done]
        if missing:
            key = "lc.legality" if missing == [LEGALITY_STEP] else "lc.steps"
            out.append(dx(key, ch.path, code, steps=", ".join(missing)))
    # Who: a person holding a role for the action (or the review step).
    if person is not None:
        try:
            amendment = bool(step and step.startswith("amendment-"))
            authorize(person, policy, action if action != "import" else "create", ch.after, step=step,
                      amendment=amendment)
        except Refused as exc:
            out.append(dx("lc.role", ch.path, code, text=exc.text()))
        if action != "import":        # imported history names the people who acted back then
            out += _claims(ch, person, code)
    return out


def _claims(ch: Change, person, code: str) -> list[Diagnostic]:
    """New entries naming a person (approvals.by, payments.by, filing.by) must name the committer."""
    out = []
    before = ch.before
    new_approvals = ch.after.approvals[len(before.approvals) if before else 0:]
    for i, a in enumerate(new_approvals):
        if a.by != person.id:
            out.append(dx("lc.claimed", ch.path, code, field="approvals.by", claimed=a.by, person=person.id))
    new_payments = ch.after.payments[len(before.payments) if before else 0:]
    for p in new_payments:
        if p.by and p.by != person.id:
            out.append(dx("lc.claimed", ch.path, code, field="payments.by", claimed=p.by, person=person.id))
    if ch.after.filing and ch.after.filing.by and (before is None or before.filing is None) \
            and ch.after.filing.by != person.id and before is not None:
        out.append(dx("lc.claimed", ch.path, code, field="filing.by", claimed=ch.after.filing.by, person=person.id))
    return out


def signed_state(contract: Contract | None) -> bool:
    return contract is not None and contract.status in SIGNED_STATES


def parse_both(path: str, data: bytes | None):
    """(Contract or None, plain record with "body", diagnostics) from contract.md bytes."""
    from cctk.store.records import parse_contract

    if data is None:
        return None, None, []
    contract, diags = parse_contract(path, data)
    return contract, raw_record(data), diags


def raw_record(data: bytes) -> dict | None:
    """The plain record with "body" (what record_diff compares), or None when it cannot be read."""
    from cctk.store.yamlio import YamlProblem, load_fast

    raw = None
    try:
        text = data.decode("utf-8")
        end = text.find("\n---\n", 3)
        if text.startswith("---\n") and end != -1:
            raw = load_fast(text[4:end + 1])
            if isinstance(raw, dict):
                raw = dict(raw, body=text[end + 5:])
            else:
                raw = None
    except (UnicodeDecodeError, YamlProblem):
        raw = None
    return raw
