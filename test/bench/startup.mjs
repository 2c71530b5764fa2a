// Start-up: `flux-krea --version`, `--help` and a `--dry-run` against bare `node -e 0` and
// against other Node CLIs (npm, tsc, prettier, eslint) measured in the same run. Judged on CPU
// time (user + system, all threads), shown with the wall time: on a machine shared with other
// work, wall time mostly measures the wait for a core. The commands are interleaved round by
// round, so that a slow moment of the machine hits every command alike, and each command's
// median is compared with the floor's and the fastest peer's.
// Also the install footprint: what `npm install -g` of the packed tarball puts on disk.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { BIN, ROOT, cliEnv, fmtMB, fmtMs, median, now, removeDir, tempDir } from './lib.mjs';

const require = createRequire(join(ROOT, 'package.json'));

const CPU_PROBE = join(import.meta.dirname, 'startup-cpu-probe.cjs');

/** Runs `node -r startup-cpu-probe.cjs ...args`: its exit code, CPU time and wall time (ms). */
function runTimed(args, { env, cwd, node }) {
  return new Promise((done, fail) => {
    const start = now();
    const child = spawn(node, ['-r', CPU_PROBE, ...args], {
      env,
      cwd,
      stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    });
    let cpu = '';
    child.stdio[3].on('data', (b) => {
      cpu += b;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, wall: now() - start, cpu: Number(cpu) / 1000 }));
  });
}

/** The script behind an executable on PATH (npm is a Node script: run it with this Node). */
function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const file = join(dir, name);
    if (dir && existsSync(file)) return realpathSync(file);
  }
  return undefined;
}

/** A package's bin script from this project's devDependencies, or undefined when not installed. */
function devBin(pkg, bin) {
  try {
    const dir = dirname(require.resolve(`${pkg}/package.json`));
    const field = require(`${pkg}/package.json`).bin;
    return join(dir, typeof field === 'string' ? field : field[bin]);
  } catch {
    return undefined;
  }
}

// Each peer runs its lightest command, `--version`: the comparison flatters the peers.
const PEERS = [
  ['npm', onPath('npm')],
  ['tsc', devBin('typescript', 'tsc')],
  ['prettier', devBin('prettier', 'prettier')],
  ['eslint', devBin('eslint', 'eslint')],
]
  .filter(([, script]) => script)
  .map(([name, script]) => ({ name: `${name} --version (peer)`, peer: name, args: [script, '--version'] }));

// What the fixed stack costs before any flux-krea code runs: commander and zod (the entry the
// schema uses) bundled by esbuild as the CLI is, imported as an ES module, one command parsed
// and one value checked. No start-up of this CLI can be cheaper; it bounds what the peer
// target can ask of it.
const STACK_FLOOR_SOURCE = `import { Command } from 'commander';
import * as z from 'zod/mini';
new Command('x').option('--n <n>').parse(['node', 'x', '--n', '1']);
z.string().parse('x');
`;

