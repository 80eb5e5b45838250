// Finds the edlc executable the extension starts as `edlc lsp`: a setting
// that is a path is used as it is; a bare name is looked up on PATH.
'use strict';
const fs = require('fs');
const path = require('path');

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function resolveServer(setting, envPath = process.env.PATH || '') {
  const name = setting && setting.trim() ? setting.trim() : 'edlc';
  if (name.includes(path.sep)) return isExecutable(name) ? name : null;
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

module.exports = { resolveServer };
