// The VS Code side of gradlang: starts `gradlang lsp` (the language
// server) for .gl files and restarts it on request or when `gradlang.path`
// changes. Highlighting, comments and brackets come from the grammar and
// language-configuration.json and work without the server.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');
const { serverOptions } = require('./server');

/** @type {LanguageClient | undefined} */
let client;

/** A client for the server configured now (not yet started). */
function createClient() {
  const configured = vscode.workspace.getConfiguration('gradlang').get('path');
  const options = serverOptions(configured);
  // server.js spells stdio as 0 to load without VS Code; keep them in step.
  options.run.transport = TransportKind.stdio;
  return new LanguageClient('gradlang', 'gradlang language server', options, {
    documentSelector: [{ language: 'gradlang' }],
  });
}

async function start() {
  client = createClient();
  try {
    await client.start();
  } catch (err) {
    const configured = vscode.workspace.getConfiguration('gradlang').get('path');
    vscode.window.showErrorMessage(
      `Could not start the gradlang language server (\`${serverOptions(configured).run.command} lsp\`): ${err && err.message ? err.message : err}. ` +
        'Set `gradlang.path` to the gradlang executable (for example target/release/gradlang in a built checkout).'
    );
  }
}

async function stop() {
  if (client) {
    const old = client;
    client = undefined;
    try {
      await old.stop();
    } catch {
      // A server that never started has nothing to stop.
    }
  }
}

async function restart() {
  await stop();
  await start();
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('gradlang.restartServer', restart),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('gradlang.path')) {
        restart();
      }
    })
  );
  await start();
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate };
