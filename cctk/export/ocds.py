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
import hashlib
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


# --- release templates: the as_of-independent text of each release, cached per blob ----------------------
#
# A release depends on the evaluation date only through its id and date, and the status of milestones not
# yet met (notMet once their due date has passed, else scheduled) — as long as every recorded payment is
# counted, i.e. for dates on or after the last payment (``upto``). The release is built once with marker
# strings in those places, checked against the schema, serialised, and cut at the markers; an export
# fills the markers in. Before ``upto`` (a historical date) the release is built from the full record.

import re as _re  # noqa: E402

import msgspec  # noqa: E402

TEMPLATE_FORMAT = 1
_MARK = "\x00"
_TOKEN = _re.compile(r"\\u0000(D|T|M\d+)\\u0000")
STYLES = {"compact": ((",", ":"), "ocds_releases"), "spaced": ((", ", ": "), "ocds_releases_spaced")}


class Template(msgspec.Struct, array_like=True, gc=False):
    code: str
    publishable: bool
    secret_filed: bool                 # secret and filed: counted as withheld
    upto: dt.date | None = None
    pieces: list[str] = []             # literal, token, literal, token, …, literal
    dues: list[dt.date | None] = []    # due date of milestone token M<i>
    errors: list[str] = []             # schema errors of the release (paths inside the release)


_TENC = msgspec.msgpack.Encoder()
_TDEC_MANY = msgspec.msgpack.Decoder(list[Template | None])


def _release_text(rel: dict, style: str) -> str:
    return json.dumps(rel, ensure_ascii=False, separators=STYLES[style][0])


def template(c: Contract, snap, *, prefix: str, settings: dict, style: str = "compact", redactor=None,
             upto: dt.date | None = None, check: bool = True) -> Template:
    """``upto``: count payments made up to this day (default: all of them)."""
    from cctk.payments import schedule_state

    secret_filed = bool(c.secret and c.filing and c.filing.number)
    if not publishable(c):
        return Template(c.code, False, secret_filed)
    if upto is None:
        days = [p.on for p in c.payments if p.on]
        upto = max(days) if days else None
    rel = release(c, snap, prefix=prefix, as_of=upto or dt.date.min, settings=settings)
    errors: list[str] = []
    if check:
        try:
            _compiled()[1](rel)
        except Exception as exc:     # fastjsonschema.JsonSchemaException: explained in full
            errors = _explain(exc, rel, [], full=True) or [str(exc)]
    states = schedule_state(c, as_of=upto or dt.date.min, settings=settings)
    dues: list[dt.date | None] = []
    rel["id"] = f"{c.code}-{_MARK}D{_MARK}"
    rel["date"] = f"{_MARK}T{_MARK}"
    for m, s in zip(rel["contracts"][0].get("implementation", {}).get("milestones", []), states):
        if m["status"] != "met" and s.due is not None:
            m["status"] = f"{_MARK}M{len(dues)}{_MARK}"
            dues.append(s.due)
    text = _release_text(rel, style)
    parts = _TOKEN.split(text)
    if len(parts) != 2 * (2 + len(dues)) + 1 or any(_MARK in p for p in parts):
        raise ValueError(f"{c.code}: a record text holds the template marker")
    if redactor:
        parts = [redactor(p) if i % 2 == 0 else p for i, p in enumerate(parts)]
    return Template(c.code, True, secret_filed, upto, parts, dues, errors)


def render(t: Template, as_of: dt.date) -> str:
    day, stamp = as_of.isoformat(), _dt(as_of)
    out = []
    for i, p in enumerate(t.pieces):
        if i % 2 == 0:
            out.append(p)
        elif p == "D":
            out.append(day)
        elif p == "T":
            out.append(stamp)
        else:
            due = t.dues[int(p[1:])]
            out.append("notMet" if as_of > due else "scheduled")
    return "".join(out)


def template_version(snap, prefix: str, ps: dict, style: str, redactor) -> str:
    from cctk.model import workdays
    from cctk.payments import schedule
    from cctk.supervision import blobcache

    units = {code: u.name for code, u in sorted(snap.org.units.items())}
    schema = resources.files("cctk").joinpath(SCHEMA_DIR, "release-schema.json").read_bytes()
    mods = [__import__(__name__, fromlist=["x"]), schedule, workdays]
    if redactor is not None:
        mods.append(__import__(redactor.__module__, fromlist=["x"]))
    return blobcache.version_of("ocds", TEMPLATE_FORMAT, style, prefix, units, ps, blobcache.calendar_versions(),
                                hashlib.sha1(schema).hexdigest(), modules=mods)


_WORK: dict = {}          # what forked workers inherit (records, snapshot): no pickling


def _templates_chunk(start: int, end: int) -> list[bytes]:
    import gc
    gc.disable()    # no cycles are made; collections would rescan the inherited heap of records
    w = _WORK
    out = []
    for c in w["records"][start:end]:
        out.append(_TENC.encode(template(c, w["snap"], prefix=w["prefix"], settings=w["ps"], style=w["style"],
                                         redactor=w["redactor"], upto=w["upto"])))
    return out


