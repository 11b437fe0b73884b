#!/usr/bin/env bash
# Install what the real-browser tests (tests/test_render_browser.py) need, where this machine
# allows it: Debian's chromium (as root, with apt-get) and axe-core from the npm registry.
#
# Idempotent and quiet; prints one line saying what is available, or why not; never fails the
# build (the tests skip, with a reason, when a tool is missing).
#
# Usage: bash tools/install-browser-tools.sh [DIR]     (DIR defaults to .venv/browser-tools)

set -u

cd "$(dirname "$0")/.." || exit 0
dir="${1:-.venv/browser-tools}"
mkdir -p "$dir" 2>/dev/null || true
log="$dir/install.log"
: >"$log" 2>/dev/null || log=/dev/null

find_chromium() {
    for name in chromium chromium-browser google-chrome; do
        if command -v "$name" >/dev/null 2>&1; then
            command -v "$name"
            return 0
        fi
    done
    return 1
}

# --- chromium --------------------------------------------------------------------------------
chromium_note=""
if ! find_chromium >/dev/null; then
    if [ "$(id -u)" != 0 ]; then
        chromium_note="chromium missing (not root: run 'apt-get install chromium' as root)"
    elif ! command -v apt-get >/dev/null 2>&1; then
        chromium_note="chromium missing (no apt-get on this machine)"
    else
        export DEBIAN_FRONTEND=noninteractive
        apt_opts=(-qq -o DPkg::Lock::Timeout=300)
        if ! {
            timeout 900 apt-get "${apt_opts[@]}" update &&
                timeout 900 apt-get "${apt_opts[@]}" install -y --no-install-recommends chromium
        } </dev/null >>"$log" 2>&1; then
            chromium_note="chromium missing (apt-get install chromium failed: see $log)"
        fi
    fi
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

echo "browser tools: $chromium_note; $axe_note"
exit 0
