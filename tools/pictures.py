"""`make pictures`: what a council gets, drawn from the example repository for the README.

Renders the example's public self-assessment as PDF (render --format pdf: the Word file as
LibreOffice lays it out) and draws its first pages side by side (poppler's pdftoppm, then
Pillow); and screenshots the HTML page in Chromium, on a desktop and on a phone. Writes docs/pictures/*.png. Needs LibreOffice,
Chromium and pdftoppm (Debian: libreoffice-writer-nogui, chromium, poppler-utils), which
`make test` installs.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "pictures"
ASCREADY = [sys.executable, "-m", "ascready"]
PAGES = 4  # the cover, the contents, the summary and the first theme


def _need(program: str, package: str) -> str:
    found = shutil.which(program)
    if found is None:
        sys.exit(f"make pictures needs {program}: install it (Debian: apt-get install {package})")
    return found


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    sys.exit("make pictures needs Chromium: install it (Debian: apt-get install chromium)")


def _side_by_side(pages: list[Path], target: Path) -> None:
    from PIL import Image

    images = [Image.open(p).convert("RGB") for p in pages]
    gap = 24
    height = max(i.height for i in images)
    sheet = Image.new("RGB", (sum(i.width for i in images) + gap * (len(images) + 1), height + 2 * gap), "#d8dadc")
    x = gap
    for image in images:
        sheet.paste(image, (x, gap))
        x += image.width + gap
    sheet.save(target, optimize=True)


def main() -> None:
    _need("soffice", "libreoffice-writer-nogui")
    pdftoppm = _need("pdftoppm", "poppler-utils")
    chromium = _chromium()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ascready-pictures-") as tmp:
        work = Path(tmp)
        pdf = work / "self-assessment.pdf"
        html = work / "self-assessment.html"
        example = str(ROOT / "evidence")
        # The PDF render --format pdf makes: the Word file as LibreOffice lays it out.
        subprocess.run([*ASCREADY, "render", example, "--format", "pdf", "--out", str(pdf)], check=True)
        subprocess.run([*ASCREADY, "render", example, "--format", "html", "--out", str(html)], check=True)
        subprocess.run(
            [pdftoppm, "-png", "-r", "45", "-f", "1", "-l", str(PAGES),
             str(work / "self-assessment.pdf"), str(work / "page")],
            check=True,
        )  # fmt: skip
        pages = sorted(work.glob("page*.png"))
        _side_by_side(pages, OUT / "word-first-pages.png")
        for name, size in (("html-desktop.png", "1200,1500"), ("html-phone.png", "390,1200")):
            subprocess.run(
                [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                 f"--window-size={size}", f"--screenshot={OUT / name}", html.as_uri()],
                check=True, capture_output=True, stdin=subprocess.DEVNULL, timeout=120,
            )  # fmt: skip
    for picture in sorted(OUT.glob("*.png")):
        print(f"wrote {picture.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
