/**
 * Issue 13 item 13, newcomer friction: `npm run emulator` starts the bundled emulator on its
 * own and prints what to export, and the CLI works against it from those lines alone; the
 * README says how to install from a clone, that the demo's images are placeholders, and points
 * to the project's own account of the API contract.
 */
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BIN, sandbox } from '../helpers/cli.js';
import { until } from '../helpers/wait.js';

const root = resolve(import.meta.dirname, '../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

describe('npm run emulator', () => {
  it('prints the exports; the CLI generates against it with them; Ctrl-C stops it', async () => {
    const sb = await sandbox();
    const emu = execa(
      process.execPath,
      [join(root, 'test/run-emulator.mjs'), '--queued-ms', '50', '--processing-ms', '50'],
      { reject: false, cwd: sb.dir },
    );
    try {
      let out = '';
      emu.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
      });
      await until(() => out.includes('Ctrl-C stops it.'), 'the emulator to print its exports', 10_000);
      expect(out).toContain('placeholders');
      const exported = Object.fromEntries(
        [...out.matchAll(/^ {2}export (SEGMIND_\w+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]),
      );
      expect(Object.keys(exported).sort()).toEqual(['SEGMIND_API_KEY', 'SEGMIND_BASE_URL']);
      expect(exported.SEGMIND_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const gen = await execa(process.execPath, [BIN, 'a red fox in fresh snow', '-n', '1', '-o', sb.outDir], {
        cwd: sb.dir,
        env: { PATH: process.env.PATH ?? '', HOME: sb.dir, FLUX_KREA_CONFIG_DIR: sb.configDir, ...exported },
        extendEnv: false,
        reject: false,
      });
      expect(gen.exitCode, String(gen.stderr)).toBe(0);
      expect(await readdir(sb.outDir)).toHaveLength(1);
      emu.kill('SIGINT');
      const done = await emu;
      expect(done.exitCode).toBe(0);
    } finally {
      emu.kill('SIGKILL');
      await sb.cleanup();
    }
  });
});

describe('README for a newcomer', () => {
  it('says how to install from a clone while flux-krea is unpublished', () => {
    expect(readme).toContain('not on the npm registry yet');
    expect(readme).toMatch(/npm pack[\s\S]*npm install --global \.\/flux-krea-\*\.tgz/);
  });

  it('documents npm run emulator, which exists, and says the images are placeholders', () => {
    expect(readme).toContain('npm run emulator');
    expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.emulator).toContain(
      'test/run-emulator.mjs',
    );
    expect(readme).toMatch(/\*\*placeholders\*\*/);
  });

  it('points to docs/segmind-contract.md, which is in the repository, not to shared/', () => {
    expect(readme).toContain('(docs/segmind-contract.md)');
    expect(existsSync(join(root, 'docs/segmind-contract.md'))).toBe(true);
    expect(readme).not.toContain('shared/');
    const contract = readFileSync(join(root, 'docs/segmind-contract.md'), 'utf8');
    for (const heading of ['## Money: what is billed', '## Unknowns, and how the client copes'])
      expect(contract).toContain(heading);
  });
});
