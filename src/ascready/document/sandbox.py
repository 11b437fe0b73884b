"""The Jinja sandbox a council's own templates run in, with bounds on what they may build.

Jinja's :class:`~jinja2.sandbox.SandboxedEnvironment` stops a template from reaching Python
internals, but not from building a string of three billion characters (``{{ 'a' * 3000000000
}}``), or looping for ever over a list it made. :class:`BoundedEnvironment` adds bounds, each
checked *before* the value is built where its size can be known in advance:

* no text a template builds, and not the document itself, may be longer than
  :data:`MAX_TEXT` characters; no list (or dict, or set) may hold more than :data:`MAX_ITEMS`
  items. Checked before ``*``, ``+`` and ``%`` of text and lists, the text methods that widen
  (``center``, ``ljust``, ``rjust``, ``zfill``, ``expandtabs``, ``replace``, ``join``,
  ``format``) and the filters that can (``center``, ``indent``, ``format``, ``join``,
  ``replace``, ``wordwrap``, ``batch``, ``slice``, ``sum``, ``tojson``), and ``lipsum``; and
  after every other call, filter and ``~`` (whose inputs are bounded already);
* ``**`` may not make a number of more than :data:`MAX_INT_BITS` bits;
* all the template's loops together may run at most :data:`MAX_LOOPS` times, and everything
  it builds may add up to at most :data:`MAX_BUILT` characters or items;
* on Linux, the rendering may use at most :data:`MEMORY_HEADROOM` bytes of memory more than
  ascready already holds: a backstop for whatever the checks above do not foresee.

A template over a bound stops with :class:`TemplateTooLarge`, which ``render_template`` turns
into a message naming the template's file and line. The built-in templates render the example
repository far inside every bound: at most 0.5 % of any (a document of 100 thousand characters,
500 loop turns, 100 thousand characters built).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import string
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from jinja2 import filters as jinja_filters
from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import generate_lorem_ipsum, pass_environment, pass_eval_context
from jinja2.visitor import NodeTransformer

#: The longest text a template may build, and the longest document: 20 million characters
#: (the example repository's document is about 100 thousand).
MAX_TEXT = 20_000_000
#: The most items a list, dict or set a template builds may hold.
MAX_ITEMS = 1_000_000
#: The most times all of a template's loops together may run.
MAX_LOOPS = 10_000_000
#: The most characters and items a template may build in all, adding up every value.
MAX_BUILT = 200_000_000
#: The largest number ``**`` may make, in bits (a number of about 30,000 digits).
MAX_INT_BITS = 100_000
#: How much more memory than ascready holds before rendering a template may use (Linux).
MEMORY_HEADROOM = 2 * 1024**3


class TemplateTooLarge(Exception):
    """A template tried to build more than a bound allows; the message says which."""


def _size(value: Any) -> int | None:
    if isinstance(value, (str, bytes, list, tuple, dict, set, frozenset)):
        return len(value)
    return None


def _limit(value: Any) -> int:
    return MAX_TEXT if isinstance(value, (str, bytes)) else MAX_ITEMS


def _what(value: Any) -> str:
    return "text" if isinstance(value, (str, bytes)) else "a list"


def _refuse_size(kind: Any, size: int) -> None:
    """Refuse a value of ``kind``'s type (text or a list) that would have ``size``."""
    limit = _limit(kind)
    if size > limit:
        unit = "characters" if isinstance(kind, (str, bytes)) else "items"
        raise TemplateTooLarge(
            f"it would build {_what(kind)} of {size:,} {unit}; a template may build at most "
            f"{limit:,}"
        )


def _width(value: Any) -> int:
    """A width or count argument as a number (0 when it is not one)."""
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return 0


def _check_format_spec(text: str, args: Iterable[Any]) -> None:
    """Refuse a ``str.format`` or ``%`` pattern whose widths or precisions exceed the bound
    (``'{:>3000000000}'``, ``'%3000000000s'``), given literally or as arguments."""
    widths = [int(n) for n in re.findall(r"%[-#0 +]*(\d+)", text)]
    with contextlib.suppress(ValueError):
        for _, _, spec, _ in string.Formatter().parse(text):
            widths += [int(n) for n in re.findall(r"\d+", spec or "")]
            if spec and "{" in spec:  # a width given as an argument: bound every number
                widths += [_width(a) for a in args if isinstance(a, int)]
    if "%" in text and "*" in text:
        widths += [_width(a) for a in args if isinstance(a, int)]
    for width in widths:
        _refuse_size(text, width)


def _replaced_size(text: str, old: str, new: str, count: Any = -1) -> int:
    times = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        times = min(times, count)
    return len(text) + times * (len(new) - len(old))


