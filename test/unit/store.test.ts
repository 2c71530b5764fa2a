/** Reads skip conf for speed (issue 6): they must see exactly the file that conf writes. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configPath, findApiKey, openStore, readStore } from '../../src/store/store.js';
import { LocalStateError } from '../../src/errors.js';

let dir: string;
let env: NodeJS.ProcessEnv;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flux-krea-store-'));
  env = { FLUX_KREA_CONFIG_DIR: join(dir, 'config') };
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('readStore', () => {
  it('reads the file conf writes, at the path conf uses', async () => {
    const store = await openStore(env);
    await store.set('apiKey', 'SG_abcdef0123456789');
    await store.set('defaults', { format: 'png', 'num-outputs': 3 });
    const read = await readStore(env);
    expect(read.path).toBe(store.path);
    expect(configPath(env)).toBe(store.path);
    expect(read.get('apiKey')).toBe('SG_abcdef0123456789');
    expect(read.get('defaults')).toEqual({ format: 'png', 'num-outputs': 3 });
    expect(await findApiKey(env)).toEqual({ key: 'SG_abcdef0123456789', source: 'config', path: store.path });
  });

  it('treats a missing file as an empty config', async () => {
    const read = await readStore(env);
    expect(read.get('apiKey')).toBeUndefined();
    expect(read.get('defaults')).toBeUndefined();
    expect(await findApiKey(env)).toBeUndefined();
  });

  it('says which file is broken', async () => {
    const store = await openStore(env);
    await store.set('apiKey', 'SG_abcdef0123456789');
    await writeFile(store.path, '{"apiKey": ');
    await expect(readStore(env)).rejects.toThrow(LocalStateError);
    await expect(readStore(env)).rejects.toThrow(store.path);
  });
});
