#!/usr/bin/env node
// `npm run demo [-- "prompt" [flags]]`: a real generation when SEGMIND_API_KEY is set, otherwise
// the same CLI against the bundled Segmind emulator, so a newcomer sees images appear with no
// key and no network. Images land in ./demo-out/.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin', 'flux-krea.js');
const args = process.argv.slice(2);
const prompt = args[0] && !args[0].startsWith('-') ? [] : ['a wool raccoon explorer holding a sign'];
const cliArgs = [...prompt, ...args, ...(args.some((a) => a === '-o' || a === '--out') ? [] : ['-o', 'demo-out'])];

function runCli(env) {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [bin, ...cliArgs], { stdio: 'inherit', env });
    child.on('exit', (code, signal) => resolveRun(code ?? (signal ? 130 : 1)));
  });
}

if (process.env.SEGMIND_API_KEY) {
  console.error('demo: SEGMIND_API_KEY is set: a real generation on Segmind (this uses credits).');
  process.exitCode = await runCli(process.env);
} else {
  console.error(
    'demo: no SEGMIND_API_KEY, so this runs against the bundled Segmind emulator (no network, no credits).',
  );
  const emulator = spawn(
    process.execPath,
    [join(root, 'dist', 'emulator', 'serve.js'), '--progress', 'time', '--queued-ms', '700', '--processing-ms', '1500'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const line = await new Promise((resolveLine, reject) => {
    createInterface({ input: emulator.stdout }).once('line', resolveLine);
    emulator.once('exit', (code) => reject(new Error(`the emulator exited (${code}); run npm run build first`)));
  });
  const info = JSON.parse(line);
  const configDir = mkdtempSync(join(tmpdir(), 'flux-krea-demo-'));
  try {
    process.exitCode = await runCli({
      ...process.env,
      SEGMIND_BASE_URL: info.url,
      SEGMIND_UPLOAD_URL: info.uploadUrl,
      SEGMIND_API_KEY: info.apiKey,
      // A throwaway config dir: the demo never touches your real config or journal.
      FLUX_KREA_CONFIG_DIR: configDir,
    });
  } finally {
    emulator.kill('SIGTERM');
    rmSync(configDir, { recursive: true, force: true });
  }
}
