import { channel } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { collectAsDownloadsGrow, exposeGc } from '../../src/commands/shared/download-gc.js';

const received = (bytes: number) =>
  channel('undici:request:bodyChunkReceived').publish({ request: {}, chunk: new Uint8Array(bytes) });

describe('young collections as downloads grow', () => {
  let stop: (() => void) | undefined;
  afterEach(() => stop?.());

  it('one after every 8 MB of response bodies; gc is made only once one is due', () => {
    const collections: unknown[] = [];
    let makes = 0;
    stop = collectAsDownloadsGrow(() => {
      makes++;
      return (o) => collections.push(o);
    });
    for (let i = 0; i < 122; i++) received(65_536); // 7.99 MB
    expect([makes, collections.length]).toEqual([0, 0]);
    received(65_536);
    expect(collections).toEqual([{ type: 'minor' }]);
    for (let i = 0; i < 1000; i++) received(65_536); // 65.5 MB more
    expect(collections).toHaveLength(9);
    expect(makes).toBe(1);
  });

  it('without gc, downloads go on without collections', () => {
    let makes = 0;
    stop = collectAsDownloadsGrow(() => {
      makes++;
      return undefined;
    });
    for (let i = 0; i < 300; i++) received(65_536);
    expect(makes).toBe(1);
  });

  it('exposeGc gives a working young collection on this Node', () => {
    const gc = exposeGc();
    expect(typeof gc).toBe('function');
    expect(() => gc!({ type: 'minor' })).not.toThrow();
  });
});
