/** The committed completions/ files are exactly what the built CLI prints: regenerate with `npm run completions`. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { runCli, sandbox, type Sandbox } from '../helpers/cli.js';
import { COMPLETION_FILES, SHELLS } from '../../src/cli/completions/shells.js';

const DIR = resolve(import.meta.dirname, '../../completions');
let sb: Sandbox;
beforeAll(async () => { sb = await sandbox(); });
afterAll(async () => { await sb.cleanup(); });

describe('flux-krea completion <shell>', () => {
  for (const shell of SHELLS) {
    it(`prints completions/${COMPLETION_FILES[shell]} as committed`, async () => {
      const r = await runCli(['completion', shell], sb, { stripFinalNewline: false });
      expect(r.exitCode).toBe(0);
      const committed = await readFile(resolve(DIR, COMPLETION_FILES[shell]), 'utf8').catch(() => '(missing)');
      // A plain equality would print two 20 kB strings; say what to do instead.
      expect(String(r.stdout) === committed, `completions/${COMPLETION_FILES[shell]} is stale: run \`npm run completions\` and commit the result`).toBe(true);
    });
  }

  it('refuses an unknown shell with exit 2 and the allowed ones', async () => {
    const r = await runCli(['completion', 'powershell'], sb);
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toMatch(/bash, zsh, fish/);
  });

  it('the hidden __complete offers no request id, successfully and quietly, when there is no journal yet', async () => {
    const r = await runCli(['__complete', '--', 'result', ''], sb);
    expect(r.exitCode).toBe(0);
    expect(String(r.stdout)).toBe(':values');
    expect(String(r.stderr)).toBe('');
  });

  it('the hidden __complete takes the words after --, even ones that look like its own options', async () => {
    const r = await runCli(['__complete', '--', '--he'], sb);
    expect(r.exitCode).toBe(0);
    expect(String(r.stdout)).toBe('--help\tdisplay help for command\n:values');
  });
});
