"""A council's own template cannot fill the memory or run for ever: what it may build is
bounded, checked before the value is built, and a template over a bound, or one that includes
itself, is a message naming the template, exit 2, never a crash."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ascready.cli import app
from ascready.document import sandbox
from ascready.document.render import render_repository
from ascready.errors import TemplateError

MakeRepo = Callable[..., Path]
TEMPLATE = "templates/self-assessment.md.j2"
GiB = 1024**3

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS is Linux's")


def _used_memory() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


@pytest.fixture
def one_gib_to_spare() -> Iterator[None]:
    """The test process may allocate at most 1 GiB more than it holds, so that a template that
    is not stopped fails the test with a MemoryError instead of filling the machine."""
    if not sys.platform.startswith("linux"):
        yield
        return
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (_used_memory() + GiB, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _stopped(make_repo: MakeRepo, template: str) -> str:
    root = make_repo({TEMPLATE: template})
    with pytest.raises(TemplateError) as refused:
        render_repository(root, "md", "public")
    return refused.value.message.replace(str(root) + "/", "")


@pytest.mark.usefixtures("one_gib_to_spare")
@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ 'a' * 3000000000 }}", "would build text of 3,000,000,000 characters"),
        ("{{ 3000000000 * 'a' }}", "would build text of 3,000,000,000 characters"),
        ("{{ [0] * 3000000000 }}", "would build a list of 3,000,000,000 items"),
        ("{{ ('a' * 15000000) + ('a' * 15000000) }}", "text of 30,000,000 characters"),
        ("{{ 'a'|center(3000000000) }}", "3,000,000,000 characters"),
        ("{{ 'a'.rjust(3000000000) }}", "3,000,000,000 characters"),
        ("{{ 'a\\tb'.expandtabs(3000000000) }}", "characters"),
        ("{{ 'x'|indent(3000000000, true) }}", "3,000,000,001 characters"),
        ("{{ '{:>3000000000}'.format('a') }}", "3,000,000,000 characters"),
        ("{{ '%3000000000s' % 'a' }}", "3,000,000,000 characters"),
        ("{{ '%*s' % (3000000000, 'a') }}", "3,000,000,000 characters"),
        ("{{ '%3000000000d'|format(1) }}", "3,000,000,000 characters"),
        ("{{ ('a' * 10000000)|replace('a', 'aaaa') }}", "40,000,000 characters"),
        ("{{ ('a' * 10000000).replace('a', 'aaaa') }}", "40,000,000 characters"),
        ("{{ (['a' * 10000000] * 1000)|join }}", "10,000,000,000 characters"),
        ("{{ ','.join(['a' * 10000000] * 1000) }}", "10,000,000,999 characters"),
        ("{{ ('a ' * 5000000)|wordwrap(1, wrapstring='x' * 1000) }}", "characters"),
        ("{{ [0]|batch(3000000000, 0)|list }}", "a list of 3,000,000,000 items"),
        ("{{ [0]|slice(3000000000)|list }}", "a list of 3,000,000,000 items"),
        ("{{ [['a'] * 900000, ['b'] * 900000]|sum(start=[]) }}", "1,800,000 items"),
        ("{{ {'a': 1}|tojson(indent=3000000000) }}", "tojson's indent may be at most 16"),
        ("{{ lipsum(3000000000) }}", "lipsum makes at most 100 paragraphs"),
        ("{{ 10 ** 3000000000 }}", "would be a number of more than 100,000 bits"),
        (
            "{% set ns = namespace(s='a') %}{% for i in range(40) %}"
            "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
            "would build text of 33,554,432 characters",
        ),
        (
            "{% set l = [0] %}{% for i in range(40) %}{{ l.extend(l) }}{% endfor %}",
            "a list of 1,048,576 items",
        ),
        (
            "{% set l = [] %}{% for i in range(100) %}{{ l.append(('a' * 9000000) ~ i) }}"
            "{% endfor %}",
            "builds more than 200,000,000 characters and items in all",
        ),
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
            "its loops run more than 10,000,000 times in all",
        ),
        (
            "{% for i in range(100000) %}{% for j in range(1000) %}{{ 'x' * 100 }}{% endfor %}"
            "{% endfor %}",
            "the document would be longer than 20,000,000 characters",
        ),
    ],
)
def test_a_template_that_would_build_too_much_is_stopped_before_it_does(
    make_repo: MakeRepo, template: str, expected: str
) -> None:
    message = _stopped(make_repo, template)
    assert message.startswith(f"{TEMPLATE}:1: the template is stopped: ")
    assert expected in message
    assert "see the README" in message


@pytest.mark.parametrize(
    "template",
    [
        "{% include 'self-assessment.md.j2' %}",
        "{% macro again() %}{{ again() }}{% endmacro %}{{ again() }}",
    ],
    ids=["includes-itself", "calls-itself"],
)
def test_a_template_that_includes_itself_is_a_plain_message(
    make_repo: MakeRepo, runner: CliRunner, template: str
) -> None:
    root = make_repo({TEMPLATE: template})
    result = runner.invoke(app, ["render", str(root), "--format", "md"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 2
    assert "the template includes or calls itself without end" in result.stderr
    assert TEMPLATE in result.stderr


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ 1 / 0 }}", "the template failed: division by zero"),
        ("{{ [1]|slice(0)|list }}", "the template failed: integer division or modulo by zero"),
        ("{{ 10.0 ** 1000 }}", "the template failed:"),
        ("{{ '{a}'.format() }}", "the template failed:"),
        ("{% include 'nowhere.j2' %}", "there is no template named nowhere.j2"),
    ],
)
def test_arithmetic_and_lookup_mistakes_in_a_template_are_plain_messages(
    make_repo: MakeRepo, template: str, expected: str
) -> None:
    message = _stopped(make_repo, template)
    assert message.startswith(f"{TEMPLATE}:1: ")
    assert expected in message


def test_the_bounds_can_be_met_exactly(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bound refuses what is over it, not what is at it."""
    monkeypatch.setattr(sandbox, "MAX_TEXT", 1000)
    root = make_repo({TEMPLATE: "{{ 'ab' * 500 }}"})
    assert render_repository(root, "md", "public") == b"ab" * 500
    root = make_repo({TEMPLATE: "{{ 'ab' * 501 }}"}, name="over")
    with pytest.raises(TemplateError, match="text of 1,002 characters"):
        render_repository(root, "md", "public")


