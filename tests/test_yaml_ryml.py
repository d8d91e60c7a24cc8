"""yamlio's rapidyaml path: wherever it answers, its answer is the reference loader's (values, types, key order).

``load_fast`` tries ``_load_ryml`` first and hands anything it refuses to the libyaml event loop, which hands
what it refuses to ``load_reference``. These tests compare by ``repr`` (so 1, 1.0, True and '1' differ) and
assert that the rapidyaml path itself answered where it should, so that a silent fallback cannot pass them.
"""

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("ryml")

from cctk.store import yamlio  # noqa: E402
from cctk.store.records import split  # noqa: E402
from cctk.store.yamlio import _load_ryml, _ryml_api, load_fast, load_reference  # noqa: E402
from test_format import EDGE_CASES, FILES, KEYS, SCALARS, YAMLS, front_matter  # noqa: E402
from test_format import outcome as _outcome  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
API = _ryml_api()
FELL_BACK = object()


def outcome(load, text):
    """test_format.outcome, and an exception other than YamlProblem as an answer too (libyaml's ReaderError
    for a control character escapes load_reference today: both paths must still agree)."""
    try:
        return _outcome(load, text)
    except Exception as exc:  # noqa: BLE001
        return "crash", type(exc).__name__, str(exc)


def ryml_value(text):
    """The rapidyaml path's own answer, or FELL_BACK."""
    try:
        return _load_ryml(text, API)
    except Exception:  # noqa: BLE001 - _Fallback, or anything ryml or msgspec raised
        return FELL_BACK


def assert_same(text, must_take=False):
    """load_fast answers as the reference; where the rapidyaml path answers, it answers the same. True if it did."""
    assert outcome(load_fast, text) == outcome(load_reference, text), text
    value = ryml_value(text)
    if value is FELL_BACK:
        assert not must_take, f"the rapidyaml path refused {text!r}"
        return False
    assert repr(value) == repr(load_reference(text)), text
    return True


def test_rapidyaml_is_installed_and_used():
    assert API, "rapidyaml is a dependency: without it load_fast is 3x slower (still correct)"
    assert ryml_value('a: 1\nb: "2"') == {"a": 1, "b": "2"}


@pytest.mark.parametrize("path", FILES + YAMLS, ids=lambda p: p.name)
def test_rapidyaml_reads_every_file_as_the_reference(path):
    text = front_matter(path) if path.suffix == ".md" else path.read_text("utf-8")
    assert_same(text, must_take=path.is_relative_to(ROOT / "contracts"))


def test_rapidyaml_reads_every_demo_record_as_the_reference(demo):
    files = sorted(demo.glob("contracts/*/*/contract.md"))
    assert len(files) >= 60
    taken = sum(assert_same(front_matter(f)) for f in files)
    assert taken == len(files)


@pytest.mark.parametrize("text", EDGE_CASES)
def test_rapidyaml_answers_as_the_reference_on_edge_cases(text):
    assert_same(text)


# Documents the rapidyaml path must take itself (what records hold), with the reference's answer.
TAKEN = [
    'a: 1\nb: "1"\nc: \'1\'\nd: true\ne: "true"\nf: null\ng:\nh: ""x\n'.replace('""x', '"x"'),
    "a: [\"x\", \"y\"]\nb: []\nc:\n  - d: 1\n    e: \"2\"\n  - d: 3\n",
    "# 注释\ncode: \"LHHT-2019-000001\"\ntitle: \"罗湖区：物业管理服务合同\"  # 行尾注释\namount: \"30460.00\"\n",
    "a: -1\nb: 0\nc: -0\nd: 12345678901234567\ne: \"0.5\"\nf: \"-3\"\ng: \"0\"\nh: \"1e3\"\n",
    "key with spaces: value with spaces\n中文键: 值\nk-1.x_y: a:b\nurl: http://x.y/z#frag\n",
    "a: 'it''s'\nb: \"say 'hi'\"\nc: x # not part of it\nd: x#y\ne: x\n",
    "a:\n- x\n- y\nb:\n  c:\n    d:\n      e: deep\n",
    "a: 1\n\n\n# trailing comment\n",
    "a: " + "长" * 5000 + "\nb: \"" + "x" * 10000 + "\"\n",
    "a: plain text\n  continued on a second line\nb: 'single\n  folded'\nc: \"double\n\n  with a blank line\"\n",
    "a: trailing spaces   \nb: 'inner  spaces'  \n",
    "- 1\n- x\n".replace("- 1\n- x\n", "top: [1, x, \"y\", true, x~]\n"),
]


