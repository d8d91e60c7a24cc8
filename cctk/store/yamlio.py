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
import re

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
    except (ValueError, TypeError, KeyError, RecursionError) as exc:  # e.g. a constructor rejecting a value
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


def load_fast(text: str):
    """Parse one YAML document; raises YamlProblem with a 0-based position."""
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
