// How the extension starts the language server: `gradlang lsp` over
// stdio, with `gradlang` replaced by the `gradlang.path` setting when it is
// set. Kept apart from extension.js, which needs VS Code to load, so that
// the tests can check it with plain node.
'use strict';

/** The executable used when `gradlang.path` is unset or blank. */
const DEFAULT_EXECUTABLE = 'gradlang';

/**
 * The executable to run: the configured path with surrounding blanks
 * removed, or `gradlang` (looked up on PATH) when none is configured.
 * @param {unknown} configured the value of the `gradlang.path` setting
 * @returns {string}
 */
function executable(configured) {
  if (typeof configured === 'string' && configured.trim() !== '') {
    return configured.trim();
  }
  return DEFAULT_EXECUTABLE;
}

/**
 * vscode-languageclient's ServerOptions for `EXECUTABLE lsp` over stdio.
 * `transport: 0` is TransportKind.stdio; the number is written out so this
 * module loads without VS Code.
 * @param {unknown} configured the value of the `gradlang.path` setting
 */
function serverOptions(configured) {
  const run = { command: executable(configured), args: ['lsp'], transport: 0 };
  return { run, debug: run };
}

module.exports = { DEFAULT_EXECUTABLE, executable, serverOptions };
