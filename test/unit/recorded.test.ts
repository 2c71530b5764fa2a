import { describe, expect, it } from 'vitest';
import { restoreParams } from '../../src/core/recorded.js';
import type { Provenance } from '../../src/output/metadata.js';

const record = (params: Record<string, unknown>, extra: Partial<Provenance> = {}): Provenance => ({
  generator: 'flux-krea 0.1.0',
  model: 'flux-krea-dev',
  request_id: 'abcd1234',
  created_at: '2026-01-01T00:00:00Z',
  prompt: String(params.prompt ?? ''),
  seed: typeof params.seed === 'number' ? params.seed : null,
  params,
  image: 1,
  ...extra,
});

describe('restoring a recorded request', () => {
  it('every known parameter, checked with the schema; the prompt apart', () => {
    const r = restoreParams(
      record({
        prompt: 'a fox',
        seed: 5,
        guidance: 3.5,
        aspect_ratio: '1:1',
        output_format: 'png',
        go_fast: false,
        image: 'https://images.example/in.png',
      }),
    );
    expect(r).toEqual({
      prompt: 'a fox',
      values: {
        seed: 5,
        guidance: 3.5,
        aspect_ratio: '1:1',
        output_format: 'png',
        go_fast: false,
        image: 'https://images.example/in.png',
      },
      unrestored: [],
      goFast: false,
    });
  });

  it('names what it cannot restore, with why', () => {
    const r = restoreParams(
      record({ prompt: 'a fox', guidance: 12, lora_scale: 0.8, image: '/home/me/in.png', megapixels: '2' }),
    );
    expect(r.values).toEqual({});
    expect(r.unrestored).toEqual([
      { key: 'guidance', why: '12 is not allowed; use a number from 0 to 10.' },
      { key: 'lora_scale', why: 'not a parameter this version of flux-krea knows' },
      { key: 'image', why: 'the input image was not recorded as a URL' },
      { key: 'megapixels', why: '"2" is not allowed; use one of 1, 0.25. Did you mean 1?' },
    ]);
  });

  it('go_fast on when recorded so, or when the record does not say (the server default)', () => {
    expect(restoreParams(record({ prompt: 'x', go_fast: true })).goFast).toBe(true);
    expect(restoreParams(record({ prompt: 'x' })).goFast).toBe(true);
  });

  it('the top-level prompt when params lack one', () => {
    expect(restoreParams(record({ seed: 1 }, { prompt: 'from the top' })).prompt).toBe('from the top');
  });
});
