"""YAML in two speeds, read identically.

* Bulk reads use PyYAML's C parser (libyaml) with a YAML 1.2 core resolver, so
  ``yes``/``no``, ``010`` and ``1:20`` mean what ruamel.yaml (YAML 1.2) says they
  mean; dates stay text (the model parses them, so 2018-02-30 is a located error
  rather than a constructor crash). Duplicate keys and aliases are refused: an
  alias could expand into an alias bomb, and contract records never need one.
  ``load_fast`` builds values straight from libyaml's event stream (about 3x
  PyYAML's constructor) and hands anything unusual to ``load_reference``, the
  PyYAML compose + constructor path, whose answer is then the answer.
* Round-trip edits use ruamel.yaml, configured to be byte-faithful.
* ``locate`` re-parses one document lazily to turn a field path into a line/column.
"""

from __future__ import annotations

import io
import os
import re
import threading

import msgspec
import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    DocumentEndEvent, MappingEndEvent, MappingStartEvent, ScalarEvent, SequenceEndEvent, SequenceStartEvent,
    StreamEndEvent,
)
from yaml.resolver import BaseResolver

try:
    from yaml._yaml import CParser as _Parser
    LIBYAML = True
except ImportError:  # pragma: no cover - libyaml missing: slower, still correct
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    LIBYAML = False

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream):
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)


class YamlProblem(Exception):
    """A YAML problem with a 0-based position inside the parsed text; ``key`` is a catalog key."""

    def __init__(self, key: str, line: int | None, col: int | None, **args):
        super().__init__(key)
        self.key = key
        self.line = line
        self.col = col
        self.args_ = args


class Core12Resolver(BaseResolver):
    pass


Core12Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
Core12Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789"))
Core12Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."))
Core12Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])


def _int(text: str) -> int:
    """YAML 1.2: 010 is ten, 0o10 is eight (both loading paths use this)."""
    text = text.replace("_", "")
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


class StrictConstructor(SafeConstructor):
    def construct_object(self, node, deep=False):
        if node in self.constructed_objects or node in self.recursive_objects:
            raise YamlProblem("yaml.alias", node.start_mark.line, node.start_mark.column)
        return super().construct_object(node, deep=deep)

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = key_node.value
            if key in seen:
                raise YamlProblem("yaml.duplicate_key", key_node.start_mark.line, key_node.start_mark.column,
                                  name=key, first=seen[key] + 1)
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node):
        return _int(node.value)


StrictConstructor.add_constructor("tag:yaml.org,2002:int", StrictConstructor.construct_yaml_int)
# Timestamps are not resolved implicitly; an explicit !!timestamp stays text too.
StrictConstructor.add_constructor("tag:yaml.org,2002:timestamp", SafeConstructor.construct_yaml_str)


class FastLoader(_Parser, StrictConstructor, Core12Resolver):
    def __init__(self, stream):
        _Parser.__init__(self, stream)
        StrictConstructor.__init__(self)
        Core12Resolver.__init__(self)


class _NoAnchorConstructor(StrictConstructor):
    # Without an anchor ('&') in the text there can be no alias, so skip the per-node alias check.
    construct_object = SafeConstructor.construct_object


class _NoAnchorLoader(_Parser, _NoAnchorConstructor, Core12Resolver):
    def __init__(self, stream):
        _Parser.__init__(self, stream)
        _NoAnchorConstructor.__init__(self)
        Core12Resolver.__init__(self)


def load_reference(text: str):
    """The general path: libyaml composes nodes, PyYAML's constructor (with our resolver) builds values.

    ``load_fast`` hands every document it does not take itself to this function, so its answer —
    a value or a located problem — is by construction the answer for anything unusual.
    """
    loader = FastLoader(text) if "&" in text else _NoAnchorLoader(text)
    try:
        return loader.get_single_data()
    except YamlProblem:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "").strip()
        raise YamlProblem("yaml.syntax", mark.line if mark else None, mark.column if mark else None,
                          problem=problem) from None
    except yaml.reader.ReaderError as exc:   # a character YAML forbids (a control character): no mark, a position
        # libyaml (the C parser) counts the position in UTF-8 bytes, PyYAML's own reader in characters
        before = text.encode("utf-8")[:exc.position].decode("utf-8", "ignore") if _Parser is not yaml.parser.Parser \
            else text[:exc.position]
        line = before.count("\n")
        raise YamlProblem("yaml.syntax", line, len(before) - (before.rfind("\n") + 1),
                          problem=f"{exc.reason} (#x{exc.character:04x})" if isinstance(exc.character, int)
                          else str(exc.reason)) from None
    except (ValueError, TypeError, KeyError, RecursionError, yaml.YAMLError) as exc:  # e.g. a constructor rejecting a value
        raise YamlProblem("yaml.syntax", None, None, problem=str(exc)) from None
    finally:
        loader.dispose()


