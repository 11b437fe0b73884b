"""Run HTML in a real headless browser (Debian's chromium) and check it with axe-core.

`tools/install-browser-tools.sh` (run by `make test`) installs both where it can: chromium
with apt-get, axe-core from npm into ``.venv/browser-tools/``. Only the standard library is
used here, so the helpers work wherever the tests do.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
AXE_RELATIVE = Path("browser-tools") / "node_modules" / "axe-core" / "axe.min.js"

# Headless, as root, on a machine whose only network is the package registries: without the
# background-networking flags chromium keeps trying (and failing, loudly) to reach Google.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

RESULTS_ID = "axe-results"
# Ours, not evidence text: runs axe over the whole page and writes the violations into
# <pre id="axe-results"> for --dump-dom to carry out. A failure is written there too, so a
# broken run is told apart from a page that merely took too long.
AXE_RUNNER = """
(function () {
  function report(text) {
    var pre = document.createElement('pre');
    pre.id = 'axe-results';
    pre.textContent = text;
    document.body.appendChild(pre);
  }
  try {
    axe.run(document, {resultTypes: ['violations']})
      .then(function (r) { report(JSON.stringify(r.violations)); })
      .catch(function (e) { report(JSON.stringify({error: String(e)})); });
  } catch (e) {
    report(JSON.stringify({error: String(e)}));
  }
})();
"""


class BrowserError(AssertionError):
    """The browser could not run the page, or the page did not report what was expected."""


def find_chromium() -> str | None:
    """The path of a Chromium-family browser on PATH, or None."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def axe_script() -> Path | None:
    """axe.min.js as installed by tools/install-browser-tools.sh, or None."""
    candidates = [Path(sys.prefix) / AXE_RELATIVE, REPO_ROOT / ".venv" / AXE_RELATIVE]
    for path in candidates:
        if path.is_file() and path.stat().st_size > 0:
            return path
    return None


def run_in_browser(html: str, timeout: float = 60, flags: tuple[str, ...] = ("--dump-dom",)) -> str:
    """Load the page in headless chromium, let its scripts run, return the serialised DOM
    (or, with other ``flags``, whatever chromium prints)."""
    browser = find_chromium()
    if browser is None:
        raise BrowserError("no chromium on PATH (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="ascready-browser-") as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(html, encoding="utf-8")
        profile = Path(tmp) / "profile"
        profile.mkdir()
        command = [
            browser,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--virtual-time-budget=10000",
            *flags,
            page.as_uri(),
        ]
        # A session of its own, so a hung browser is ended with all its helper processes.
        with subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        ) as process:
            try:
                out, err = process.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_group(process)
                process.communicate()
                raise BrowserError(f"chromium did not finish within {timeout:g}s") from None
            finally:
                _kill_group(process)
        if process.returncode != 0 or not out.strip():
            tail = err.decode("utf-8", "replace").strip().splitlines()[-15:]
            raise BrowserError(
                f"chromium exited with status {process.returncode} and "
                f"{'no' if not out.strip() else 'some'} output; its last messages:\n"
                + "\n".join(tail)
            )
        return out.decode("utf-8", "replace")


def print_to_pdf(html: str, timeout: float = 120) -> bytes:
    """The page as chromium prints it to PDF (no browser header or footer)."""
    with tempfile.TemporaryDirectory(prefix="ascready-print-") as tmp:
        out = Path(tmp) / "page.pdf"
        with contextlib.suppress(BrowserError):  # --print-to-pdf prints nothing to stdout
            run_in_browser(html, timeout, ("--no-pdf-header-footer", f"--print-to-pdf={out}"))
        if not out.is_file() or not out.stat().st_size:
            raise BrowserError("chromium did not print the page to PDF")
        return out.read_bytes()


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def with_script_at_end(html: str, script: str) -> str:
    """The page with a <script> added just before </body> (or at the very end)."""
    tag = f"<script>{script}</script>"
    index = html.lower().rfind("</body>")
    if index < 0:
        return html + tag
    return html[:index] + tag + html[index:]


def axe_violations(html: str, timeout: float = 60) -> list[dict[str, Any]]:
    """Run axe-core over the page in chromium; its violations (empty when there are none)."""
    axe = axe_script()
    if axe is None:
        raise BrowserError("axe-core is not installed (bash tools/install-browser-tools.sh)")
    source = axe.read_text(encoding="utf-8").replace("</script", "<\\/script")
    page = with_script_at_end(html, source + "\n" + AXE_RUNNER)
    dom = run_in_browser(page, timeout=timeout)
    results = element_text(dom, RESULTS_ID)
    if results is None:
        raise BrowserError(
            f'no <pre id="{RESULTS_ID}"> in the page after it ran: axe did not finish within '
            "the virtual time budget, or a script error stopped it"
        )
    data = json.loads(results)
    if isinstance(data, dict):
        raise BrowserError(f"axe failed in the page: {data.get('error')}")
    return list(data)


def element_text(dom: str, element_id: str) -> str | None:
    """The text inside the element with this id in serialised HTML (unescaped), or None."""
    finder = _TextOfId(element_id)
    finder.feed(dom)
    finder.close()
    # The parser has already turned &lt; and friends back into characters.
    return None if finder.text is None else "".join(finder.text)


class _TextOfId(HTMLParser):
    def __init__(self, element_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.element_id = element_id
        self.depth = 0
        self.text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth:
            self.depth += 1
        elif self.text is None and dict(attrs).get("id") == self.element_id:
            self.depth = 1
            self.text = []

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and self.text is not None:
            self.text.append(data)


class Dom(HTMLParser):
    """A serialised DOM read back: every element with its attributes, the text of each
    <script>, and the page's text (outside <script> and <style>), unescaped."""

    def __init__(self, dom: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[str] = []
        self._text: list[str] = []
        self._raw: str | None = None
        self.feed(dom)
        self.close()

    @property
    def text(self) -> str:
        """The page's text with runs of white space made one space."""
        return " ".join("".join(self._text).split())

    def attributes(self, tag: str) -> dict[str, str]:
        """The attributes of the first element with this tag ({} if there is none)."""
        return next((attrs for name, attrs in self.elements if name == tag), {})

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        if tag in ("script", "style"):
            self._raw = tag
            if tag == "script":
                self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._raw:
            self._raw = None

    def handle_data(self, data: str) -> None:
        if self._raw == "script":
            self.scripts[-1] += data
        elif self._raw is None:
            self._text.append(data)


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """axe violations as readable lines: rule, impact, help, link, and each failing element."""
    lines = []
    for v in violations:
        lines.append(f"- {v.get('id')} ({v.get('impact')}): {v.get('help')} <{v.get('helpUrl')}>")
        for node in v.get("nodes", []):
            target = " ".join(str(t) for t in node.get("target", []))
            lines.append(f"    {target}: {node.get('html', '')[:200]}")
            summary = (node.get("failureSummary") or "").strip().replace("\n", " / ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)
