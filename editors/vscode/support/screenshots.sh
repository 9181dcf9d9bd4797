#!/bin/sh
# Regenerates the screenshots of docs/editors.md: each scene is rendered to
# HTML by support/render.js (the extension's grammar through vscode-textmate,
# and a real `gradlang lsp` for diagnostics, hovers and completions), then
# photographed by headless Chromium (Debian: `apt-get install chromium`).
# Run from anywhere after `cargo build --release` and `npm ci` here:
#   sh editors/vscode/support/screenshots.sh
# Not part of the test suite: the tests need neither Chromium nor these PNGs.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$here/../.." && pwd)
server=${GRADLANG:-$root/target/release/gradlang}
browser=${CHROMIUM:-chromium}
out=$root/docs/editors
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# shot NAME WIDTH HEIGHT SCRIPT [render.js options]
shot() {
    name=$1 width=$2 height=$3 script=$4
    shift 4
    node "$here/support/render.js" "$work/$name.html" "$root/$script" --server "$server" "$@"
    "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --window-size="$width,$height" --screenshot="$out/$name.png" \
        "file://$work/$name.html" 2>/dev/null
    echo "docs/editors/$name.png"
}

shot hover 900 770 examples/xor.gl --hover 6:8 --hover 15:16 --complete 17:20
shot diagnostics 1000 760 tests/lsp/diagnostics.gl --lines 10
shot navigation 900 760 tests/lsp/navigation.gl --lines 18 --hover 6:6 --hover 17:22
