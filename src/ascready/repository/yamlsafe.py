"""A guarded YAML reader for files that non-programmers edit.

PyYAML as shipped follows YAML 1.1 and trusts its input. This module keeps its speed (libyaml's
C parser where available) and closes the traps a council's assurance team would fall into:

* YAML 1.2 core rules for plain scalars: only ``true``/``false`` are booleans, only decimal
  numbers without leading zeros are integers, and dates and ``1:30`` stay text. So
  ``title: no`` stays ``"no"`` and ``id: 010`` stays ``"010"``; nothing is silently changed.
* duplicate keys in a mapping are reported (PyYAML silently keeps the last one);
* anchors and aliases are bounded (PyYAML has no limit on how far they expand) and an alias
  that contains itself is refused;
* nesting is bounded *before* libyaml's recursive composer runs, because a file of a few
  hundred kilobytes of ``[`` crashes it outright;
* size, encoding (UTF-8, with or without a byte-order mark), empty files and multi-document
  files are checked, and every problem carries a line and column.

Nothing here raises on bad input: :func:`parse_bytes` returns the data (or ``None``) and a list
of :class:`Problem` values.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from ascready.repository.yaml_errors import Problem as Problem
from ascready.repository.yaml_errors import syntax_problem


class PurePythonParser(Reader, Scanner, Parser, Composer):
    """PyYAML's own parser, used only where PyYAML was installed without libyaml."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)


try:  # libyaml's parser: about ten times faster than the pure-Python one
    from yaml._yaml import CParser

    _Parser: type = CParser
    WITH_LIBYAML = True
except ImportError:  # pragma: no cover - exercised only where PyYAML was built without libyaml
    _Parser = PurePythonParser
    WITH_LIBYAML = False

#: Files larger than this are refused: evidence files are a few kilobytes.
MAX_FILE_BYTES = 1024 * 1024
#: Deepest nesting of mappings and lists accepted.
MAX_DEPTH = 64
#: Most values a document may expand to through aliases.
MAX_EXPANDED_NODES = 100_000

MERGE_TAG = "tag:yaml.org,2002:merge"


class _CoreResolver(BaseResolver):
    """Plain-scalar resolution by the YAML 1.2 core schema, minus octal and hex."""


_CoreResolver.yaml_implicit_resolvers = {}
_CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
_CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"),
    list("-+0123456789"),
)
_CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"""^(?:[-+]?(?:[1-9][0-9]*|0)\.[0-9]+(?:[eE][-+]?[0-9]+)?
            |[-+]?(?:[1-9][0-9]*|0)[eE][-+]?[0-9]+
            |[-+]?\.(?:inf|Inf|INF)
            |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)
_CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:null",
    re.compile(r"^(?:~|null|Null|NULL|)$"),
    ["~", "n", "N", ""],
)
_CoreResolver.add_implicit_resolver(MERGE_TAG, re.compile(r"^(?:<<)$"), ["<"])


STR_TAG = "tag:yaml.org,2002:str"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
BOOL_TAG = "tag:yaml.org,2002:bool"
NULL_TAG = "tag:yaml.org,2002:null"
SEQ_TAG = "tag:yaml.org,2002:seq"
MAP_TAG = "tag:yaml.org,2002:map"
#: First characters with which a plain scalar may be something other than text.
_MAYBE_TYPED = frozenset("tTfFnN~-+0123456789.<")


def _fast_resolve(
    self: BaseResolver, kind: type[Node], value: str | None, implicit: tuple[bool, bool]
) -> str:
    """Same answers as BaseResolver.resolve, without its generic machinery for plain text."""
    if kind is ScalarNode:
        if implicit[0]:
            if not value:
                return NULL_TAG
            if value[0] in _MAYBE_TYPED:
                for tag, regexp in self.yaml_implicit_resolvers.get(value[0], ()):
                    if regexp.match(value):
                        return str(tag)
        return STR_TAG
    return SEQ_TAG if kind is SequenceNode else MAP_TAG


_CoreResolver.resolve = _fast_resolve  # type: ignore[method-assign]


def _duplicate_key(key_node: ScalarNode) -> Problem:
    mark = key_node.start_mark
    return Problem(
        "duplicate-key",
        f"the key '{key_node.value}' appears twice in the same mapping",
        "Keep one of them: YAML would silently use only the last one.",
        mark.line + 1,
        mark.column + 1,
    )


class _NeedsConstructor(Exception):
    """The document uses a feature the direct builder leaves to PyYAML's constructor."""


