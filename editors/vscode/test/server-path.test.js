// How the extension finds edlc.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { resolveServer } = require('../server-path');

test('a bare name is looked up on PATH, a path is taken as it is', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edl-ext-'));
  const exe = path.join(dir, 'edlc');
  fs.writeFileSync(exe, '#!/bin/sh\n');
  fs.chmodSync(exe, 0o755);
  try {
    assert.strictEqual(resolveServer('edlc', `/nonexistent${path.delimiter}${dir}`), exe);
    assert.strictEqual(resolveServer('', dir), exe);
    assert.strictEqual(resolveServer(exe, ''), exe);
    assert.strictEqual(resolveServer('edlc', '/nonexistent'), null);
    assert.strictEqual(resolveServer(path.join(dir, 'missing'), dir), null);
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});
