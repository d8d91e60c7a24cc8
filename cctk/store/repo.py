"""The repository's own files: cctk.yaml, policy/*.yaml, suppliers/*.yaml."""

from __future__ import annotations

import re
from pathlib import Path

from cctk.model import Diagnostic, Org, Person, Supplier, Unit
from cctk.model.ids import credit_code_problem
from cctk.store.records import diag
from cctk.store.yamlio import YamlProblem, load_fast, locate

CONFIG_FILE = "cctk.yaml"
DEFAULT_CONFIG = {
    "district": "",
    "district_en": "",
    "locale": None,
    "code_format": "HT-{year}-{seq:06d}",
    "code_pattern": r"^HT-\d{4}-\d{6}$",
    "filing_number_format": "备〔{year}〕{seq}号",
    "as_of": None,
}


class NotARepository(Exception):
    def __init__(self, path: Path):
        super().__init__(str(path))
        self.path = path


def find_root(start: Path | str | None = None) -> Path:
    """The nearest directory at or above ``start`` holding cctk.yaml."""
    here = Path(start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / CONFIG_FILE).is_file():
            return candidate
    raise NotARepository(here)


def parse_yaml_file(path: str, data: bytes | None) -> tuple[object, list[Diagnostic]]:
    if data is None:
        return None, []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [diag("file.encoding", path, offset=exc.start)]
    try:
        return load_fast(text), []
    except YamlProblem as exc:
        return None, [diag(exc.key, path, line=(exc.line or 0) + 1, col=(exc.col or 0) + 1, **exc.args_)]


def _where(path: str, text: str, at: tuple) -> dict:
    found = locate(text, at)
    return {"line": found[0] + 1, "col": found[1] + 1} if found else {}


def parse_config(data: bytes | None) -> tuple[dict, list[Diagnostic]]:
    raw, diags = parse_yaml_file(CONFIG_FILE, data)
    config = dict(DEFAULT_CONFIG)
    if isinstance(raw, dict):
        config.update(raw)
    elif raw is not None:
        diags.append(diag("config.invalid", CONFIG_FILE, line=1, detail="cctk.yaml must be a mapping / 必须是映射"))
    try:
        re.compile(config["code_pattern"])
    except (re.error, TypeError) as exc:
        diags.append(diag("config.invalid", CONFIG_FILE, **_where(CONFIG_FILE, data.decode("utf-8", "replace"),
                                                                 ("code_pattern",)),
                          detail=f"code_pattern: {exc}"))
        config["code_pattern"] = DEFAULT_CONFIG["code_pattern"]
    return config, diags


def parse_org(data: bytes | None, path: str = "policy/org.yaml") -> tuple[Org, list[Diagnostic]]:
    raw, diags = parse_yaml_file(path, data)
    org = Org()
    if raw is None:
        return org, diags
    text = data.decode("utf-8", "replace")
    if not isinstance(raw, dict):
        return org, diags + [diag("config.invalid", path, line=1, detail="org.yaml must be a mapping / 必须是映射")]
    org.roles = dict(raw.get("roles") or {})
    for i, u in enumerate(raw.get("units") or []):
        if not isinstance(u, dict) or not u.get("code") or not u.get("name"):
            diags.append(diag("config.invalid", path, **_where(path, text, ("units", i)),
                              detail=f"units[{i}]: needs code and name / 需要 code 和 name"))
            continue
        org.units[str(u["code"])] = Unit(code=str(u["code"]), name=u["name"], name_en=u.get("name_en"),
                                         parent=u.get("parent"))
    for i, p in enumerate(raw.get("people") or []):
        if not isinstance(p, dict) or not all(p.get(k) for k in ("id", "name", "email")):
            diags.append(diag("config.invalid", path, **_where(path, text, ("people", i)),
                              detail=f"people[{i}]: needs id, name and email / 需要 id、name、email"))
            continue
        person = Person(id=str(p["id"]), name=p["name"], email=p["email"], roles=list(p.get("roles") or []),
                        units=[str(u) for u in p.get("units") or []], keys=list(p.get("keys") or []))
        for role in person.roles:
            if org.roles and role not in org.roles:
                diags.append(diag("config.invalid", path, **_where(path, text, ("people", i, "roles")),
                                  detail=f"people[{i}]: unknown role '{role}' / 未知角色“{role}”"))
        for unit in person.units:
            if unit not in org.units:
                diags.append(diag("ref.unit", path, **_where(path, text, ("people", i, "units")), value=unit))
        org.people[person.id] = person
    return org, diags


def parse_supplier(path: str, data: bytes) -> tuple[Supplier | None, list[Diagnostic]]:
    raw, diags = parse_yaml_file(path, data)
    if raw is None:
        return None, diags
    text = data.decode("utf-8", "replace")
    if not isinstance(raw, dict) or not raw.get("credit_code") or not raw.get("name"):
        return None, diags + [diag("config.invalid", path, line=1,
                                   detail="a supplier needs credit_code and name / 供应商需要 credit_code 和 name")]
    code = raw["credit_code"]
    problem = credit_code_problem(code)
    if problem:
        diags.append(diag(problem, path, **_where(path, text, ("credit_code",)), field="credit_code", value=code))
    expected = f"suppliers/{code}.yaml"
    if not path.endswith(f"/{code}.yaml") and path != f"{code}.yaml":
        diags.append(diag("supplier.file", path, line=1, expected=expected))
    return Supplier(credit_code=str(code), name=raw["name"], sme=raw.get("sme"), region=raw.get("region"),
                    listings=list(raw.get("listings") or []), path=path), diags


def parse_policy(files: dict[str, bytes]) -> tuple[dict, list[Diagnostic]]:
    """policy/*.yaml other than org.yaml, merged by file stem: {'thresholds': {...}, ...}."""
    policy, diags = {}, []
    for path, data in sorted(files.items()):
        raw, more = parse_yaml_file(path, data)
        diags += more
        if raw is not None:
            policy[Path(path).stem] = raw
    return policy, diags
