// Tokenises every example and test input of the repository with the
// TextMate grammar (vscode-textmate + the oniguruma engine VS Code uses)
// and compares the scopes with test/snapshots/, so any change to the
// grammar shows up as a reviewable diff. UPDATE_SNAPSHOTS=1 rewrites them.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const repo = path.resolve(__dirname, '../../..');
const snapshots = path.join(__dirname, 'snapshots');
const inputDirs = ['examples', 'tests/diagnostics', 'tests/golden/input', 'tests/fuzz/corpus', 'tests/spec'];

async function loadGrammar() {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope) => {
      if (scope !== 'source.edl') return null;
      const file = path.join(__dirname, '../syntaxes/edl.tmLanguage.json');
      return vsctm.parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
    },
  });
  return registry.loadGrammar('source.edl');
}

function* edlFiles(dir) {
  const full = path.join(repo, dir);
  if (!fs.existsSync(full)) return;
  for (const entry of fs.readdirSync(full, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* edlFiles(rel);
    else if (entry.name.endsWith('.edl')) yield rel;
  }
}

// One line of text, then one line per token: its columns and scopes
// (without the base scope).
function tokenize(grammar, text) {
  let state = vsctm.INITIAL;
  const out = [];
  for (const line of text.split('\n')) {
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    out.push('> ' + line);
    for (const t of r.tokens) {
      const scopes = t.scopes.filter((s) => s !== 'source.edl');
      const piece = line.slice(t.startIndex, t.endIndex);
      if (scopes.length === 0 || piece.trim() === '') continue;
      out.push(`  ${t.startIndex}-${t.endIndex} ${JSON.stringify(piece)} ${scopes.join(' ')}`);
    }
  }
  return out.join('\n') + '\n';
}

function scopesOf(grammar, line, piece) {
  const r = grammar.tokenizeLine(line, vsctm.INITIAL);
  const at = line.indexOf(piece);
  const t = r.tokens.find((tok) => tok.startIndex <= at && at < tok.endIndex);
  return t ? t.scopes : [];
}

test('every token class gets its scope', async () => {
  const g = await loadGrammar();
  const has = (line, piece, scope) =>
    assert.ok(scopesOf(g, line, piece).includes(scope), `${piece} in ${line}: ${scopesOf(g, line, piece)}`);
  has('/// Handwritten digits', '///', 'comment.line.documentation.edl');
  has('// plain', '//', 'comment.line.double-slash.edl');
  has('  x = 1 /* why */', '/*', 'comment.block.edl');
  has('import "common.edl"', 'import', 'keyword.control.import.edl');
  has('project "digits" {', 'project', 'storage.type.declaration.edl');
  has('dataset digits {', 'digits', 'entity.name.type.edl');
  has('op vignette(k: float) = x', 'vignette', 'entity.name.function.op.edl');
  has('op vignette(k: float) = x', 'float', 'support.type.edl');
  has('  split  = { train = 80%, val = 20% }', 'split', 'variable.other.property.edl');
  has('  split  = { train = 80%, val = 20% }', 'train', 'variable.other.property.edl');
  has('  split  = { train = 80%, val = 20% }', '80%', 'constant.numeric.percent.edl');
  has('  image  = { size = 32x32 }', '32x32', 'constant.numeric.size.edl');
  has('  budget = 30m', '30m', 'constant.numeric.duration.edl');
  has('  lr = 1e-3', '1e-3', 'constant.numeric.float.edl');
  has('  seed = 1_000', '1_000', 'constant.numeric.integer.edl');
  has('  store = "a\\tb"', '\\t', 'constant.character.escape.edl');
  has('  store = "a\\qb"', '\\q', 'invalid.illegal.escape.edl');
  has('  rotate(degrees = uniform(-15, 15))', 'rotate', 'entity.name.function.call.edl');
  has('  search = tpe(trials = 12)', 'tpe', 'entity.name.function.call.edl');
  has('  maybe(p = 0.5) { invert() }', 'maybe', 'keyword.control.flow.edl');
  has('  flag = true', 'true', 'constant.language.edl');
  has('  stop = val.accuracy >= 0.95 or not x', '>=', 'keyword.operator.comparison.edl');
  has('  stop = val.accuracy >= 0.95 or not x', 'or', 'keyword.operator.logical.edl');
  has('  stop = val.accuracy >= 0.95', 'accuracy', 'variable.other.member.edl');
  has('op f() = x^2 * 3', '^', 'keyword.operator.arithmetic.edl');
  // Declaration words are names inside blocks.
  has('  model = net', 'model', 'variable.other.property.edl');
  has('  early_stop = { metric = train.loss }', 'train', 'variable.other.edl');
});

test('tokens of every example and test input match the snapshots', async () => {
  const g = await loadGrammar();
  const update = process.env.UPDATE_SNAPSHOTS === '1';
  const files = inputDirs.flatMap((d) => [...edlFiles(d)]);
  assert.ok(files.length >= 60, `only ${files.length} inputs found`);
  const expected = new Set();
  for (const rel of files) {
    const snap = path.join(snapshots, rel + '.snap');
    expected.add(snap);
    const actual = tokenize(g, fs.readFileSync(path.join(repo, rel), 'utf8'));
    if (update) {
      fs.mkdirSync(path.dirname(snap), { recursive: true });
      fs.writeFileSync(snap, actual);
      continue;
    }
    assert.ok(fs.existsSync(snap), `no snapshot for ${rel}; run with UPDATE_SNAPSHOTS=1`);
    assert.strictEqual(actual, fs.readFileSync(snap, 'utf8'), `tokens of ${rel} changed`);
  }
  // A snapshot without its input is stale.
  const stale = [];
  const walk = (dir) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (!expected.has(p)) stale.push(p);
    }
  };
  walk(snapshots);
  if (update) stale.forEach((p) => fs.unlinkSync(p));
  else assert.deepStrictEqual(stale, []);
});
