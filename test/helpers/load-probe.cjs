// Loaded with `node -r` by test/e2e/startup.test.ts: records every module the process asks
// for (Module._load, which the CLI bundle's require goes through) and, at exit, every module
// Node itself loaded (process.moduleLoadList), into the JSON file named by LOAD_PROBE_OUT.
'use strict';
const Module = require('node:module');
const fs = require('node:fs');

const required = [];
const load = Module._load;
Module._load = function (id, ...rest) {
  required.push(id);
  return load.call(this, id, ...rest);
};
process.on('exit', () => {
  fs.writeFileSync(process.env.LOAD_PROBE_OUT, JSON.stringify({ required, internals: process.moduleLoadList }));
});
