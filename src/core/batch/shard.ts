/**
 * `--shard i/n`: which entries this machine runs. An entry belongs to shard
 * `1 + (first 32 bits of sha256(key)) mod n`. Every key has exactly one shard, so the shards
 * are disjoint and together complete, and an entry stays in its shard when other lines are
 * added, removed or reordered (an index-based split would move entries between machines, and
 * each machine's lock file would then miss them). The price: shares are only statistically
 * even (a 100-entry manifest over 4 shards gives roughly 25 ± 5 each).
 */
import { createHash } from 'node:crypto';
import { UsageError } from '../../errors.js';

export interface Shard {
  /** 1-based, as CI matrices count. */
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count || count > 10_000) {
    throw new UsageError(`${JSON.stringify(text)} is not allowed; use i/n with 1 ≤ i ≤ n, e.g. 2/4.`, {
      option: 'shard',
    });
  }
  return { index, count };
}

export function shardOf(key: string, count: number): number {
  return 1 + (createHash('sha256').update(key).digest().readUInt32BE(0) % count);
}

export function inShard(key: string, shard: Shard | undefined): boolean {
  return !shard || shardOf(key, shard.count) === shard.index;
}

export function shardLabel(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}