# --- the fast path --------------------------------------------------------------------------
#
# Hand-written on purpose: profiling showed PyYAML's Python-side composer/resolver/constructor taking
# two thirds of a record's parse, and no library builds YAML 1.2 values from libyaml faster (ruamel's C
# loader is slower still; PyYAML's CSafeLoader is YAML 1.1). This loop reads libyaml's event stream and
# builds the values directly, resolving plain scalars with Core12Resolver's own table and constructing
# them as StrictConstructor does. It takes only what records need: untagged, unanchored scalars,
# sequences and mappings with scalar keys. Anything else — a tag, an anchor or alias, a complex key, a
# duplicate key, a second document, deep nesting, any error — makes it hand the text to
# ``load_reference``, so every answer outside the common case is the reference's answer.

class _Fallback(Exception):
    pass


def _float(text: str) -> float:
    # As SafeConstructor.construct_yaml_float.
    value = text.replace("_", "").lower()
    sign = +1
    if value[0] == "-":
        sign = -1
    if value[0] in "+-":
        value = value[1:]
    if value == ".inf":
        return sign * SafeConstructor.inf_value
    if value == ".nan":
        return SafeConstructor.nan_value
    return sign * float(value)


_BOOLS = SafeConstructor.bool_values
_CONSTRUCT = {
    "tag:yaml.org,2002:bool": lambda text: _BOOLS[text.lower()],
    "tag:yaml.org,2002:int": _int,
    "tag:yaml.org,2002:float": _float,
    "tag:yaml.org,2002:null": lambda text: None,
}
_RESOLVERS = Core12Resolver.yaml_implicit_resolvers   # first character ("" for empty) -> [(tag, regexp)]
assert None not in _RESOLVERS and not Core12Resolver.yaml_path_resolvers   # BaseResolver.resolve's other inputs
_MAX_DEPTH = 64   # records nest 3 deep; deeper documents take the general path


_PLAIN: dict[str, object] = {}   # memo: records repeat the same few plain scalars (true, 10, 15, ~)


def _plain(text: str):
    """A plain scalar whose first character has resolvers: BaseResolver.resolve, then the constructor."""
    try:
        return _PLAIN[text]
    except KeyError:
        pass
    value = text
    for tag, regexp in _RESOLVERS[text[:1]]:
        if regexp.match(text):
            value = _CONSTRUCT[tag](text)   # immutable (bool, int, float, None): safe to share
            break
    if len(_PLAIN) < 4096:
        _PLAIN[text] = value
    return value


def _load_events(text: str):
    parser = _Parser(text)
    get = parser.get_event
    resolvable = _RESOLVERS.keys()
    plain = _plain
    try:
        get()                                   # StreamStartEvent
        event = get()
        if event.__class__ is StreamEndEvent:   # nothing but comments
            return None
        event = get()                           # after DocumentStartEvent: the root
        stack = []
        container = root = None
        keys = None                             # raw key texts of the current mapping (None: a sequence)
        key = _Fallback                         # the current mapping's pending key (_Fallback: none yet)
        while True:
            cls = event.__class__
            if cls is ScalarEvent:
                if event.anchor is not None or event.tag is not None:
                    raise _Fallback
                value = event.value
                if event.implicit[0] and value[:1] in resolvable:
                    value = plain(value)
                if keys is None:
                    if container is None:
                        root = value
                        break
                    container.append(value)
                elif key is _Fallback:
                    raw = event.value
                    if raw in keys:             # duplicate: the reference names both lines
                        raise _Fallback
                    keys.add(raw)
                    key = value
                else:
                    container[key] = value
                    key = _Fallback
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                if event.anchor is not None or event.tag is not None or len(stack) >= _MAX_DEPTH:
                    raise _Fallback
                value = {} if cls is MappingStartEvent else []
                if keys is None:
                    if container is None:
                        root = value
                    else:
                        container.append(value)
                elif key is _Fallback:          # a complex key
                    raise _Fallback
                else:
                    container[key] = value
                stack.append((container, keys))
                container = value
                keys, key = (set(), _Fallback) if cls is MappingStartEvent else (None, _Fallback)
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                container, keys = stack.pop()
                if container is None:
                    break
                key = _Fallback
            else:                               # an alias
                raise _Fallback
            event = get()
        if get().__class__ is not DocumentEndEvent or get().__class__ is not StreamEndEvent:
            raise _Fallback                     # a second document
        return root
    finally:
        parser.dispose()