def _joined_size(sep: str, parts: list[Any]) -> int:
    return sum(len(p) if isinstance(p, str) else 20 for p in parts) + len(sep) * max(
        len(parts) - 1, 0
    )


def _materialised(iterable: Any) -> list[Any]:
    """An iterable as a list, refusing one of more than :data:`MAX_ITEMS` items as it goes."""
    items: list[Any] = []
    for item in iterable:
        items.append(item)
        if len(items) > MAX_ITEMS:
            _refuse_size(items, len(items))
    return items


def _check_str_method(text: str, name: str, args: tuple[Any, ...]) -> tuple[Any, ...]:
    """Before a text method that widens: its result's size. Returns the arguments to call
    it with (an iterable to join, as a list)."""
    if name in ("center", "ljust", "rjust", "zfill") and args:
        _refuse_size(text, _width(args[0]))
    elif name == "expandtabs":
        _refuse_size(text, len(text) * max(_width(args[0]) if args else 8, 1))
    elif name == "replace" and len(args) >= 2:
        old, new = str(args[0]), str(args[1])
        _refuse_size(text, _replaced_size(text, old, new, args[2] if len(args) > 2 else -1))
    elif name == "join" and args:
        parts = _materialised(args[0])
        _refuse_size(text, _joined_size(text, parts))
        return (parts, *args[1:])
    elif name in ("format", "format_map"):
        _check_format_spec(text, args)
    return args


def _huge_power(left: Any, right: Any) -> bool:
    if not (isinstance(left, int) and isinstance(right, int)):
        return False
    return abs(left) > 1 and right > 0 and right * left.bit_length() > MAX_INT_BITS


