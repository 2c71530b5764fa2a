// `npm run build:cache`, the last step of building the CLI: runs the start-up paths once (so
// that V8 compiles what they call), then saves what V8 compiled beside the bundle
// (dist/cli/index.cjs.cache), which bin/flux-krea.js hands to V8 at every start. A build step,
// left out of the package; the package carries the cache.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Writable } = require('node:stream');

globalThis.FLUX_KREA_LOAD_ONLY = true;
const { loadCli, cacheFile, BUNDLE, CACHE } = require('./flux-krea.js');

const RUNS = [['--help'], ['a lighthouse at dusk', '--dry-run'], ['jobs', '--help']];

async function writeCache() {
  fs.rmSync(CACHE, { force: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-krea-cache-'));
  // A clean environment: no real key, no user config, nothing written outside tmp.
  for (const k of Object.keys(process.env)) if (/^(SEGMIND_|FLUX_KREA_)/.test(k)) delete process.env[k];
  process.env.FLUX_KREA_CONFIG_DIR = tmp;
  process.env.NO_COLOR = '1';
  const { cli, script } = loadCli({ useCache: false, vm: true });
  try {
    for (const args of RUNS) {
      let captured = '';
      const sink = () => cli.streamOutput(new Writable({ write: (chunk, _enc, done) => ((captured += chunk), done()) }));
      const code = await cli.main(['node', 'flux-krea', ...args], process.env, sink(), sink());
      if (code !== 0) throw new Error(`flux-krea ${args.join(' ')} exited with ${code}:\n${captured}`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  // Written whole, then renamed: a start never reads half a cache.
  fs.writeFileSync(`${CACHE}.tmp`, cacheFile(fs.readFileSync(BUNDLE), script.createCachedData()));
  fs.renameSync(`${CACHE}.tmp`, CACHE);
  // The cache fits only the V8 that made it. Node 22.1 and later have a compile cache of their
  // own; Node 20, which the project supports, has nothing else: publish from Node 20.
  if (!process.versions.node.startsWith('20.')) {
    process.stderr.write(`note: the code cache is for Node ${process.versions.node}; Node 20 users get one only from a package built on Node 20.\n`);
  }
}

writeCache().catch((e) => {
  process.stderr.write(`could not write the code cache: ${e?.stack ?? e}\n`);
  process.exitCode = 1;
});