@pytest.mark.parametrize("text", TAKEN)
def test_rapidyaml_takes_plain_records_itself(text):
    assert_same(text, must_take=True)


# Documents it must refuse (the reference answers something rapidyaml's JSON cannot say, or says
# differently), whatever the reference's answer is.
REFUSED = [
    "a: ~", "a: Null", "a: NULL", "a: True", "a: TRUE", "a: False", "a: FALSE", "a: 010", "a: 0o17", "a: 0x1F",
    "a: .inf", "a: -.Inf", "a: .nan", "a: inf", "a: nan", "a: +5", "a: 1.5", "a: 1e3", "a: 1.", "a: .5",
    "1: a", "true: a", "~: a", "'': a", "a: ''", 'a: ""', "a: 1\na: 2", "a: 1\n'a': 2", "a: [b: c]", "a: [b:]",
    "a: &x 1", "a: *x", "a: !!str 1", "a: |\n  x\n", "a: >\n  x\n", "? a\n: 1", "a: {b: 1}", 'a: "\\x41"',
    "a: @x", "a: `x", "a: ]x", "a: [x, ]y]", "%YAML 1.2\n---\na: 1", "%YAML 1.2\na: 1", "---\na: 1", "a: 1\n---\nb: 2",
    "a: 1\n...\nb: 2", "a:\tb", "a: 1\r\nb: 2", "\ufeffa: 1", "a: x\x85y", "a: x\u2028y", "a: x\x01y", "# \x01\na: 1",
    "a: x\x7fy", "- a\n- b", "x", "", "# only a comment\n", "a: 99999999999999999999", "a: -9223372036854775809",
    "a: [:x]", "a: [x,:x\n  y]", "a: [:x,\n  y]", "a: [[x,\n  y], yes, x:]", 'a: ["x",\n    "y"]\n', "a: [x, y:]",
    "x:\n  'a\n   b': c", '"a": 1', "'a' : 1", "k" * 1100 + ": 1", "a" + " " * 1100 + ": 1",
]


@pytest.mark.parametrize("text", REFUSED)
def test_rapidyaml_refuses_what_its_json_cannot_say(text):
    assert ryml_value(text) is FELL_BACK
    assert outcome(load_fast, text) == outcome(load_reference, text)


def number_spellings():
    """Every YAML 1.2 int/float/bool/null spelling up to a shape, and near misses."""
    ints = ["", "0", "1", "9", "00", "01", "10", "007", "123", "1_0", "9" * 19, "9" * 25]
    fracs = [None, "", "0", "5", "00", "50", "123", "9" * 20]
    exps = ["", "e5", "E5", "e+5", "e-5", "E-05", "e", "e+", "e0"]
    for sign in ("", "-", "+"):
        for i in ints:
            for f in fracs:
                for e in exps:
                    yield sign + i + ("" if f is None else "." + f) + e
    yield from ["0o7", "0o17", "0o8", "0o", "0x1F", "0x1f", "0X1F", "0x", "0xg", "-0x1", "+0o7", "0b101", ".inf", ".Inf",
                ".INF", "+.inf", "-.inf", "-.Inf", ".nan", ".NaN", ".NAN", "-.nan", "inf", "-inf", "nan", "infinity",
                "Infinity", "NaN", "true", "True", "TRUE", "tRUE", "false", "False", "FALSE", "null", "Null", "NULL",
                "nULL", "~", "yes", "no", "on", "off", "1:20", "2019-01-01", ".", "-", "+", "-.", "+.", "..", "1..2"]


