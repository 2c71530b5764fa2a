/**
 * The README's flag tables are generated from the schema: this test fails when they drift.
 * `npm run docs` rewrites them.
 */
import { describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { renderReadme } from '../../src/params/docs.js';
import { EXIT } from '../../src/commands/shared/exit-codes.js';
import { ALL_FIELDS, envName } from '../../src/params/fields.js';

const path = resolve(import.meta.dirname, '../../README.md');

describe('README', () => {
  it('flag tables match the schema', async () => {
    const readme = await readFile(path, 'utf8');
    const expected = renderReadme(readme);
    if (process.env.UPDATE_README === '1' && expected !== readme) await writeFile(path, expected);
    else expect(readme).toBe(expected);
  });

  it('documents every exit code, env var and command', async () => {
    const readme = await readFile(path, 'utf8');
    for (const code of Object.values(EXIT)) expect(readme).toMatch(new RegExp(`\\|\\s*\`?${code}\`?\\s*\\|`));
    for (const v of [
      'SEGMIND_API_KEY',
      'SEGMIND_BASE_URL',
      'SEGMIND_UPLOAD_URL',
      'FLUX_KREA_CONFIG_DIR',
      'FLUX_KREA_STATE_DIR',
      'NO_COLOR',
      'FORCE_COLOR',
    ]) {
      expect(readme).toContain(v);
    }
    for (const f of ALL_FIELDS.filter((x) => x.configurable)) expect(readme).toContain(envName(f));
    for (const cmd of ['auth login', 'auth status', 'auth logout', 'result', 'status', 'jobs', 'credits'])
      expect(readme).toContain(`flux-krea ${cmd}`);
  });

  it('its quick start is the two commands', async () => {
    const readme = await readFile(path, 'utf8');
    expect(readme).toContain('npm install && npm run demo');
    expect(readme).toContain('npm test');
  });
});
