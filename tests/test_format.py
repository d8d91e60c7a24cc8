"""The file format: byte-identical round trip, and both YAML libraries reading files identically."""

import datetime as dt
from pathlib import Path

import pytest

from cctk.store.records import split
from cctk.store.yamlio import dump_roundtrip, load_fast, load_roundtrip

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(ROOT.glob("contracts/*/*/contract.md")) + sorted((ROOT / "tests/fixtures/roundtrip").glob("*.md"))
YAMLS = sorted(ROOT.glob("policy/*.yaml")) + sorted(ROOT.glob("suppliers/*.yaml")) + [ROOT / "cctk.yaml"]


def front_matter(path: Path) -> str:
    src, _ = split(str(path), path.read_text("utf-8"))
    return src.fm


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_roundtrip_is_byte_identical(path):
    fm = front_matter(path)
    assert dump_roundtrip(load_roundtrip(fm)) == fm


def test_roundtrip_edit_keeps_comments_and_order():
    fm = front_matter(ROOT / "tests/fixtures/roundtrip/styles.md")
    data = load_roundtrip(fm)
    data["status"] = "review"
    out = dump_roundtrip(data)
    assert "# single quotes" in out and "# 签订" in out
    assert out.replace("status: review", "status: drafting") == fm


def plain(value):
    """ruamel's round-trip types -> plain Python, the way the model sees them."""
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


@pytest.mark.parametrize("path", FILES + YAMLS, ids=lambda p: p.name)
def test_both_yaml_libraries_read_files_identically(path):
    text = front_matter(path) if path.suffix == ".md" else path.read_text("utf-8")
    assert load_fast(text) == plain(load_roundtrip(text))


@pytest.mark.parametrize("snippet", [
    "a: yes\nb: no\nc: on\nd: off", "a: 010\nb: 0o10\nc: 0x1F", "a: 1:20\nb: 12:30:00",
    "a: 2018-02-28\nb: '2019-01-01'", "a: ~\nb: null\nc:", "a: 1.50\nb: 1e3\nc: .5", "a: True\nb: FALSE",
    "a: '86500.00'\nb: 86500", "a: 中文：冒号\nb: '@x'",
])
def test_yaml_11_vs_12_pitfalls_read_the_same(snippet):
    assert load_fast(snippet) == plain(load_roundtrip(snippet))
