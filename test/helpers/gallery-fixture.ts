/**
 * A batch's worth of images on disk for gallery tests: two shard lock files of one manifest
 * (a seed × guidance sweep, a failed entry, a hostile prompt), plus a loose folder of images
 * with embedded records and sidecars.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderImage } from '../emulator/images/index.js';
import { applyMetadata } from '../../src/output/metadata.js';

export const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)> it's $(rm -rf ~) & \`id\``;

export interface Fixture {
  manifest: string;
  locks: string[];
  looseDir: string;
  prompts: string[];
  images: number;
}

const base = {
  aspect_ratio: '1:1',
  megapixels: '0.25',
  num_outputs: 1,
  guidance: 3,
  num_inference_steps: 28,
  output_format: 'png',
  output_quality: 90,
  go_fast: true,
};

export async function makeFixture(dir: string): Promise<Fixture> {
  const art = join(dir, 'art');
  await mkdir(join(art, 'sweep'), { recursive: true });
  const entries: Record<string, unknown>[] = [];
  const shards: Record<string, Record<string, unknown>>[] = [{}, {}];
  let n = 0;
  const image = async (rel: string, format: 'png' | 'jpg' | 'webp', key: string, w = 48, h = 32) => {
    const bytes = renderImage({ format, width: w, height: h, quality: 85, key }).bytes;
    await writeFile(join(dir, rel), bytes);
    n++;
    return { path: rel, bytes: bytes.length, sha256: 'x' };
  };
  // A sweep: seeds 1, 2 × guidance 2, 5 (four cells of one entry).
  for (const seed of [1, 2]) {
    for (const guidance of [2, 5]) {
      const params = { ...base, prompt: 'a lighthouse at dusk', seed, guidance };
      const file = await image(`art/sweep/lighthouse-s${seed}-g${guidance}.png`, 'png', `lh${seed}${guidance}`);
      shards[(seed + guidance) % 2]![`lighthouse[seed=${seed},guidance=${guidance}]`] = {
        hash: 'h',
        state: 'done',
        request_id: `req-lh-${seed}-${guidance}`,
        params,
        files: [{ ...file, path: file.path.slice(4) }],
      };
    }
  }
  // Two outputs of one entry, in JPEG and WebP.
  const fox = { ...base, prompt: 'a red fox in snow', seed: 1234, num_outputs: 2, output_format: 'jpg' };
  shards[0]!.fox = {
    hash: 'h',
    state: 'done',
    request_id: 'req-fox',
    params: fox,
    files: [
      await image('art/fox-1.jpg', 'jpg', 'fox1', 64, 36),
      await image('art/fox-2.webp', 'webp', 'fox2', 36, 64),
    ].map((f) => ({ ...f, path: f.path.slice(4) })),
  };
  // A hostile prompt, and a file name that needs encoding in a link.
  const evil = { ...base, prompt: HOSTILE, seed: 9 };
  shards[1]!.evil = {
    hash: 'h',
    state: 'done',
    request_id: 'req-<evil>',
    params: evil,
    files: [{ ...(await image('art/evil #1 ?.png', 'png', 'evil')), path: 'evil #1 ?.png' }],
  };
  // A failed entry: no file, an error.
  shards[1]!.broken = {
    hash: 'h',
    state: 'failed',
    params: { ...base, prompt: 'a forbidden thing', seed: 5 },
    files: [],
    error: 'FAILED: content blocked <b>',
  };
  entries.push({ name: 'fox' });
  const manifest = join(art, 'assets.jsonl');
  await writeFile(manifest, `${entries.map((e) => JSON.stringify(e)).join('\n')}\n`);
  const locks = [join(art, 'assets.jsonl.shard-1-of-2.lock.json'), join(art, 'assets.jsonl.shard-2-of-2.lock.json')];
  for (const [i, lock] of locks.entries()) {
    await writeFile(
      lock,
      `${JSON.stringify({ 'flux-krea-lock': 1, model: 'flux-krea-dev', entries: shards[i] }, null, 2)}\n`,
    );
  }
  // Loose images: one embedded record, one sidecar, one without any record.
  const loose = join(dir, 'loose');
  await mkdir(loose, { recursive: true });
  const looseImages = [
    ['owl.png', 'png', 'an owl, embedded'],
    ['cat.jpg', 'jpg', 'a cat, sidecar'],
    ['plain.webp', 'webp', ''],
  ] as const;
  for (const [name, format, prompt] of looseImages) {
    const f = await image(`loose/${name}`, format, name);
    if (prompt) {
      await applyMetadata(
        [{ path: join(dir, f.path), bytes: f.bytes } as never],
        prompt.endsWith('embedded') ? 'embed' : 'sidecar',
        {
          params: { ...base, prompt, seed: 77, output_format: format },
          requestId: `req-${name}`,
        },
      );
    }
  }
  return {
    manifest,
    locks,
    looseDir: loose,
    prompts: [
      'a lighthouse at dusk',
      'a red fox in snow',
      HOSTILE,
      'a forbidden thing',
      'an owl, embedded',
      'a cat, sidecar',
    ],
    images: n,
  };
}
