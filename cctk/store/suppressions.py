"""Suppression comments in contract records, as linters have them (ruff ``# noqa``, eslint, shellcheck).

Three forms, each needing a reason::

    amount: "86500.00"  # cctk: ignore CC301 because 保证金比例经区财政局书面同意
    # cctk: ignore CC201 because 系统故障延迟备案，已报财政局
    <!-- cctk: ignore CR012 because 格式条款经法律顾问审核 -->

* a comment trailing a field's line in the front matter suppresses the code's findings on that
  field (and inside it: a comment on ``payment_schedule:`` covers every instalment);
* a comment on a line of its own in the front matter suppresses the code in the whole contract;
* an HTML comment in the Markdown text suppresses the code in the whole contract when it stands
  on a line of its own, or only on its line when it trails text (text-review findings are located
  by line).

Several codes may share one comment (``cctk: ignore CC201, CC202 because …``); ``因为`` and
``理由：`` work as well as ``because``. A comment without a reason (at least four characters) or
with a malformed code suppresses nothing and is reported (CC023); an unknown code is CC022.

Only texts containing ``cctk:`` are scanned, so the loader pays one substring search per record.
"""

from __future__ import annotations

import bisect
import re

import yaml

from cctk.i18n import register
from cctk.model import Diagnostic, Severity, Suppression

MARK = "cctk:"
# Any cctk: comment but the model texts' own (every template-drawn contract ends with one): the
# parser's fast path, since reading comments costs a second YAML compose.
_ANY_DIRECTIVE = re.compile(r"cctk:(?!template-vars )")


def has_directives(text: str) -> bool:
    return MARK in text and _ANY_DIRECTIVE.search(text) is not None
MIN_REASON = 4                     # as the schema's ``ignore[].reason`` minLength
CODE_RE = re.compile(r"^[A-Z]+[0-9]+$")
_YAML_MARK = re.compile(r"#[ \t]*cctk:")
_HTML_MARK = re.compile(r"<!--\s*cctk:")
_BECAUSE = re.compile(r"\bbecause\b|因为|理由\s*[:：]?", re.IGNORECASE)
_SPLIT = re.compile(r"[\s,，、;；]+")

register({
    "suppression.no_reason": (
        "suppression comment for {value} has no reason (at least {min} characters): "
        "write 'cctk: ignore {value} because …'; nothing is suppressed",
        "忽略注释（{value}）缺少理由（至少 {min} 个字符）：请写成“cctk: ignore {value} because 理由”；本注释不生效"),
    "suppression.syntax": (
        "malformed cctk comment ({detail}): write 'cctk: ignore CODE because REASON'; nothing is suppressed",
        "cctk 注释格式错误（{detail}）：应为“cctk: ignore 规则代码 because 理由”；本注释不生效"),
    "suppression.unclosed": ("HTML comment '<!-- cctk: …' is not closed with '-->'",
                             "HTML 注释“<!-- cctk: …”缺少结尾“-->”"),
})

# A problem found while reading comments: (catalog key, 1-based line, 1-based col, args).
Problem = tuple[str, int, int, dict]


# cctk: directives that are not suppressions (cctk.render records the model text's variables).
OTHER_DIRECTIVES = {"template-vars"}


def parse_directive(text: str) -> tuple[list[str], str | None, str | None]:
    """``ignore CC201, CC202 because reason`` -> (codes, reason or None, syntax problem or None)."""
    text = text.strip()
    word, _, rest = text.partition(" ")
    if word.lower() != "ignore":
        if word.lower() in OTHER_DIRECTIVES:   # someone else's directive: not a suppression, not a mistake
            return None, None, None
        return [], None, f"unknown directive '{word[:20]}'" if word else "empty directive"
    m = _BECAUSE.search(rest)
    codes_text, reason = (rest[:m.start()], rest[m.end():].strip()) if m else (rest, None)
    codes = [c for c in _SPLIT.split(codes_text) if c]
    if not codes:
        return [], reason, "no rule code"
    bad = [c for c in codes if not CODE_RE.match(c)]
    if bad:
        return [], reason, f"'{bad[0][:20]}' is not a rule code like CC201"
    return codes, reason, None


def _make(codes, reason, line, col, comment_field, scope, problems) -> list[Suppression]:
    if reason is None or len(reason) < MIN_REASON:
        problems.append(("suppression.no_reason", line, col, {"value": ", ".join(codes), "min": MIN_REASON}))
        return []
    return [Suppression(code=c, reason=reason, line=line, field=comment_field, scope=scope) for c in codes]


# --- front matter ------------------------------------------------------------------------------

