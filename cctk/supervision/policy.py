"""policy/evaluation.yaml, policy/suppliers.yaml and policy/inspections.yaml over the package defaults
(cctk/data/supervision/), so a repository without them still works."""

from __future__ import annotations

import copy
from functools import lru_cache
from importlib import resources

import yaml

SECTIONS = ("evaluation", "suppliers", "inspections")


@lru_cache(maxsize=None)
def default(section: str) -> dict:
    text = resources.files("cctk").joinpath(f"data/supervision/{section}.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def policy_section(policy: dict, section: str) -> dict:
    """The package default for ``section`` with the repository's top-level keys laid over it."""
    out = copy.deepcopy(default(section))
    layer = policy.get(section) if isinstance(policy, dict) else None
    if isinstance(layer, dict):
        out.update(copy.deepcopy(layer))
    return out


def person_with_role(org, person_id: str | None, email: str | None, roles: list[str]):
    """Resolve the acting person and check one of ``roles``; raises lifecycle Refused otherwise."""
    from cctk.lifecycle.workflow import Refused, resolve_person

    person = resolve_person(org, person_id, email)
    if not set(roles) & set(person.roles):
        raise Refused("sup.role", person=person.id, roles=", ".join(roles), has=", ".join(person.roles) or "-")
    return person


def git_email(root) -> str | None:
    import subprocess

    proc = subprocess.run(["git", "-C", str(root), "config", "user.email"], capture_output=True)
    return proc.stdout.decode().strip() or None
