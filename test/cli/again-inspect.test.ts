/**
 * `flux-krea again` and `flux-krea inspect`, in-process against the emulator: a request read
 * back from PNG, JPEG and WebP files (embedded) and from sidecars is sent again exactly, with
 * flags on top; what cannot be restored is named; images without a record get a clear message
 * and cost nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { FAST, billedSubmits, sandbox, type Sandbox } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';

let emu: Emulator;
let sb: Sandbox;
beforeEach(async () => {
  emu = await startEmulator({ credits: 1000 });
  sb = await sandbox(emu);
});
afterEach(async () => {
  await emu.close();
  await sb.cleanup();
});

const sent = () => billedSubmits(emu);

/** Generates one image with a record and resolves with its path. */
async function original(format: string, metadata: 'embed' | 'sidecar', ...extra: string[]): Promise<string> {
  const out = join(sb.dir, 'first');
  const r = await runMain(
    [
      'a lighthouse at dusk',
      '-f',
      format,
      '-a',
      '21:9',
      '-g',
      '3.5',
      '--seed',
      '1234',
      '-n',
      '1',
      '--metadata',
      metadata,
      '-o',
      out,
      ...FAST,
      ...extra,
    ],
    sb,
  );
  expect(r.exitCode, r.stderr).toBe(0);
  return r.stdout.trim();
}

describe('again', () => {
  it.each([
    ['png', 'embed'],
    ['jpg', 'embed'],
    ['webp', 'embed'],
    ['png', 'sidecar'],
  ] as const)('%s (%s): the same request again, then with overrides', async (format, metadata) => {
    const image = await original(format, metadata);
    const first = sent()[0]!;
    const arg = metadata === 'sidecar' ? `${image}.json` : image;

    const same = await runMain(['again', arg, '-o', join(sb.dir, 'again'), ...FAST], sb);
    expect(same.exitCode, same.stderr).toBe(0);
    expect(sent()[1]).toEqual(first);
    expect(same.stderr).toContain('was made with go_fast on');
    expect(await readdir(join(sb.dir, 'again'))).toHaveLength(1);

    const variant = await runMain(['again', arg, '--seed', '9', '-n', '2', '-o', join(sb.dir, 'variant'), ...FAST], sb);
    expect(variant.exitCode, variant.stderr).toBe(0);
    expect(sent()[2]).toEqual({ ...first, seed: 9, num_outputs: 2 });
    expect(variant.stdout.trim().split('\n')).toHaveLength(2);
  });

  it('--dry-run shows the request and where each value came from; a list makes a sweep around the image', async () => {
    const image = await original('png', 'embed', '--no-go-fast');
    const dry = await runMain(['again', image, '--guidance', '5', '--dry-run'], sb);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout.replace(/^POST .*\n/, ''))).toEqual({ ...sent()[0], guidance: 5 });
    expect(dry.stderr).toMatch(/seed\s+recorded \(.*\.png\)/);
    expect(dry.stderr).toMatch(/guidance\s+flag \(--guidance\)/);
    expect(dry.stderr).not.toContain('go_fast on');

    const sweep = await runMain(['again', image, '--seed', '1..3', '-o', join(sb.dir, 'sweep'), ...FAST], sb);
    expect(sweep.exitCode, sweep.stderr).toBe(0);
    expect(
      sent()
        .slice(1)
        .map((b) => [b.seed, b.prompt, b.aspect_ratio]),
    ).toEqual([1, 2, 3].map((s) => [s, 'a lighthouse at dusk', '21:9']));
  });

  it('--prompt replaces the recorded prompt; environment and config do not override the record', async () => {
    const image = await original('jpg', 'embed');
    const r = await runMain(['again', image, '--prompt', 'the same, at night', '-o', sb.outDir, ...FAST], {
      ...sb,
      env: { ...sb.env, FLUX_KREA_GUIDANCE: '9' },
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(sent()[1]).toEqual({ ...sent()[0], prompt: 'the same, at night' });
  });

  it('names every recorded key it cannot restore, and runs with the rest', async () => {
    const image = await original('png', 'sidecar');
    const record = join(sb.dir, 'odd.png.json');
    await copyFile(image, join(sb.dir, 'odd.png'));
    await writeFile(
      record,
      JSON.stringify({
        generator: 'flux-krea 9.0.0',
        prompt: 'an owl',
        params: { prompt: 'an owl', seed: 5, guidance: 12, lora_scale: 0.8, aspect_ratio: '1:1', go_fast: false },
      }),
    );
    const r = await runMain(['again', join(sb.dir, 'odd.png'), '-n', '1', '-o', sb.outDir, ...FAST], sb);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('Not restored from');
    expect(r.stderr).toContain('guidance (12 is not allowed; use a number from 0 to 10.)');
    expect(r.stderr).toContain('lora_scale (not a parameter this version of flux-krea knows)');
    expect(sent()[1]).toMatchObject({ prompt: 'an owl', seed: 5, guidance: 7, aspect_ratio: '1:1', go_fast: false });
    expect(sent()[1]).not.toHaveProperty('lora_scale');
  });

  it('an image without a record: exit 2, a clear message, nothing sent', async () => {
    const image = await original('png', 'embed', '--metadata', 'none');
    const r = await runMain(['again', image], sb);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('carries no flux-krea record');
    expect(r.stderr).toContain('--metadata embed');
    expect(emu.submits()).toBe(1);
    const missing = await runMain(['again', join(sb.dir, 'nope.png')], sb);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('nope.png');
  });
});

describe('inspect', () => {
  it('prints what made each image; --json for scripts; no record and unreadable are said', async () => {
    const png = await original('png', 'embed');
    const jpg = await original('jpg', 'sidecar');

    const text = await runMain(['inspect', png, jpg], sb);
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toContain('prompt:     a lighthouse at dusk');
    expect(text.stdout).toContain('seed:       1234');
    expect(text.stdout).toMatch(/request id: [0-9a-f]{32}/);
    expect(text.stdout).toContain('model:      flux-krea-dev');
    expect(text.stdout).toMatch(/cost:\s+[\d.]+ credits/);
    expect(text.stdout).toContain('aspect_ratio=21:9');
    expect(text.stdout).toContain(`again:      flux-krea again ${png}`);
    expect(text.stdout).toContain(`record:     ${jpg}.json`);

    const json = await runMain(['inspect', png, '--json'], sb);
    const {
      images: [one],
    } = JSON.parse(json.stdout) as { images: Record<string, unknown>[] };
    expect(one).toMatchObject({
      path: png,
      found: true,
      source: 'embedded',
      prompt: 'a lighthouse at dusk',
      seed: 1234,
      model: 'flux-krea-dev',
    });
    expect(one!.params).toMatchObject({ guidance: 3.5, aspect_ratio: '21:9', output_format: 'png' });
    expect(typeof one!.cost).toBe('number');

    const plain = await original('png', 'embed', '--metadata', 'none');
    const none = await runMain(['inspect', png, plain], sb);
    expect(none.exitCode).toBe(1);
    expect(none.stdout).toContain('a lighthouse at dusk');
    expect(none.stderr).toContain(`${plain} carries no flux-krea record`);
    const gone = await runMain(['inspect', join(sb.dir, 'nope.png'), '--json'], sb);
    expect(gone.exitCode).toBe(2);
    expect((JSON.parse(gone.stdout) as { images: { error: { kind: string } }[] }).images[0]!.error.kind).toBe(
      'unreadable',
    );
  });
});
