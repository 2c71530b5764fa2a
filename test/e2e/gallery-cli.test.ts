/** `flux-krea gallery` and `batch --gallery` as a user runs them (issue 16). */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { FAST, runCli, sandbox, type Sandbox } from '../helpers/cli.js';

let emu: Emulator;
let sb: Sandbox;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  sb = await sandbox(emu);
});
afterEach(async () => {
  await sb.cleanup();
});

describe('flux-krea gallery', () => {
  it('batch --gallery writes the page at the end; stdout keeps only the image paths', async () => {
    await writeFile(
      join(sb.dir, 'm.jsonl'),
      '{"name": "a", "prompt": "first <script>x</script>", "num_outputs": 1}\n{"name": "b", "prompt": "second", "num_outputs": 2, "format": "webp"}\n',
    );
    const r = await runCli(
      ['batch', 'm.jsonl', '-o', 'art', '--megapixels', '0.25', '--gallery', 'report/g.html', ...FAST],
      sb,
    );
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(
      String(r.stdout)
        .split('\n')
        .every((l) => /^art\/.+\.(jpg|webp)$/.test(l)),
    ).toBe(true);
    expect(String(r.stderr)).toMatch(/gallery: .*report\/g\.html/);
    const html = await readFile(join(sb.dir, 'report', 'g.html'), 'utf8');
    expect(html.match(/<article class="card">/g)).toHaveLength(3);
    expect(html).toContain('href="../art/a.jpg"');
    expect(html).toContain('first &lt;script&gt;x&lt;/script&gt;');
  });

  it('refuses bad input with exit 2, naming the value, before writing anything', async () => {
    const missing = await runCli(['gallery', 'nope.jsonl'], sb);
    expect(missing.exitCode).toBe(2);
    expect(String(missing.stderr)).toMatch(/cannot read nope\.jsonl \(ENOENT\)/);
    const thumb = await runCli(['gallery', '.', '--thumb-size', '5000'], sb);
    expect(thumb.exitCode).toBe(2);
    expect(String(thumb.stderr)).toContain(
      '--thumb-size: "5000" is not allowed; give a whole number of pixels from 64 to 1024.',
    );
    const dash = await runCli(['gallery', '.', '-o', '-'], sb);
    expect(dash.exitCode).toBe(2);
    for (const r of [missing, thumb, dash]) expect(String(r.stdout)).toBe('');
  });
});
