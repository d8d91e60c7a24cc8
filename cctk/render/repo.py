"""The little the render package needs from a repository: its root, settings, a contract
by code and a unit's name. (The full repository loader lives in cctk.repository; these
few reads keep `cctk render` independent of it.)"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from cctk.model import Contract
from cctk.render.errors import RenderError
from cctk.store.records import parse_contract
from cctk.store.yamlio import YamlProblem, load_fast


def find_repo_root(start: str | Path | None = None) -> Path:
    """The nearest directory at or above ``start`` holding cctk.yaml."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "cctk.yaml").is_file():
            return folder
    raise RenderError("render.no_repo", path=str(here))


def _load_yaml(path: Path) -> dict:
    try:
        data = load_fast(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, YamlProblem) as exc:
        raise RenderError("render.config", field=path.name, problem=str(exc)) from None
    return data if isinstance(data, dict) else {}


def settings(repo_root: str | Path | None) -> dict:
    """cctk.yaml as a dict ({} outside a repository)."""
    if repo_root is None:
        return {}
    path = Path(repo_root) / "cctk.yaml"
    return _load_yaml(path) if path.is_file() else {}


def contract_path(repo_root: str | Path, code: str) -> Path:
    from cctk.store.lookup import worktree_path

    path = worktree_path(Path(repo_root), code)
    if path is None:
        raise RenderError("render.no_contract", code=code)
    return Path(repo_root) / path


def load_contract(repo_root: str | Path, code: str) -> Contract:
    path = contract_path(repo_root, code)
    rel = path.relative_to(repo_root).as_posix()
    contract, diags = parse_contract(rel, path.read_bytes())
    if contract is None:
        problems = "; ".join(f"{d.location()}: {d.text()}" for d in diags if d.severity >= 3)
        raise RenderError("render.bad_contract", path=rel, problems=problems)
    return contract


@lru_cache(maxsize=8)
def _units(org_file: str, mtime: float) -> dict:
    data = _load_yaml(Path(org_file))
    return {str(u.get("code")): u for u in data.get("units") or [] if isinstance(u, dict)}


def unit_name(repo_root: str | Path | None, code: str) -> str:
    """The budget unit's Chinese name from policy/org.yaml, or the code itself."""
    if repo_root is None:
        return code
    org = Path(repo_root) / "policy" / "org.yaml"
    if not org.is_file():
        return code
    unit = _units(str(org), org.stat().st_mtime).get(code)
    return str(unit.get("name") or code) if unit else code


def person_name(repo_root: str | Path | None, person_id: str | None) -> str:
    if not person_id or repo_root is None:
        return person_id or ""
    org = Path(repo_root) / "policy" / "org.yaml"
    if not org.is_file():
        return person_id
    for p in _load_yaml(org).get("people") or []:
        if isinstance(p, dict) and p.get("id") == person_id:
            return str(p.get("name") or person_id)
    return person_id
