import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveEntries } from '../../src/core/batch/entries.js';
import type { RawEntry } from '../../src/core/batch/manifest.js';

const DEFAULTS = {
  aspect_ratio: '16:9',
  megapixels: '1',
  num_outputs: 2,
  guidance: 7,
  num_inference_steps: 40,
  output_format: 'jpg',
  output_quality: 90,
  go_fast: true,
  disable_safety_checker: false,
};
const raw = (...values: unknown[]): RawEntry[] => values.map((value, i) => ({ line: i + 1, value }));
const run = (entries: RawEntry[], defaults: Record<string, unknown> = DEFAULTS) =>
  resolveEntries({ raw: entries, defaults, manifestDir: tmpdir() });

describe('resolving entries', () => {
  it('flags are defaults, entry values win; API names, flag names and aliases all work', async () => {
    const { entries, problems } = await run(
      raw(
        { prompt: 'a', aspect: '1:1', steps: '20' },
        { prompt: 'b', output_format: 'PNG', 'num-inference-steps': 5, seed: 9 },
        'c',
      ),
      { ...DEFAULTS, output_format: 'webp' },
    );
    expect(problems).toEqual([]);
    expect(entries[0]!.params).toMatchObject({
      prompt: 'a',
      aspect_ratio: '1:1',
      num_inference_steps: 20,
      output_format: 'webp',
    });
    expect(entries[1]!.params).toMatchObject({ output_format: 'png', num_inference_steps: 5, seed: 9 });
    expect(entries[1]!.seedSource).toBe('entry');
    expect(entries[2]!.params).toMatchObject({ prompt: 'c', aspect_ratio: '16:9' });
  });

  it('reports every problem with its line and field, not just the first', async () => {
    const { entries, problems } = await run(
      raw(
        { prompt: 'ok' },
        { prompt: 'x', aspect_ratio: '16x9', guidance: 11 },
        { promt: 'y' },
        { prompt: 'z', timeout: 5 },
        42,
        { prompt: 'w', aspect: '1:1', aspect_ratio: '1:1' },
        { prompt: 'v', name: '../escape' },
      ),
    );
    expect(entries).toHaveLength(1);
    const at = (line: number) => problems.filter((p) => p.line === line).map((p) => `${p.field ?? ''}|${p.message}`);
    expect(at(2)).toEqual([
      expect.stringMatching(/^aspect_ratio\|aspect_ratio: "16x9" is not allowed; .*Did you mean 16:9\?$/),
      expect.stringMatching(/^guidance\|guidance: 11 is not allowed; use a number from 0 to 10/),
    ]);
    expect(at(3)).toEqual([
      expect.stringContaining('unknown field "promt"; did you mean prompt?'),
      'prompt|prompt is missing',
    ]);
    expect(at(4)).toEqual([expect.stringContaining('timeout is a command-line option (--timeout)')]);
    expect(at(5)).toEqual([expect.stringContaining('must be an object')]);
    expect(at(6)).toEqual([expect.stringContaining('aspect_ratio and aspect are the same setting')]);
    expect(at(7)).toEqual([expect.stringContaining('name: "../escape" must be a file name')]);
  });

  it('keys: the name, else a slug and a content hash that survive reordering', async () => {
    const a = await run(raw({ name: 'hero', prompt: 'x' }, 'a red fox', 'a blue whale'));
    const b = await run(raw('a blue whale', 'a red fox', { prompt: 'x', name: 'hero' }));
    expect(a.entries.map((e) => e.key)).toEqual([
      'hero',
      expect.stringMatching(/^a-red-fox-[0-9a-f]{8}$/),
      expect.stringMatching(/^a-blue-whale-/),
    ]);
    expect(b.entries.map((e) => e.key).sort()).toEqual(a.entries.map((e) => e.key).sort());
    const seeds = (r: typeof a) => Object.fromEntries(r.entries.map((e) => [e.key, e.params.seed]));
    expect(seeds(b)).toEqual(seeds(a));
  });

  it('derived seeds: stable, positive int32, independent of command-line defaults; repeats differ', async () => {
    const one = await run(raw('same prompt', 'same prompt', 'other'));
    const two = await run(raw('same prompt', 'same prompt', 'other'), { ...DEFAULTS, output_format: 'png' });
    expect(one.entries.map((e) => e.params.seed)).toEqual(two.entries.map((e) => e.params.seed));
    expect(one.entries[0]!.seedSource).toBe('derived');
    const [s1, s2, s3] = one.entries.map((e) => e.params.seed);
    expect(new Set([s1, s2, s3]).size).toBe(3);
    for (const s of [s1, s2, s3]) {
      expect(s).toBeGreaterThanOrEqual(1);
      expect(s).toBeLessThan(2 ** 31);
    }
    expect(one.entries[1]!.key).toBe(`${one.entries[0]!.key}#2`);
    // A --seed default applies to every entry that gives none.
    const seeded = await run(raw('p', { prompt: 'q', seed: 3 }), { ...DEFAULTS, seed: 77 });
    expect(seeded.entries.map((e) => [e.params.seed, e.seedSource])).toEqual([
      [77, 'default'],
      [3, 'entry'],
    ]);
  });

  it('names must be unique', async () => {
    const { problems } = await run(raw({ name: 'a', prompt: 'x' }, { name: 'a', prompt: 'y' }));
    expect(problems).toEqual([{ line: 2, field: 'name', message: expect.stringContaining('already used on line 1') }]);
  });

  it('local images are relative to the manifest, must exist and be images: all checked before any request', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flux-krea-entries-'));
    await writeFile(join(dir, 'in.png'), Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
    await writeFile(join(dir, 'notes.txt'), 'not an image at all');
    const r = await resolveEntries({
      raw: raw(
        { prompt: 'a', image: 'in.png' },
        { prompt: 'b', image: 'missing.png' },
        { prompt: 'c', image: 'https://x.test/i.png' },
        { prompt: 'd', image: 'notes.txt' },
      ),
      defaults: DEFAULTS,
      manifestDir: dir,
    });
    expect(r.entries.map((e) => e.localImage)).toEqual([join(dir, 'in.png'), undefined]);
    expect(r.problems).toEqual([
      {
        line: 2,
        field: 'image',
        message: expect.stringContaining('"missing.png" is not an http(s) URL or a readable file'),
      },
      { line: 4, field: 'image', message: expect.stringContaining('"notes.txt" is not a PNG, JPEG, WebP or GIF file') },
    ]);
  });

  it('warns about seed 0 and prompt_strength without an image', async () => {
    const { warnings } = await run(raw({ prompt: 'a', seed: 0 }, { prompt: 'b', prompt_strength: 0.5 }));
    expect(warnings.map((w) => [w.line, w.field])).toEqual([
      [1, 'seed'],
      [2, 'prompt_strength'],
    ]);
  });
});
