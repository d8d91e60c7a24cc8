"""Problem reports (问题反馈): contracts/<year>/<code>/feedback.yaml beside the record, one commit per
report or resolution (cctk.lifecycle.txn), shown on the contract and in alerts until resolved."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from cctk.i18n import register

register({
    "fb.text": ("a problem report needs a text (--text)", "问题反馈须填写内容（--text）"),
    "fb.severity": ("severity must be low, medium or high, not '{value}'", "严重程度须为 low、medium 或 high，而非“{value}”"),
    "fb.no_item": ("{code} has no problem report number {n}", "{code} 没有第 {n} 号问题反馈"),
    "fb.resolved": ("{code}: problem report {n} is already resolved", "{code}：第 {n} 号问题反馈已处理完毕"),
})

HEADER = "# Problem reports (问题反馈) met during performance. Written by cctk feedback.\n"
SEVERITIES = ("low", "medium", "high")


def read(root: Path, folder: str) -> list[dict]:
    file = Path(root) / folder / "feedback.yaml"
    if not file.is_file():
        return []
    return _parse(file.read_text("utf-8"))


def _parse(text: str) -> list[dict]:
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    items = data.get("items") if isinstance(data, dict) else None
    return [_norm(i) for i in items or [] if isinstance(i, dict)]


def _norm(v):
    if isinstance(v, dict):
        return {k: _norm(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_norm(x) for x in v]
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def load_all(root: Path, paths, rev: str | None = None) -> dict[str, list[dict]]:
    """contract code -> its problem reports, for every feedback.yaml among ``paths`` (snapshot.all_paths);
    at ``rev`` (a commit, as snapshot.rev) the files are read from git in one cat-file stream."""
    files = sorted(p for p in paths if p.startswith("contracts/") and p.endswith("/feedback.yaml") and p.count("/") == 3)
    if rev is None:
        texts = []
        for p in files:
            try:
                texts.append((p, (Path(root) / p).read_text("utf-8")))
            except OSError:
                continue
    elif files:
        from cctk.store import gitio
        with gitio.CatFile(Path(root)) as cat:
            texts = [(p, data.decode("utf-8")) for p, (_, data) in zip(files, cat.read_many([f"{rev}:{p}" for p in files]))
                     if data is not None]
    else:
        texts = []
    out = {}
    for p, text in texts:
        items = _parse(text)
        if items:
            out[p.split("/")[2]] = items
    return out


def add(root, code: str, text: str, *, severity: str = "medium", on=None, person: str | None = None,
        resolve: int | None = None, breach: bool = False) -> tuple[dict, str]:
    """Record a problem report, or resolve report ``resolve`` (1-based) with ``text``."""
    from cctk.lifecycle import txn
    from cctk.lifecycle.actions import contract_path
    from cctk.lifecycle.workflow import Refused, resolve_person
    from cctk.store.loader import load
    from cctk.supervision.policy import git_email

    root = Path(root).resolve()
    txn.recover(root)
    if not (text or "").strip():
        raise Refused("fb.text")
    if severity not in SEVERITIES:
        raise Refused("fb.severity", value=severity)
    snap = load(root, contracts="registers")
    who = resolve_person(snap.org, person, None if person else git_email(root))
    path = contract_path(root, code)
    folder = path.rsplit("/", 1)[0]
    file = root / folder / "feedback.yaml"
    original = file.read_bytes() if file.is_file() else None
    items = read(root, folder)
    as_of = snap.config.get("as_of")
    day = on if isinstance(on, dt.date) else dt.date.fromisoformat(str(on)) if on else (
        dt.date.fromisoformat(str(as_of)) if as_of else dt.date.today())
    if resolve is None:
        entry = {"n": len(items) + 1, "on": day.isoformat(), "by": who.id, "severity": severity,
                 "text": text.strip()}
        items.append(entry)
        subject, trailers = f"问题反馈 {code}：{text.strip().splitlines()[0][:40]}", {"Cctk-Feedback": str(entry["n"])}
    else:
        match = [i for i in items if i.get("n") == resolve]
        if not match:
            raise Refused("fb.no_item", code=code, n=resolve)
        entry = match[0]
        if entry.get("resolved"):
            raise Refused("fb.resolved", code=code, n=resolve)
        entry["resolved"] = {"on": day.isoformat(), "by": who.id, "text": text.strip()}
        if breach:
            entry["breach"] = True
        subject = f"问题反馈 {code}：第{resolve}号已处理" + ("（查实违约）" if breach else "")
        trailers = {"Cctk-Feedback": str(resolve), "Cctk-Resolved": "breach" if breach else "yes"}
    data = (HEADER + yaml.safe_dump({"contract": code, "items": items}, allow_unicode=True, sort_keys=False,
                                    width=120)).encode("utf-8")
    current = file.read_bytes() if file.is_file() else None
    if current != original:
        raise Refused("act.changed", path=f"{folder}/feedback.yaml")
    commit = txn.commit_files(root, {f"{folder}/feedback.yaml": data}, subject,
                              trailers={"Cctk-Action": "feedback", "Cctk-Contract": code, **trailers},
                              author=(who.name, who.email), action="feedback")
    return entry, commit
