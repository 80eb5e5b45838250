// A scripted LSP client against the real `edlc lsp` process over stdio:
// open a document with errors, receive them with ranges, edit, see them
// clear, then hover, completion, definition, formatting, symbols, and a
// clean shutdown. Usage: EDLC=path/to/edlc node --test tests/lsp/
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { spawn } = require('node:child_process');
const path = require('node:path');

const edlc = process.env.EDLC;
const file = path.resolve(__dirname, '../../examples/digits/digits-lsp-test.edl');
const uri = 'file://' + file;

class Client {
  constructor() {
    this.proc = spawn(edlc, ['lsp'], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.buffer = Buffer.alloc(0);
    this.waiting = [];
    this.queue = [];
    this.nextId = 1;
    this.proc.stdout.on('data', (chunk) => this.receive(chunk));
  }
  receive(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: (\d+)/.exec(this.buffer.slice(0, headerEnd).toString())[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = JSON.parse(this.buffer.slice(headerEnd + 4, headerEnd + 4 + length).toString('utf8'));
      this.buffer = this.buffer.slice(headerEnd + 4 + length);
      this.queue.push(body);
      this.flush();
    }
  }
  flush() {
    for (let i = 0; i < this.waiting.length; i++) {
      const w = this.waiting[i];
      const at = this.queue.findIndex(w.match);
      if (at >= 0) {
        this.waiting.splice(i--, 1);
        w.resolve(this.queue.splice(at, 1)[0]);
      }
    }
  }
  next(match) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer from edlc lsp')), 10000);
      this.waiting.push({ match, resolve: (m) => { clearTimeout(timer); resolve(m); } });
      this.flush();
    });
  }
  send(message) {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }), 'utf8');
    this.proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin.write(body);
  }
  async request(method, params) {
    const id = this.nextId++;
    this.send({ id, method, params });
    return this.next((m) => m.id === id);
  }
  notify(method, params) {
    this.send({ method, params });
  }
  diagnostics() {
    return this.next((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri);
  }
}

const at = (line, character) => ({ textDocument: { uri }, position: { line, character } });

const text = [
  'project "lsp" { seed = 1 }',
  'dataset d { source = image_folder(".") }',
  'model m { backbone = cnn(channels = [8]) }',
  'augment a { rotat(degrees = 5) }',
  'train t { data = d; augment = a; model = m; optimizer = sgd(lr = 0.1); epochs = 1 }',
  '',
].join('\n');

test('edlc lsp serves a document from open to shutdown', { skip: !edlc && 'EDLC is not set' }, async () => {
  const c = new Client();
  const init = await c.request('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
  assert.strictEqual(init.result.capabilities.hoverProvider, true);
  c.notify('initialized', {});

  c.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'edl', version: 1, text } });
  let diags = (await c.diagnostics()).params.diagnostics;
  assert.strictEqual(diags.length, 1);
  assert.strictEqual(diags[0].code, 'E0301');
  assert.deepStrictEqual(diags[0].range, { start: { line: 3, character: 12 }, end: { line: 3, character: 17 } });
  assert.match(diags[0].message, /did you mean 'rotate'\?/);

  const fixed = text.replace('rotat(', 'rotate(');
  c.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: fixed }] });
  diags = (await c.diagnostics()).params.diagnostics;
  assert.deepStrictEqual(diags, []);

  const hover = await c.request('textDocument/hover', at(4, 57));
  assert.match(hover.result.contents.value, /stochastic gradient descent/);
  assert.match(hover.result.contents.value, /momentum = 0 {2}\(default\)/);

  const def = await c.request('textDocument/definition', at(4, 30));
  assert.strictEqual(def.result.uri, uri);
  assert.deepStrictEqual(def.result.range.start, { line: 3, character: 8 });

  const typing = fixed.replace('epochs = 1 }', 'epochs = 1\n  schedule = \n}');
  c.notify('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ text: typing }] });
  await c.diagnostics();
  const completion = await c.request('textDocument/completion', at(5, 13));
  const labels = completion.result.items.map((i) => i.label);
  for (const want of ['cosine', 'onecycle', 'custom']) assert.ok(labels.includes(want), `${want} in ${labels}`);

  const messy = 'project "lsp" {seed=1}\n';
  c.notify('textDocument/didChange', { textDocument: { uri, version: 4 }, contentChanges: [{ text: messy }] });
  await c.diagnostics();
  const edits = await c.request('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
  assert.strictEqual(edits.result[0].newText, 'project "lsp" {\n  seed = 1\n}\n');

  c.notify('textDocument/didChange', { textDocument: { uri, version: 5 }, contentChanges: [{ text: fixed }] });
  await c.diagnostics();
  const symbols = await c.request('textDocument/documentSymbol', { textDocument: { uri } });
  assert.deepStrictEqual(symbols.result.map((s) => s.name), ['lsp', 'd', 'm', 'a', 't']);

  const shutdown = await c.request('shutdown', null);
  assert.strictEqual(shutdown.result, null);
  const exited = new Promise((resolve) => c.proc.on('exit', resolve));
  c.notify('exit', null);
  assert.strictEqual(await exited, 0);
});
