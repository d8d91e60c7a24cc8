"""Filed contracts as an OCDS 1.1 release package, validated against the official 1.1.5 schema shipped in
cctk/data/ocds-1.1.5/ (Apache 2.0, see SOURCE.md there).

Mapping (docs/supervision.md, "OCDS"): one ``contract`` release per filed, non-secret contract;
ocid ``<prefix>-<code>``; the budget unit is the buyer party, the counterparty the supplier party
(identifier scheme CN-USCC, the unified social credit code); contracts[0] carries value, period, dateSigned,
the signed-scan document, amendments (supplementary agreements) and implementation — transactions (payments)
and milestones (one per instalment, type financing, status met / notMet / scheduled).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from functools import lru_cache
from importlib import resources

from cctk.model import Contract

SCHEMA_DIR = "data/ocds-1.1.5"
RELEASE_URI = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
DEFAULT_PREFIX = "ocds-lhcctk"
TZ = "+08:00"


@lru_cache(maxsize=8192)            # a few thousand distinct days serve every release
def _dt(day: dt.date | None) -> str | None:
    return f"{day.isoformat()}T00:00:00{TZ}" if day else None


def _value(amount: Decimal, currency: str = "CNY") -> dict:
    # OCDS amounts are JSON numbers; float() of a 2-decimal Decimal prints back the same digits (≤ 15 significant).
    return {"amount": float(amount), "currency": currency}


def _status(c: Contract) -> str:
    if c.status == "terminated":
        return "terminated"
    return "active"


def publishable(c: Contract) -> bool:
    return bool(c.filing and c.filing.number) and not c.secret


def release(c: Contract, snap, *, prefix: str = DEFAULT_PREFIX, as_of: dt.date | None = None,
            settings: dict | None = None) -> dict:
    """``settings``: payment_settings() computed once by the caller (package does) rather than per release."""
    from cctk.payments import schedule_state

    unit = snap.org.units.get(c.unit)
    buyer = {"id": f"CN-LH-{c.unit}", "name": unit.name if unit else c.unit}
    supplier = {"id": f"CN-USCC-{c.counterparty.credit_code}", "name": c.counterparty.name}
    parties = [
        {**buyer, "roles": ["buyer", "payer"], "identifier": {"scheme": "CN-LH-UNIT", "id": c.unit,
                                                                "legalName": buyer["name"]}},
        {**supplier, "roles": ["supplier", "payee"], "identifier": {"scheme": "CN-USCC", "id": c.counterparty.credit_code,
                                                                     "legalName": c.counterparty.name},
         **({"details": {"scale": "sme"}} if c.counterparty.sme else {})},
    ]
    signed = c.dates.get("signed")
    award_id = f"{c.code}-award"
    contract = {
        "id": c.code, "awardID": award_id, "title": c.title, "status": _status(c),
        "value": _value(c.amount, c.currency), "dateSigned": _dt(signed),
    }
    period = {k: v for k, v in (("startDate", _dt(c.dates.get("start") or signed)), ("endDate", _dt(c.dates.get("end"))))
              if v}
    if period:
        contract["period"] = period
    docs = [{"id": f"{c.code}-text", "documentType": "contractText", "title": c.title, "format": "text/markdown",
             "language": "zh"}]
    for i, a in enumerate(c.attachments):
        if a.kind == "signed-scan":
            docs.append({"id": f"{c.code}-scan-{i + 1}", "documentType": "contractSigned", "title": a.path,
                         "format": "application/pdf"})
    contract["documents"] = docs
    amends = [{"id": a.id, "date": _dt(a.signed), "rationale": a.title,
               "description": f"amount change {a.amount_change:+.2f} CNY"}
              for a in c.amendments if a.status == "signed"]
    if amends:
        contract["amendments"] = [{k: v for k, v in a.items() if v is not None} for a in amends]
    transactions = [{"id": f"{c.code}-pay-{i + 1}", "date": _dt(p.on), "value": _value(p.amount),
                     "payer": buyer, "payee": supplier} for i, p in enumerate(c.payments)]
    milestones = []
    for s in schedule_state(c, as_of=as_of or dt.date.today(), settings=settings):
        status = {"paid": "met", "paid-late": "met", "overdue": "notMet"}.get(s.status, "scheduled")
        m = {"id": f"{c.code}-instalment-{s.id}", "title": f"Instalment {s.id} / 第{s.id}期付款", "type": "financing",
             "status": status, "value": _value(s.value)}
        if s.due:
            m["dueDate"] = _dt(s.due)
        if s.paid_on and status == "met":
            m["dateMet"] = _dt(s.paid_on)
        milestones.append(m)
    impl = {}
    if transactions:
        impl["transactions"] = transactions
    if milestones:
        impl["milestones"] = milestones
    if impl:
        contract["implementation"] = impl
    day = (c.filing.on if c.filing else None) or signed
    return {
        "ocid": f"{prefix}-{c.code}", "id": f"{c.code}-{(as_of or day).isoformat()}", "date": _dt(as_of or day),
        "tag": ["contract", "implementation"] if impl else ["contract"], "initiationType": "tender",
        "language": "zh", "parties": parties, "buyer": buyer,
        "awards": [{"id": award_id, "status": "active", "value": _value(c.amount, c.currency), "suppliers": [supplier],
                    **({"date": _dt(c.dates["award"])} if c.dates.get("award") else {})}],
        "contracts": [contract],
    }


def package(snap, *, as_of: dt.date, prefix: str | None = None, uri: str | None = None) -> tuple[dict, int]:
    """(release package, number of secret contracts left out)."""
    prefix = prefix or snap.config.get("ocds_prefix") or DEFAULT_PREFIX
    secret = sum(1 for c in snap.contracts if c.secret and c.filing and c.filing.number)
    from cctk.payments import payment_settings
    from cctk.rules.settings import settings as rule_settings

    ps = payment_settings(rule_settings(snap.policy))
    releases = [release(c, snap, prefix=prefix, as_of=as_of, settings=ps)
                for c in sorted(snap.contracts, key=lambda c: c.code) if publishable(c)]
    pkg = {
        "uri": uri or f"https://example.invalid/cctk/{prefix}/release-package-{as_of.isoformat()}.json",
        "version": "1.1", "publishedDate": _dt(as_of),
        "publisher": {"name": snap.config.get("district") or "cctk"},
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "publicationPolicy": "https://example.invalid/cctk/publication-policy",
        "releases": releases,
    }
    return pkg, secret


@lru_cache(maxsize=1)
def _schemas() -> tuple[dict, dict]:
    base = resources.files("cctk").joinpath(SCHEMA_DIR)
    return (json.loads(base.joinpath("release-schema.json").read_text("utf-8")),
            json.loads(base.joinpath("release-package-schema.json").read_text("utf-8")))


@lru_cache(maxsize=1)
def _compiled():
    """(envelope, release) validators compiled to Python by fastjsonschema (about 1 s, once). Checking one
    release at a time is ~100× faster than one jsonschema pass over the package, whose ``uniqueItems`` on
    ``releases`` compares every release with every other (quadratic: minutes at 100,000 contracts); the
    envelope is the package schema with ``releases`` reduced to a non-empty array."""
    import copy

    import fastjsonschema

    release_schema, package_schema = _schemas()
    envelope = copy.deepcopy(package_schema)
    envelope["properties"]["releases"] = {"type": "array", "minItems": 1}
    return fastjsonschema.compile(envelope), fastjsonschema.compile(release_schema)


@lru_cache(maxsize=1)
def _explainer():
    """jsonschema over one release: lists every error of a release the compiled check rejected."""
    import jsonschema
    return jsonschema.Draft4Validator(_schemas()[0], format_checker=jsonschema.FormatChecker())


def _explain(exc, instance, prefix: list, full: bool) -> list[str]:
    found = []
    if full:
        errors = sorted(_explainer().iter_errors(instance), key=lambda e: list(e.absolute_path))
        found = ["/".join(str(p) for p in prefix + list(e.absolute_path)) + f": {e.message}" for e in errors]
    if not found:   # fastjsonschema checks formats (date-time, uri) that jsonschema skips without extra packages
        path = [str(p).split("[")[0] for p in (getattr(exc, "path", None) or ["data"])[1:]]
        message = str(getattr(exc, "message", exc)).removeprefix(str(getattr(exc, "name", "")) + " ")
        found = ["/".join(prefix + path) + f": {message}"]
    return found


def validate(pkg: dict, *, limit: int = 20) -> list[str]:
    """Schema errors as 'path: message' lines (empty when valid).

    The envelope and every release are checked with the compiled schemas; ``uniqueItems`` on releases by
    their (ocid, id) — two releases alike in everything are alike in those — so the whole stays linear.
    Up to ``limit`` failing releases are explained in full by jsonschema."""
    import fastjsonschema

    releases = pkg.get("releases") if isinstance(pkg, dict) else None
    if not releases:
        return ["releases: a release package needs at least one release / 发布包至少需要一条发布"]
    envelope, check = _compiled()
    try:
        envelope(pkg)
    except fastjsonschema.JsonSchemaException as exc:
        return _explain(exc, pkg, [], full=False)
    out: list[str] = []
    seen: dict[tuple, int] = {}
    failing = 0
    for i, r in enumerate(releases):
        try:
            check(r)
        except fastjsonschema.JsonSchemaException as exc:
            failing += 1
            if failing <= limit:
                out += _explain(exc, r, ["releases", str(i)], full=True)
            continue
        key = (r.get("ocid"), r.get("id"))
        if key in seen and releases[seen[key]] == r:
            out.append(f"releases/{i}: same release as releases/{seen[key]} (uniqueItems)")
        seen.setdefault(key, i)
    if failing > limit:
        out.append(f"… {failing - limit} more failing releases / 另有 {failing - limit} 条发布未通过")
    return out