def _make_templates(snap, records: list, *, prefix, ps, style, redactor, upto=None) -> list[bytes]:
    """Templates of ``records``, on both cores when there are many (forked workers share the records)."""
    import os

    import gc

    _WORK.update(records=records, snap=snap, prefix=prefix, ps=ps, style=style, redactor=redactor, upto=upto)
    was = gc.isenabled()
    gc.disable()
    try:
        _compiled()             # compiled once, before forking
        workers = min(2, os.cpu_count() or 1)
        if workers < 2 or len(records) < 800:
            return _templates_chunk(0, len(records))
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        step = 400
        with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork")) as pool:
            futures = [pool.submit(_templates_chunk, i, min(i + step, len(records)))
                       for i in range(0, len(records), step)]
            return [b for fut in futures for b in fut.result()]
    finally:
        _WORK.clear()
        if was:
            gc.enable()


def templates(snap, as_of: dt.date, *, prefix: str, settings: dict, style: str = "compact", redactor=None,
              use_cache: bool = True) -> list[Template]:
    """Templates of every contract of ``snap`` (full records, or loaded with contracts="summary": then read
    per blob from the cache and built from full records only for new blobs), in path order; templates of
    contracts paid after ``as_of`` are built as of that date."""
    from cctk.supervision import blobcache

    ps = settings
    if snap.contracts or not snap.files:
        items = [_TDEC_MANY.decode(b"\x91" + b) [0] for b in _make_templates(
            snap, list(snap.contracts), prefix=prefix, ps=ps, style=style, redactor=redactor, upto=as_of)]
        return [t for t in items if t is not None]
    paths, blob = blobcache.per_blob(
        snap, STYLES[style][1], template_version(snap, prefix, ps, style, redactor),
        lambda records: _make_templates(snap, records, prefix=prefix, ps=ps, style=style, redactor=redactor),
        _TENC.encode(None), use_cache=use_cache)
    out: list[Template] = []
    stale: list[tuple[int, str]] = []
    for p, t in zip(paths, _TDEC_MANY.decode(blob)):
        if t is None:
            continue
        if t.upto is not None and t.upto > as_of:
            stale.append((len(out), p))
        out.append(t)
    if stale:
        records = blobcache.records_for(snap, [p for _, p in stale])
        have = [(i, records[p]) for i, p in stale if p in records]
        made = _make_templates(snap, [c for _, c in have], prefix=prefix, ps=ps, style=style, redactor=redactor,
                               upto=as_of)
        for (i, _), b in zip(have, made):
            out[i] = _TDEC_MANY.decode(b"\x91" + b)[0]
    return out


def package_head(snap, *, as_of: dt.date, prefix: str, uri: str | None = None) -> dict:
    return {
        "uri": uri or f"https://example.invalid/cctk/{prefix}/release-package-{as_of.isoformat()}.json",
        "version": "1.1", "publishedDate": _dt(as_of),
        "publisher": {"name": snap.config.get("district") or "cctk"},
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "publicationPolicy": "https://example.invalid/cctk/publication-policy",
    }


def write_package(snap, out, *, as_of: dt.date, prefix: str | None = None, uri: str | None = None,
                  style: str = "compact", redactor=None, use_cache: bool = True,
                  check: bool = True) -> tuple[int, int, list[str]]:
    """Stream the release package to the binary file ``out`` (the text ``json.dumps(package(…))`` gives,
    with separators of ``style``); nothing is written when it is invalid. (releases, secret withheld,
    schema errors). Each release is checked against the schema when its template is made; the envelope
    and uniqueItems here."""
    import fastjsonschema

    from cctk.payments import payment_settings
    from cctk.rules.settings import settings as rule_settings

    prefix = prefix or snap.config.get("ocds_prefix") or DEFAULT_PREFIX
    ps = payment_settings(rule_settings(snap.policy))
    items = templates(snap, as_of, prefix=prefix, settings=ps, style=style, redactor=redactor, use_cache=use_cache)
    secret = sum(1 for t in items if t.secret_filed)
    pub = sorted((t for t in items if t.publishable), key=lambda t: t.code)
    if not pub:
        return 0, secret, ["releases: a release package needs at least one release / 发布包至少需要一条发布"]
    head = package_head(snap, as_of=as_of, prefix=prefix, uri=uri)
    errors: list[str] = []
    try:
        _envelope()({**head, "releases": [{}]})
    except fastjsonschema.JsonSchemaException as exc:
        return len(pub), secret, _explain(exc, head, [], full=False)
    failing = 0
    for i, t in enumerate(pub):
        if t.errors:
            failing += 1
            if failing <= 20:
                errors += [f"releases/{i}/{e}" for e in t.errors]
    if failing > 20:
        errors.append(f"… {failing - 20} more failing releases / 另有 {failing - 20} 条发布未通过")
    seen: dict[str, int] = {}
    for i, t in enumerate(pub):
        j = seen.setdefault(t.code, i)
        if j != i and render(pub[j], as_of) == render(t, as_of):
            errors.append(f"releases/{i}: same release as releases/{j} (uniqueItems)")
    if errors and check:
        return len(pub), secret, errors
    head_text = _release_text({**head, "releases": []}, style)
    if redactor:
        head_text = redactor(head_text)
    sep = STYLES[style][0][0]
    out.write(head_text[:-2].encode("utf-8"))      # without the closing "]}"
    for i in range(0, len(pub), 2000):
        chunk = sep.join([render(t, as_of) for t in pub[i:i + 2000]])
        out.write(((sep if i else "") + chunk).encode("utf-8"))
    out.write(b"]}")
    return len(pub), secret, errors


@lru_cache(maxsize=1)
def _envelope():
    import copy

    import fastjsonschema

    envelope = copy.deepcopy(_schemas()[1])
    envelope["properties"]["releases"] = {"type": "array", "minItems": 1}
    return fastjsonschema.compile(envelope)
