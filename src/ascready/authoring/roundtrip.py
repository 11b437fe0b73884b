"""Adding to a YAML file a person wrote, keeping their comments, key order, quoting and layout.

ascready reads every file with its guarded libyaml reader (:mod:`ascready.repository.yamlsafe`);
a change to an existing file is made here, with ruamel.yaml's round-trip loader and dumper,
which keep what they do not change as it was. ruamel.yaml is imported only inside
:func:`add_to_mapping`, so that commands that do not edit files do not pay for it.

The caller checks the result as validate would: this module only makes the text.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from typing import Any

#: (mapping, sequence, offset) indents tried in turn: the first that gives back the file
#: unchanged is the file's own layout. The first is the one ``init``'s comments show.
_INDENTS = ((2, 4, 2), (2, 2, 0), (4, 6, 4), (4, 4, 0))


class EditError(ValueError):
    """The file cannot be added to (not a mapping, or a list that is not a list)."""


def add_to_mapping(
    text: str,
    *,
    append: Mapping[str, Sequence[Mapping[str, Any]]],
    set_missing: Mapping[str, Any],
    order: Sequence[str],
) -> tuple[str, bool]:
    """``text`` (a YAML mapping) with the entries of ``append`` added at the end of the lists
    of those keys, and the values of ``set_missing`` given to their keys (replacing an empty
    value, or as a new key placed in ``order``). Everything else is kept as written: the
    second value says whether it could be (False: ruamel.yaml would change the file's layout
    somewhere, such as an indentation it cannot repeat)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import LiteralScalarString

    def make(indent: tuple[int, int, int]) -> Any:
        yaml = YAML(typ="rt", pure=True)
        yaml.preserve_quotes = True
        yaml.width = 1_000_000  # never fold a long line the person wrote on one
        yaml.indent(mapping=indent[0], sequence=indent[1], offset=indent[2])
        return yaml

    def dump(yaml: Any, data: Any) -> str:
        out = io.StringIO()
        yaml.dump(data, out)
        return out.getvalue()

    def node(value: Any) -> Any:
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, Mapping):
            return CommentedMap((k, node(v)) for k, v in value.items())
        if isinstance(value, list | tuple):
            seq = CommentedSeq(node(v) for v in value)
            if all(isinstance(v, int | str) and "\n" not in str(v) for v in value):
                seq.fa.set_flow_style()  # [EV-001, EV-002], as ascready writes lists of ids
            else:
                seq.fa.set_block_style()
            return seq
        if isinstance(value, str) and "\n" in value and value.rstrip(" \n") == value.rstrip():
            return LiteralScalarString(value)  # a narrative reads best as a block
        return value

    yaml, kept = make(_INDENTS[0]), False
    for indent in _INDENTS:  # the file's own indentation, if one of these gives it back
        candidate = make(indent)
        try:
            if dump(candidate, candidate.load(text)) == text:
                yaml, kept = candidate, True
                break
        except Exception:  # ruamel raises many kinds; the file is judged below
            continue
    try:
        data = yaml.load(text)
    except Exception as exc:
        raise EditError(f"it cannot be read for editing ({type(exc).__name__})") from None
    if not isinstance(data, CommentedMap):
        raise EditError("it is not a mapping of keys to values")

    def place(key: str, value: Any) -> None:
        if key in data:
            data[key] = value
            return
        wanted = order.index(key) if key in order else len(order)
        position = len(data)
        for i, existing in enumerate(data):
            if existing in order and order.index(existing) > wanted:
                position = i
                break
        data.insert(position, key, value)

    for key, value in set_missing.items():
        place(key, node(value))
    for key, entries in append.items():
        if not entries:
            continue
        current = data.get(key)
        if current is None:
            current = CommentedSeq()
            place(key, current)
        elif not isinstance(current, CommentedSeq):
            raise EditError(f"its '{key}' is not a list")
        current.fa.set_block_style()  # `strengths: []` becomes a list of entries
        after = _comments_after(current)
        current.extend(node(dict(e)) for e in entries)
        if after is not None:  # they stay after the list, below the new entries
            last = current[-1]
            last.ca.items[list(last)[-1]] = [None, None, after, None]
    return dump(yaml, data), kept


def _comments_after(seq: Any) -> Any:
    """The comment lines (and blank lines) below the last entry of a list of mappings, taken
    off it and returned as a comment token, or None. ruamel.yaml keeps them with the last
    entry's last value, so entries added at the end would go below them; a comment at the end
    of that entry's last line stays where it is."""
    import copy

    last: Any = seq[-1] if seq else None
    if not isinstance(last, dict) or not last or not hasattr(last, "ca"):
        return None
    item = last.ca.items.get(list(last)[-1])
    if not item or len(item) < 3 or item[2] is None:
        return None
    token = item[2]
    head, newline, rest = token.value.partition("\n")
    if not rest:
        return None
    token.value = head + newline
    moved = copy.copy(token)
    moved.value = "\n" + rest
    return moved