# --- the fastest path: rapidyaml -------------------------------------------------------------
#
# rapidyaml (C++, module ``ryml``) parses a record and writes it out as JSON in ~20 µs (the event
# loop above takes ~165 µs), and msgspec reads that JSON in ~5 µs. But ryml's JSON is not YAML 1.2's
# values: every quoted scalar stays a JSON string ("10" stays "10"); a plain scalar is written bare
# only when its text is true, false, null or a number (c4's is_number) without a leading zero, and
# stays a string otherwise even where YAML 1.2 reads something else (``~``, ``TRUE``, ``010``,
# ``0x1F``; plain ``inf`` even becomes ".inf", ``1.`` becomes 1.0); tags, anchors and duplicate keys
# pass silently; and it accepts some text libyaml refuses (``a: ]x``, ``a: @x``). So its answer is
# taken only when it is the reference's by the argument below, and anything else goes to the event
# loop (which hands what it does not take to the reference):
#
# 1. The text is screened: no anchor, alias, tag, block scalar, complex or quoted key, ' :', backslash
#    escape, flow mapping, backquote, directive, document marker, BOM, tab, CR, control or C1 character,
#    YAML 1.1 line break (U+0085/2028/2029), and every flow sequence one line of simple items. What is
#    left is block mappings and sequences, plain keys, plain and quoted scalars and comments — a record.
# 2. A bare JSON value comes from a plain scalar only (ryml quotes every other one, and every key): true,
#    false and null (an empty plain value too) read the same in YAML 1.2; an int is written as its own
#    plain text, which YAML 1.2 reads as the same int; a float falls back (ryml respells some).
# 3. A JSON string is the scalar's text, so the reference reads it as that string unless it was plain
#    and YAML 1.2 resolves it to something else. Of those plain texts ryml writes as strings exactly
#    True/TRUE/False/FALSE/Null/NULL/~, a leading zero (010, 0x1F, 0e5) and .inf/.nan spellings; the
#    rest it writes bare (+5, -01, 1.e5 bare are not JSON: msgspec refuses them, which falls back);
#    ``_JSON_SUSPECT`` finds such strings, and strings no plain scalar starts with ('@', '%', '`', '#',
#    '[', ']', a quote, a space) which ryml takes where libyaml refuses, and falls back. Keys are always
#    strings, so a key that would resolve (1, true, ~) falls back too (``_keys_of``).
# 4. A duplicate key (fewer keys decoded than written), a root that is not a mapping, and any exception
#    (ryml's or msgspec's) fall back.
# ryml's error handler prints to the process's stderr (fd 2) before raising, so fd 2 points at
# /dev/null for the duration of the C++ calls. tests/test_yaml_ryml.py holds this path to the
# reference on every file, the edge cases, every YAML 1.2 number spelling up to a length, and random
# and mutated documents.

_RYML = None   # (parse, emit_json, Tree) once imported; False when rapidyaml is missing or broken


def _ryml_api():
    global _RYML
    if _RYML is None:
        try:
            from ryml import Tree
            from ryml._ryml import emit_json_to_substr, parse_csubstr

            _RYML = (parse_csubstr, emit_json_to_substr, Tree)
        except Exception:  # noqa: BLE001 - not installed, or a broken build: the event loop reads everything
            _RYML = False
    return _RYML


def rapidyaml_available() -> bool:
    """Does load_fast have its rapidyaml path (for ``cctk doctor``)?"""
    return bool(_ryml_api())


