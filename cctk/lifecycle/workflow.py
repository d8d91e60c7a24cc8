"""Who may do what: policy/workflow.yaml (roles per action, review steps) and key supervision.

Pure functions over the model and the policy dicts a Snapshot carries, so the same checks run in
a verb, in a client hook and in the server hook (which reads the policy from the pushed tree).
"""

from __future__ import annotations

from decimal import Decimal

from cctk.i18n import register
from cctk.model import Contract, Org, Person

register({
    "wf.unknown_person": ("unknown person '{person}': not in policy/org.yaml",
                          "未知人员“{person}”：policy/org.yaml 中没有此人"),
    "wf.no_person": ("cannot tell who is acting: no person in policy/org.yaml has the email '{email}' "
                     "(git config user.email); use --as PERSON_ID",
                     "无法确定操作人：policy/org.yaml 中没有邮箱为“{email}”的人员（git config user.email）；请使用 --as 人员编号"),
    "wf.role": ("{person} may not {action} {code}: the action needs one of the roles {roles}, {person} has {has}",
                "{person} 无权对 {code} 执行“{action}”：需要角色 {roles} 之一，{person} 的角色为 {has}"),
    "wf.unit": ("{person} may not {action} {code}: the contract belongs to unit {unit}, {person} acts for {units}",
                "{person} 无权对 {code} 执行“{action}”：合同属于单位 {unit}，{person} 所属单位为 {units}"),
    "wf.unknown_step": ("unknown review step '{step}' for {code}; steps that apply: {steps}",
                        "{code} 没有审核环节“{step}”；适用的环节为：{steps}"),
})

# Used when a repository has no policy/workflow.yaml (the same content as the shipped file).
DEFAULT_WORKFLOW = {
    "district_roles": ["legal-reviewer", "finance", "auditor", "inspector"],
    "actions": {
        "create": ["clerk", "contract-admin"], "edit": ["clerk", "contract-admin"],
        "submit": ["clerk", "contract-admin"], "sign": ["clerk", "contract-admin"],
        "file": ["finance", "contract-admin"], "pay": ["finance"],
        "accept": ["clerk", "contract-admin", "inspector"], "evaluate": ["contract-admin", "unit-head"],
        "archive": ["contract-admin"], "terminate": ["unit-head"], "amend": ["clerk", "contract-admin"],
    },
    "steps": [
        {"id": "unit-review", "roles": ["contract-admin"]},
        {"id": "legality-review", "roles": ["legal-reviewer"], "when": "key-supervision"},
        {"id": "unit-head", "roles": ["unit-head"]},
    ],
    "amendment_steps": [
        {"id": "amendment-review", "roles": ["contract-admin"]},
        {"id": "amendment-legality-review", "roles": ["legal-reviewer"], "when": "key-supervision"},
        {"id": "amendment-head", "roles": ["unit-head"]},
    ],
}
LEGALITY_STEP = "legality-review"


class Refused(Exception):
    """An action refused: a catalog key and its arguments (shown bilingually by the CLI)."""

    def __init__(self, key: str, **args):
        super().__init__(key)
        self.key = key
        self.args_ = args

    def text(self, lang: str | None = None) -> str:
        from cctk.i18n import t
        return t(self.key, lang, **self.args_)


def workflow(policy: dict) -> dict:
    wf = policy.get("workflow")
    return wf if isinstance(wf, dict) else DEFAULT_WORKFLOW


def major_amount(policy: dict) -> Decimal | None:
    value = ((policy.get("thresholds") or {}).get("key_supervision") or {}).get("major_amount")
    return Decimal(str(value)) if value is not None else None


def is_key_supervision(contract: Contract, policy: dict) -> bool:
    """Key supervision (重点监管): a class named in the record, or an amount at/above the major threshold."""
    if contract.key_supervision:
        return True
    major = major_amount(policy)
    return major is not None and contract.amount >= major


def _applies(step: dict, contract: Contract, policy: dict) -> bool:
    return step.get("when") != "key-supervision" or is_key_supervision(contract, policy)


def steps_for(contract: Contract, policy: dict, amendment: bool = False) -> list[dict]:
    key = "amendment_steps" if amendment else "steps"
    return [s for s in workflow(policy).get(key) or [] if _applies(s, contract, policy)]


def step_def(contract: Contract, policy: dict, step: str, amendment: bool = False) -> dict:
    for s in steps_for(contract, policy, amendment):
        if s["id"] == step:
            return s
    raise Refused("wf.unknown_step", step=step, code=contract.code,
                  steps=", ".join(s["id"] for s in steps_for(contract, policy, amendment)))


def roles_for(policy: dict, action: str, contract: Contract | None = None, step: str | None = None,
              amendment: bool = False) -> list[str]:
    if step and contract is not None:
        return list(step_def(contract, policy, step, amendment).get("roles") or [])
    return list((workflow(policy).get("actions") or {}).get(action) or [])


def authorize(person: Person, policy: dict, action: str, contract: Contract, step: str | None = None,
              amendment: bool = False) -> str:
    """The role under which ``person`` performs ``action`` on ``contract``; raises Refused otherwise."""
    roles = roles_for(policy, action, contract, step, amendment)
    held = [r for r in roles if r in person.roles]
    if not held:
        raise Refused("wf.role", person=person.id, action=step or action, code=contract.code,
                      roles=", ".join(roles) or "-", has=", ".join(person.roles) or "-")
    district = set(workflow(policy).get("district_roles") or [])
    for role in held:
        if role in district or contract.unit in person.units or not person.units:
            return role
    raise Refused("wf.unit", person=person.id, action=step or action, code=contract.code, unit=contract.unit,
                  units=", ".join(person.units) or "-")


def resolve_person(org: Org, person_id: str | None, email: str | None) -> Person:
    if person_id:
        person = org.people.get(person_id)
        if person is None:
            raise Refused("wf.unknown_person", person=person_id)
        return person
    person = org.person_by_email(email or "")
    if person is None:
        raise Refused("wf.no_person", email=email or "")
    return person
