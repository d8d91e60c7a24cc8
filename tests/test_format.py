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


# YAML that a contract should never hold, and the exact answer the loader must give anyway: each is
# read by both loaders of yamlio (the fast one and the reference PyYAML one) and must give the same
# value or the same located problem. benchmarks/bench_parse.py --dump records them too.
EDGE_CASES = [
    "", "# only a comment\n", "~", "- a\n- b", "a: [1, 2, {b: c}]", "a:\n  - x\n  -\n  - ~",
    "a: 1\na: 2", '"a": 1\na: 2', "a: {x: 1, x: 2}", "a:\n  b: 1\n  c: [1, {d: 2, d: 3}]",
    "1: a\n01: b", "true: a\n1: b", "a: 1\nb: 2\n'a': 3",
    "a: &x 1\nb: *x", "a: *x", "a: &x 1", "a: &x [1]\nb: *x", "&r a: 1",
    "a: !!str 1", "a: !!int '7'", "a: !!int x", "a: !!bool x", "a: !!float '1.5'", "a: !!timestamp 2019-01-01",
    "a: !!python/object/apply:os.system [ls]", "a: ! 12", "a: !x 12", "!!map {a: 1}", "a: !!binary aGk=",
    "a: 1\n---\nb: 2", "---\na: 1\n...\n", "---\na: 1\n...\n---\nb: 2", "%YAML 1.1\n---\na: yes",
    "? [a]\n: 1", "? a\n: 1", "[a, b]: c", "{a: 1}: b",
    "a: |\n  text\n  more\n", "a: >-\n  folded\n  text\n", "a: |+\n  keep\n\n",
    "a: .inf\nb: -.Inf\nc: .NaN\nd: +1.5e3\ne: 1.\nf: -0\ng: +0x1F\nh: .5e\ni: 1.2.3\nj: 1E-3",
    "a: 0o17\nb: 0x1f\nc: 0b101\nd: 1_000\ne: 0o8\nf: -0o7\ng: 0X1F",
    "a: 12345678901234567890123456789", "a: " + "9" * 5000,
    "a: null\nb: Null\nc: NULL\nd: nULL\ne: ~\nf:", "a: TRUE\nb: tRUE\nc: y\nd: n\ne: Yes",
    "<<: {a: 1}\nb: 2", "a: =\n=: 1", "a: 'x'\n'b': \"y\\u4e2d\\x41\"",
    "a: '", "a: b: c", "a:\n\tb: 1", "a: @x", "a: `x", "a: [1, 2", "- a\nb: c",
    "a: " + "[" * 300 + "]" * 300, "a: " + "{b: " * 150 + "1" + "}" * 150,
    "key with spaces: value with: colon\n中文键: 值", "a: -\nb: - x", "a: 1 # c\n# d\nb: 2  # e",
    "a: \"2019-03-12\"\nb: 2019-03-12\nc: 2019-03-12T10:00:00Z\nd: 12:30", "a: 0.1\nb: -1.5\nc: +12",
]
