"""Markdown (the contract body) -> Typst markup, via markdown-it-py's token stream.

Every piece of text is emitted as a Typst *string literal* (``#"..."``), so the only
characters that need escaping are those of a string literal (backslash, quote and
control characters); Typst's markup syntax (``# * _ $ @ < [ ] = -`` and friends) never
sees the contract's text. Structure becomes function calls: ``#heading``, ``#enum``,
``#list``, ``#table``, ``#strong``, ``#emph``.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

_md = MarkdownIt("commonmark", {"html": True}).enable("table")


def typst_string(text: str) -> str:
    """A Typst string literal holding ``text`` exactly."""
    out = ['"']
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{{{ord(ch):x}}}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _text(text: str) -> str:
    return "#" + typst_string(text) if text else ""


def _inline(node: SyntaxTreeNode) -> str:
    parts = []
    for child in node.children:
        kind = child.type
        if kind == "text":
            parts.append(_text(child.content))
        elif kind == "softbreak":
            # Chinese has no spaces between words, and a line break inside a contract paragraph
            # (party lines, signature lines) is meant: keep it.
            parts.append("#linebreak()")
        elif kind == "hardbreak":
            parts.append("#linebreak()")
        elif kind == "strong":
            parts.append("#strong[" + _inline(child) + "]")
        elif kind == "em":
            parts.append("#emph[" + _inline(child) + "]")
        elif kind == "code_inline":
            parts.append("#raw(" + typst_string(child.content) + ")")
        elif kind == "link":
            parts.append(_inline(child))
        elif kind == "image":
            parts.append(_text(child.content or ""))
        elif kind == "html_inline":
            continue  # comments and tags are not part of the contract's wording
        elif child.children:
            parts.append(_inline(child))
        elif child.content:
            parts.append(_text(child.content))
    return "".join(parts)


def _block(node: SyntaxTreeNode, *, skip_title: bool) -> list[str]:
    kind = node.type
    if kind == "heading":
        level = int(node.tag[1])
        if level == 1 and skip_title:
            return []
        return [f"#heading(level: {level})[" + _inline(node.children[0]) + "]"]
    if kind == "paragraph":
        return ["#par[" + _inline(node.children[0]) + "]"]
    if kind in ("bullet_list", "ordered_list"):
        items = ["[" + _items(item) + "]" for item in node.children]
        if kind == "bullet_list":
            return ["#list(" + ", ".join(items) + ")"]
        start = int(node.attrs.get("start", 1) or 1)
        return [f'#enum(numbering: "1.", start: {start}, ' + ", ".join(items) + ")"]
    if kind == "table":
        rows = []
        header_cells = 0
        for section in node.children:          # thead, tbody
            for row in section.children:
                cells = ["[" + _inline(cell.children[0]) + "]" if cell.children else "[]" for cell in row.children]
                header_cells = header_cells or len(cells)
                if section.type == "thead":
                    cells = ["table.header(" + ", ".join(cells) + ")"]
                rows.extend(cells)
        return [f"#table(columns: {header_cells}, " + ", ".join(rows) + ")"]
    if kind == "blockquote":
        inner = "\n".join(line for child in node.children for line in _block(child, skip_title=False))
        return ["#quote(block: true)[" + inner + "]"]
    if kind in ("fence", "code_block"):
        return ["#raw(block: true, " + typst_string(node.content) + ")"]
    if kind == "hr":
        return ["#line(length: 100%)"]
    if kind == "html_block":
        return []
    out = []
    for child in node.children:
        out.extend(_block(child, skip_title=skip_title))
    return out


def _items(item: SyntaxTreeNode) -> str:
    parts = []
    for child in item.children:
        if child.type == "paragraph":
            parts.append(_inline(child.children[0]))   # tight: no paragraph around an item's text
        else:
            parts.extend(_block(child, skip_title=False))
    return "\n".join(parts)


def markdown_to_typst(markdown: str, *, skip_title: bool = False) -> str:
    """Typst markup for a Markdown body; ``skip_title`` drops level-1 headings (the layout sets the title)."""
    tree = SyntaxTreeNode(_md.parse(markdown))
    blocks = []
    for child in tree.children:
        blocks.extend(_block(child, skip_title=skip_title))
    return "\n\n".join(blocks) + "\n"
