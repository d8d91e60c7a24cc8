"""Build small real repositories from the rule fixtures in tests/fixtures/rules/."""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path

import yaml

from cctk.store.yamlio import load_fast

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "rules"
AS_OF = "2024-06-30"


def base_record() -> dict:
    return load_fast((FIXTURES / "base.yaml").read_text("utf-8"))


def patch(record: dict, changes: dict) -> dict:
    out = copy.deepcopy(record)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = patch(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def record_text(record: dict, body: str = "# 合同\n\n正文。\n") -> str:
    return "---\n" + yaml.safe_dump(record, allow_unicode=True, sort_keys=False) + "---\n" + body


def write_contract(repo: Path, record: dict, body: str | None = None) -> Path:
    year = record["code"].split("-")[1]
    folder = repo / "contracts" / year / record["code"]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "contract.md"
    path.write_text(record_text(record, body) if body is not None else record_text(record), "utf-8")
    return path


def make_repo(path: Path, records: list[dict], *, supplier: dict | None = None, rules_yaml: dict | None = None,
              git: bool = False, inspections: list[dict] | None = None) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "cctk.yaml", path / "cctk.yaml")
    shutil.copytree(ROOT / "policy", path / "policy", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    shutil.copytree(ROOT / "suppliers", path / "suppliers")
    if supplier:
        sup_path = path / "suppliers" / "91440303MA5F0A1B22.yaml"
        data = load_fast(sup_path.read_text("utf-8"))
        data.update(supplier)
        sup_path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    if rules_yaml is not None:
        (path / "policy" / "rules.yaml").write_text(yaml.safe_dump(rules_yaml, allow_unicode=True), "utf-8")
    for r in records:
        write_contract(path, r)
    for rec in inspections or []:          # inspections/<year>.yaml, as cctk inspect record writes them
        file = path / "inspections" / f"{str(rec['on'])[:4]}.yaml"
        file.parent.mkdir(exist_ok=True)
        data = load_fast(file.read_text("utf-8")) if file.exists() else {"records": []}
        data["records"].append(rec)
        file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    if git:
        git_run(path, "init", "-q", "-b", "main")
        git_run(path, "add", "-A")
        git_run(path, "commit", "-q", "-m", "fixture")
    return path


def git_run(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


def cases():
    """(code, kind, index, case) for every fixture case."""
    out = []
    for f in sorted(FIXTURES.glob("CC*.yaml")):
        data = load_fast(f.read_text("utf-8"))
        for kind in ("failing", "passing"):
            for i, case in enumerate(data.get(kind) or []):
                out.append((f.stem, kind, i, case))
    return out