function buildStackFloor(dir) {
  const outfile = join(dir, 'stack-floor.mjs');
  require('esbuild').buildSync({
    stdin: { contents: STACK_FLOOR_SOURCE, resolveDir: ROOT, loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile,
    logLevel: 'warning',
    // As package.json's build: commander's require() of Node's modules, from an ES module.
    banner: {
      js: "import{createRequire as __createRequire}from'node:module';const require=__createRequire(import.meta.url);",
    },
  });
  return outfile;
}

export const STARTUP_CASES = [
  { name: 'node -e 0 (floor)', args: ['-e', '0'] },
  { name: 'commander + zod alone, bundled: the stack, no flux-krea code', stackFloor: true },
  { name: 'flux-krea --version', args: [BIN, '--version'], target: 1.3 },
  { name: 'flux-krea --help', args: [BIN, '--help'], target: 3, peerTarget: 0.5 },
  {
    name: 'flux-krea "…" --dry-run',
    args: [BIN, 'a lighthouse at dusk, oil on canvas', '--dry-run'],
    target: 3,
    peerTarget: 0.5,
  },
  ...PEERS,
];

/**
 * `bare`: run every command, the floor included, with PATH alone in the environment.
 * `node`: the Node binary that runs every command, the floor included (default: this one).
 */
export async function startup({ runs = 20, bare = false, node = process.execPath } = {}) {
  const dir = tempDir('startup');
  try {
    const env = cliEnv(dir, {}, { bare });
    // A saved default, so that the dry run reads the user config as a real user's would.
    mkdirSync(env.FLUX_KREA_CONFIG_DIR, { recursive: true });
    writeFileSync(
      join(env.FLUX_KREA_CONFIG_DIR, 'config.json'),
      `${JSON.stringify({ defaults: { format: 'png' } }, null, '\t')}\n`,
    );
    const stackFloor = buildStackFloor(dir);
    const argsOf = (c) => (c.stackFloor ? [stackFloor] : c.args);
    const cpu = STARTUP_CASES.map(() => []);
    const wall = STARTUP_CASES.map(() => []);
    // One untimed round warms the file cache.
    for (let round = -1; round < runs; round++) {
      for (let k = 0; k < STARTUP_CASES.length; k++) {
        // Rotate the order each round so that no command always runs right after another.
        const i = (k + Math.max(round, 0)) % STARTUP_CASES.length;
        const c = STARTUP_CASES[i];
        const r = await runTimed(argsOf(c), { env, cwd: dir, node });
        if (r.code !== 0) throw new Error(`${c.name} exited with ${r.code}`);
        if (round >= 0) {
          cpu[i].push(r.cpu);
          wall[i].push(r.wall);
        }
      }
    }
    const medians = cpu.map(median);
    const walls = wall.map(median);
    const floor = medians[0];
    const peers = STARTUP_CASES.map((c, i) => ({ c, m: medians[i] })).filter(({ c }) => c.peer);
    const fastest = peers.reduce((a, b) => (b.m < a.m ? b : a), peers[0]);
    return STARTUP_CASES.map((c, i) => {
      const m = medians[i];
      const value = `${fmtMs(m)} (wall ${fmtMs(walls[i])})`;
      const ratio = m / floor;
      if (!c.target)
        return {
          case: c.name,
          value,
          ratio: `${ratio.toFixed(2)}×`,
          target: i === 0 ? 'baseline' : ' ',
          result: 'info',
        };
      let ok = ratio <= c.target;
      let text = `${ratio.toFixed(2)}×`;
      let target = `≤ ${c.target.toFixed(2)}×`;
      if (c.peerTarget && fastest) {
        const vsPeer = m / fastest.m;
        ok &&= vsPeer < c.peerTarget;
        text += `, ${vsPeer.toFixed(2)}× ${fastest.c.peer}`;
        target += `, < ${c.peerTarget.toFixed(2)}× fastest peer`;
      }
      return { case: c.name, value, ratio: text, target, result: ok ? 'PASS' : 'FAIL' };
    });
  } finally {
    removeDir(dir);
  }
}

/** Packages (folders with a package.json under node_modules) and bytes under `dir`. */
function tally(dir) {
  let packages = 0;
  let bytes = 0;
  const walk = (d, parent) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (
          parent === 'node_modules' &&
          !e.name.startsWith('@') &&
          !e.name.startsWith('.') &&
          existsSync(join(p, 'package.json'))
        )
          packages++;
        walk(p, e.name.startsWith('@') && parent === 'node_modules' ? 'node_modules' : e.name);
      } else if (e.isFile()) bytes += statSync(p).size;
    }
  };
  walk(dir, 'node_modules');
  return { packages, bytes };
}

/** `npm pack`, then `npm install -g --prefix <tmp>` of the tarball: packages and bytes installed. */
export async function installFootprint() {
  const dir = tempDir('footprint');
  try {
    const npm = (args) => execFileSync('npm', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const [{ filename }] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
        cwd: ROOT,
        encoding: 'utf8',
      }),
    );
    const prefix = join(dir, 'prefix');
    npm([
      'install',
      '--global',
      '--prefix',
      prefix,
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      join(dir, filename),
    ]);
    const { packages, bytes } = tally(join(prefix, 'lib', 'node_modules'));
    return [
      {
        case: 'npm install -g: packages',
        value: String(packages),
        ratio: ' ',
        target: '≤ 6',
        result: packages <= 6 ? 'PASS' : 'FAIL',
      },
      {
        case: 'npm install -g: size on disk (file bytes)',
        value: fmtMB(bytes),
        ratio: ' ',
        target: '≤ 8.0 MB',
        result: bytes <= 8e6 ? 'PASS' : 'FAIL',
      },
    ];
  } finally {
    removeDir(dir);
  }
}
