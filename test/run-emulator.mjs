#!/usr/bin/env node
// `npm run emulator [-- serve options]`: the bundled Segmind emulator on its own, on 127.0.0.1,
// to try an installed flux-krea without a key, network or credits. It prints what to export in
// another terminal and runs until Ctrl-C. Options go to the emulator (`-- --port 8080`,
// `-- --queued-ms 5000`; an unknown option prints the list).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
// Timed like the real service, only faster: a few seconds QUEUED and PROCESSING.
const args = ['--progress', 'time', '--queued-ms', '1500', '--processing-ms', '3000', ...process.argv.slice(2)];
const emulator = spawn(process.execPath, [join(root, 'dist', 'emulator', 'serve.js'), ...args], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
emulator.on('exit', (code, signal) => {
  process.exitCode = signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : (code ?? 1);
});
// Ctrl-C reaches the emulator too (same process group); a plain kill of this script is passed on.
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => emulator.kill(sig));

createInterface({ input: emulator.stdout }).once('line', (line) => {
  const { url, apiKey } = JSON.parse(line);
  process.stdout.write(`The Segmind emulator is running on ${url} (no network, no credits).
In another terminal:

  export SEGMIND_BASE_URL=${url}
  export SEGMIND_API_KEY=${apiKey}
  export FLUX_KREA_CONFIG_DIR="$(mktemp -d)"   # optional: keeps your real config and journal out of it
  flux-krea "a red fox in fresh snow" -n 1

Its images are placeholders (a test pattern of the right size and format), not generated
pictures. Ctrl-C stops it.
`);
});
