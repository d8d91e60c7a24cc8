"""Bar and trend charts as SVG. Hand-written: a few rectangles and a polyline need no plotting library,
and the output is deterministic text that both the HTML and the Typst PDF embed."""

from __future__ import annotations

from xml.sax.saxutils import escape


def bar_chart(title: str, items: list[tuple[str, float]], *, width: int = 640, unit: str = "") -> str:
    bar_h, gap, left, top = 18, 6, 220, 28
    height = top + len(items) * (bar_h + gap) + 10
    peak = max((v for _, v in items), default=0) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'font-family="Noto Sans CJK SC, sans-serif" font-size="12">',
             f'<text x="4" y="16" font-size="14" font-weight="bold">{escape(title)}</text>']
    for i, (label, value) in enumerate(items):
        y = top + i * (bar_h + gap)
        w = int((width - left - 110) * value / peak)
        parts.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{escape(label[:18])}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{max(w, 1)}" height="{bar_h}" fill="#3b6ea5"/>')
        parts.append(f'<text x="{left + w + 4}" y="{y + 13}">{value:,.0f}{escape(unit)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def trend_chart(title: str, points: list[tuple[str, float]], *, width: int = 640, height: int = 220) -> str:
    left, right, top, bottom = 40, 10, 28, 30
    peak = max((v for _, v in points), default=0) or 1
    n = max(len(points) - 1, 1)
    xy = [(left + (width - left - right) * i / n, top + (height - top - bottom) * (1 - v / peak))
          for i, (_, v) in enumerate(points)]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'font-family="Noto Sans CJK SC, sans-serif" font-size="11">',
             f'<text x="4" y="16" font-size="14" font-weight="bold">{escape(title)}</text>',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="#888"/>',
             f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{peak:,.0f}</text>']
    if xy:
        parts.append('<polyline fill="none" stroke="#c0392b" stroke-width="2" points="'
                     + " ".join(f"{x:.1f},{y:.1f}" for x, y in xy) + '"/>')
    for (label, value), (x, y) in zip(points, xy):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#c0392b"/>')
        parts.append(f'<text x="{x:.1f}" y="{height - bottom + 14}" text-anchor="middle">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
