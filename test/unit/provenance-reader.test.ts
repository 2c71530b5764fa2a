/** Reading back the record of an image: embedded in PNG, JPEG and WebP, or in a sidecar (issue 16). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderImage } from '../emulator/images/index.js';
import { applyMetadata } from '../../src/output/metadata.js';
import { ProvenanceError, readProvenance } from '../../src/output/provenance-reader.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fk-prov-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const params = { prompt: 'a fox <b>&</b> "quotes" — ünïcode', seed: 7, aspect_ratio: '1:1', output_format: 'png' };

async function saved(name: string, format: 'png' | 'jpg' | 'webp', mode: 'embed' | 'sidecar' | 'none') {
  const path = join(dir, name);
  const bytes = renderImage({ format, width: 16, height: 16, quality: 80, key: name }).bytes;
  await writeFile(path, bytes);
  await applyMetadata([{ path, bytes: bytes.length } as never], mode, {
    params,
    requestId: 'req123',
    createdAt: new Date('2026-01-02T03:04:05Z'),
  });
  return path;
}

describe('readProvenance', () => {
  it.each(['png', 'jpg', 'webp'] as const)('reads the record embedded in a %s', async (format) => {
    const path = await saved(`e.${format}`, format, 'embed');
    const found = await readProvenance(path);
    expect(found).toMatchObject({
      source: 'embedded',
      imagePath: path,
      provenance: { prompt: params.prompt, seed: 7, request_id: 'req123', params },
    });
  });

  it('reads a sidecar, given the image or the sidecar itself', async () => {
    const path = await saved('s.png', 'png', 'sidecar');
    expect(await readProvenance(path)).toMatchObject({
      source: 'sidecar',
      recordPath: `${path}.json`,
      provenance: { seed: 7 },
    });
    expect(await readProvenance(`${path}.json`)).toMatchObject({ source: 'sidecar', imagePath: path });
  });

  it('is undefined for an image without a record', async () => {
    expect(await readProvenance(await saved('n.jpg', 'jpg', 'none'))).toBeUndefined();
  });

  it('says which file is damaged', async () => {
    const path = await saved('d.png', 'png', 'none');
    await writeFile(`${path}.json`, '{not json');
    await expect(readProvenance(path)).rejects.toThrow(ProvenanceError);
    await expect(readProvenance(path)).rejects.toThrow(/d\.png\.json is not valid JSON/);
    await expect(readProvenance(join(dir, 'missing.png'))).rejects.toThrow(/cannot read .*missing\.png \(ENOENT\)/);
  });
});
