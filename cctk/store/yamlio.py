"""YAML in two speeds, read identically.

* Bulk reads use PyYAML's C parser (libyaml) with a YAML 1.2 core resolver, so
  ``yes``/``no``, ``010`` and ``1:20`` mean what ruamel.yaml (YAML 1.2) says they
  mean; dates stay text (the model parses them, so 2018-02-30 is a located error
  rather than a constructor crash). Duplicate keys and aliases are refused: an
  alias could expand into an alias bomb, and contract records never need one.
* Round-trip edits use ruamel.yaml, configured to be byte-faithful.
* ``locate`` re-parses one document lazily to turn a field path into a line/column.
"""

from __future__ import annotations

import io
import re

import yaml
from yaml.constructor import SafeConstructor
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
        # YAML 1.2: 010 is ten, 0o10 is eight.
        text = node.value.replace("_", "")
        if text.startswith("0o"):
            return int(text[2:], 8)
        if text.startswith("0x"):
            return int(text[2:], 16)
        return int(text, 10)


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


def load_fast(text: str):
    """Parse one YAML document; raises YamlProblem with a 0-based position."""
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
    except (ValueError, TypeError, RecursionError) as exc:  # e.g. a constructor rejecting a value
        raise YamlProblem("yaml.syntax", None, None, problem=str(exc)) from None
    finally:
        loader.dispose()


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