class _Bounding(NodeTransformer):
    """Rewrites a parsed template so that each loop runs through ``bounded_loop`` and each
    ``~`` through ``bounded``."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        assert isinstance(node.iter, nodes.Expr)
        node.iter = _call("bounded_loop", node.iter)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return _call("bounded", node)


def _call(name: str, arg: nodes.Expr) -> nodes.Call:
    return nodes.Call(
        nodes.EnvironmentAttribute(name, lineno=arg.lineno),
        [arg],
        [],
        None,
        None,
        lineno=arg.lineno,
    )


class BoundedEnvironment(SandboxedEnvironment):
    """The sandbox, with the bounds of this module. Make one per rendering: it counts the
    loops run and the values built."""

    intercepted_binops = frozenset({"*", "+", "%", "**"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.loops = 0
        self.built = 0
        self.globals["lipsum"] = _lipsum
        for name, bounded in _BOUNDED_FILTERS.items():
            self.filters[name] = bounded
        self.add_filters(**self.filters)

    def add_filters(self, **filters: Callable[..., Any]) -> None:
        """Add (or replace) filters, each result bounded and counted like any value built."""
        for name, f in filters.items():
            self.filters[name] = self._counted(f)

    # --- the template's own values --------------------------------------------------------

    def bounded(self, value: Any) -> Any:
        """A value built (``~``, a call, a filter): within its bound, and counted."""
        size = _size(value)
        if size is not None:
            _refuse_size(value, size)
            self.built += size
            if self.built > MAX_BUILT:
                raise TemplateTooLarge(
                    f"it builds more than {MAX_BUILT:,} characters and items in all"
                )
        return value

    def bounded_loop(self, iterable: Any) -> Iterator[Any]:
        for item in iterable:
            self.loops += 1
            if self.loops > MAX_LOOPS:
                raise TemplateTooLarge(f"its loops run more than {MAX_LOOPS:,} times in all")
            yield item

    def _counted(self, f: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(f)
        def run(*args: Any, **kwargs: Any) -> Any:
            return self.bounded(f(*args, **kwargs))

        return run

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        bounded = _Bounding().visit(tree)
        assert isinstance(bounded, nodes.Template)
        bounded.set_environment(self)
        return bounded

    # --- what the sandbox intercepts ---------------------------------------------------

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            seq, times = (left, right) if isinstance(right, int) else (right, left)
            if _size(seq) is not None and isinstance(times, int):
                _refuse_size(seq, len(seq) * max(times, 0))
        elif operator == "+":
            if _size(left) is not None and _size(right) is not None:
                _refuse_size(left, len(left) + len(right))
        elif operator == "%" and isinstance(left, str):
            _check_format_spec(left, right if isinstance(right, tuple) else (right,))
        elif operator == "**" and _huge_power(left, right):
            raise TemplateTooLarge(
                f"{left} ** {right} would be a number of more than {MAX_INT_BITS:,} bits"
            )
        return self.bounded(super().call_binop(context, operator, left, right))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        # str.format reaches here wrapped by the sandbox (``__wrapped__`` is the method).
        owner = getattr(getattr(__obj, "__wrapped__", __obj), "__self__", None)
        if isinstance(owner, str):
            args = _check_str_method(owner, getattr(__obj, "__name__", ""), args)
        result = super().call(__context, __obj, *args, **kwargs)
        if isinstance(owner, (list, dict, set)):  # append, extend, update, add
            __self.bounded(owner)
        return __self.bounded(result)


# --- filters that can widen, checked first ----------------------------------------------------


def _center(value: Any, width: int = 80) -> str:
    _refuse_size("", _width(width))
    return jinja_filters.do_center(value, width)


def _indent(s: Any, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    text = str(s)
    prefix = len(width) if isinstance(width, str) else max(_width(width), 0)
    _refuse_size(text, len(text) + (text.count("\n") + 1) * prefix)
    return jinja_filters.do_indent(s, width, first, blank)


def _format(value: str, *args: Any, **kwargs: Any) -> str:
    _check_format_spec(str(value), [*args, *kwargs.values()])
    return jinja_filters.do_format(value, *args, **kwargs)


@pass_eval_context
def _join(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> str:
    parts = _materialised(value)
    _refuse_size("", _joined_size(str(d), parts))
    return jinja_filters.sync_do_join(eval_ctx, parts, d, attribute)


@pass_eval_context
def _replace(eval_ctx: Any, s: Any, old: str, new: str, count: int | None = None) -> str:
    text = str(s)
    _refuse_size(text, _replaced_size(text, str(old), str(new), -1 if count is None else count))
    return jinja_filters.do_replace(eval_ctx, s, old, new, count)


@pass_environment
def _wordwrap(
    environment: Any,
    s: str,
    width: int = 79,
    break_long_words: bool = True,
    wrapstring: str | None = None,
    break_on_hyphens: bool = True,
) -> str:
    text = str(s)
    joint = environment.newline_sequence if wrapstring is None else str(wrapstring)
    lines = len(text) // max(_width(width), 1) + text.count("\n") + 1
    _refuse_size(text, len(text) + lines * len(joint))
    return jinja_filters.do_wordwrap(
        environment, s, width, break_long_words, wrapstring, break_on_hyphens
    )


def _batch(value: Any, linecount: int, fill_with: Any = None) -> Iterator[list[Any]]:
    _refuse_size([], _width(linecount))
    return jinja_filters.do_batch(value, linecount, fill_with)


def _slice(value: Any, slices: int, fill_with: Any = None) -> Iterator[list[Any]]:
    _refuse_size([], _width(slices))
    return jinja_filters.sync_do_slice(value, slices, fill_with)


@pass_environment
def _sum(environment: Any, iterable: Any, attribute: Any = None, start: Any = 0) -> Any:
    items = _materialised(iterable)
    if _size(start) is not None:
        values = (
            items
            if attribute is None
            else [jinja_filters.make_attrgetter(environment, attribute)(i) for i in items]
        )
        _refuse_size(start, len(start) + sum(_size(v) or 0 for v in values))
    return jinja_filters.sync_do_sum(environment, items, attribute, start)


@pass_eval_context
def _tojson(eval_ctx: Any, value: Any, indent: int | None = None) -> Any:
    if indent is not None and _width(indent) > 16:
        raise TemplateTooLarge("tojson's indent may be at most 16")
    return jinja_filters.do_tojson(eval_ctx, value, indent)


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    if _width(n) > 100 or _width(max) > 1000:
        raise TemplateTooLarge("lipsum makes at most 100 paragraphs of at most 1,000 words")
    return str(generate_lorem_ipsum(n, html, min, max))


_BOUNDED_FILTERS: dict[str, Callable[..., Any]] = {
    "center": _center,
    "indent": _indent,
    "format": _format,
    "join": _join,
    "replace": _replace,
    "wordwrap": _wordwrap,
    "batch": _batch,
    "slice": _slice,
    "sum": _sum,
    "tojson": _tojson,
}


# --- the memory backstop ------------------------------------------------------------------


@contextlib.contextmanager
def memory_bound() -> Iterator[None]:
    """While rendering, on Linux: at most :data:`MEMORY_HEADROOM` more memory than the
    process holds, so that an allocation beyond it is a MemoryError, not a machine that
    swaps. A lower limit the user set is kept; elsewhere, nothing changes."""
    limits = _address_space_limit()
    if limits is None:
        yield
        return
    resource, (soft, hard), bound = limits
    resource.setrlimit(resource.RLIMIT_AS, (bound, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _address_space_limit() -> tuple[Any, tuple[int, int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as statm:
            used = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, OSError, ValueError, IndexError):
        return None
    bound = used + MEMORY_HEADROOM
    if hard != resource.RLIM_INFINITY:
        bound = min(bound, hard)
    if soft != resource.RLIM_INFINITY and soft <= bound:
        return None
    return resource, (soft, hard), bound
