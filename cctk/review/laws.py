"""The law articles a finding quotes, read from the texts shipped in cctk/data/laws/.

Each law file is Markdown with one article per paragraph ("第五百零六条 ……"); an article
runs until the next article or heading. Parsed once per law, lazily.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

LAWS = {
    "civil-code": ("civil-code-book3-contracts.md", "中华人民共和国民法典", "Civil Code of the PRC"),
    "procurement-law": ("government-procurement-law-2014.md", "中华人民共和国政府采购法",
                        "Government Procurement Law"),
    "procurement-regs": ("government-procurement-law-regulations-2015.md", "中华人民共和国政府采购法实施条例",
                         "Regulations on the Government Procurement Law"),
    "sme-payment": ("sme-payment-regulation-2025.md", "保障中小企业款项支付条例", "SME Payment Regulation"),
    "spc-contracts": ("spc-interpretation-contracts-general-2023.md",
                      "最高人民法院关于适用《中华人民共和国民法典》合同编通则若干问题的解释",
                      "SPC Interpretation on the Civil Code's general contract rules (2023)"),
}
_ART_RE = re.compile(r"^(第[一二三四五六七八九十百零〇]+条)\s*(.*)$")


@lru_cache(maxsize=None)
def _articles(law: str) -> dict[str, str]:
    filename = LAWS[law][0]
    text = resources.files("cctk").joinpath("data/laws", filename).read_text("utf-8")
    out: dict[str, list[str]] = {}
    current = None
    for line in text.split("\n"):
        m = _ART_RE.match(line)
        if m:
            current = m[1]
            out[current] = [m[2].strip()]
        elif line.startswith("#") or line.startswith("<!--"):
            current = None
        elif current and line.strip():
            out[current].append(line.strip())
    return {k: "\n".join(v) for k, v in out.items()}


def article(law: str, number: str) -> str:
    """The text of article ``number`` (e.g. '第五百零六条') of ``law``; '' if absent."""
    return _articles(law).get(number, "")


def law_name(law: str, lang: str = "zh") -> str:
    entry = LAWS.get(law)
    if entry is None:
        return law
    return entry[1] if lang == "zh" else entry[2]
