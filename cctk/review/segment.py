"""Contract text -> articles -> sentences, each remembering where it is; and the parties.

An article starts at a Markdown heading, a 第X条/第X章 marker, or a top-level 一、 heading;
a document written only with 1. / 2. headings uses those. Sentences end at 。；;！？ or a
line end, so a finding's line and column are exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_CN = "一二三四五六七八九十百零〇两"
_ARTICLE_RE = re.compile(
    rf"^\s*(?:#{{1,6}}\s*)?(?:第\s*[{_CN}\d]+\s*[条章节部分款]|[{_CN}]{{1,3}}\s*[、．.]|Article\s+\d+)")
_MD_HEADING_RE = re.compile(r"^\s*#{1,6}\s+\S")
_NUMBERED_RE = re.compile(r"^\s*(?:\d{1,2}\s*[、.．](?!\d)|[(（]\s*\d{1,2}\s*[)）])")
_SENT_RE = re.compile(r"[^。；;！!？?\n]+[。；;！!？?]?")


@dataclass(slots=True)
class Sentence:
    text: str
    start: int          # offset in the document text
    line: int           # 1-based line within the text reviewed
    col: int            # 1-based column
    article: int        # index into Document.articles


@dataclass(slots=True)
class Article:
    heading: str
    line: int
    sentences: list[Sentence] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.sentences)


@dataclass(slots=True)
class Document:
    text: str
    title: str
    articles: list[Article]
    sentences: list[Sentence]
    lines: list[str] = field(default_factory=list)     # text.split("\n")


def _is_heading(line: str, numbered: bool) -> bool:
    stripped = line.strip()
    if not stripped:
        return False
    if _MD_HEADING_RE.match(stripped):
        return True
    if _ARTICLE_RE.match(stripped):
        # '一、付款方式' is a heading; '一、甲方应当……。' inside an article is a clause — unless
        # the document numbers its articles that way, which the length test still accepts
        return stripped.startswith("第") or len(stripped) <= 30
    if numbered and _NUMBERED_RE.match(stripped) and len(stripped) <= 24 and "。" not in stripped:
        return True
    return False


def _heading_flags(stripped: str) -> tuple[bool, bool]:
    """(_is_heading(line, False), _is_heading(line, True)) for the stripped line, in one pass."""
    if not stripped:
        return False, False
    if _MD_HEADING_RE.match(stripped):
        return True, True
    if _ARTICLE_RE.match(stripped):
        found = stripped.startswith("第") or len(stripped) <= 30
        return found, found
    return False, bool(_NUMBERED_RE.match(stripped)) and len(stripped) <= 24 and "。" not in stripped


# Facts about one line that do not depend on its neighbours, memoised by the line's text: contracts
# drawn from templates repeat most of their lines, and a line is segmented the same wherever it is.
_LINE_MEMO: dict[str, tuple] = {}
_MEMO_MAX = 1 << 17


def _line_facts(line: str) -> tuple:
    """(article-or-heading marker?, heading when articles exist?, heading when numbered?, stripped
    title/heading text, ((column-1, sentence text), ...))."""
    facts = _LINE_MEMO.get(line)
    if facts is None:
        pieces = []
        for m in _SENT_RE.finditer(line):
            raw = m.group()
            stripped = raw.strip()
            if not stripped:
                continue
            pieces.append((m.start() + len(raw) - len(raw.lstrip()), stripped))
        stripped = line.strip()
        facts = (bool(_ARTICLE_RE.match(line) or _MD_HEADING_RE.match(line)), *_heading_flags(stripped),
                 stripped.lstrip("#").strip() if stripped else "", tuple(pieces))
        if len(_LINE_MEMO) >= _MEMO_MAX:
            _LINE_MEMO.clear()
        _LINE_MEMO[line] = facts
    return facts


def segment(text: str) -> Document:
    lines = text.split("\n")
    get = _LINE_MEMO.get       # a hit without a call: most lines of a template's contracts recur
    facts = [get(ln) or _line_facts(ln) for ln in lines]
    has_articles = any(f[0] for f in facts)
    heading_at = 2 if not has_articles else 1
    articles: list[Article] = [Article("", 1)]
    sentences: list[Sentence] = []
    title = ""
    offset = 0
    art_sents = articles[0].sentences
    art = 0
    for no, (line, f) in enumerate(zip(lines, facts), 1):
        if not title and f[3]:
            title = f[3]
        if f[heading_at]:
            articles.append(Article(f[3], no))
            art = len(articles) - 1
            art_sents = articles[art].sentences
        for col0, stext in f[4]:
            s = Sentence(stext, offset + col0, no, col0 + 1, art)
            art_sents.append(s)
            sentences.append(s)
        offset += len(line) + 1
    return Document(text, title, articles, sentences, lines)


# --- parties -------------------------------------------------------------------------------

BUYER_WORDS = ("甲方", "采购人", "采购方", "采购单位", "买方", "需方", "发包人", "发包方", "委托人", "委托方",
               "招标人", "用户方", "聘请方", "聘方", "业主")
SUPPLIER_WORDS = ("乙方", "供应商", "供货商", "供货方", "卖方", "供方", "承包人", "承包方", "服务方", "服务商",
                  "服务提供方", "服务单位", "受托人", "受托方", "中标人", "中标供应商", "成交供应商", "承接方",
                  "受聘方", "顾问方", "开发方", "承揽人", "承揽方", "施工方", "培训方", "咨询方")
LEASE_WORDS = ("出租方", "出租人", "承租方", "承租人")
ROLE_WORDS = BUYER_WORDS + SUPPLIER_WORDS + LEASE_WORDS + ("丙方",)
_ROLE_ALT = "|".join(sorted(ROLE_WORDS, key=len, reverse=True))
_PARTY_LINE_RE = re.compile(rf"^\s*[*>\-]*\s*(?P<labels>[^：:\n]{{0,24}}?(?:{_ROLE_ALT})[^：:\n]{{0,16}}?)[：:]\s*(?P<name>.*)$")
_ROLE_RE = re.compile(_ROLE_ALT)
_GOV_RE = re.compile(r"人民政府|政府|局|委员会|办公室|办事处|街道|学校|小学|中学|幼儿园|医院|法院|检察院|"
                     r"中心|机关|党委|人大|政协|管理处|管理所|大队|支队|图书馆|博物馆|档案馆")
_FIRM_RE = re.compile(r"公司|事务所|集团|股份|有限|企业|工作室|合作社|厂|店|商行")
_CITY_RE = re.compile(r"([\u4e00-\u9fa5]{2,3}?)(?:市|区|县)")


@dataclass(slots=True)
class Party:
    labels: list[str]
    name: str
    line: int
    gov: bool


@dataclass(slots=True)
class Parties:
    buyer: tuple[str, ...]          # words that name the buyer in this document
    supplier: tuple[str, ...]
    buyer_name: str = ""
    supplier_name: str = ""
    places: tuple[str, ...] = ()    # the buyer's city/district names, for forum checks
    found: list[Party] = field(default_factory=list)


_PARTY_MEMO: dict[str, tuple | None] = {}
_NO = object()
_PAREN_RE = re.compile(r"[（(]")
_NOT_PARTY_RE = re.compile(r"代表|签字|盖章|日期|地址|电话")


def _party_line(line: str) -> tuple | None:
    """(labels, name, looks public?) of a party line ('甲方（采购人）：深圳市罗湖区教育局'), else None."""
    m = _PARTY_LINE_RE.match(line)
    if not m:
        return None
    labels = _ROLE_RE.findall(m["labels"])
    name = m["name"].strip()
    labels += _ROLE_RE.findall(name)  # 深圳市××局（以下简称“甲方”）
    name = _PAREN_RE.split(name)[0].strip(" *")
    if not name or len(name) > 40 or _NOT_PARTY_RE.search(m["labels"]):
        return None
    gov = bool(_GOV_RE.search(name)) and not _FIRM_RE.search(name)
    return tuple(labels), name, gov


def parties(doc: Document) -> Parties:
    """Who is the buyer here? The party whose name looks like a public body; its labels (甲方,
    出租方, 委托人…) then name the buyer throughout. Defaults to the usual 甲方/乙方 reading."""
    found: list[Party] = []
    parsed_lines = []
    # the document's own line strings: their hashes are cached from segmentation's memo lookups
    lines = doc.lines or doc.text.split("\n", 60)
    for no, line in enumerate(lines[:60], 1):
        parsed = _PARTY_MEMO.get(line, _NO)
        if parsed is _NO:
            parsed = _party_line(line)
            if len(_PARTY_MEMO) >= _MEMO_MAX:
                _PARTY_MEMO.clear()
            _PARTY_MEMO[line] = parsed
        if parsed is not None:
            found.append(Party(list(parsed[0]), parsed[1], no, parsed[2]))
            parsed_lines.append((parsed[0], parsed[2]))     # (labels, public body?)
    # The reading is memoised in two parts: who is who depends only on the party lines' labels and
    # public-body flags (a handful of combinations), the names on the two parties' names. Keyed on whole
    # lines, nearly every contract of a district (200 units x 80 suppliers) missed the memo.
    key = tuple(parsed_lines)
    roles = _READING_MEMO.get(key)
    if roles is None:
        roles = _roles(found)
        if len(_READING_MEMO) >= _MEMO_MAX:
            _READING_MEMO.clear()
        _READING_MEMO[key] = roles
    buyer, supplier, bi, si = roles
    buyer_name = found[bi].name if bi >= 0 else ""
    return Parties(buyer, supplier, buyer_name, found[si].name if si >= 0 else "", _places(buyer_name), found)


_READING_MEMO: dict[tuple, tuple] = {}


def _roles(found: list[Party]) -> tuple:
    """(buyer words, supplier words, index of the party naming the buyer, of the one naming the supplier;
    -1: none) from the party lines found; a pure function of their labels and public-body flags."""
    buyer = set(BUYER_WORDS)
    supplier = set(SUPPLIER_WORDS)
    bi = si = -1
    for i, p in enumerate(found):
        target, other = (buyer, supplier) if p.gov else (supplier, buyer)
        for lab in p.labels:
            target.add(lab)
            other.discard(lab)
        if p.gov and bi < 0:
            bi = i
        elif not p.gov and si < 0:
            si = i
    if not any(p.gov for p in found):
        # no public body recognised: the usual reading, lessor/lessee left out (and each side named by
        # the first party labelled as it: the loop above took any non-public party for the supplier)
        buyer, supplier = set(BUYER_WORDS), set(SUPPLIER_WORDS)
        bi = si = -1
        for i, p in enumerate(found):
            if any(lab in BUYER_WORDS for lab in p.labels):
                buyer.update(p.labels)
                bi = bi if bi >= 0 else i
            elif any(lab in SUPPLIER_WORDS for lab in p.labels):
                supplier.update(p.labels)
                si = si if si >= 0 else i
        supplier -= buyer
    return tuple(sorted(buyer, key=len, reverse=True)), tuple(sorted(supplier, key=len, reverse=True)), bi, si


_PLACES_MEMO: dict[str, tuple] = {}


def _places(buyer_name: str) -> tuple[str, ...]:
    """The buyer's city/district names, for forum checks."""
    places = _PLACES_MEMO.get(buyer_name)
    if places is None:
        places = tuple(dict.fromkeys(c for c in _CITY_RE.findall(buyer_name) if c not in ("罗湖区",)))
        if "深圳" in buyer_name or not buyer_name:
            places = tuple(dict.fromkeys(places + ("深圳", "罗湖")))
        if len(_PLACES_MEMO) >= _MEMO_MAX:
            _PLACES_MEMO.clear()
        _PLACES_MEMO[buyer_name] = places
    return places
