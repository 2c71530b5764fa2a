/**
 * Stable machine output: every --json document carries schema_version 1 and fits its schema in
 * schemas/ (shipped in the package, printed by `flux-krea schema <name>`). The documents are
 * REAL outputs of each command, run in-process against the emulator; the schemas are closed
 * for the test (helpers/schemas.ts), so an undocumented field fails too.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { FAST, sandbox, type Sandbox } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';
import { expectValid, loadSchema, makeAjv, schemaFiles, closed, validator, SCHEMA_DIR } from '../helpers/schemas.js';
import { SCHEMA_NAMES } from '../../src/commands/schema.js';
import { MODEL_FIELDS } from '../../src/params/fields.js';
import { EXIT } from '../../src/commands/shared/exit-codes.js';
import { buildProgram } from '../../src/cli/main.js';
import type { Context } from '../../src/commands/shared/context.js';

let emu: Emulator;
let sb: Sandbox;
beforeAll(async () => {
  emu = await startEmulator({ credits: 1000 });
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  emu.configure({ queuedPolls: 1, v1Shape: 'bytes' });
  sb = await sandbox(emu);
});
afterEach(async () => {
  await sb.cleanup();
});

const json = async (args: string[], env?: Record<string, string>) => {
  const r = await runMain(args, sb, env ? { env } : {});
  return { code: r.exitCode, doc: JSON.parse(String(r.stdout)) as Record<string, unknown>, stderr: String(r.stderr) };
};

describe('the schemas', () => {
  it('schemas/ holds exactly the named schemas, each valid draft 2020-12 (open and closed)', () => {
    expect(schemaFiles()).toEqual(SCHEMA_NAMES.map((n) => `${n}.json`).sort());
    for (const name of SCHEMA_NAMES) {
      const s = loadSchema(name);
      expect(s.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(s.$id).toBe(`https://unpkg.com/flux-krea/schemas/${name}.json`);
      expect(() => makeAjv().compile(s)).not.toThrow();
      expect(() => makeAjv().compile(closed(s) as object)).not.toThrow();
    }
  });

  it('`schema <name>` prints the shipped file; `schema --list` names them all; an unknown name is exit 2', async () => {
    for (const name of SCHEMA_NAMES) {
      const r = await runMain(['schema', name], sb);
      expect(r.exitCode).toBe(0);
      expect(JSON.parse(String(r.stdout))).toEqual(
        JSON.parse(await readFile(join(SCHEMA_DIR, `${name}.json`), 'utf8')),
      );
    }
    const list = await runMain(['schema', '--list'], sb);
    expect(
      String(list.stdout)
        .split('\n')
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual([...SCHEMA_NAMES]);
    const bad = await runMain(['schema', 'generat'], sb);
    expect(bad.exitCode).toBe(2);
    expect(String(bad.stderr)).toContain("'generat' is invalid");
    expect(String(bad.stderr)).toContain('generate, dry-run, result');
  });

  it('the params in the schemas follow the zod schema (names, allowed values, ranges)', () => {
    for (const name of ['generate', 'dry-run', 'batch-plan']) {
      const params = (loadSchema(name).$defs as Record<string, { properties: Record<string, Record<string, unknown>> }>)
        .params!;
      expect(Object.keys(params.properties).sort()).toEqual(MODEL_FIELDS.map((f) => f.key).sort());
      for (const f of MODEL_FIELDS) {
        const p = params.properties[f.key]!;
        if (f.kind === 'enum') expect(p.enum, f.key).toEqual([...f.values!]);
        else
          expect(p.type, f.key).toBe(
            { int: 'integer', number: 'number', string: 'string', boolean: 'boolean' }[f.kind],
          );
        expect(p.minimum, f.key).toBe(f.min);
        expect(p.maximum, f.key).toBe(f.max);
      }
    }
  });

  it('the validator is live: no schema_version, a wrong type or an undocumented field is refused', () => {
    const ok = { schema_version: 1, request_id: 'abcd', status: 'QUEUED' };
    expect(validator('status')(ok)).toBe(true);
    expect(validator('status')({ ...ok, schema_version: undefined })).toBe(false);
    expect(validator('status')({ ...ok, schema_version: 2 })).toBe(false);
    expect(validator('status')({ ...ok, status: 3 })).toBe(false);
    expect(validator('status')({ ...ok, surprise: true })).toBe(false);
  });
});

describe('real outputs fit their schemas', () => {
  it('generate (async and --sync), result, status, jobs', async () => {
    const gen = await json(['a red fox', '--json', '-n', '2', '-o', sb.outDir, ...FAST]);
    expect(gen.code, gen.stderr).toBe(0);
    const g = expectValid<{ request_id: string; files: unknown[] }>('generate', gen.doc);
    expect(g.files).toHaveLength(2);

    const sync = await json(['a blue fox', '--sync', '-n', '1', '--json', '-o', sb.outDir]);
    expect(sync.code, sync.stderr).toBe(0);
    expectValid('generate', sync.doc);

    const res = await json(['result', g.request_id, '--json', '-o', join(sb.outDir, 'again'), ...FAST]);
    expect(res.code, res.stderr).toBe(0);
    expectValid('result', res.doc);

    expect(expectValid('status', (await json(['status', g.request_id, '--json'])).doc).status).toBe('COMPLETED');

    const failed = await json(['please explode', '--json', '-o', sb.outDir, ...FAST]);
    expect(failed.code).toBe(6);
    const err = expectValid<{ request_id: string }>('error', failed.doc);
    const st = await json(['status', err.request_id, '--json']);
    expect(st.code).toBe(6);
    expect(expectValid('status', st.doc)).toMatchObject({ status: 'FAILED', error: expect.stringContaining('CUDA') });

    const jobs = expectValid<{ jobs: { state: string; resume: string | null }[] }>(
      'jobs',
      (await json(['jobs', '--json'])).doc,
    );
    expect(jobs.jobs.map((j) => j.state).sort()).toEqual(['failed', 'saved', 'saved']);
  });

  it('a sweep (value lists) and inspect', async () => {
    const sweep = await json([
      'a red fox',
      '--seed',
      '1,2',
      '-n',
      '1',
      '--metadata',
      'sidecar',
      '--json',
      '-o',
      sb.outDir,
      ...FAST,
    ]);
    expect(sweep.code, sweep.stderr).toBe(0);
    const doc = expectValid<{ entries: { files: { path: string }[] }[] }>('sweep', sweep.doc);
    expect(doc.entries).toHaveLength(2);
    const image = join(sb.dir, doc.entries[0]!.files[0]!.path);
    const found = await json(['inspect', image, '--json']);
    expect(found.code, found.stderr).toBe(0);
    expect(expectValid<{ images: { found: boolean }[] }>('inspect', found.doc).images[0]!.found).toBe(true);
    const gone = await json(['inspect', join(sb.dir, 'nope.png'), '--json']);
    expect(gone.code).toBe(2);
    expectValid('inspect', gone.doc);
  });

  it('a job still running: jobs shows its resume command; an interrupted wait is an error document with its id', async () => {
    emu.configure({ queuedPolls: 1_000_000 });
    const slow = await json(['a slow job', '--json', '--timeout', '1', '-o', sb.outDir, ...FAST]);
    expect(slow.code).toBe(7);
    const err = expectValid<{ request_id: string }>('error', slow.doc);
    const jobs = expectValid<{ jobs: { request_id: string; fetchable: boolean; resume: string }[] }>(
      'jobs',
      (await json(['jobs', '--json'])).doc,
    );
    expect(jobs.jobs[0]).toMatchObject({
      request_id: err.request_id,
      fetchable: true,
      resume: `flux-krea result ${err.request_id}`,
    });
  });

  it('batch --json: every line an entry or the summary, the summary last; then --frozen', async () => {
    const manifest = join(sb.dir, 'b.jsonl');
    await writeFile(manifest, '{"name": "a", "prompt": "a lighthouse"}\n{"name": "b", "prompt": "please explode"}\n');
    const run = await runMain(['batch', manifest, '--json', '-n', '1', '-o', sb.outDir, ...FAST], sb);
    expect(run.exitCode).toBe(6);
    const docs = String(run.stdout)
      .trim()
      .split('\n')
      .map((l) => expectValid<{ type: string; status: string }>('batch', JSON.parse(l)));
    expect(docs.map((d) => d.type)).toEqual(['entry', 'entry', 'summary']);
    expect(docs.map((d) => d.status).sort()).toEqual(['done', 'failed', 'failed']);
    const frozen = await runMain(['batch', manifest, '--json', '--frozen', '-n', '1', '-o', sb.outDir], sb);
    expect(frozen.exitCode).toBe(8);
    const checked = String(frozen.stdout)
      .trim()
      .split('\n')
      .map((l) => expectValid<{ status: string }>('batch', JSON.parse(l)));
    expect(checked.map((d) => d.status)).toEqual(['skipped', 'stale', 'stale']);
  });

  it('dry runs, usage errors, config and auth (no server needed)', async () => {
    const img = join(sb.dir, 'in.png');
    await writeFile(img, Buffer.from('89504e470d0a1a0a', 'hex'));
    const dry = await json(['a cat', '--image', img, '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(expectValid('dry-run', dry.doc)).toHaveProperty('upload');

    const usage = await json(['a cat', '--aspect', '7:7', '--json']);
    expect(usage.code).toBe(2);
    expect(expectValid('error', usage.doc)).toMatchObject({ error: { kind: 'usage', exit_code: 2 } });
    const unknown = await json(['a cat', '--bogus', '--json']);
    expect(expectValid('error', unknown.doc)).toMatchObject({ error: { kind: 'usage' } });

    expectValid('config', (await json(['config', 'list', '--json'])).doc);
    const credits = await json(['credits', '--json']);
    expect(credits.code, credits.stderr).toBe(0);
    expect(expectValid('credits', credits.doc)).toMatchObject({ balance_record: true });
    expect(expectValid('auth', (await json(['auth', 'status', '--json'])).doc)).toMatchObject({
      logged_in: true,
      source: 'SEGMIND_API_KEY',
    });
    const noKey = await json(['auth', 'status', '--json'], { FLUX_KREA_CONFIG_DIR: sb.configDir });
    expect(noKey.code).toBe(3);
    expect(expectValid('auth', noKey.doc)).toMatchObject({ logged_in: false, key: null });

    const manifest = join(sb.dir, 'm.jsonl');
    await writeFile(manifest, '{"name": "a", "prompt": "a lighthouse"}\n{"prompt": "a fox", "image": "in.png"}\n');
    const plan = await json(['batch', manifest, '--dry-run', '--json']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(expectValid<{ entries: unknown[] }>('batch-plan', plan.doc).entries).toHaveLength(2);
  });
});

describe('SKILL.md, the guide for agents', () => {
  const skill = readFileSync(join(import.meta.dirname, '../../SKILL.md'), 'utf8');

  it('documents every exit code, and only those', () => {
    const table = [...skill.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
    expect(table.sort((a, b) => a - b)).toEqual([...new Set(Object.values(EXIT))].sort((a, b) => a - b));
  });

  it('names only schemas that exist, and commands the CLI has', () => {
    const named = [...skill.matchAll(/\| `(?:[^`|]+)` \| [^|]+ \| `([a-z-]+)` \|/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThanOrEqual(8);
    for (const name of named) expect(SCHEMA_NAMES).toContain(name);
    const commands = new Set(buildProgram({} as Context).commands.map((c) => c.name()));
    for (const m of skill.matchAll(/^\| `flux-krea ([a-z]+)\b/gm)) expect(commands, m[1]).toContain(m[1]);
    expect([...skill.matchAll(/^\| `flux-krea ([a-z]+)\b/gm)].length).toBeGreaterThanOrEqual(8);
  });
});