def _scalar(node: ScalarNode) -> Any:
    tag, value = node.tag, node.value
    if tag == STR_TAG:
        return value
    if tag == INT_TAG:
        return int(value)
    if tag == FLOAT_TAG:
        lowered = value.lower()
        if lowered.endswith(".inf"):
            return float("-inf") if lowered.startswith("-") else float("inf")
        if lowered == ".nan":
            return float("nan")
        return float(value)
    if tag == BOOL_TAG:
        if value in ("true", "True", "TRUE"):
            return True
        if value in ("false", "False", "FALSE"):
            return False
        raise _NeedsConstructor  # "!!bool maybe": the constructor refuses it
    if tag == NULL_TAG:
        return None
    raise _NeedsConstructor


def _build(node: Node, duplicates: list[Problem]) -> Any:
    """Python data from a composed node tree with only core tags, reporting duplicate keys.

    Several times faster than PyYAML's generator-based constructor; anything unusual raises
    _NeedsConstructor so that the full constructor handles it.
    """
    if isinstance(node, ScalarNode):
        return _scalar(node)
    if isinstance(node, SequenceNode):
        if node.tag != SEQ_TAG:
            raise _NeedsConstructor
        return [_build(child, duplicates) for child in node.value]
    if not isinstance(node, MappingNode) or node.tag != MAP_TAG:
        raise _NeedsConstructor
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode) or key_node.tag == MERGE_TAG:
            raise _NeedsConstructor
        key = _scalar(key_node)
        if key in result:
            duplicates.append(_duplicate_key(key_node))
        result[key] = _build(value_node, duplicates)
    return result


class _GuardedConstructor(SafeConstructor):
    """SafeConstructor that records duplicate keys instead of silently keeping the last."""

    duplicates: list[Problem]

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Hashable, Any]:
        if not isinstance(node, MappingNode):  # "!!map [1]", "!!set abc": PyYAML refuses it
            return super().construct_mapping(node, deep=deep)  # type: ignore[arg-type]
        seen: set[tuple[str, str]] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode) and key_node.tag != MERGE_TAG:
                key = (key_node.tag, key_node.value)
                if key in seen:
                    self.duplicates.append(_duplicate_key(key_node))
                seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise ConstructorError(None, None, f"impossible date: {exc}", node.start_mark) from exc
        except (AttributeError, TypeError):  # "!!timestamp soon": no date in it at all
            raise _bad_value(node, "is tagged as a date (!!timestamp) but is not one") from None

    def construct_yaml_int(self, node: ScalarNode) -> Any:
        value = str(node.value)
        if sum(c.isdigit() for c in value) > MAX_DIGITS:
            raise _bad_value(node, f"is a number of more than {MAX_DIGITS:,} digits")
        try:
            return super().construct_yaml_int(node)
        except (ValueError, TypeError, IndexError):
            raise _bad_value(node, "is tagged as a whole number (!!int) but is not one") from None

    def construct_yaml_float(self, node: ScalarNode) -> Any:
        if sum(c.isdigit() for c in str(node.value)) > MAX_DIGITS:
            raise _bad_value(node, f"is a number of more than {MAX_DIGITS:,} digits")
        try:
            return super().construct_yaml_float(node)
        except (ValueError, TypeError, OverflowError, IndexError):
            raise _bad_value(node, "is tagged as a number (!!float) but is not one") from None

    def construct_yaml_bool(self, node: ScalarNode) -> Any:
        value = str(self.construct_scalar(node)).lower()  # a list tagged !!bool is refused
        if value in ("true", "false"):
            return value == "true"
        raise _bad_value(node, "is tagged as yes or no (!!bool) but is neither true nor false")


#: The most digits a number may have (Python's own limit on reading one is 4,300).
MAX_DIGITS = 4300
BAD_VALUE = "bad value: "


def _bad_value(node: ScalarNode, what: str) -> ConstructorError:
    shown = " ".join(str(node.value).split())
    shown = shown if len(shown) <= 30 else shown[:27] + "..."
    return ConstructorError(None, None, f"{BAD_VALUE}'{shown}' {what}", node.start_mark)


_GuardedConstructor.add_constructor(  # type: ignore[type-var]
    "tag:yaml.org,2002:timestamp", _GuardedConstructor.construct_yaml_timestamp
)
_GuardedConstructor.add_constructor(  # type: ignore[type-var]
    "tag:yaml.org,2002:bool", _GuardedConstructor.construct_yaml_bool
)
_GuardedConstructor.add_constructor(  # type: ignore[type-var]
    "tag:yaml.org,2002:float", _GuardedConstructor.construct_yaml_float
)
_GuardedConstructor.add_constructor(  # type: ignore[type-var]
    "tag:yaml.org,2002:int", _GuardedConstructor.construct_yaml_int
)


