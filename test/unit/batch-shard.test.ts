import { describe, expect, it } from 'vitest';
import { inShard, parseShard, shardOf } from '../../src/core/batch/shard.js';
import { UsageError } from '../../src/errors.js';

describe('--shard', () => {
  it.each(['1/1', '2/4', ' 4 / 4 '])('accepts %j', (s) => {
    expect(() => parseShard(s)).not.toThrow();
  });
  it.each(['0/4', '5/4', '1/0', 'a/b', '2', '-1/3', '1/4/2'])('refuses %j with a usage error', (s) => {
    expect(() => parseShard(s)).toThrow(UsageError);
  });

  it('splits 1000 keys into disjoint shares that together cover every key, each share close to even', () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `entry-${i}`);
    for (const n of [1, 2, 3, 4, 7]) {
      const shares = Array.from({ length: n }, (_, i) => keys.filter((k) => inShard(k, { index: i + 1, count: n })));
      expect(shares.flat().sort()).toEqual([...keys].sort());
      expect(shares.reduce((a, s) => a + s.length, 0)).toBe(1000);
      for (const s of shares) expect(Math.abs(s.length - 1000 / n)).toBeLessThan((0.2 * 1000) / n + 10);
    }
  });

  it('depends on the key only: stable across runs and manifest order', () => {
    expect(shardOf('hero', 4)).toBe(shardOf('hero', 4));
    expect(inShard('anything', undefined)).toBe(true);
    expect(shardOf('hero', 1)).toBe(1);
  });
});
