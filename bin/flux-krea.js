#!/usr/bin/env node
// The entry, in CommonJS (see bin/package.json). A bare `--version`, which scripts use to probe
// the tool, is answered here before anything else loads. Everything else runs in one bundle,
// dist/cli.cjs, compiled with the V8 code cache that `npm run build` writes beside it
// (dist/cli.cjs.cache): a start deserialises compiled code instead of parsing and compiling
// the bundle again (issue 6). Node 20 has no compile cache of its own (module.enableCompileCache
// came in Node 22.1) and caches nothing for ES modules, hence CommonJS and vm.Script. A cache
// that V8 rejects (another Node, other V8 flags) costs only its read: the bundle is then
// compiled from source, as require() would. The loader is here rather than in a module of its
// own because each extra file costs a start about half a millisecond.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const DIST = path.join(__dirname, '..', 'dist');
const BUNDLE = path.join(DIST, 'cli.cjs');
const CACHE = `${BUNDLE}.cache`;
// The bundle keeps src/vendor/*.ts external: each is its own CommonJS bundle of an ESM-only
// package (dist/vendor/<name>.cjs, the build:vendor script), so that the paths that need one
// require() it without starting Node's ES module loader, and --help or a dry run never read it.
const VENDOR = /^\.\.\/vendor\/([a-z-]+)\.js$/;

/** Compiles and runs the bundle; `cli` is its exports (run, main, buildProgram). */
function loadCli({ useCache = true } = {}) {
  const vm = require('node:vm');
  const { createRequire } = require('node:module');
  const source = fs.readFileSync(BUNDLE, 'utf8');
  let cachedData;
  if (useCache) {
    try {
      cachedData = fs.readFileSync(CACHE);
    } catch {
      // No cache (a build that skipped it): compile from source.
    }
  }
  // The wrapper shares the first line with the code, so stack traces keep the bundle's lines.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: BUNDLE,
    cachedData,
  });
  const requireFromBundle = createRequire(BUNDLE);
  const bundleRequire = (id) => {
    const vendored = VENDOR.exec(id);
    return requireFromBundle(vendored ? `./vendor/${vendored[1]}.cjs` : id);
  };
  bundleRequire.resolve = requireFromBundle.resolve;
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, bundleRequire, mod, BUNDLE, DIST);
  return { cli: mod.exports, script, cacheRejected: cachedData ? script.cachedDataRejected : undefined };
}

module.exports = { loadCli, BUNDLE, CACHE, VENDOR };

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    // What commander prints for .version(VERSION, '-V, --version'); VERSION is built from the same field.
    process.stdout.write(`${require('../package.json').version}\n`);
  } else {
    loadCli().cli.run();
  }
}
