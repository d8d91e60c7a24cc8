"""Finding a Chinese font for the PDFs: the one configured in cctk.yaml (`pdf_font:`, a
family name or a font file) or one installed on the system, preferring Song/Fangsong
faces for the body and Hei faces for headings, as GB/T 9704 does."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from cctk.render.errors import RenderError

# GB/T 9704 faces first, then the free fallbacks (Debian fonts-noto-cjk, fonts-arphic, fonts-wqy).
SERIF = ("FangSong", "仿宋", "FangSong_GB2312", "SimSun", "宋体", "Noto Serif CJK SC", "Source Han Serif SC",
         "Source Han Serif CN", "AR PL UMing CN", "AR PL SungtiL GB")
SANS = ("SimHei", "黑体", "Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Zen Hei",
        "WenQuanYi Micro Hei", "Droid Sans Fallback")
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")


@dataclass(frozen=True, slots=True)
class FontChoice:
    serif: str                       # body, title, page numbers
    sans: str                        # headings
    font_paths: tuple[str, ...] = field(default=())   # extra directories for Typst


@lru_cache(maxsize=1)
def _system_families() -> frozenset[str]:
    """Families with Chinese coverage, from fontconfig; without fc-list, from well-known file names."""
    if shutil.which("fc-list"):
        try:
            out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=20).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        names = set()
        for line in out.splitlines():
            names.update(part.strip() for part in line.split(",") if part.strip())
        return frozenset(names)
    names = set()
    for folder in (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts"):
        if folder.is_dir():
            for f in folder.rglob("*CJK*"):
                stem = f.name
                if stem.startswith("NotoSerifCJK"):
                    names.add("Noto Serif CJK SC")
                elif stem.startswith("NotoSansCJK"):
                    names.add("Noto Sans CJK SC")
    return frozenset(names)


def _family_of(path: Path) -> str:
    if shutil.which("fc-scan"):
        out = subprocess.run(["fc-scan", "--format", "%{family[0]}\n", str(path)], capture_output=True,
                             text=True, timeout=20).stdout.strip().splitlines()
        if out:
            return out[0]
    raise RenderError("pdf.font_missing", font=str(path))


def find_fonts(settings: dict | None = None, repo_root=None) -> FontChoice:
    configured = (settings or {}).get("pdf_font")
    if configured:
        value = str(configured)
        path = Path(value).expanduser()
        if not path.is_absolute() and repo_root is not None:
            path = Path(repo_root) / path
        if value.lower().endswith(FONT_SUFFIXES):
            if not path.is_file():
                raise RenderError("pdf.font_missing", font=value)
            family = _family_of(path)
            return FontChoice(serif=family, sans=family, font_paths=(str(path.parent),))
        if value not in _system_families():
            raise RenderError("pdf.font_missing", font=value)
        return FontChoice(serif=value, sans=value)
    families = _system_families()
    serif = next((f for f in SERIF if f in families), None)
    sans = next((f for f in SANS if f in families), None)
    if serif is None and sans is None:
        raise RenderError("pdf.no_font")
    return FontChoice(serif=serif or sans, sans=sans or serif)