# In ryml's JSON a '"' inside a string is always escaped, a closing quote is followed by ',', ':', ']',
# '}' or a newline, and an opening one follows ' ', '[', ',' or '{'. So '"' followed by one of the
# starts below opens a string ('"]' only after one of those), and '"0x1F"' is a whole string.
_JSON_SUSPECT = re.compile(
    rb""""(?:[~"+. @%`#\['\\]|T(?:rue|RUE)"|F(?:alse|ALSE)"|N(?:ull|ULL)"|-\."""
    rb'|0(?:[0-9]+(?:[eE][-+]?[0-9]+)?"|[eE][-+]?[0-9]+"|o[0-7]+"|x[0-9a-fA-F]+")|\](?<=[ \[,{]"\]))')
# A flow sequence in the text: one line, flat, of single-line quoted or simple plain items (no ':', '#',
# brackets or braces). Where ':' may appear in flow context libyaml refuses some documents ryml takes
# ([a:], [:x], [x,\n :x]); records hold ["a", "b"] and [] only.
_FLOW = re.compile(rb"""\[ *(?:(?:"[^"\n]*"|'[^'\n]*'|[^\s\[\]{},:#"'][^\[\]{},:#\n]*?) *"""
                   rb"""(?:, *(?:"[^"\n]*"|'[^'\n]*'|[^\s\[\]{},:#"'][^\[\]{},:#\n]*?) *)*)?\]""")
_MARKERS = re.compile(rb"\n(?:---|\.\.\.|%)")   # a document marker or a directive at a line start
# Control characters (but the newline) and DEL -> NUL; both quotes -> ' '.
_MASK = bytes(0 if (c < 32 and c != 10) or c == 127 else 32 if c in (34, 39) else c for c in range(256))
_KEYS: set[str] = set()   # memo: keys known to read as text when plain (records use a few dozen)
_INT64 = range(-(1 << 63), 1 << 63)
_decode_json = msgspec.json.decode


def _keys_of(value) -> int:
    """How many keys the decoded JSON holds; _Fallback on a float, a huge int or a key that may have been plain."""
    if value.__class__ is dict:
        count = len(value)
        if not _KEYS.issuperset(value):
            for key in value:
                if key not in _KEYS:
                    if (key[:1] in _RESOLVERS and _plain(key).__class__ is not str) or len(key) > 1000:
                        raise _Fallback   # libyaml refuses an implicit key of more than 1024 characters
                    if len(_KEYS) < 4096:
                        _KEYS.add(key)
        items = value.values()
    else:
        count = 0
        items = value
    for item in items:
        cls = item.__class__
        if cls is dict or cls is list:
            count += _keys_of(item)
        elif cls is float or (cls is int and item not in _INT64):   # msgspec's float parsing is not ours
            raise _Fallback
    return count


def _load_ryml(text: str, api):
    """The document's value through rapidyaml; _Fallback (or another exception) when it is not provably the reference's."""
    if ("&" in text or "*" in text or "!" in text or "|" in text or ">" in text or "?" in text or "\\" in text
            or "{" in text or "`" in text or "\ufeff" in text or "\u2028" in text or "\u2029" in text
            or "\ufffe" in text or "\uffff" in text):
        raise _Fallback
    data = text.encode("utf-8")   # a lone surrogate raises: the event loop words it
    masked = data.translate(_MASK)
    if (b"\xc2" in data           # U+0080-U+00BF: the C1 controls and U+0085, with a few symbols (rare)
            or b"\0" in masked    # tab, CR, other control characters
            # a quoted key, or spaces before a key's ':' (masked: '"' and "'" read as ' '): ryml takes a
            # key over two lines ("a\n b": c) or longer than libyaml's 1024 characters; records' are plain
            or b" :" in masked
            or _MARKERS.search(data) or data.startswith((b"%", b"---", b"..."))
            or (b"[" in data and data.count(b"[") != len(_FLOW.findall(data)))):   # every '[' a simple flow sequence
        raise _Fallback
    parse, emit, tree_type = api
    tree = tree_type()
    out = bytearray(4 * len(data) + 4096)
    with _STDERR_LOCK:   # two threads swapping fd 2 at once could leave it pointing at /dev/null
        saved = os.dup(2)
        try:
            os.dup2(_devnull(), 2)
            try:
                parse(data, tree)
                failed, size = emit(tree, 0, out)
                if failed:   # deep nesting: the indentation outgrew the buffer
                    out = bytearray(size)
                    failed, size = emit(tree, 0, out)
            finally:
                os.dup2(saved, 2)
        finally:
            os.close(saved)
    if failed or size == 0 or out[0] != 0x7B:   # '{': the root is a mapping
        raise _Fallback
    del out[size:]
    if _JSON_SUSPECT.search(out):
        raise _Fallback
    value = _decode_json(out)
    # Every key is written '"key": ' and a '"' inside a string as '\"', so fewer keys decoded than
    # written means a duplicate key (an escaped '": ' inside a text only makes this fall back).
    if _keys_of(value) != out.count(b'": '):
        raise _Fallback
    return value