@linux
def test_what_the_checks_do_not_foresee_is_stopped_by_the_memory_bound(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sandbox, "MEMORY_HEADROOM", 64 * 1024**2)
    monkeypatch.setattr(sandbox, "MAX_BUILT", 10**12)  # only the memory bound is left
    message = _stopped(
        make_repo,
        "{% set l = [] %}{% for i in range(100) %}{{ l.append(('a' * 19000000) ~ i) }}{% endfor %}",
    )
    assert "it needs more memory than a document may use" in message


@linux
def test_the_memory_bound_is_lifted_after_rendering_and_never_raises_a_users_own() -> None:
    import resource

    before = resource.getrlimit(resource.RLIMIT_AS)
    with sandbox.memory_bound():
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        assert soft != resource.RLIM_INFINITY
        assert soft <= _used_memory() + sandbox.MEMORY_HEADROOM
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    low = _used_memory() + 512 * 1024**2
    resource.setrlimit(resource.RLIMIT_AS, (low, before[1]))
    try:
        with sandbox.memory_bound():
            assert resource.getrlimit(resource.RLIMIT_AS)[0] == low
    finally:
        resource.setrlimit(resource.RLIMIT_AS, before)


@linux
def test_three_billion_characters_are_refused_before_they_are_allocated(
    make_repo: MakeRepo,
) -> None:
    """As a user runs it, in a process that could not allocate 3 GB if it tried."""
    root = make_repo({TEMPLATE: "{{ 'a' * 3000000000 }}"})
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, -1))"
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            f"{limit}; import sys; from ascready.cli import main; "
            f"sys.argv = ['ascready', 'render', {str(root)!r}, '-f', 'md']; main()",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "would build text of 3,000,000,000 characters" in proc.stderr
    assert "internal problem" not in proc.stderr


def test_within_the_bounds_every_filter_and_method_gives_what_jinja_gives(
    make_repo: MakeRepo,
) -> None:
    from jinja2 import Environment

    template = (
        "{{ 'ab'|center(9) }}|{{ 'a\\nb'|indent(2, true) }}|{{ '%05d'|format(42) }}|"
        "{{ [1, 2, 3]|join('-') }}|{{ 'aaa'|replace('a', 'b', 2) }}|"
        "{{ 'one two three'|wordwrap(5) }}|{{ [1, 2, 3]|batch(2, 0)|list }}|"
        "{{ [1, 2, 3]|slice(2)|list }}|{{ [[1], [2]]|sum(start=[]) }}|{{ [1, 2]|sum }}|"
        "{{ {'a': [1]}|tojson(2) }}|{{ 'ab'.center(6, '*') }}|{{ 'a\\tb'.expandtabs(4) }}|"
        "{{ 'xyx'.replace('x', 'zz', 1) }}|{{ '-'.join(['a', 'b']) }}|{{ '{:>4}'.format(7) }}|"
        "{{ '%s and %s' % ('a', 'b') }}|{{ 2 ** 10 }}|{{ [0] * 3 + [1] }}|{{ 'ab' ~ 1 }}|"
        "{{ lipsum(1, false, 5, 8)|length > 0 }}|{{ ('x' * 3)|length }}|{{ [1, 2]|sum(start=0) }}"
    )
    expected = Environment(keep_trailing_newline=True).from_string(template).render()
    root = make_repo({TEMPLATE: template})
    assert render_repository(root, "md", "public").decode("utf-8") == expected


def test_a_width_that_is_not_a_number_is_left_for_jinja_to_refuse(make_repo: MakeRepo) -> None:
    message = _stopped(make_repo, "{{ 'a'|center('wide') }}")
    assert message.startswith(f"{TEMPLATE}:1: the template failed:")
