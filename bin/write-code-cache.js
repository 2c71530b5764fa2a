// `npm run build:cache`, the last step of building the CLI: runs the start-up paths once (so
// that V8 compiles what they call), then saves what V8 compiled to dist/cli.cjs.cache, which
// bin/flux-krea.js hands to V8 at every start. Not shipped: the package carries the cache.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Writable } = require('node:stream');
const { loadCli, CACHE } = require('./flux-krea.js');

// --quiet: the Ui writes stderr directly (src/cli/output.ts), past any capture here.
const RUNS = [['--help'], ['a lighthouse at dusk', '--dry-run', '--quiet'], ['jobs', '--help']];

async function writeCache() {
  fs.rmSync(CACHE, { force: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-krea-cache-'));
  // A clean environment: no real key, no user config, nothing written outside tmp.
  for (const k of Object.keys(process.env)) if (/^(SEGMIND_|FLUX_KREA_)/.test(k)) delete process.env[k];
  process.env.FLUX_KREA_CONFIG_DIR = tmp;
  process.env.NO_COLOR = '1';
  const { cli, script } = loadCli({ useCache: false });
  const { streamOutput } = cli;
  const stderrWrite = process.stderr.write;
  try {
    for (const args of RUNS) {
      let captured = '';
      const sink = new Writable({ write: (chunk, _enc, done) => ((captured += chunk), done()) });
      process.stderr.write = (chunk) => ((captured += chunk), true);
      let code;
      try {
        code = await cli.main(['node', 'flux-krea', ...args], process.env, streamOutput(sink));
      } finally {
        process.stderr.write = stderrWrite;
      }
      if (code !== 0) throw new Error(`flux-krea ${args.join(' ')} exited with ${code}:\n${captured}`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  fs.writeFileSync(CACHE, script.createCachedData());
}

writeCache().catch((e) => {
  process.stderr.write(`could not write the code cache: ${e?.stack ?? e}\n`);
  process.exitCode = 1;
});