class _Index:
    """Where the scalars of a YAML document are (so a '#' inside a string is no comment) and which
    record field each line holds."""

    def __init__(self, text: str):
        from cctk.store.yamlio import FastLoader

        self.starts: list[int] = []
        self.ends: list[int] = []
        self.lines: dict[int, list[tuple]] = {}      # 0-based line -> field paths starting there
        spans = []
        try:
            root = yaml.compose(text, Loader=FastLoader)
        except yaml.YAMLError:      # the record's own parse reports it
            root = None
        stack = [(root, ())] if root is not None else []
        while stack:
            node, path = stack.pop()
            if isinstance(node, yaml.ScalarNode):
                start = node.start_mark.index
                if node.style in ("|", ">"):          # the header line may carry a comment
                    nl = text.find("\n", start)
                    start = nl + 1 if nl != -1 else node.end_mark.index
                spans.append((start, node.end_mark.index))
            elif isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode):
                        spans.append((k.start_mark.index, k.end_mark.index))
                    p = path + (k.value if isinstance(k, yaml.ScalarNode) else "?",)
                    self.lines.setdefault(k.start_mark.line, []).append(p)
                    stack.append((v, p))
            elif isinstance(node, yaml.SequenceNode):
                for i, item in enumerate(node.value):
                    p = path + (i,)
                    self.lines.setdefault(item.start_mark.line, []).append(p)
                    stack.append((item, p))
        spans.sort()
        self.starts = [s for s, _ in spans]
        self.ends = [e for _, e in spans]

    def in_scalar(self, index: int) -> bool:
        i = bisect.bisect_right(self.starts, index) - 1
        # spans do not overlap (keys and values are disjoint), so the nearest start decides
        return i >= 0 and self.starts[i] <= index < self.ends[i]

    def field_at(self, line: int) -> str | None:
        """The record field a line holds: its deepest key, or the common parent of several (a flow mapping)."""
        paths = self.lines.get(line)
        if not paths:
            return None
        depth = max(len(p) for p in paths)
        deepest = [p for p in paths if len(p) == depth]
        common = deepest[0]
        for p in deepest[1:]:
            n = 0
            while n < min(len(common), len(p)) and common[n] == p[n]:
                n += 1
            common = common[:n]
        if not common:
            common = min(paths, key=len)
        return ".".join(str(x) for x in common) or None


def front_matter(fm: str, first_line: int) -> tuple[list[Suppression], list[Problem]]:
    """Suppression comments of a front matter text whose first line is ``first_line`` (1-based) in its file."""
    if MARK not in fm:
        return [], []
    candidates = [m for m in _YAML_MARK.finditer(fm) if m.start() == 0 or fm[m.start() - 1] in " \t\n"]
    if not candidates:
        return [], []
    index = _Index(fm)
    out: list[Suppression] = []
    problems: list[Problem] = []
    for m in candidates:
        at = m.start()
        if index.in_scalar(at):
            continue
        line0 = fm.count("\n", 0, at)
        line_start = fm.rfind("\n", 0, at) + 1
        line_end = fm.find("\n", at)
        comment = fm[m.end(): line_end if line_end != -1 else len(fm)]
        line, col = line0 + first_line, at - line_start + 1
        codes, reason, problem = parse_directive(comment)
        if codes is None:
            continue
        if problem:
            problems.append(("suppression.syntax", line, col, {"detail": problem}))
            continue
        if fm[line_start:at].strip():
            field_name = index.field_at(line0)
            scope = "field" if field_name else "line"
        else:
            field_name, scope = None, "contract"
        out += _make(codes, reason, line, col, field_name, scope, problems)
    return out, problems


# --- Markdown text -----------------------------------------------------------------------------

def body(text: str, first_line: int) -> tuple[list[Suppression], list[Problem]]:
    """``<!-- cctk: ignore … -->`` comments of the contract text (first line ``first_line`` in its file)."""
    if MARK not in text:
        return [], []
    out: list[Suppression] = []
    problems: list[Problem] = []
    for m in _HTML_MARK.finditer(text):
        at = m.start()
        line0 = text.count("\n", 0, at)
        line_start = text.rfind("\n", 0, at) + 1
        line, col = line0 + first_line, at - line_start + 1
        close = text.find("-->", m.end())
        if close == -1:
            problems.append(("suppression.unclosed", line, col, {}))
            continue
        codes, reason, problem = parse_directive(" ".join(text[m.end():close].split()))
        if codes is None:
            continue
        if problem:
            problems.append(("suppression.syntax", line, col, {"detail": problem}))
            continue
        end_line = text.find("\n", close)
        trailing = text[line_start:at].strip() or text[close + 3: end_line if end_line != -1 else len(text)].strip()
        out += _make(codes, reason, line, col, None, "line" if trailing else "contract", problems)
    return out, problems


# --- applying them -----------------------------------------------------------------------------

def covers(s: Suppression, d: Diagnostic) -> bool:
    """Whether suppression ``s`` applies to finding ``d`` (of the same contract)."""
    if s.code != d.code:
        return False
    if s.scope == "field" and s.field:
        if d.field:
            return d.field == s.field or d.field.startswith(s.field + ".")
        return s.line is not None and d.line == s.line
    if s.scope == "line":
        return s.line is not None and d.line == s.line
    return True


def reason_for(contract, d: Diagnostic) -> str | None:
    """The reason of the first suppression in ``contract.ignore`` covering ``d``, or None."""
    for s in contract.ignore:
        if covers(s, d):
            return s.reason
    return None


def unknown_codes(contract, known: set[str]) -> list[Diagnostic]:
    """CC022 warnings for suppressions of codes that are no rule here, located at the comment or at
    the ``ignore:`` entry. CC0xx (record checks) are checked when the record is read; CRxxx belong to
    the text review, which may not be installed."""
    out = []
    entry = 0
    for s in contract.ignore:
        where = f"ignore.{entry}.code" if s.line is None else s.field
        if s.line is None:
            entry += 1
        if s.code in known or s.code.startswith(("CC0", "CR")):
            continue
        out.append(Diagnostic(code="CC022", severity=Severity.WARNING, path=contract.path,
                              message="suppression.unknown", args={"value": s.code, "field": where},
                              line=s.line, field=where, contract=contract.code))
    return out
