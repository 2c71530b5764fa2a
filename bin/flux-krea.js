#!/usr/bin/env node
// The entry, in CommonJS (see bin/package.json). A bare `--version`, which scripts use to probe
// the tool, is answered here before anything else loads. Everything else runs in one bundle,
// dist/cli/index.cjs, compiled with the V8 code cache that `npm run build` writes beside it
// (index.cjs.cache): a start deserialises compiled code instead of parsing and compiling the
// bundle again (issue 6). Node 20 has no compile cache of its own (module.enableCompileCache
// came in Node 22.1) and caches nothing for ES modules, hence CommonJS and vm.Script. A cache
// that V8 rejects (another Node version) costs only its read: the bundle then compiles from
// source, as require() would. The loader is here rather than in a module of its own because
// each extra file costs a start about half a millisecond.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const BUNDLE = path.join(__dirname, '..', 'dist', 'cli', 'index.cjs');
const CACHE = `${BUNDLE}.cache`;

/**
 * V8's compiled code for exactly these bytes of the bundle, or undefined. V8 itself rejects a
 * cache made by another V8 version, with other V8 flags, or for a source of another length,
 * but not one made for an edited bundle of the same length (patch-package, a bundle rebuilt
 * beside an old cache): it would run the old code. So the cache file holds the bundle it was
 * made from (4 bytes of length, the bytes, then V8's data), and comparing the two is a memcmp.
 */
function cacheFor(bundle) {
  let file;
  try {
    file = fs.readFileSync(CACHE);
  } catch {
    return undefined; // no cache: compile from source
  }
  const n = file.length >= 4 ? file.readUInt32LE(0) : -1;
  if (n !== bundle.length || !bundle.equals(file.subarray(4, 4 + n))) return undefined;
  return file.subarray(4 + n);
}

/**
 * Compiles and runs the bundle. `cli` is its exports (run, main, buildProgram); `how` says how
 * it was compiled: 'shipped cache' (Node 20 and 21: V8 took the build's cache), 'compiled'
 * (no cache it could take), 'node cache' (Node 22.1 on: Node's own compile cache), 'require'
 * (--enable-source-maps).
 */
function loadCli({ useCache = true } = {}) {
  const { createRequire, enableCompileCache } = require('node:module');
  // Node 22.1 and later keep a compile cache of their own (in the temp dir, one per Node
  // version), where the cache shipped for the Node that built the package would be rejected.
  if (useCache && enableCompileCache) {
    enableCompileCache();
    return { cli: require(BUNDLE), how: 'node cache' };
  }
  // With --enable-source-maps, a plain require(), so that stack traces point into src/: Node 20
  // maps no code compiled through vm.Script.
  if (process.sourceMapsEnabled ?? process.execArgv.includes('--enable-source-maps')) {
    return { cli: require(BUNDLE), how: 'require' };
  }
  const vm = require('node:vm');
  const bundle = fs.readFileSync(BUNDLE);
  const cachedData = useCache ? cacheFor(bundle) : undefined;
  // The wrapper shares the first line with the code, so stack traces keep the bundle's lines.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${bundle.toString()}\n})`, {
    filename: BUNDLE,
    cachedData,
  });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, createRequire(BUNDLE), mod, BUNDLE, path.dirname(BUNDLE));
  return { cli: mod.exports, script, how: cachedData && !script.cachedDataRejected ? 'shipped cache' : 'compiled' };
}

/** What bin/write-code-cache.js writes: the bundle's bytes, then V8's data for them. */
function cacheFile(bundle, data) {
  const n = Buffer.alloc(4);
  n.writeUInt32LE(bundle.length, 0);
  return Buffer.concat([n, bundle, data]);
}

module.exports = { loadCli, cacheFile, BUNDLE, CACHE };

// bin/write-code-cache.js and tests set this to load the CLI without running it. (Not
// `require.main === module`: process managers that require() a script would then run nothing.)
if (!globalThis.FLUX_KREA_LOAD_ONLY) {
  const args = process.argv.slice(2);
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    // What commander prints for .version(VERSION, '-V, --version'); VERSION is built from the same field.
    process.stdout.write(`${require('../package.json').version}\n`);
  } else {
    loadCli().cli.run();
  }
}
