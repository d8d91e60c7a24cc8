"""Findings as JSON, SARIF 2.1.0, GitHub workflow commands and JUnit XML (text is drawn by the CLI)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter

from cctk import __version__, i18n
from cctk.model import Diagnostic, Severity
from cctk.rules.base import Rule
from cctk.rules.engine import Result

SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
INFO_URI = "https://github.com/luohu/cctk/blob/main/docs/rules.md"

i18n.register({
    "report.more": ("{count} more findings not annotated; see the step summary or run cctk check locally",
                    "另有 {count} 条问题未标注；请查看步骤摘要或在本地运行 cctk check"),
    "report.summary_title": ("cctk check", "cctk 检查"),
    "report.col_code": ("Code", "代码"), "report.col_rule": ("Rule", "规则"),
    "report.col_severity": ("Severity", "级别"), "report.col_count": ("Count", "数量"),
    "report.suppressed": ("suppressed", "已忽略"),
    "report.clean": ("No problems found in {files} contracts.", "{files} 份合同未发现问题。"),
})


def _rules_by_code(result: Result) -> dict[str, Rule]:
    return {r.code: r for r in result.rules}


def slug_of(result: Result, code: str) -> str:
    r = _rules_by_code(result).get(code)
    return r.slug if r else ""


# --- JSON ---------------------------------------------------------------------------------------

def to_json(result: Result) -> str:
    rules = _rules_by_code(result)
    items = []
    for d in result.diagnostics:
        item = d.to_json()
        item["rule"] = rules[d.code].slug if d.code in rules else None
        item["suppressed"] = None
        items.append(item)
    for s in result.suppressed:
        item = s.diagnostic.to_json()
        item["rule"] = rules[s.diagnostic.code].slug if s.diagnostic.code in rules else None
        item["suppressed"] = {"reason": s.reason}
        items.append(item)
    return json.dumps(items, ensure_ascii=False, indent=2)


# --- SARIF --------------------------------------------------------------------------------------

def _rule_descriptor(code: str, rule: Rule | None, sample: Diagnostic | None) -> dict:
    if rule is None:   # schema and reference checks of the loading layer
        text = sample.text("en") if sample else code
        return {"id": code, "name": code.lower(), "shortDescription": {"text": text},
                "defaultConfiguration": {"level": SARIF_LEVEL[sample.severity] if sample else "error"},
                "helpUri": INFO_URI}
    doc = rule.doc
    help_md = f"**{rule.code} {rule.slug}** — {rule.summary[0]} / {rule.summary[1]}"
    help_text = rule.summary[0]
    if doc:
        help_md += f"\n\n{doc.what}\n\n**Why.** {doc.why}\n\n**How to fix.** {doc.fix}"
        help_text += "\n" + doc.what + "\nFix: " + doc.fix
        for q in doc.legal:
            help_md += f"\n\n> {q.law} {q.article}{' (summary)' if q.summary else ''}：{q.text}"
    return {
        "id": rule.code, "name": rule.slug,
        "shortDescription": {"text": rule.summary[0]},
        "fullDescription": {"text": (doc.what if doc else rule.summary[0])},
        "help": {"text": help_text, "markdown": help_md},
        "helpUri": f"{INFO_URI}#{rule.code.lower()}-{rule.slug}",
        "defaultConfiguration": {"level": SARIF_LEVEL[rule.severity]},
        "properties": {"tags": [rule.scope, rule.origin], "summary_zh": rule.summary[1]},
    }


def to_sarif(result: Result, root_uri: str | None = None) -> str:
    rules = _rules_by_code(result)
    all_diags = list(result.diagnostics) + [s.diagnostic for s in result.suppressed]
    samples = {}
    for d in all_diags:
        samples.setdefault(d.code, d)
    codes = sorted(set(rules) | set(samples))
    index = {c: i for i, c in enumerate(codes)}
    descriptors = [_rule_descriptor(c, rules.get(c), samples.get(c)) for c in codes]

    def res(d: Diagnostic, reason: str | None = None) -> dict:
        region = {}
        if d.line:
            region["startLine"] = d.line
            if d.col:
                region["startColumn"] = d.col
        loc = {"physicalLocation": {"artifactLocation": {"uri": d.path, "uriBaseId": "%SRCROOT%"}}}
        if region:
            loc["physicalLocation"]["region"] = region
        out = {"ruleId": d.code, "ruleIndex": index[d.code], "level": SARIF_LEVEL[d.severity],
               "message": {"text": d.text()}, "locations": [loc],
               "properties": {"contract": d.contract, "field": d.field, "message_zh": d.text("zh"),
                              "message_en": d.text("en")}}
        if reason is not None:
            out["suppressions"] = [{"kind": "inSource", "justification": reason}]
        return out

    run = {
        "tool": {"driver": {"name": "cctk", "version": __version__, "informationUri": INFO_URI,
                            "rules": descriptors}},
        "results": [res(d) for d in result.diagnostics] + [res(s.diagnostic, s.reason) for s in result.suppressed],
        "columnKind": "unicodeCodePoints",
        "properties": {"as_of": result.as_of.isoformat(), "checked": result.checked},
    }
    if root_uri:
        run["originalUriBaseIds"] = {"%SRCROOT%": {"uri": root_uri}}
    return json.dumps({"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
                       "runs": [run]}, ensure_ascii=False, indent=2)


# --- GitHub Actions -------------------------------------------------------------------------------

def _esc_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _esc_prop(s: str) -> str:
    return _esc_data(s).replace(":", "%3A").replace(",", "%2C")


def to_github(result: Result, limit: int = 50) -> str:
    """Workflow commands, errors first, at most ``limit`` (GitHub shows few per step anyway)."""
    ordered = sorted(result.diagnostics, key=lambda d: (-d.severity, d.sort_key()))
    lines = []
    for d in ordered[:limit]:
        props = [f"file={_esc_prop(d.path)}"]
        if d.line:
            props.append(f"line={d.line}")
            if d.col:
                props.append(f"col={d.col}")
        slug = slug_of(result, d.code)
        props.append("title=" + _esc_prop(f"{d.code} {slug}".strip()))
        lines.append(f"::{GITHUB_LEVEL[d.severity]} {','.join(props)}::{_esc_data(d.text())}")
    if len(ordered) > limit:
        lines.append(f"::notice::{_esc_data(i18n.t('report.more', count=len(ordered) - limit))}")
    return "\n".join(lines)


def step_summary(result: Result) -> str:
    """A Markdown table for $GITHUB_STEP_SUMMARY."""
    counts = Counter((d.code, d.severity) for d in result.diagnostics)
    out = [f"## {i18n.t('report.summary_title')}", ""]
    if not counts and not result.suppressed:
        return "\n".join(out + [i18n.t("report.clean", files=result.checked), ""])
    out += [f"| {i18n.t('report.col_code')} | {i18n.t('report.col_rule')} | {i18n.t('report.col_severity')} | "
            f"{i18n.t('report.col_count')} |", "|---|---|---|---:|"]
    for (code, sev), n in sorted(counts.items(), key=lambda kv: (-kv[0][1], kv[0][0])):
        out.append(f"| {code} | {slug_of(result, code)} | {sev.label} | {n} |")
    sup = Counter(s.diagnostic.code for s in result.suppressed)
    for code, n in sorted(sup.items()):
        out.append(f"| {code} | {slug_of(result, code)} | {i18n.t('report.suppressed')} | {n} |")
    return "\n".join(out) + "\n"


# --- JUnit -------------------------------------------------------------------------------------

def to_junit(result: Result, paths: list[str]) -> str:
    """One test case per contract file checked (plus one per other file with findings)."""
    by_path: dict[str, list[Diagnostic]] = {}
    for d in result.diagnostics:
        by_path.setdefault(d.path, []).append(d)
    every = sorted(set(paths) | set(by_path))
    failures = sum(1 for p in every if any(d.severity >= Severity.WARNING for d in by_path.get(p, [])))
    suites = ET.Element("testsuites", name="cctk check", tests=str(len(every)), failures=str(failures))
    suite = ET.SubElement(suites, "testsuite", name="cctk check", tests=str(len(every)), failures=str(failures),
                          errors="0", skipped="0")
    for p in every:
        ds = by_path.get(p, [])
        contract = next((d.contract for d in ds if d.contract), None) or (p.split("/")[2] if p.count("/") == 3 else p)
        case = ET.SubElement(suite, "testcase", classname=contract, name=p)
        bad = [d for d in ds if d.severity >= Severity.WARNING]
        if bad:
            worst = max(d.severity for d in bad)
            f = ET.SubElement(case, "failure", type=worst.label,
                              message=f"{len(bad)} finding(s): " + ", ".join(sorted({d.code for d in bad})))
            f.text = "\n".join(f"{d.location()}: {d.code} {d.severity.label}: {d.text()}" for d in bad)
        notes = [d for d in ds if d.severity < Severity.WARNING]
        if notes:
            ET.SubElement(case, "system-out").text = "\n".join(f"{d.location()}: {d.code}: {d.text()}" for d in notes)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True)
