// The EDL extension: colours come from the TextMate grammar; everything
// else (diagnostics, hover, completion, definition, formatting, symbols)
// from `edlc lsp`, started when edlc can be found.
'use strict';
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');
const { resolveServer } = require('./server-path');

let client;

async function activate(context) {
  const setting = vscode.workspace.getConfiguration('edl').get('server.path');
  const command = resolveServer(setting);
  if (!command) {
    vscode.window.showWarningMessage(
      `EDL: '${setting || 'edlc'}' was not found, so only syntax colours are on. ` +
        'Put edlc on PATH or set edl.server.path.');
    return;
  }
  client = new LanguageClient(
    'edl',
    'EDL language server',
    { command, args: ['lsp'] },
    { documentSelector: [{ scheme: 'file', language: 'edl' }] });
  await client.start();
  context.subscriptions.push({ dispose: () => client && client.stop() });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