def test_rapidyaml_reads_every_number_spelling_as_the_reference():
    """ryml writes some plain scalars bare, some as strings, respells a few (inf -> .inf, 1. -> 1.0): each
    spelling, plain and quoted, as a value and a key, in block and flow, must read as the reference."""
    contexts = ["a: {}", "a: '{}'", 'a: "{}"', "{}: x", "'{}': x", "a: [{}]", "a: [x, '{}', {}]",
                "a:\n  - {}\n  - \"{}\"", "b: 1\n{}: 2", "a: {} # c\nb: '{}'"]
    taken = 0
    words = sorted(set(number_spellings()))
    for word in words:
        for context in contexts:
            taken += assert_same(context.replace("{}", word))
    assert taken > len(words) * 2   # quoted spellings and canonical ints are the rapidyaml path's own


def scalar_document(rng, depth=0, indent=""):
    """Like test_format.random_document, with quoted, multi-line and flow forms rapidyaml must get right."""
    scalars = SCALARS + ["x y", "中文：值", "a:b", "'it''s'", '"say \\"x\\""', '"a b"', "'a\n  b'", "x\n  y", '"x\n\n  y"',
                         "#x", "x #y", "'#x'", "[]", "['a', \"b\", c]", "[x,\n  y]", "'  '", "' x '", "-x", ":x"]
    keys = KEYS + ["中文", "'x: y'", '"1"', "'true'", "a b", "x-y.z"]
    lines = []
    for _ in range(rng.randint(1, 4)):
        key = rng.choice(keys)
        kind = rng.random() if depth < 3 else 0
        if kind < 0.6:
            lines.append(f"{indent}{key}: {rng.choice(scalars)}".rstrip())
        elif kind < 0.75:
            lines.append(f"{indent}{key}:\n" + scalar_document(rng, depth + 1, indent + "  "))
        elif kind < 0.9:
            items = [f"{indent}  - {rng.choice(scalars)}".rstrip() for _ in range(rng.randint(0, 3))]
            lines.append(f"{indent}{key}:" + ("\n" + "\n".join(items) if items else " []"))
        else:
            items = ", ".join(rng.choice(scalars) or "''" for _ in range(rng.randint(0, 3)))
            lines.append(f"{indent}{key}: [{items}]")
    return "\n".join(lines)


def test_rapidyaml_answers_as_the_reference_on_random_documents():
    rng = random.Random(2026)
    taken = sum(assert_same(scalar_document(rng)) for _ in range(2000))
    assert taken > 80   # the rest: quoted keys, duplicate keys, pitfalls it must refuse, bad YAML


MUTATIONS = [":", " ", "\n", "- ", "[", "]", ",", "'", '"', "#", "@", "%", "`", "~", "0", "010", "-", "  ", "\n  ", "...",
             "---", "?", "TRUE", "null", "x: y", ": ", "\n- ", " #", "=", "<<", "''", '""', "[]", ", ", "0x1F", "+1",
             ".inf", "inf", "Null", "1.", ".5", "1e3", "\n\n", "a:", " b", "中文：", "\u3000", "\u00a0", "[a, b]", "- - ",
             "-\n", "'x\n  y'", "x\n  y", "00", "True", ".", ":x", "x:", "a:]"]


def mutate(rng, text):
    for _ in range(rng.randint(1, 3)):
        at = rng.randint(0, len(text))
        roll = rng.random()
        if roll < 0.55:
            text = text[:at] + rng.choice(MUTATIONS) + text[at:]
        elif roll < 0.75:
            text = text[:at] + text[at + rng.randint(1, 5):]
        else:
            lines = text.split("\n")
            j = rng.randrange(len(lines))
            if roll < 0.85:
                lines.insert(j, lines[rng.randrange(len(lines))])   # a duplicate key, often
            else:
                lines[j] = " " * rng.randint(1, 3) + lines[j]        # broken indentation
            text = "\n".join(lines)
    return text


