"""What ``new``, ``import`` and ``import-metrics`` share: the files they make, and how.

* where a new file goes (:func:`path_for`) and the next free id (:func:`next_id`,
  :func:`used_ids`), counting the ids of files that have errors and the names of every file;
* a ``--source`` path given from a sub-folder, written from the repository's top folder;
* the YAML text (:func:`emit`), read back by ascready's own reader as exactly the data given;
* a message line in the form every authoring command uses (:func:`line`).

Nothing here prints, reads the repository or writes a file.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from ascready.checks.sources import classify_source
from ascready.errors import AscreadyError
from ascready.repository import models, yamlsafe
from ascready.repository.kinds import BY_NAME, Kind
from ascready.repository.project import Document, Project

_ID = TypeAdapter(models.Id)
_NUMBERED = re.compile(r"^(.*?)(\d+)$")


def path_for(kind: Kind, ident: str) -> str:
    """Where a new document named by its id goes, relative to the repository."""
    return f"{kind.folder}/{ident}.yaml"


def line(where: str, message: str, hint: str = "") -> str:
    """One problem as the authoring commands say it: ``where: message. fix: hint``."""
    message = message.rstrip()
    end = "" if message.endswith((".", "?", "!")) else "."
    return f"{where}: {message}{end} fix: {hint}" if hint else f"{where}: {message}{end}"


# --- the next free id ------------------------------------------------------------------------


def is_valid_id(ident: str) -> bool:
    """Whether ``ident`` is an id a file may have (letters, digits, '.', '_', '-')."""
    try:
        _ID.validate_python(ident)
    except ValidationError:
        return False
    return True


def next_id(used: Iterable[str], first: str) -> str:
    """The next id after ``used``: the dominant PREFIX + digits pattern, highest number + 1.

    Zero-padding is kept (EV-066 -> EV-067) and grows when it must (EV-999 -> EV-1000). Holes
    are never filled: a retired id is not given to something else. With no numbered ids at all,
    ``first`` (EV-001, ACT-01).
    """
    names = set(used)
    groups: dict[str, list[str]] = defaultdict(list)
    for name in names:
        match = _NUMBERED.match(name)
        if match and is_valid_id(name):
            groups[match[1]].append(match[2])
    first_match = _NUMBERED.match(first)
    if first_match is None:  # pragma: no cover - the defaults above are numbered
        raise ValueError(f"'{first}' has no number")
    if groups:
        default_prefix = first_match[1]
        prefix = max(groups, key=lambda p: (len(groups[p]), p == default_prefix, p))
        widths = Counter(len(d) for d in groups[prefix])
        width = max(widths, key=lambda w: (widths[w], w))
        number = max(int(d) for d in groups[prefix]) + 1
    else:
        prefix, width, number = first_match[1], len(first_match[2]), int(first_match[2])
    taken = {n.casefold() for n in names}
    while True:
        candidate = f"{prefix}{number:0{width}d}"
        if candidate.casefold() not in taken and is_valid_id(candidate):
            return candidate
        number += 1


def claimed(doc: Document, key: str) -> object:
    """A field of a file as it is, even when the file has validation errors: from its model,
    or else its raw data (None when it has neither)."""
    if doc.model is not None:
        return getattr(doc.model, key, None)
    return doc.data.get(key) if isinstance(doc.data, dict) else None


def claimed_id(doc: Document) -> str | None:
    """The id a file has, or claims even when it has validation errors (a number read as
    text); None when it has none."""
    ident = claimed(doc, "id")
    if isinstance(ident, int) and not isinstance(ident, bool):
        ident = str(ident)
    return ident if isinstance(ident, str) else None


def used_ids(project: Project, kind: str, *, history: bool = False) -> dict[str, str]:
    """Every id a file of this kind has or claims, mapped to the file that has it.

    Ids in files with validation errors count (their raw ``id``), and so does every file's name
    (files are named by id, and a file that cannot be read at all has nothing else). With
    ``history``, so does the name of every file of the kind's folder in the repository's git
    history (mapped to ""), so that the id of a file taken out is never given again.
    """
    used: dict[str, str] = {}
    for doc in project.documents:
        if doc.kind != kind:
            continue
        ident = claimed_id(doc)
        if ident is not None:
            used.setdefault(ident, doc.path)
        used.setdefault(PurePosixPath(doc.path).stem, doc.path)
    if history:
        from ascready.analysis.gitrefs import names_in_history

        for name in names_in_history(project.root, BY_NAME[kind].folder):
            used.setdefault(name, "")
    return used


def fresh_ids(used: Iterable[str], first: str) -> Iterator[str]:
    """New ids in the repository's pattern, one after another: :func:`next_id` once, then
    counting on, so that thousands of rows without ids cost no more than one."""
    names = set(used)
    taken = {u.casefold() for u in names}
    match = _NUMBERED.match(next_id(names, first))
    assert match is not None  # next_id always ends with a number
    prefix, number, width = match[1], int(match[2]), len(match[2])
    while True:
        candidate = f"{prefix}{number:0{width}d}"
        number += 1
        if candidate.casefold() not in taken:
            yield candidate


# --- a source path given from a sub-folder ---------------------------------------------------


def source_in_repository(root: Path, source: str) -> str:
    """A source path given from the current folder, written from the repository's top folder.

    ``ascready new`` may be run in a sub-folder: ``--source ../files/policy.pdf`` means the
    file the user can see from there, and an absolute path may name a file in the repository.
    Links, and paths that already name a file from the top folder, are kept as given; anything
    else is left for the source checks to judge.
    """
    if classify_source(source) != "path":
        return source
    if not os.path.isabs(source) and os.path.exists(os.path.join(root, source)):
        return source
    absolute = os.path.abspath(source)
    if not os.path.exists(absolute):
        return source
    folder = os.path.realpath(os.path.dirname(absolute))
    real_root = os.path.realpath(root)
    if folder != real_root and not folder.startswith(real_root + os.sep):
        return source
    relative = os.path.relpath(os.path.join(folder, os.path.basename(absolute)), real_root)
    return PurePosixPath(*Path(relative).parts).as_posix()


# --- the YAML text ---------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, which also quotes text that YAML 1.2 (ascready's reader) would
    read as a number, such as 1e5: PyYAML follows YAML 1.1 and would leave it bare."""


