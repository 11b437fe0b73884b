#!/usr/bin/env bash
# Install what the tests that drive real programs need, where this machine allows it:
#   - Debian's chromium (as root, with apt-get) and axe-core from the npm registry, for the
#     real-browser tests (tests/test_render_browser.py);
#   - Debian's libreoffice-calc-nogui and libreoffice-writer-nogui (as root, with apt-get; about
#     40 s), whose soffice opens the exported evidence register (tests/authoring/register/) and
#     turns the Word file into the PDF (render --format pdf, tests/document/test_pdf.py), and
#     fonts-liberation, whose Liberation Sans has Arial's measurements (the Word file's font),
#     so that the PDF's lines and pages break as in Word.
#
# Idempotent and quiet: installs only what is missing, and prints one line saying what is
# available, or why not; never fails the build (the tests skip, with a reason, when a tool is
# missing).
#
# Usage: bash tools/install-browser-tools.sh [DIR]     (DIR defaults to .venv/browser-tools)

set -u

cd "$(dirname "$0")/.." || exit 0
dir="${1:-.venv/browser-tools}"
mkdir -p "$dir" 2>/dev/null || true
log="$dir/install.log"
: >"$log" 2>/dev/null || log=/dev/null

first_of() {
    for name in "$@"; do
        if command -v "$name" >/dev/null 2>&1; then
            command -v "$name"
            return 0
        fi
    done
    return 1
}
find_chromium() { first_of chromium chromium-browser google-chrome; }
find_soffice() { first_of soffice libreoffice; }

# apt_install PACKAGE: installs it with apt-get and returns 0, or sets apt_why to the reason it
# could not and returns 1. The package lists are updated once, before the first install. (Not
# called in $(...): that would forget that the lists are up to date.)
apt_updated=""
apt_why=""
apt_install() {
    if [ "$(id -u)" != 0 ]; then
        apt_why="not root: run 'apt-get install $1' as root"
        return 1
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        apt_why="no apt-get on this machine"
        return 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    local apt_opts=(-qq -o DPkg::Lock::Timeout=300)
    if [ -z "$apt_updated" ]; then
        if ! timeout 900 apt-get "${apt_opts[@]}" update </dev/null >>"$log" 2>&1; then
            apt_why="apt-get update failed: see $log"
            return 1
        fi
        apt_updated=1
    fi
    if ! timeout 900 apt-get "${apt_opts[@]}" install -y --no-install-recommends "$1" \
        </dev/null >>"$log" 2>&1; then
        apt_why="apt-get install $1 failed: see $log"
        return 1
    fi
    return 0
}

# --- chromium --------------------------------------------------------------------------------
chromium_note="chromium missing (installed, but not found on the PATH)"
if ! find_chromium >/dev/null && ! apt_install chromium; then
    chromium_note="chromium missing ($apt_why)"
fi
if chromium_path="$(find_chromium)"; then
    version="$("$chromium_path" --version 2>/dev/null </dev/null | head -n 1)"
    chromium_note="${version:-$chromium_path}"
fi

# --- axe-core --------------------------------------------------------------------------------
axe="$dir/node_modules/axe-core/axe.min.js"
axe_note=""
if [ ! -s "$axe" ]; then
    if ! command -v npm >/dev/null 2>&1; then
        axe_note="axe-core missing (no npm on this machine)"
    elif ! timeout 300 npm install --prefix "$dir" --no-audit --no-fund --silent \
        --no-package-lock axe-core@4 </dev/null >>"$log" 2>&1; then
        axe_note="axe-core missing (npm install axe-core@4 failed: see $log)"
    fi
fi
if [ -s "$axe" ]; then
    version="$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$dir/node_modules/axe-core/package.json" 2>/dev/null | head -n 1)"
    axe_note="axe-core ${version:-(unknown version)}"
fi

# --- LibreOffice -----------------------------------------------------------------------------
# dpkg_has PACKAGE: whether Debian's package manager has it installed (false without dpkg).
dpkg_has() {
    command -v dpkg-query >/dev/null 2>&1 &&
        dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}
soffice_note="LibreOffice missing (installed, but no soffice on the PATH)"
if ! find_soffice >/dev/null && ! apt_install libreoffice-calc-nogui; then
    soffice_note="LibreOffice missing ($apt_why)"
fi
# Writer (for the PDF) and the font, where soffice came without them (Debian only).
writer_note=""
if find_soffice >/dev/null && command -v dpkg-query >/dev/null 2>&1; then
    for package in libreoffice-writer-nogui fonts-liberation; do
        if ! dpkg_has "$package" && ! apt_install "$package"; then
            writer_note="$writer_note; $package missing ($apt_why)"
        fi
    done
fi
if soffice_path="$(find_soffice)"; then
    # --version needs no profile and opens no window; the timeout guards against a stuck one.
    version="$(timeout 60 "$soffice_path" --version 2>/dev/null </dev/null | head -n 1)"
    soffice_note="${version:-$soffice_path}"
fi

# --- fonts and poppler --------------------------------------------------------------------
# Carlito has the metrics of Calibri (the spreadsheets' font), so LibreOffice lays out Excel
# files as Office would (page counts depend on it); poppler's pdftoppm draws PDF pages as
# pictures (make pictures). Each is installed if missing; neither is required.
extras_note=""
for package in fonts-crosextra-carlito poppler-utils; do
    if ! dpkg -s "$package" >/dev/null 2>&1 && ! apt_install "$package"; then
        extras_note="$extras_note; $package missing ($apt_why)"
    fi
done

echo "browser tools: $chromium_note; $axe_note; $soffice_note$writer_note$extras_note"
exit 0
