"""Inspection records: inspections/<year>.yaml holds the year's saved sample and every inspection
recorded (the year of the inspection date). Each change is one commit with trailers, made by the
lifecycle's transaction machinery (cctk.lifecycle.txn)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import yaml

from cctk.i18n import register
from cctk.supervision.policy import policy_section

register({
    "insp.kind": ("kind must be one of {kinds}, not '{value}'", "检查类型须为 {kinds} 之一，而非“{value}”"),
    "insp.result": ("result must be pass or fail, not '{value}'", "检查结论须为 pass 或 fail，而非“{value}”"),
    "insp.findings": ("a failed inspection needs its findings (--findings)", "检查不合格须写明发现的问题（--findings）"),
    "insp.state": ("{code} is '{status}': only a signed contract can be inspected", "{code} 状态为“{status}”：仅已签订的合同可检查"),
    "insp.file": ("{path} is not a valid inspections file: {detail}", "{path} 不是有效的检查记录文件：{detail}"),
    "insp.sample_saved": ("the {year} sample is already saved in {path} (seed {seed}); a saved draw is not redrawn",
                          "{year} 年抽检样本已保存于 {path}（种子 {seed}）；已保存的抽样不可重抽"),
})

HEADER = "# Performance inspections (履约检查): the year's sample and the inspections recorded. Written by cctk.\n"


def _path(year: int) -> str:
    return f"inspections/{year}.yaml"


def read_year(root: Path, year: int) -> dict:
    file = Path(root) / _path(year)
    if not file.is_file():
        return {"year": year, "records": []}
    try:
        data = yaml.safe_load(file.read_text("utf-8")) or {}
    except yaml.YAMLError as exc:
        from cctk.lifecycle.workflow import Refused
        raise Refused("insp.file", path=_path(year), detail=str(exc).splitlines()[0]) from None
    if not isinstance(data, dict):
        from cctk.lifecycle.workflow import Refused
        raise Refused("insp.file", path=_path(year), detail="not a mapping / 不是映射")
    data.setdefault("records", [])
    return data


def load_records(root: Path, rev: str | None = None) -> list[dict]:
    """Every inspection record of every year, oldest first (dates as ISO strings); at ``rev`` (a commit)
    the files are read from git (one ls-tree and one cat-file stream, as the record loader does)."""
    out = []
    for _, text in _year_files(Path(root), rev):
        try:
            data = yaml.load(text, Loader=_LOADER) or {}
        except yaml.YAMLError:
            continue
        for rec in (data.get("records") or []) if isinstance(data, dict) else []:
            if isinstance(rec, dict):
                out.append({k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in rec.items()})
    return out


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)     # libyaml when present: thousands of records a year


def _year_files(root: Path, rev: str | None) -> list[tuple[str, str]]:
    """(path, text) of inspections/*.yaml, sorted, from the work tree or from ``rev``."""
    if rev is None:
        folder = root / "inspections"
        if not folder.is_dir():
            return []
        return [(f"inspections/{f.name}", f.read_text("utf-8")) for f in sorted(folder.glob("*.yaml"))]
    from cctk.store import gitio
    entries = sorted((path, oid) for path, oid, _ in gitio.ls_tree(root, rev, ["inspections"])
                     if path.endswith(".yaml") and path.count("/") == 1)
    if not entries:
        return []
    with gitio.CatFile(root) as cat:
        blobs = [data for _, data in cat.read_many([oid for _, oid in entries])]
    return [(path, data.decode("utf-8")) for (path, _), data in zip(entries, blobs) if data is not None]


def _dump(data: dict) -> bytes:
    def norm(v):
        if isinstance(v, dict):
            return {k: norm(x) for k, x in v.items()}
        if isinstance(v, list):
            return [norm(x) for x in v]
        if isinstance(v, (dt.date, Decimal)):
            return str(v)
        return v
    return (HEADER + yaml.safe_dump(norm(data), allow_unicode=True, sort_keys=False, width=120)).encode("utf-8")


def _commit(root: Path, year: int, data: dict, original: bytes | None, subject: str, person, trailers: dict) -> str:
    from cctk.lifecycle import txn
    from cctk.lifecycle.workflow import Refused

    file = root / _path(year)
    current = file.read_bytes() if file.is_file() else None
    if current != original:                      # hash-guarded save
        raise Refused("act.changed", path=_path(year))
    return txn.commit_files(root, {_path(year): _dump(data)}, subject, trailers=trailers,
                            author=(person.name, person.email), action=trailers.get("Cctk-Action", ""))


def _who(root, snap, person_id):
    from cctk.supervision.policy import git_email, person_with_role
    roles = policy_section(snap.policy, "inspections").get("recorders") or ["inspector"]
    return person_with_role(snap.org, person_id, None if person_id else git_email(root), roles)


def save_sample(root, sample, *, person: str | None = None) -> str:
    from cctk.lifecycle import txn
    from cctk.lifecycle.workflow import Refused
    from cctk.store.loader import load

    root = Path(root).resolve()
    txn.recover(root)
    snap = load(root, contracts="registers")
    who = _who(root, snap, person)
    file = root / _path(sample.year)
    original = file.read_bytes() if file.is_file() else None
    data = read_year(root, sample.year)
    if data.get("sample"):
        raise Refused("insp.sample_saved", year=sample.year, path=_path(sample.year), seed=data["sample"].get("seed"))
    js = sample.to_json()
    data = {"year": sample.year, "sample": {k: js[k] for k in ("algorithm", "seed", "seed_source", "rate",
                                                               "population", "size", "codes")},
            "records": data.get("records") or []}
    return _commit(root, sample.year, data, original, f"履约检查抽样 {sample.year}：{sample.size} 份", who,
                   {"Cctk-Action": "inspect-sample", "Cctk-Year": str(sample.year), "Cctk-Seed": sample.seed})


def record(root, code: str, *, kind: str, result: str, findings: str = "", on=None,
           person: str | None = None) -> tuple[dict, str]:
    from cctk.lifecycle import txn
    from cctk.lifecycle.actions import contract_path
    from cctk.lifecycle.workflow import Refused
    from cctk.store.loader import load
    from cctk.store.records import parse_contract

    root = Path(root).resolve()
    txn.recover(root)
    snap = load(root, contracts="registers")
    pol = policy_section(snap.policy, "inspections")
    kinds = pol.get("kinds") or ["performance", "platform", "third-party", "self"]
    if kind not in kinds:
        raise Refused("insp.kind", kinds=", ".join(kinds), value=kind)
    if result not in ("pass", "fail"):
        raise Refused("insp.result", value=result)
    if result == "fail" and not (findings or "").strip():
        raise Refused("insp.findings")
    who = _who(root, snap, person)
    path = contract_path(root, code)
    contract, _ = parse_contract(path, (root / path).read_bytes())
    if contract is None or not contract.dates.get("signed") or contract.status in ("drafting", "review", "approved"):
        raise Refused("insp.state", code=code, status=contract.status if contract else "?")
    as_of = snap.config.get("as_of")
    day = on if isinstance(on, dt.date) else dt.date.fromisoformat(str(on)) if on else (
        dt.date.fromisoformat(str(as_of)) if as_of else dt.date.today())
    if day < contract.dates["signed"]:
        raise Refused("act.date_before", what="inspection / 检查", on=day.isoformat(),
                      signed=contract.dates["signed"].isoformat())
    file = root / _path(day.year)
    original = file.read_bytes() if file.is_file() else None
    data = read_year(root, day.year)
    n = len(data["records"]) + 1
    sampled = code in ((data.get("sample") or {}).get("codes") or [])
    entry = {"id": f"{day.year}-{n:03d}", "contract": code, "kind": kind, "result": result,
             "findings": (findings or "").strip(), "on": day.isoformat(), "by": who.id, "sampled": sampled}
    data["records"].append(entry)
    commit = _commit(root, day.year, data, original, f"履约检查 {code}：{'合格' if result == 'pass' else '不合格'}", who,
                     {"Cctk-Action": "inspect", "Cctk-Contract": code, "Cctk-Inspection": entry["id"],
                      "Cctk-Result": result})
    return entry, commit


def report(snap, year: int, records: list[dict], sample: dict | None) -> dict:
    """Coverage and results of the year's inspections (plain data; the CLI and the yearly report print it)."""
    from cctk.inspections.sample import population

    pop = population(snap.contracts, year, snap.policy)
    recs = [r for r in records if str(r.get("on", ""))[:4] == str(year)]
    codes = set((sample or {}).get("codes") or [])
    inspected = {r["contract"] for r in recs}
    by_kind: dict[str, dict[str, int]] = {}
    for r in recs:
        slot = by_kind.setdefault(r.get("kind", "?"), {"pass": 0, "fail": 0})
        slot[r.get("result", "fail")] = slot.get(r.get("result", "fail"), 0) + 1
    units = {c.unit for c in pop}
    units_inspected = {c.unit for c in pop if c.code in inspected}
    by_code = {c.code: c for c in snap.contracts}
    failures = [{**r, "unit": by_code[r["contract"]].unit if r["contract"] in by_code else None,
                 "supplier": by_code[r["contract"]].supplier if r["contract"] in by_code else None}
                for r in recs if r.get("result") == "fail"]
    return {
        "year": year, "population": len(pop), "sample_size": len(codes), "seed": (sample or {}).get("seed"),
        "rate": (sample or {}).get("rate"), "inspected": len(inspected), "records": len(recs),
        "sample_done": len(codes & inspected), "sample_pending": sorted(codes - inspected),
        "coverage": f"{(Decimal(len(inspected)) / len(pop) * 100).quantize(Decimal('0.1'))}%" if pop else "0.0%",
        "units_total": len(units), "units_inspected": len(units_inspected), "by_kind": by_kind,
        "passed": sum(1 for r in recs if r.get("result") == "pass"), "failed": len(failures), "failures": failures,
    }
