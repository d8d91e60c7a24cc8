"""``cctk publish DIR``: the static public register — index with client-side search, one page per contract,
CSV / JSON / OCDS downloads — built with Jinja2 (autoescaped) from filed, non-secret contracts, with personal
data redacted (redact.py). Written to a temporary folder beside DIR and swapped in, so a failure leaves
DIR as it was."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import msgspec
from jinja2 import Environment, PackageLoader, select_autoescape

from cctk import __version__
from cctk.export.ocds import publishable
from cctk.export.redact import redact
from cctk.i18n import register

register({
    "pub.target": ("{path} exists and is not a register written by cctk publish; choose an empty or new folder",
                   "{path} 已存在且不是 cctk publish 生成的目录；请选择空目录或新目录"),
})

MARKER = ".cctk-register"
CSV_COLUMNS = ("code", "title", "unit", "unit_name", "supplier", "credit_code", "amount", "currency", "signed",
               "start", "end", "filing_number", "filed_on", "status", "category", "procurement_method")


def _env() -> Environment:
    return Environment(loader=PackageLoader("cctk", "data/publish"), autoescape=select_autoescape(["html", "j2"]),
                       trim_blocks=False)


def _row(c, snap) -> dict:
    unit = snap.org.units.get(c.unit)
    d = c.dates
    iso = lambda k: d[k].isoformat() if d.get(k) else ""  # noqa: E731
    row = {
        "code": c.code, "title": redact(c.title), "unit": c.unit, "unit_name": unit.name if unit else c.unit,
        "supplier": redact(c.counterparty.name), "credit_code": c.counterparty.credit_code,
        "amount": f"{c.amount:.2f}", "currency": c.currency, "signed": iso("signed"), "start": iso("start"),
        "end": iso("end"), "filing_number": c.filing.number, "filed_on": c.filing.on.isoformat() if c.filing.on else "",
        "status": c.status, "category": c.category, "procurement_method": c.procurement_method or "",
    }
    return row


# --- page templates: each contract page rendered once per record (blob), the evaluation date left open -----
# A page depends on the date only through the footer's date and the status (due / overdue) of instalments
# not paid, once every recorded payment is counted (dates on or after the last payment, ``upto``). Pages are
# rendered with markers there, redacted, cut at the markers and cached; a run fills the markers in.

PAGE_FORMAT = 1
_MARK = "\x00"
_TOKEN = re.compile("\x00(A|S\\d+)\x00")


class Page(msgspec.Struct, array_like=True, gc=False):
    code: str
    publishable: bool
    secret_filed: bool
    upto: dt.date | None = None
    row: dict[str, str | None] = {}
    pieces: list[str] = []
    dues: list[dt.date | None] = []


_PENC = msgspec.msgpack.Encoder()
_PDEC_MANY = msgspec.msgpack.Decoder(list[Page | None])


def page_template(c, snap, env, *, ps: dict, common: dict, upto: dt.date | None = None) -> Page:
    from cctk.payments import schedule_state

    secret_filed = bool(c.secret and c.filing and c.filing.number)
    if not publishable(c):
        return Page(c.code, False, secret_filed)
    if upto is None:
        days = [p.on for p in c.payments if p.on]
        upto = max(days) if days else None
    dues: list[dt.date | None] = []
    instalments = []
    for st in schedule_state(c, as_of=upto or dt.date.min, settings=ps):
        status = st.status
        if status in ("due", "overdue"):
            status = f"{_MARK}S{len(dues)}{_MARK}"
            dues.append(st.due)
        instalments.append({"id": st.id, "trigger": st.trigger, "due": st.due.isoformat() if st.due else None,
                            "value": f"{st.value:,.2f}", "paid": f"{st.paid:,.2f}", "status": status})
    row = _row(c, snap)
    view = dict(row, amount_fmt=f"{c.amount:,.2f}", method=c.procurement_method or "", sme=c.counterparty.sme,
                body=redact(c.body), instalments=instalments,
                amendments=[{"id": a.id, "title": redact(a.title), "change": f"{a.amount_change:+,.2f}",
                             "signed": a.signed.isoformat() if a.signed else ""}
                            for a in c.amendments if a.status == "signed"])
    text = env.get_template("contract.html.j2").render(c=view, **dict(common, as_of=f"{_MARK}A{_MARK}"))
    parts = _TOKEN.split(text)
    tokens = parts[1::2]
    if any(_MARK in p for p in parts[0::2]) or sorted(t for t in tokens if t != "A") != sorted(
            f"S{i}" for i in range(len(dues))):
        raise ValueError(f"{c.code}: the record text holds the page template marker")
    return Page(c.code, True, secret_filed, upto, row, parts, dues)


def fill(page: Page, as_of: dt.date) -> str:
    day = as_of.isoformat()
    out = []
    for i, p in enumerate(page.pieces):
        if i % 2 == 0:
            out.append(p)
        elif p == "A":
            out.append(day)
        else:
            out.append("overdue" if as_of > page.dues[int(p[1:])] else "due")
    return "".join(out)


_WORK: dict = {}


def _pages_chunk(start: int, end: int) -> list[bytes]:
    import gc
    gc.disable()
    w = _WORK
    return [_PENC.encode(page_template(c, w["snap"], w["env"], ps=w["ps"], common=w["common"], upto=w["upto"]))
            for c in w["records"][start:end]]


def _make_pages(snap, records, *, env, ps, common, upto=None) -> list[bytes]:
    import gc
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    _WORK.update(records=records, snap=snap, env=env, ps=ps, common=common, upto=upto)
    was = gc.isenabled()
    gc.disable()
    try:
        env.get_template("contract.html.j2")
        if (os.cpu_count() or 1) < 2 or len(records) < 400:
            return _pages_chunk(0, len(records))
        step = 200
        with ProcessPoolExecutor(max_workers=2, mp_context=mp.get_context("fork")) as pool:
            futures = [pool.submit(_pages_chunk, i, min(i + step, len(records))) for i in range(0, len(records), step)]
            return [b for fut in futures for b in fut.result()]
    finally:
        _WORK.clear()
        if was:
            gc.enable()


def pages(snap, as_of: dt.date, *, env, ps: dict, common: dict, use_cache: bool = True) -> list[Page]:
    """Page templates of every contract (path order): from full records, or — for a snapshot loaded with
    contracts="summary" — per blob from the cache (register_pages), rendering only new blobs."""
    from cctk.supervision import blobcache

    if snap.contracts or not snap.files:
        return [p for p in _PDEC_MANY.decode(b"".join([b"\xdd", len(snap.contracts).to_bytes(4, "big"), *_make_pages(
            snap, list(snap.contracts), env=env, ps=ps, common=common, upto=as_of)])) if p is not None]
    from cctk.model import workdays
    from cctk.payments import schedule

    version = blobcache.version_of("pages", PAGE_FORMAT, {k: v for k, v in common.items() if k != "as_of"}, ps,
                                   {code: u.name for code, u in sorted(snap.org.units.items())},
                                   [_env_source(env, n) for n in ("base.html.j2", "contract.html.j2")],
                                   modules=(__import__(__name__, fromlist=["x"]), schedule, workdays,
                                            __import__("cctk.export.redact", fromlist=["x"])))
    paths, blob = blobcache.per_blob(
        snap, "register_pages", version, lambda records: _make_pages(snap, records, env=env, ps=ps, common=common),
        _PENC.encode(None), use_cache=use_cache)
    out: list[Page] = []
    stale: list[tuple[int, str]] = []
    for p, page in zip(paths, _PDEC_MANY.decode(blob)):
        if page is None:
            continue
        if page.upto is not None and page.upto > as_of:
            stale.append((len(out), p))
        out.append(page)
    if stale:
        records = blobcache.records_for(snap, [p for _, p in stale])
        have = [(i, records[p]) for i, p in stale if p in records]
        made = _make_pages(snap, [c for _, c in have], env=env, ps=ps, common=common, upto=as_of)
        for (i, _), b in zip(have, made):
            out[i] = _PDEC_MANY.decode(b"\x91" + b)[0]
    return out


def _env_source(env, name: str) -> str:
    return env.loader.get_source(env, name)[0]


def publish(snap, target: Path, *, as_of: dt.date, use_cache: bool = True) -> dict:
    """``snap``: full records, or loaded with contracts="summary" (pages and OCDS releases then come from
    the per-blob caches)."""
    from cctk.export.ocds import write_package
    from cctk.payments import payment_settings
    from cctk.rules.settings import settings as rule_settings

    ps = payment_settings(rule_settings(snap.policy))     # once, not per contract
    target = Path(target).resolve()
    if target.exists() and any(target.iterdir()) and not (target / MARKER).exists():
        from cctk.lifecycle.workflow import Refused
        raise Refused("pub.target", path=str(target))
    env = _env()
    common = {"district": snap.config.get("district") or "", "version": __version__, "as_of": as_of.isoformat()}
    items = pages(snap, as_of, env=env, ps=ps, common=common, use_cache=use_cache)
    secret = sum(1 for p in items if p.secret_filed)
    contracts = sorted((p for p in items if p.publishable), key=lambda p: p.code)
    tmp = Path(tempfile.mkdtemp(prefix=".cctk-publish-", dir=target.parent))
    try:
        (tmp / "contracts").mkdir()
        (tmp / "data").mkdir()
        rows = []
        folder = tmp / "contracts"
        for p in contracts:
            rows.append(p.row)
            with open(folder / f"{p.code}.html", "w", encoding="utf-8") as fh:
                fh.write(fill(p, as_of))
        index_rows = [dict(r, amount_fmt=f"{float(r['amount']):,.2f}",
                           search=" ".join([r["code"], r["title"], r["unit"], r["unit_name"], r["supplier"],
                                            r["credit_code"], r["filing_number"] or ""]).lower()) for r in rows]
        (tmp / "index.html").write_text(env.get_template("index.html.j2").render(rows=index_rows, secret=secret,
                                                                                  **common), "utf-8")
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        (tmp / "data" / "contracts.csv").write_text(buf.getvalue(), "utf-8-sig")   # BOM: Excel opens UTF-8 CSV right
        (tmp / "data" / "contracts.json").write_text(json.dumps(
            {"as_of": as_of.isoformat(), "published": len(rows), "secret_withheld": secret, "contracts": rows},
            ensure_ascii=False, indent=1), "utf-8")
        if contracts:
            with open(tmp / "data" / "ocds-release-package.json", "wb") as fh:
                write_package(snap, fh, as_of=as_of, style="spaced", redactor=redact, use_cache=use_cache, check=False)
        (tmp / MARKER).write_text(f"cctk {__version__} {as_of.isoformat()}\n", "utf-8")
        old = None
        if target.exists():
            old = target.parent / f".cctk-old-{os.getpid()}-{target.name}"
            os.replace(target, old)
        os.replace(tmp, target)
        if old:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {"published": len(rows), "secret_withheld": secret, "dir": str(target)}