def _make_loaders(parser: type) -> tuple[type, type]:
    """A guarded loader and an event-only loader over the given parser class."""

    class Guarded(parser, _GuardedConstructor, _CoreResolver):  # type: ignore[misc]
        """A parser with YAML 1.2 core resolution and the guards above."""

        def __init__(self, stream: str) -> None:
            parser.__init__(self, stream)  # type: ignore[misc]
            _GuardedConstructor.__init__(self)
            _CoreResolver.__init__(self)
            self.duplicates = []

    class Events(parser, _CoreResolver):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            parser.__init__(self, stream)  # type: ignore[misc]
            _CoreResolver.__init__(self)

    return Guarded, Events


GuardedLoader, _EventLoader = _make_loaders(_Parser)
#: The same guards over PyYAML's pure-Python parser: the fallback, and tested as such.
PURE_PYTHON_LOADERS = _make_loaders(PurePythonParser)


def decode(raw: bytes) -> tuple[str | None, Problem | None]:
    """Decode a file's bytes as UTF-8 (a UTF-8 byte-order mark is accepted and dropped)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, Problem(
            "encoding",
            "the file is saved as UTF-16, not UTF-8",
            "Save it again as UTF-8 (in Notepad or Excel: Save As, Encoding 'UTF-8').",
            1,
            1,
        )
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        bad = raw[exc.start : exc.start + 1].hex()
        return None, Problem(
            "encoding",
            f"the file is not valid UTF-8 (byte 0x{bad} cannot be read)",
            "Save it again as UTF-8; this often happens when text is pasted from an older "
            "Word or Excel file saved in Windows-1252.",
            line,
            column,
        )


_BLOCK_INDICATOR = re.compile(r"[-?](?:[ \t\r\n]|$)")


def _depth_problem(text: str, events: type) -> Problem | None:
    """Refuse nesting deeper than MAX_DEPTH without running the recursive composer.

    A nested collection starts either on a new line, more indented than its parent, or on the
    same line after ``[``, ``{``, ``- `` or ``? ``. So the depth is at most the number of
    distinct indentations plus the number of those indicators: a file where that bound is
    small cannot nest deeply and is not scanned. Otherwise libyaml's event stream (iterative,
    no recursion) gives the exact depth.
    """
    inline = text.count("[") + text.count("{") + len(_BLOCK_INDICATOR.findall(text))
    if inline + text.count("\n") + 1 <= MAX_DEPTH:  # at most one new level per line
        return None
    indents = {len(line) - len(line.lstrip(" ")) for line in text.split("\n")}
    if inline + len(indents) <= MAX_DEPTH:
        return None
    try:
        return _deepest(text, events)
    except yaml.YAMLError as exc:
        if "nesting depth" not in str(exc):
            return None  # the syntax error is reported, with its position, by the real parse
        # libyaml 0.2.6 and later has a nesting limit of its own (1,000 levels), and its scanner
        # reads ahead through a run of brackets, so it stops there before the events reach
        # MAX_DEPTH. PyYAML's own scanner reads no further than it must: it finds the place.
        try:
            found = _deepest(text, PurePythonParser)
        except yaml.YAMLError:
            found = None
        mark = getattr(exc, "problem_mark", None)
        return found or _too_deep(mark.line + 1 if mark else 1, mark.column + 1 if mark else 1)


def _too_deep(line: int, column: int) -> Problem:
    return Problem(
        "too-deep",
        f"lists and mappings are nested more than {MAX_DEPTH} levels deep",
        "Evidence files need only a few levels; check the indentation and the brackets near here.",
        line,
        column,
    )


def _deepest(text: str, events: type) -> Problem | None:
    """The first collection deeper than MAX_DEPTH, from the event stream (no recursion)."""
    depth = 0
    loader = events(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                mark = event.start_mark
                if depth > MAX_DEPTH and mark is not None:
                    return _too_deep(mark.line + 1, mark.column + 1)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        loader.dispose()
    return None


def _alias_problem(root: Node) -> Problem | None:
    """Refuse aliases that expand past MAX_EXPANDED_NODES values, or that contain themselves."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            total = 1
            if isinstance(node, SequenceNode):
                total += sum(sizes[id(child)] for child in node.value)
            elif isinstance(node, MappingNode):
                total += sum(sizes[id(k)] + sizes[id(v)] for k, v in node.value)
            if total > MAX_EXPANDED_NODES:
                mark = node.start_mark
                return Problem(
                    "alias-bomb",
                    f"anchors and aliases (& and *) here expand to more than "
                    f"{MAX_EXPANDED_NODES:,} values",
                    "Write the values out, or use far fewer aliases; evidence files do not need "
                    "them.",
                    mark.line + 1,
                    mark.column + 1,
                )
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in on_path:
            mark = node.start_mark
            return Problem(
                "alias-bomb",
                "an alias (*) refers to the mapping or list that contains it, which never ends",
                "Remove the alias or point it at something outside itself.",
                mark.line + 1,
                mark.column + 1,
            )
        if isinstance(node, ScalarNode):
            sizes[key] = 1
            continue
        on_path.add(key)
        stack.append((node, True))
        children: list[Node] = []
        if isinstance(node, SequenceNode):
            children = list(node.value)
        elif isinstance(node, MappingNode):
            for k, v in node.value:
                children.extend((k, v))
        stack.extend((child, False) for child in reversed(children) if id(child) not in sizes)
    return None


_NOT_BUILT = object()


def parse_text(text: str, *, pure_python: bool = False) -> tuple[Any, list[Problem]]:
    """Parse one YAML document from text, returning the data and every problem found."""
    if not text.strip():  # a file of only comments composes to no node, handled below
        return None, [
            Problem(
                "empty-file",
                "the file is empty",
                "Fill it in, or delete it if it is not needed.",
                1,
                1,
            )
        ]
    guarded, events = PURE_PYTHON_LOADERS if pure_python else (GuardedLoader, _EventLoader)
    deep = _depth_problem(text, events)
    if deep is not None:
        return None, [deep]
    loader = guarded(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, [
                Problem("empty-file", "the file is empty", "Fill it in, or delete it.", 1, 1)
            ]
        has_alias = "*" in text
        if has_alias:
            bomb = _alias_problem(node)
            if bomb is not None:
                return None, [bomb]
        data = _NOT_BUILT
        if not has_alias:  # shared nodes keep PyYAML's semantics through its constructor
            try:
                fast_duplicates: list[Problem] = []
                data = _build(node, fast_duplicates)
                loader.duplicates = fast_duplicates
            except (_NeedsConstructor, ValueError, TypeError):
                data = _NOT_BUILT
        if data is _NOT_BUILT:
            loader.duplicates = []
            data = loader.construct_document(node)
        if data is None:
            return None, [
                Problem("empty-file", "the file is empty", "Fill it in, or delete it.", 1, 1)
            ]
    except yaml.YAMLError as exc:
        return None, [*loader.duplicates, syntax_problem(exc, text)]
    except RecursionError:
        return None, [
            Problem(
                "too-deep",
                "the file is nested too deeply to read",
                "Check the indentation and brackets.",
                1,
                1,
            )
        ]
    finally:
        loader.dispose()
    return data, list(loader.duplicates)


def too_large(size: int) -> Problem:
    """A file of ``size`` bytes, over :data:`MAX_FILE_BYTES`."""
    shown = f"{size / 1024 / 1024:.1f} MiB" if size < 1024**3 else f"{size / 1024**3:.1f} GiB"
    return Problem(
        "file-too-large",
        f"the file is {shown}; ascready reads YAML files of up to "
        f"{MAX_FILE_BYTES // 1024 // 1024} MiB",
        "An evidence file describes a document; keep the document itself elsewhere and "
        "point to it with 'source:'.",
        1,
        1,
    )


def parse_bytes(raw: bytes) -> tuple[Any, list[Problem]]:
    """Check size and encoding, then parse. Never raises on bad input."""
    if len(raw) > MAX_FILE_BYTES:
        return None, [too_large(len(raw))]
    text, problem = decode(raw)
    if text is None:
        assert problem is not None
        return None, [problem]
    return parse_text(text)


def locate(text: str, loc: tuple[str | int, ...]) -> tuple[int, int]:
    """Return the 1-based line and column of ``loc`` in a document, or of its nearest parent.

    Used only for files that have findings, so clean files pay nothing for line numbers.
    For a key that is there, the position is the key's; for a missing key, its mapping's.
    """
    loader = GuardedLoader(text)
    try:
        node: Node | None = loader.get_single_node()
    except yaml.YAMLError:
        return 1, 1
    finally:
        loader.dispose()
    if node is None:
        return 1, 1
    mark = node.start_mark
    for part in loc:
        nxt: Node | None = None
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode) and key_node.value == str(part):
                    nxt = value_node
                    mark = key_node.start_mark
                    break
        elif isinstance(node, SequenceNode) and isinstance(part, int) and part < len(node.value):
            nxt = node.value[part]
            mark = nxt.start_mark
        if nxt is None:
            break
        node = nxt
    return mark.line + 1, mark.column + 1
