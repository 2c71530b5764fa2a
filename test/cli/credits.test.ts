/** `flux-krea credits`: the balance on stdout, --json with schema_version, exit 3 for a bad key. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sandbox, type Sandbox } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';
import { startEmulator, type Emulator } from '../emulator/index.js';

let emu: Emulator;
let sb: Sandbox;
beforeEach(async () => {
  emu = await startEmulator({ credits: 41.3 });
  sb = await sandbox(emu);
});
afterEach(async () => {
  await sb.cleanup();
  await emu.close();
});

describe('credits', () => {
  it('prints the balance and the free credits on stdout', async () => {
    const r = await runMain(['credits'], sb);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('41.30 credits (+ 0.018 free)');
  });

  it('--json: schema_version, credits, free_credits, total', async () => {
    const r = await runMain(['credits', '--json'], sb);
    expect(JSON.parse(r.stdout)).toEqual({
      schema_version: 1,
      credits: 41.3,
      free_credits: 0.018,
      total: 41.318,
      balance_record: true,
    });
  });

  it('an account without a balance record (404) has 0 credits, not an error', async () => {
    emu.configure({ creditsRecord: false });
    const r = await runMain(['credits', '--json'], sb);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ credits: 0, balance_record: false });
  });

  it('a rejected key exits 3 and prints nothing on stdout', async () => {
    const r = await runMain(['credits'], { ...sb, env: { ...sb.env, SEGMIND_API_KEY: 'SG_0000000000000bad' } });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toContain('SG_0000000000000bad');
  });
});
