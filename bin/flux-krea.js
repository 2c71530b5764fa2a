#!/usr/bin/env node
// The entry, in CommonJS (see bin/package.json). A bare `--version`, which scripts use to probe
// the tool, is answered here before anything else loads. Everything else runs in one bundle,
// dist/cli/index.cjs, compiled with the V8 code cache that `npm run build` writes beside it
// (index.cjs.cache): a start deserialises compiled code instead of parsing and compiling the
// bundle again (issue 6). Node 20 caches nothing for ES modules and has no compile cache of its
// own, hence CommonJS and vm.Script. On another Node version the shipped cache does not fit;
// Node 22.1 and later then keep a compile cache of their own, and older ones compile from
// source as require() would. The loader is here rather than in a module of its own because
// each extra file costs a start about half a millisecond.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const BUNDLE = path.join(__dirname, '..', 'dist', 'cli', 'index.cjs');
const CACHE = `${BUNDLE}.cache`;
// The name V8 records for the bundle's code, the same at build time and at every start: Node
// 20 keeps the name stored in a cache, so the build machine's path would show in users' stack
// traces otherwise.
const SCRIPT_NAME = 'flux-krea/dist/cli/index.cjs';

/**
 * The cache file: 1 byte n, the V8 version (n bytes) it was made by, 4 bytes of the bundle's
 * length, the bundle it was made from, then V8's data. V8 itself rejects a cache of another
 * version, flags or source length, but not one made for an edited bundle of the same length
 * (patch-package, a bundle rebuilt beside an old cache): it would run the old code. Comparing
 * the stored bundle with the real one is a memcmp.
 */
function cacheFile(bundle, data) {
  const version = Buffer.from(process.versions.v8, 'latin1');
  const head = Buffer.alloc(1 + version.length + 4);
  head[0] = version.length;
  version.copy(head, 1);
  head.writeUInt32LE(bundle.length, 1 + version.length);
  return Buffer.concat([head, bundle, data]);
}

/** The shipped cache when this V8 made it: { file, at } (where the bundle copy starts), or undefined. */
function shippedCache() {
  let fd;
  try {
    fd = fs.openSync(CACHE, 'r');
  } catch {
    return undefined; // no cache: compile from source
  }
  try {
    // The version first: on another Node the rest (about 0.5 MB) is not worth reading.
    const head = Buffer.alloc(64);
    const got = fs.readSync(fd, head, 0, head.length, 0);
    const n = head[0];
    if (got < 1 + n + 4 || head.toString('latin1', 1, 1 + n) !== process.versions.v8) return undefined;
    return { file: fs.readFileSync(fd), at: 1 + n };
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/** V8's data in `cache` if it was made from exactly these bytes of the bundle. */
function dataFor(cache, bundle) {
  const { file, at } = cache;
  const start = at + 4;
  if (file.readUInt32LE(at) !== bundle.length || file.length < start + bundle.length) return undefined;
  return bundle.equals(file.subarray(start, start + bundle.length)) ? file.subarray(start + bundle.length) : undefined;
}

/**
 * Node 22.1+'s compile cache, in a directory of the user's own (a shared temp dir would let
 * another local user plant compiled code): $NODE_COMPILE_CACHE, else the user cache dir.
 * False when it could not be turned on (NODE_DISABLE_COMPILE_CACHE, an unwritable dir...).
 */
function nodeCompileCache(mod) {
  if (!mod.enableCompileCache) return false;
  const home = () => require('node:os').homedir();
  const dir =
    process.env.NODE_COMPILE_CACHE ||
    (process.platform === 'win32'
      ? path.join(process.env.LOCALAPPDATA || path.join(home(), 'AppData', 'Local'), 'flux-krea', 'Cache', 'compile')
      : process.platform === 'darwin'
        ? path.join(home(), 'Library', 'Caches', 'flux-krea', 'compile')
        : path.join(process.env.XDG_CACHE_HOME || path.join(home(), '.cache'), 'flux-krea', 'compile'));
  try {
    const { status } = mod.enableCompileCache(dir);
    const { ENABLED, ALREADY_ENABLED } = mod.constants.compileCacheStatus;
    return status === ENABLED || status === ALREADY_ENABLED;
  } catch {
    return false;
  }
}

/**
 * Compiles and runs the bundle. `cli` is its exports (run, main, buildProgram); `how` says how
 * it was compiled: 'shipped cache' (V8 took the build's cache), 'node cache' (Node 22.1+'s own
 * compile cache, when the shipped one is for another V8), 'compiled' (no cache), 'require'
 * (--enable-source-maps). `vm` forces compiling through vm.Script (the build needs `script`).
 */
function loadCli({ useCache = true, vm = false } = {}) {
  const mod = require('node:module');
  const sourceMaps =
    process.sourceMapsEnabled ?? (process.execArgv.includes('--enable-source-maps') || /--enable-source-maps/.test(process.env.NODE_OPTIONS ?? ''));
  // With --enable-source-maps, a plain require(), so that stack traces point into src/: Node 20
  // maps no code compiled through vm.Script.
  if (sourceMaps && !vm) return { cli: require(BUNDLE), how: 'require' };
  const cache = useCache ? shippedCache() : undefined;
  if (useCache && !cache && !vm && nodeCompileCache(mod)) return { cli: require(BUNDLE), how: 'node cache' };
  const bundle = fs.readFileSync(BUNDLE);
  const cachedData = cache && dataFor(cache, bundle);
  // The wrapper shares the first line with the code, so stack traces keep the bundle's lines.
  const script = new (require('node:vm').Script)(`(function (exports, require, module, __filename, __dirname) {${bundle.toString()}\n})`, {
    filename: SCRIPT_NAME,
    cachedData,
  });
  const bundleModule = { exports: {} };
  script.runInThisContext()(bundleModule.exports, mod.createRequire(BUNDLE), bundleModule, BUNDLE, path.dirname(BUNDLE));
  return { cli: bundleModule.exports, script, how: cachedData && !script.cachedDataRejected ? 'shipped cache' : 'compiled' };
}

/** `--version` written whole, as commander would; a reader that has gone is not an error. */
function printVersion() {
  const text = `${require('../package.json').version}\n`;
  try {
    fs.writeSync(1, text);
  } catch (e) {
    if (e.code === 'EAGAIN') process.stdout.write(text);
    else if (e.code !== 'EPIPE') throw e;
  }
}

module.exports = { loadCli, cacheFile, BUNDLE, CACHE };

// bin/write-code-cache.js and tests set this to load the CLI without running it. (Not
// `require.main === module`: process managers that require() a script would then run nothing.)
if (!globalThis.FLUX_KREA_LOAD_ONLY) {
  const args = process.argv.slice(2);
  // What commander prints for .version(VERSION, '-V, --version'); VERSION is built from the same field.
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) printVersion();
  else loadCli().cli.run();
}
