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
import shutil
import tempfile
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from cctk import __version__
from cctk.export.ocds import package, publishable
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


def publish(snap, target: Path, *, as_of: dt.date) -> dict:
    from cctk.payments import payment_settings, schedule_state
    from cctk.rules.settings import settings as rule_settings

    ps = payment_settings(rule_settings(snap.policy))     # once, not per contract
    target = Path(target).resolve()
    if target.exists() and any(target.iterdir()) and not (target / MARKER).exists():
        from cctk.lifecycle.workflow import Refused
        raise Refused("pub.target", path=str(target))
    env = _env()
    common = {"district": snap.config.get("district") or "", "version": __version__, "as_of": as_of.isoformat()}
    contracts = sorted((c for c in snap.contracts if publishable(c)), key=lambda c: c.code)
    secret = sum(1 for c in snap.contracts if c.secret and c.filing and c.filing.number)
    tmp = Path(tempfile.mkdtemp(prefix=".cctk-publish-", dir=target.parent))
    try:
        (tmp / "contracts").mkdir()
        (tmp / "data").mkdir()
        rows = []
        page = env.get_template("contract.html.j2")
        for c in contracts:
            row = _row(c, snap)
            rows.append(row)
            view = dict(row, amount_fmt=f"{c.amount:,.2f}", method=c.procurement_method or "", sme=c.counterparty.sme,
                        body=redact(c.body),
                        instalments=[{"id": s.id, "trigger": s.trigger, "due": s.due.isoformat() if s.due else None,
                                      "value": f"{s.value:,.2f}", "paid": f"{s.paid:,.2f}", "status": s.status}
                                     for s in schedule_state(c, as_of=as_of, settings=ps)],
                        amendments=[{"id": a.id, "title": redact(a.title), "change": f"{a.amount_change:+,.2f}",
                                     "signed": a.signed.isoformat() if a.signed else ""}
                                    for a in c.amendments if a.status == "signed"])
            (tmp / "contracts" / f"{c.code}.html").write_text(page.render(c=view, **common), "utf-8")
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
            pkg, _ = package(snap, as_of=as_of)
            text = json.dumps(pkg, ensure_ascii=False)
            (tmp / "data" / "ocds-release-package.json").write_text(redact(text), "utf-8")
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
