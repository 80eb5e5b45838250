// Writes a TensorFlow.js layers model that nsfwjs ships as UMD bundles
// (model.min.js and group1-shard*.min.js, each exporting the JSON or one
// base64 string) in the layout TF.js itself saves: model.json and .bin
// shards, which `edlc import-weights tfjs` reads.
//
// Usage: node tfjs_unbundle.cjs BUNDLE_DIR OUT_DIR [DESCRIPTION]
'use strict';
const fs = require('fs');
const path = require('path');

const [src, out, description] = process.argv.slice(2);
if (!src || !out) {
  console.error('usage: node tfjs_unbundle.cjs BUNDLE_DIR OUT_DIR [DESCRIPTION]');
  process.exit(2);
}
const model = require(path.resolve(src, 'model.min.js'));
if (!model.modelTopology || !model.weightsManifest) {
  console.error(`${src}/model.min.js exports no TF.js layers model`);
  process.exit(1);
}
fs.mkdirSync(out, { recursive: true });
const manifest = model.weightsManifest.map((group) => {
  const paths = group.paths.map((shard) => {
    const bytes = Buffer.from(require(path.resolve(src, `${shard}.min.js`)), 'base64');
    fs.writeFileSync(path.join(out, `${shard}.bin`), bytes);
    return `${shard}.bin`;
  });
  return { paths, weights: group.weights };
});
fs.writeFileSync(path.join(out, 'model.json'), JSON.stringify({
  format: 'layers-model',
  generatedBy: description || `unbundled from ${src}`,
  modelTopology: model.modelTopology,
  weightsManifest: manifest,
}));
