import { afterEach, describe, expect, it } from 'vitest';
import { forgetSecrets, rememberSecret, scrubSecrets } from '../../src/util/secrets.js';
import { jsonProblem } from '../../src/util/json-problem.js';

afterEach(() => forgetSecrets());

describe('scrubSecrets', () => {
  it('removes remembered keys of any shape, and every SG_-shaped string', () => {
    rememberSecret('my-long-custom-key-123');
    const out = scrubSecrets('Invalid key my-long-custom-key-123 (also SG_0123456789abcdef, SG_deadbeef)');
    expect(out).toBe('Invalid key [redacted key] (also SG_***, SG_***)');
  });

  it('leaves ordinary text, masked keys and short secrets alone', () => {
    rememberSecret('abc');
    expect(scrubSecrets('key SG_************cdef from abc')).toBe('key SG_************cdef from abc');
  });
});

describe('jsonProblem', () => {
  it('gives the line and column, never the text', () => {
    const text = '{\n  "apiKey": "SG_0123456789abcdef"\n  "defaults": {}\n}';
    let err: unknown;
    try {
      JSON.parse(text);
    } catch (e) {
      err = e;
    }
    const p = jsonProblem(text, err);
    expect(p).toMatch(/^not valid JSON( at line 3, column \d+)?$/);
    expect(p).not.toContain('SG_');
  });
});