_DEVNULL = None
_STDERR_LOCK = threading.Lock()


def _devnull() -> int:
    global _DEVNULL
    if _DEVNULL is None:
        _DEVNULL = os.open(os.devnull, os.O_WRONLY)
    return _DEVNULL


def _after_fork() -> None:
    global _STDERR_LOCK
    _STDERR_LOCK = threading.Lock()   # a fork while another thread held it must not leave the child stuck


if hasattr(os, "register_at_fork"):   # not on Windows
    os.register_at_fork(after_in_child=_after_fork)


def load_fast(text: str):
    """Parse one YAML document; raises YamlProblem with a 0-based position."""
    api = _RYML if _RYML is not None else _ryml_api()
    # Only while this process runs one thread: the rapidyaml path points fd 2 at /dev/null for its C++ calls,
    # and another thread may be writing there meanwhile — Textual's driver draws the TUI on stderr. Parse
    # workers and the CLI run one thread; a threaded process parses few records, on the libyaml loop.
    if api and threading.active_count() == 1:
        try:
            return _load_ryml(text, api)
        except Exception:  # noqa: BLE001 - _Fallback, or anything ryml or msgspec raised: the event loop decides
            pass
    try:
        return _load_events(text)
    except Exception:  # noqa: BLE001 - _Fallback, or an error the general path will locate and word
        return load_reference(text)


def locate(text: str, path: tuple) -> tuple[int, int] | None:
    """0-based (line, col) of the node at ``path`` (keys and indexes); the nearest parent if absent.

    A last element ``("key", name)`` asks for the position of the key itself.
    """
    try:
        node = yaml.compose(text, Loader=FastLoader)
    except yaml.YAMLError:
        return None
    if node is None:
        return None
    best = (node.start_mark.line, node.start_mark.column)
    for part in path:
        if isinstance(part, tuple) and part[0] == "key" and isinstance(node, yaml.MappingNode):
            for k, _ in node.value:
                if k.value == part[1]:
                    return (k.start_mark.line, k.start_mark.column)
            return best
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == part:
                    node = v
                    break
            else:
                return best
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            return best
        best = (node.start_mark.line, node.start_mark.column)
    return best


# --- round trip -------------------------------------------------------------------------

def roundtrip_yaml(sequence: int = 4, offset: int = 2):
    """A ruamel.yaml instance that writes back an unchanged document byte for byte.

    A default ruamel.yaml rewrites quoting and list indentation; preserving quotes,
    a wide line and the document's own list indentation keeps clerks' files intact.
    """
    from ruamel.yaml import YAML

    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.indent(mapping=2, sequence=sequence, offset=offset)
    rt.width = 4096
    rt.allow_duplicate_keys = False
    return rt


def _guess_sequence_style(text: str) -> tuple[int, int]:
    """(sequence indent, dash offset) as written in this document: '  - x' -> (4, 2), '- x' -> (2, 0)."""
    from ruamel.yaml.util import load_yaml_guess_indent

    try:
        _, ind, bsi = load_yaml_guess_indent(text)
    except Exception:
        return 4, 2
    if ind is None or bsi is None:
        return 4, 2
    return (ind, bsi) if ind >= bsi + 2 else (bsi + 2, bsi)


def load_roundtrip(text: str):
    """Load for editing; the document's list style travels with the data to ``dump_roundtrip``."""
    data = roundtrip_yaml().load(text)
    try:
        data._cctk_style = _guess_sequence_style(text)
    except AttributeError:  # a scalar document
        pass
    return data


def dump_roundtrip(data) -> str:
    sequence, offset = getattr(data, "_cctk_style", (4, 2))
    buf = io.StringIO()
    roundtrip_yaml(sequence, offset).dump(data, buf)
    return buf.getvalue()
