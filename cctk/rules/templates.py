"""How a contract's text deviates from its model text (CC601).

The model texts live in cctk.render.templates (a sibling domain module; the import-linter layer lists
the domain modules with ':' so this import is allowed). It is imported lazily, inside the check, and
only for contracts that name a template: ``cctk check`` on records without one never loads Jinja2.
Findings depend on the record and the template version it names; released template versions are
immutable (a changed text is a new version), so the per-blob rule cache stays correct.
"""

from __future__ import annotations

from pathlib import Path

from cctk.model import Severity
from cctk.rules.base import Doc, Quote, Rule, rule

MAX_SHOWN = 60      # characters of the first changed line shown in the message

_roots: dict[str, Path | None] = {}


def _root(ctx) -> Path | None:
    """The repository whose templates/ win over the shipped ones: the context's, else the one holding
    the working directory (how `cctk check` is run)."""
    root = getattr(ctx, "root", None)
    if root is not None:
        return Path(root)
    cwd = str(Path.cwd())
    if cwd not in _roots:
        here = Path(cwd)
        _roots[cwd] = next((p for p in (here, *here.parents) if (p / "cctk.yaml").is_file()), None)
    return _roots[cwd]


def _first_change(diff: list[str]) -> str:
    """The first line the contract has that the model text has not (else the first one it lacks)."""
    for sign in "+-":
        for line in diff:
            if line[:1] == sign and not line.startswith(("+++", "---")) and line[1:].strip():
                text = line[1:].strip()
                return sign + " " + (text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…")
    return ""


@rule
class TemplateDeviation(Rule):
    code, slug, severity = "CC601", "template-deviation", Severity.WARNING
    summary = ("Contract text deviates from the model text (示范文本) version it was drawn from",
               "合同文本与其所依据的示范文本版本不一致")
    messages = {
        "main": ("text deviates from model text {template}: {added} line(s) added, {removed} removed in {hunks} "
                 "place(s); first change: {first}",
                 "文本与示范文本 {template} 不一致：增加 {added} 行，删除 {removed} 行，共 {hunks} 处；首处改动：{first}"),
        "unknown": ("model text {template} does not exist; known: {available}",
                    "示范文本 {template} 不存在；现有：{available}"),
        "broken": ("model text {template} cannot be rendered: {problem}", "无法生成示范文本 {template}：{problem}"),
    }
    fix = ("review each change against the model text (cctk render shows the text); have the legal office "
           "approve deviations, or name the right template version",
           "逐处核对与示范文本的差异；偏离示范文本的条款须经法制机构审查，或更正所用模板版本")
    doc = Doc(
        what="A contract whose text was drawn from a model text with `cctk new --template` (its body ends with the "
             "`cctk:template-vars` comment) but no longer reads as that template version renders with the record's "
             "own data and clause choices; or a record naming a template version that does not exist.",
        why="Model texts carry the district's vetted clauses (payment, liability, confidentiality, disputes). A "
            "changed clause is where a review must look; everything that still matches the model text need not "
            "be read again. Amounts appear in figures and in words from the same data, so a hand-edited amount "
            "shows up here too.",
        legal=(Quote("政府采购合同示范文本（财办库〔2024〕84号）", "",
                     "采购人应当参照使用政府采购合同示范文本；对示范文本通用条款的修改应当在专用条款中约定，"
                     "不得违反法律法规和示范文本的强制性规定。", summary=True),),
        failing='template: "goods@1999.9"   # no such version',
        passing='template: "goods@2018.1"   # text as rendered by `cctk new --template goods`',
        fix="Read the reported changes; keep deliberate deviations (they are reported as warnings) or restore the "
            "model wording; correct `template:` if the record names the wrong version.",
    )

    def check(self, c, ctx):
        if not c.template:
            return
        from cctk.render.errors import RenderError
        from cctk.render.templates import VARS_RE, get_template, template_deviation

        # The model texts (and where they live) cannot change during one run: find them once, not once per
        # contract (listing them, then asking the OS for the working directory, was most of this rule's cost).
        root = ctx.memo["templates_root"] if "templates_root" in ctx.memo else ctx.memo.setdefault(
            "templates_root", _root(ctx))
        try:
            known = ctx.memo.setdefault("templates", {})
            key = (str(root), c.template)
            if key not in known:
                try:
                    known[key] = get_template(c.template, root)
                except RenderError as exc:
                    known[key] = exc
            if isinstance(known[key], RenderError):
                raise known[key]
            body = c.body or ""
            # the literal first: VARS_RE alone is tried at every line end of a ~2 KB body
            if "<!-- cctk:template-vars " not in body or not VARS_RE.search(body):
                return            # text not drawn from the template by cctk: nothing to compare against
            dev = template_deviation(c, root)
        except RenderError as exc:
            if exc.key == "tpl.unknown":
                yield self.finding(c, ("template",), "unknown", template=c.template, available=exc.args_["available"])
            else:
                yield self.finding(c, ("template",), "broken", template=c.template, problem=exc.text("en"))
            return
        if dev.same:
            return
        yield self.finding(c, ("template",), template=dev.template, added=dev.added, removed=dev.removed,
                           hunks=dev.hunks, first=_first_change(dev.diff))
