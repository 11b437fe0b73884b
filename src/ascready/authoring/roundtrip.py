"""Changing a YAML file a person wrote, keeping their comments, key order, quoting and layout.

ascready reads every file with its guarded libyaml reader (:mod:`ascready.repository.yamlsafe`);
a change to an existing file is made here, with ruamel.yaml's round-trip loader and dumper,
which keep what they do not change as it was. ruamel.yaml is imported only inside
:func:`edit_mapping`, so that commands that do not edit files do not pay for it.

A change is an :class:`Edit`: keys given values or taken away, and lists (such as a rating's
strengths) rebuilt from their entries, each kept (:class:`Keep`, perhaps with some of its keys
changed) or new. :func:`apply` gives what the edited file must read as, so that the caller can
check the text :func:`edit_mapping` made, as validate would: this module only makes the text.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: (mapping, sequence, offset) indents tried in turn: the first that gives back the file
#: unchanged is the file's own layout. The first is the one ``init``'s comments show.
_INDENTS = ((2, 4, 2), (2, 2, 0), (4, 6, 4), (4, 4, 0))


class EditError(ValueError):
    """The file cannot be changed (not a mapping, or a list that is not a list)."""


@dataclass(frozen=True)
class Keep:
    """The entry at ``index`` of a list as it is, but for the keys given new values in ``set``
    and those taken away in ``delete``."""

    index: int
    set: Mapping[str, Any] = field(default_factory=dict)
    delete: tuple[str, ...] = ()

    @property
    def unchanged(self) -> bool:
        return not self.set and not self.delete


#: An entry of a rebuilt list: one that is there (kept), or a new one (its keys and values).
ListEntry = Keep | Mapping[str, Any]


@dataclass(frozen=True)
class Edit:
    """What changes in a file: top-level keys set or deleted, and lists rebuilt."""

    set: Mapping[str, Any] = field(default_factory=dict)
    delete: tuple[str, ...] = ()
    lists: Mapping[str, Sequence[ListEntry]] = field(default_factory=dict)
    #: The order of top-level keys, and of keys in a list's entries: a new key goes there.
    order: Sequence[str] = ()
    entry_order: Sequence[str] = ()

    def changes(self, data: Mapping[str, Any]) -> bool:
        """Whether applying it to ``data`` changes anything."""
        return apply(data, self) != dict(data)


def _read(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: _read(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_read(v) for v in value]
    return value


def apply(data: Mapping[str, Any], edit: Edit) -> dict[str, Any]:
    """``data`` (a file as ascready reads it) as it reads once ``edit`` is made."""
    out = {k: v for k, v in data.items() if k not in edit.delete}
    out.update(_read(dict(edit.set)))
    for key, entries in edit.lists.items():
        old = data.get(key)
        old = old if isinstance(old, list) else []
        rebuilt: list[Any] = []
        for entry in entries:
            if isinstance(entry, Keep):
                kept = old[entry.index]
                if isinstance(kept, dict):
                    kept = {k: v for k, v in kept.items() if k not in entry.delete}
                    kept.update(_read(dict(entry.set)))
                rebuilt.append(kept)
            else:
                rebuilt.append(_read(dict(entry)))
        out[key] = rebuilt
    return out


def edit_mapping(text: str, edit: Edit) -> tuple[str, bool]:
    """``text`` (a YAML mapping) with ``edit`` made, everything else kept as written; the
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
            return value  # written 2027-01-20, as ascready writes dates (and read as that text)
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

    for key in edit.delete:
        if key in data:
            del data[key]
    for key, value in edit.set.items():
        _place(data, key, node(value), edit.order)
    for key, entries in edit.lists.items():
        current = data.get(key)
        if current is None:
            current = CommentedSeq()
            _place(data, key, current, edit.order)
        elif not isinstance(current, CommentedSeq):
            raise EditError(f"its '{key}' is not a list")
        original_last = current[-1] if current else None
        original_comment = _end_comment(original_last)
        after = _comments_after(current)
        old = list(current)
        rebuilt = []
        for entry in entries:
            if not isinstance(entry, Keep):
                rebuilt.append(node(dict(entry)))
                continue
            item = old[entry.index]
            if entry.set or entry.delete:
                if not isinstance(item, CommentedMap):
                    raise EditError(f"an entry of its '{key}' is not a mapping")
                for name in entry.delete:
                    if name in item:
                        del item[name]
                for name, value in entry.set.items():
                    _place(item, name, node(value), edit.entry_order)
            rebuilt.append(item)
        if rebuilt != old or any(r is not o for r, o in zip(rebuilt, old, strict=False)):
            del current[:]
            current.extend(rebuilt)
        if current:
            current.fa.set_block_style()  # `strengths: []` becomes a list of entries
        else:
            current.fa.set_flow_style()  # every entry taken away: `strengths: []`
        last = current[-1] if current else None
        if last is original_last and original_comment is not None:
            original_comment[0].value = original_comment[1]  # the same last entry: as it was
        elif after is not None and isinstance(last, CommentedMap) and last:
            last.ca.items[list(last)[-1]] = [None, None, after, None]  # below the last entry
    return dump(yaml, data), kept


def _place(data: Any, key: str, value: Any, order: Sequence[str]) -> None:
    """Give ``key`` its value: where it is, or else as a new key placed in ``order``."""
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


def add_to_mapping(
    text: str,
    *,
    append: Mapping[str, Sequence[Mapping[str, Any]]],
    set_missing: Mapping[str, Any],
    order: Sequence[str],
) -> tuple[str, bool]:
    """``text`` with the entries of ``append`` added at the end of the lists of those keys,
    and the values of ``set_missing`` given to their keys: a shorthand for the commonest
    :class:`Edit`."""
    from ascready.repository import yamlsafe

    held, _ = yamlsafe.parse_text(text)
    held = held if isinstance(held, dict) else {}
    lists: dict[str, list[ListEntry]] = {}
    for key, entries in append.items():
        if not entries:
            continue
        before = held.get(key)
        count = len(before) if isinstance(before, list) else 0
        lists[key] = [*(Keep(i) for i in range(count)), *entries]
    return edit_mapping(text, Edit(set=dict(set_missing), lists=lists, order=order))


def _end_comment(entry: Any) -> tuple[Any, str] | None:
    """The comment token after an entry's last value, and the text it holds now."""
    if not isinstance(entry, dict) or not entry or not hasattr(entry, "ca"):
        return None
    item = entry.ca.items.get(list(entry)[-1])
    if not item or len(item) < 3 or item[2] is None:
        return None
    return item[2], item[2].value


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
