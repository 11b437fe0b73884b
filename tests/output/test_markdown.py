"""The one Markdown escaper: text from the repository reads as written and does nothing."""

from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt

from ascready.output.markdown import Markup, code, code_block, escape, strong, table

#: CommonMark with GitHub's tables and strikethrough: near enough to how GitHub shows a comment.
_GITHUB = MarkdownIt("commonmark").enable(["table", "strikethrough"])
JOINER = "\u2060"

HOSTILE = [
    "@jsmith please look",
    "**urgent** and _quiet_",
    "<img src=x onerror=alert(1)>",
    "<script>alert('x')</script>",
    "[click](javascript:alert(1))",
    "# not a heading",
    "~~struck~~",
    "a | b | c",
    "`tick` and ``two``",
    "&amp; &lt;b&gt;",
    "back\\slash \\*",
    "![alt](http://x.example/i.png)",
]


def _rendered_text(markdown: str) -> str:
    """The HTML's text: tags dropped, entities read, word joiners removed."""
    out = _GITHUB.render(markdown)
    return html.unescape(re.sub(r"<[^>]+>", "", out)).replace(JOINER, "").strip()


@pytest.mark.parametrize("payload", HOSTILE)
@pytest.mark.parametrize("place", ["{}", "- {}", "| a |\n|---|\n| {} |"])
def test_escaped_text_makes_no_markup_and_reads_as_written(payload: str, place: str) -> None:
    out = _GITHUB.render(place.format(escape(payload)))
    tags = set(re.findall(r"<(\w+)", out))
    assert tags <= {"p", "ul", "li", "table", "thead", "tbody", "tr", "th", "td"}, out
    assert _rendered_text(place.format(escape(payload))).endswith(payload)


def test_a_mention_gets_a_word_joiner_and_an_email_address_does_not() -> None:
    text = escape("Ask @jsmith or (@ops-team), or write to adult.social.care@avonmere.example")
    assert f"@{JOINER}jsmith" in text and f"(@{JOINER}ops-team)" in text
    assert "adult.social.care@avonmere.example" in text  # still copies as an address


def test_escaped_text_is_one_line() -> None:
    assert escape("one\ntwo\r\n\tthree  four") == "one two three four"


def test_markup_is_kept_and_what_goes_in_it_is_escaped() -> None:
    bold = strong("**x** <b>")
    assert escape(bold) == bold
    assert _GITHUB.render(bold).strip() == "<p><strong>**x** &lt;b&gt;</strong></p>"
    cell = Markup(f"{escape('<i>title</i>')} ({code('id')})")
    shown = _GITHUB.render(escape(cell)).strip()
    assert shown == "<p>&lt;i&gt;title&lt;/i&gt; (<code>id</code>)</p>"


@pytest.mark.parametrize("text", ["plain", "one ` tick", "``double``", "`edge"])
def test_a_code_span_holds_any_backticks(text: str) -> None:
    rendered = _GITHUB.render(str(code(text))).strip()
    assert rendered == f"<p><code>{html.escape(text, quote=False)}</code></p>"


def test_a_code_block_is_not_closed_by_the_backticks_it_holds() -> None:
    body = "-old\n+```\n+new"
    out = _GITHUB.render("\n".join(code_block(body, "diff")))
    assert out == f'<pre><code class="language-diff">{html.escape(body)}\n</code></pre>\n'


def test_a_table_of_escaped_cells_keeps_its_columns() -> None:
    rows = [[escape("a | b"), escape("<c>")]]
    out = _GITHUB.render("\n".join(table(["One", "Two"], rows)))
    assert out.count("<td>") == 2
    assert "<td>a | b</td>" in out and "<td>&lt;c&gt;</td>" in out