class _QuotedDumper(_Dumper):
    """The same, writing text on several lines in quotes rather than as a block."""


#: Text YAML 1.2 reads as a number, which PyYAML (YAML 1.1) would write bare.
_NUMBER_LIKE = re.compile(r"^[-+]?(?:[1-9][0-9]*|0)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$")


def _represent_text(dumper: _Dumper, value: str) -> yaml.ScalarNode:
    # A narrative reads best as a block; PyYAML falls back to quotes when a block cannot hold
    # the text exactly (trailing spaces, special characters).
    style = "|" if "\n" in value and not isinstance(dumper, _QuotedDumper) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_list(dumper: _Dumper, value: list[Any]) -> yaml.SequenceNode:
    flow = all(isinstance(v, (int, str)) and "\n" not in str(v) for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


def _configure(dumper: type[Any]) -> None:
    dumper.add_implicit_resolver("tag:yaml.org,2002:float", _NUMBER_LIKE, list("-+0123456789"))
    dumper.add_representer(str, _represent_text)
    dumper.add_representer(list, _represent_list)


_configure(_Dumper)
#: The same dumper on libyaml's emitter, many times faster (``ascready import`` writes thousands
#: of files); the pure-Python one where PyYAML was built without libyaml.
_FastDumper: type[Any] = _Dumper
if hasattr(yaml, "CSafeDumper"):

    class _CDumper(yaml.CSafeDumper):
        pass

    _configure(_CDumper)
    _FastDumper = _CDumper


def as_read(value: Any) -> Any:
    """What ascready's reader gives back for ``value``: dates are read as text. A dict or list
    with no date in it is given back as it is, not copied (an import of 200,000 rows would
    otherwise hold each file's data twice)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        read = {k: as_read(v) for k, v in value.items()}
        return value if all(read[k] is v for k, v in value.items()) else read
    if isinstance(value, list):
        items = [as_read(v) for v in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    return value


def emit(data: Mapping[str, Any], header: str = "") -> str:
    """YAML text that ascready's reader reads back as exactly ``data``, keys in order.

    Tries the most readable form first (text on several lines as a block, other characters as
    they are), and falls back to quoting and escaping until the text reads back exactly.
    """
    expected = as_read(dict(data))
    attempts = ((_FastDumper, True), (_QuotedDumper, True), (_QuotedDumper, False))
    for dumper, unicode in attempts:
        try:
            body = yaml.dump(
                dict(data),
                Dumper=dumper,
                sort_keys=False,
                allow_unicode=unicode,
                default_flow_style=False,
                width=1_000_000,
            )
        except yaml.YAMLError:
            continue
        text = header + body
        parsed, problems = yamlsafe.parse_text(text)
        if not problems and parsed == expected:
            return text
    raise AscreadyError(
        "some of the text given cannot be written as YAML that reads back exactly; remove any "
        "control characters from it and try again"
    )
