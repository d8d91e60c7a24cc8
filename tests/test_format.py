"""The file format: byte-identical round trip, and both YAML libraries reading files identically."""

import datetime as dt
from pathlib import Path

import pytest
import yaml

from cctk.store.records import split
from cctk.store.yamlio import YamlProblem, _Fallback, _load_events, dump_roundtrip, load_fast, load_reference, load_roundtrip

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


def outcome(load, text):
    """A loader's answer, compared by repr so that 1, 1.0 and True differ (== would call them equal)."""
    try:
        return "value", repr(load(text))
    except YamlProblem as exc:
        return "problem", exc.key, exc.line, exc.col, repr(exc.args_)


@pytest.mark.parametrize("text", EDGE_CASES)
def test_fast_loader_answers_as_the_reference_on_edge_cases(text):
    assert outcome(load_fast, text) == outcome(load_reference, text)


@pytest.mark.parametrize("text", [
    "a: 1\nb: [x, {c: true, d: ~}]\ne:\nf: '1'\ng: \"x\"\nh: |\n  t\n", "- 1\n- -2.5\n- .inf", "x", "",
    "1: a\n01: b", "true: a\n1: b", "a: 0o17\nb: 0x1f\nc: 010\nd: +7\ne: 1e3\nf: -.5",
])
def test_fast_path_takes_plain_documents_itself(text):
    """The common case is the fast loop's own work (no silent fallback), with the reference's answer."""
    assert repr(_load_events(text)) == repr(load_reference(text))


@pytest.mark.parametrize("text", [
    "a: 1\na: 2", "a: &x 1\nb: *x", "a: *x", "a: !!str 1", "? [a]\n: 1", "a: 1\n---\nb: 2", "a: [1, 2",
    "a: " + "[" * 100 + "]" * 100,
])
def test_fast_path_hands_unusual_documents_over(text):
    with pytest.raises((_Fallback, yaml.YAMLError)):
        _load_events(text)


@pytest.mark.parametrize("path", FILES + YAMLS, ids=lambda p: p.name)
def test_fast_path_reads_every_file_as_the_reference(path):
    text = front_matter(path) if path.suffix == ".md" else path.read_text("utf-8")
    assert repr(_load_events(text)) == repr(load_reference(text))


SCALARS = ["1", "01", "010", "0o7", "0o8", "0x1F", "0X1F", "+1", "-0", "-12", "1.5", "1.", ".5", "1e3", "1E-3", "+1.5e3",
           ".inf", "-.Inf", "+.INF", ".nan", ".NaN", "true", "True", "TRUE", "tRUE", "false", "yes", "no", "on", "off",
           "y", "null", "Null", "NULL", "nULL", "~", "", "2019-01-01", "12:30", "1_000", "0b101", "1.2.3", "abc",
           "中文", "a b", "-a", ".x", "100%", '"1"', "'true'", '"~"', "'x y'", '"2019-03-12"', '"a\\tb"']
KEYS = ["a", "b", "1", "01", "true", "null", "'a'", '"b"', "~", "x y", "on"]


def random_document(rng, depth=0, indent=""):
    """A block mapping of random keys (duplicates included) and values, nested up to three deep."""
    lines = []
    for _ in range(rng.randint(1, 4)):
        key = rng.choice(KEYS)
        kind = rng.random() if depth < 3 else 0
        if kind < 0.6:
            lines.append(f"{indent}{key}: {rng.choice(SCALARS)}".rstrip())
        elif kind < 0.75:
            lines.append(f"{indent}{key}:\n" + random_document(rng, depth + 1, indent + "  "))
        elif kind < 0.9:
            items = [f"{indent}  - {rng.choice(SCALARS)}".rstrip() for _ in range(rng.randint(0, 3))]
            lines.append(f"{indent}{key}:" + ("\n" + "\n".join(items) if items else " []"))
        else:
            items = ", ".join(rng.choice(SCALARS) or "''" for _ in range(rng.randint(0, 3)))
            lines.append(f"{indent}{key}: [{items}]")
    return "\n".join(lines)


def test_fast_loader_answers_as_the_reference_on_random_documents():
    import random

    rng = random.Random(2019)
    taken = 0
    for _ in range(600):
        text = random_document(rng)
        assert outcome(load_fast, text) == outcome(load_reference, text), text
        try:
            _load_events(text)
            taken += 1
        except (_Fallback, yaml.YAMLError):
            pass
    assert taken > 150   # the fast loop itself answered a good share (the rest: duplicate keys, bad YAML)
