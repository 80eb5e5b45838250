// The original network's answer, for comparing an import with it: runs a
// TensorFlow.js layers model (model.json + .bin shards) with TF.js's pure
// JavaScript CPU backend on N x H x W x C float32 inputs and writes its
// last layer's outputs before the activation (the logits), float32.
//
// Usage: NODE_PATH=.../node_modules node tfjs_logits.cjs MODEL_DIR INPUT.f32 N OUTPUT.f32
'use strict';
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');

async function main() {
  const [dir, inputFile, count, outFile] = process.argv.slice(2);
  const model = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const topology = model.modelTopology.model_config || model.modelTopology;
  const config = topology.config;
  const layers = Array.isArray(config) ? config : config.layers;
  const output = Array.isArray(config) ? layers[layers.length - 1].config.name : config.output_layers[0][0];
  const last = layers.find((l) => (l.name || l.config.name) === output);
  last.config.activation = 'linear';  // logits, not probabilities
  const shards = model.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p))));
  const bytes = Buffer.concat(shards);
  const loaded = await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: model.modelTopology,
    weightSpecs: model.weightsManifest.flatMap((g) => g.weights),
    weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
  }));
  const [, h, w, c] = loaded.inputs[0].shape;
  const raw = fs.readFileSync(inputFile);
  const n = Number(count);
  const values = new Float32Array(raw.buffer, raw.byteOffset, n * h * w * c);
  const y = loaded.predict(tf.tensor4d(values, [n, h, w, c]));
  const logits = await y.data();
  fs.writeFileSync(outFile, Buffer.from(logits.buffer, logits.byteOffset, logits.byteLength));
}

main().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});