def test_rapidyaml_answers_as_the_reference_on_mutated_records():
    """Damaged records: rapidyaml is more lenient than libyaml in places; a record libyaml refuses must be refused."""
    rng = random.Random(5)
    bases = [front_matter(p) for p in FILES]
    taken = sum(assert_same(mutate(rng, rng.choice(bases))) for _ in range(4000))
    assert taken > 500


def test_bad_input_corpus_reads_as_the_reference(sample_repo):
    from test_bad_input import CASES

    for name, (make, *_rest) in sorted(CASES.items()):
        data = make(sample_repo)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        src, _ = split(name, text.replace("\r\n", "\n").removeprefix("\ufeff"))
        if src is not None:
            assert_same(src.fm)


BAD = ["a: b: c", "a: 'x", "a: [1, 2", "- a\nb: c", "a:\n  b\n c: d", "a: ,x", "'a'b: c", "a: [, a]", "a: -\nb: - x",
       "key with: colon: x", "a: \"x", "a: [", "]", "a:\n- b\n c", "a: " + "[" * 3000, "a:\n" + "  " * 2000 + "b: 1"]


def test_malformed_yaml_never_aborts_and_prints_nothing():
    """ryml's C++ error handler prints to stderr before raising: a subprocess shows the process survives and says nothing."""
    code = ("import ryml, sys\nfrom cctk.store import yamlio\nbad = %r\n"
            "for text in bad:\n"
            "    try:\n        yamlio.load_fast(text)\n    except yamlio.YamlProblem:\n        pass\n"
            "print('survived', len(bad))\n") % (BAD,)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.strip() == f"survived {len(BAD)}"
    assert res.stderr == ""


def test_stderr_is_given_back(capfd):
    for text in BAD[:5]:
        assert outcome(load_fast, text) == outcome(load_reference, text)
    print("after", file=sys.stderr, flush=True)
    os.write(2, b"raw\n")
    assert capfd.readouterr().err == "after\nraw\n"


def test_without_rapidyaml_the_event_loop_reads_everything(monkeypatch):
    monkeypatch.setattr(yamlio, "_RYML", False)
    for path in FILES:
        text = front_matter(path)
        assert outcome(load_fast, text) == outcome(load_reference, text)
    monkeypatch.setattr(yamlio, "_RYML", None)
    monkeypatch.setitem(sys.modules, "ryml", None)   # import ryml now raises ImportError
    assert _ryml_api() is False
    assert load_fast("a: 010") == {"a": 10}


def test_threads_leave_stderr_where_it_was(capfd):
    """fd 2 is swapped under a lock: threads parsing at once must not leave it pointing at /dev/null."""
    import threading

    good = front_matter(FILES[0])

    def work():
        for i in range(300):
            try:
                load_fast(BAD[i % 5] if i % 2 else good)
            except yamlio.YamlProblem:
                pass

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    os.write(2, b"still here\n")
    assert capfd.readouterr().err == "still here\n"


def test_another_threads_stderr_is_never_swallowed(capfd):
    """While another thread runs (Textual draws the TUI on stderr), load_fast leaves fd 2 alone: every line
    that thread writes arrives, and the records still read as the reference reads them."""
    import threading

    good = front_matter(FILES[0])
    stop = threading.Event()
    written = []

    def writer():
        i = 0
        while not stop.is_set() or i < 50:
            os.write(2, b"line %d\n" % i)
            written.append(i)
            i += 1

    t = threading.Thread(target=writer)
    t.start()
    try:
        for _ in range(300):
            assert load_fast(good) == load_reference(good)
    finally:
        stop.set()
        t.join()
    assert capfd.readouterr().err.splitlines() == [f"line {i}" for i in written]
