#!/usr/bin/env bash
# Builds the browser playground into playground/dist/, a static site that
# any file server can serve (python3 -m http.server -d playground/dist).
#
#   1. checks the tools: the wasm32-unknown-unknown Rust target, and
#      wasm-bindgen-cli at exactly the version playground/wasm pins (the JS
#      glue and the crate must match), Node.js and npm;
#   2. installs the page's npm packages from package-lock.json (npm ci),
#      unless node_modules already came from this very lockfile;
#   3. compiles the interpreter to WebAssembly (cargo, profile `wasm`) and
#      generates its JS glue (wasm-bindgen --target web);
#   4. generates build/generated.js (examples, word lists, builtin docs:
#      scripts/generate.mjs) and bundles the page with esbuild.
# A missing tool fails here, with the command that installs it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
cd "$here"

fail() {
    echo "playground/build.sh: $*" >&2
    exit 1
}

version="$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"$/\1/p' wasm/Cargo.toml)"
[ -n "$version" ] || fail 'playground/wasm/Cargo.toml must pin wasm-bindgen exactly ("=x.y.z")'
command -v wasm-bindgen >/dev/null ||
    fail "wasm-bindgen is not installed: cargo install wasm-bindgen-cli --version $version --locked"
have="$(wasm-bindgen --version | awk '{print $2}')"
[ "$have" = "$version" ] ||
    fail "wasm-bindgen-cli is $have but playground/wasm pins $version: cargo install wasm-bindgen-cli --version $version --locked --force"
[ -d "$(rustc --print sysroot)/lib/rustlib/wasm32-unknown-unknown" ] ||
    fail "the Rust target wasm32-unknown-unknown is missing: rustup target add wasm32-unknown-unknown"
command -v node >/dev/null && command -v npm >/dev/null ||
    fail "Node.js and npm are needed: apt-get install nodejs npm"

stamp=node_modules/.gradlang-lockstamp
if ! cmp -s package-lock.json "$stamp"; then
    npm ci --no-audit --no-fund
    cp package-lock.json "$stamp"
fi

(cd "$repo" && cargo build --profile wasm --target wasm32-unknown-unknown -p gradlang-playground)
target_dir="$(cd "$repo" && cargo metadata --format-version 1 --no-deps |
    node -e 'let s = ""; process.stdin.on("data", (d) => s += d).on("end", () => console.log(JSON.parse(s).target_directory))')"
rm -rf build/pkg
wasm-bindgen --target web --no-typescript --out-dir build/pkg \
    "$target_dir/wasm32-unknown-unknown/wasm/gradlang_playground.wasm"
node scripts/generate.mjs build/pkg build/generated.js

rm -rf dist
mkdir -p dist
node_modules/.bin/esbuild src/main.js src/worker.js --bundle --format=esm --minify \
    --sourcemap --target=es2022 --outdir=dist --log-level=warning
cp index.html style.css dist/
cp build/pkg/gradlang_playground_bg.wasm dist/gradlang.wasm
raw="$(wc -c <dist/gradlang.wasm)"
gzipped="$(gzip -9 -c dist/gradlang.wasm | wc -c)"
echo "playground/build.sh: built playground/dist/ (gradlang.wasm: $raw bytes, $gzipped gzipped)"
