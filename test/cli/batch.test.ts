/**
 * `flux-krea batch` through main() in-process against the emulator (runMain); Ctrl-C and
 * SIGKILL run the built CLI as a real process. Counts come from the emulator's own log
 * (submits, concurrency), never from the CLI's word.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { promises as fsp } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { readFile, writeFile, readdir, mkdir, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { BIN, FAST, billedSubmits, sandbox, type Sandbox } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';
import { imageInfo } from '../helpers/images.js';
import { until } from '../helpers/wait.js';
import { readEmbedded, readSidecar } from '../../src/output/metadata.js';

let emu: Emulator;
let sb: Sandbox;
// A fresh emulator per test: its submit and concurrency counters are the assertions.
beforeEach(async () => {
  emu = await startEmulator({ credits: 1000 });
  sb = await sandbox(emu);
});
afterEach(async () => {
  await emu.close();
  await sb.cleanup();
});

const submitsNow = () => billedSubmits(emu).length;

async function manifest(name: string, text: string): Promise<string> {
  const path = join(sb.dir, name);
  await writeFile(path, text);
  return path;
}

/**
 * A batch of jobs that never finish, in a real process (signals are the point): two are
 * submitted at once (--concurrency 2) and then wait.
 */
async function slowBatch(name: string, prompts: string[]) {
  emu.configure({ queuedPolls: 1_000_000 });
  const path = await manifest(name, prompts.join('\n'));
  const { execa } = await import('execa');
  const child = execa(
    process.execPath,
    [BIN, 'batch', path, '--concurrency', '2', '-n', '1', '-o', sb.outDir, ...FAST],
    {
      env: { PATH: process.env.PATH ?? '', ...sb.env },
      extendEnv: false,
      reject: false,
      cwd: sb.dir,
      stdin: 'ignore',
    },
  );
  return { path, child };
}

const batch = (args: string[]) => runMain(['batch', ...args, '-o', sb.outDir, '-n', '1', ...FAST], sb);
type Report = {
  status: string;
  exit_code: number;
  counts: Record<string, number>;
  submits: number;
  entries: {
    key: string;
    line: number;
    status: string;
    request_id: string | null;
    seed: number;
    files: { path: string; bytes: number; sha256: string }[];
    error: { kind: string; message: string } | null;
  }[];
};
/** `batch --json` is JSON Lines: entry lines as they finish, then the summary, always last. */
const report = (r: { stdout: unknown }): Report => {
  const lines = String(r.stdout)
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; line: number });
  const summary = lines.pop()!;
  expect(summary.type).toBe('summary');
  for (const l of lines) expect(l.type).toBe('entry');
  return { ...summary, entries: lines.sort((a, b) => a.line - b.line) } as unknown as Report;
};

describe('batch: manifests and validation', () => {
  it('reads JSON Lines, a JSON array and plain text; flags are defaults, entry values win', async () => {
    const jsonl = await manifest(
      'a.jsonl',
      [
        '{"name": "hero", "prompt": "a lighthouse at dusk", "aspect_ratio": "1:1"}',
        '# a comment',
        '{"prompt": "a red fox", "format": "png", "out": "foxes"}',
      ].join('\n'),
    );
    const r1 = await batch([jsonl, '--format', 'webp', '--json']);
    expect(r1.exitCode, String(r1.stderr)).toBe(0);
    const rep = report(r1);
    expect(rep.counts).toMatchObject({ total: 2, done: 2 });
    expect(rep.entries.map((e) => e.line)).toEqual([1, 3]);
    expect(rep.entries[0]!.files[0]!.path).toMatch(/out\/hero\.webp$/);
    expect(rep.entries[1]!.files[0]!.path).toMatch(/out\/foxes\/a-red-fox-\d+-1\.png$/);
    const hero = emu.log.find(
      (l) => l.method === 'POST' && (l.body as { prompt?: string }).prompt === 'a lighthouse at dusk',
    )!.body as Record<string, unknown>;
    expect(hero).toMatchObject({ aspect_ratio: '1:1', output_format: 'webp', num_outputs: 1 });
    expect((await imageInfo(join(sb.outDir, 'hero.webp'))).format).toBe('webp');

    const array = await manifest('b.json', '[\n  {"prompt": "one"},\n\n  "two"\n]\n');
    const r2 = await batch([array, '--json']);
    expect(r2.exitCode, String(r2.stderr)).toBe(0);
    expect(report(r2).entries.map((e) => [e.line, e.status])).toEqual([
      [2, 'done'],
      [4, 'done'],
    ]);

    const text = await manifest('c.txt', 'first prompt\n\n# skipped\nsecond prompt\n');
    const r3 = await batch([text]);
    expect(r3.exitCode, String(r3.stderr)).toBe(0);
    expect(String(r3.stdout).trim().split('\n')).toHaveLength(2);
    expect(emu.submits()).toBe(6);
  });

  it('a bad manifest: every problem with its line and field, exit 2, zero requests', async () => {
    const path = await manifest(
      'bad.jsonl',
      [
        '{"prompt": "fine"}',
        '{"prompt": "wide", "aspect_ratio": "16x9"}',
        '{"promt": "typo"}',
        '{"prompt": "x", "steps": 99, "sync": true}',
        '{not json',
      ].join('\n'),
    );
    const r = await batch([path]);
    expect(r.exitCode).toBe(2);
    const err = String(r.stderr);
    expect(err).toContain('bad.jsonl:2: aspect_ratio: "16x9" is not allowed');
    expect(err).toContain('Did you mean 16:9?');
    expect(err).toContain('bad.jsonl:3: promt: unknown field "promt"; did you mean prompt?');
    expect(err).toMatch(/bad\.jsonl:4: steps: 99 is not allowed; use a whole number from 1 to 50/);
    expect(err).toContain('bad.jsonl:4: sync is a command-line option (--sync)');
    expect(err).toMatch(/bad\.jsonl:5: not valid JSON/);
    expect(err).not.toMatch(/bad\.jsonl:1:/);
    expect(err).toContain('nothing was sent');
    expect(emu.log).toHaveLength(0);
  });
});

describe('batch: running', () => {
  it('keeps to --concurrency and really runs in parallel', async () => {
    emu.configure({ progress: 'time', queuedMs: 50, processingMs: 150 });
    const path = await manifest('many.txt', Array.from({ length: 12 }, (_, i) => `prompt number ${i}`).join('\n'));
    const r = await batch([path, '--concurrency', '3']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(emu.submits()).toBe(12);
    expect(emu.maxConcurrentJobs()).toBeLessThanOrEqual(3);
    expect(emu.maxConcurrentJobs()).toBeGreaterThan(1);
  });

  it('a FAILED entry does not stop the others; exit 6 names it', async () => {
    const path = await manifest(
      'mixed.jsonl',
      [
        '{"name": "good-1", "prompt": "a calm lake"}',
        '{"name": "boom", "prompt": "explode please"}',
        '{"name": "good-2", "prompt": "a quiet forest"}',
      ].join('\n'),
    );
    const r = await batch([path, '--json']);
    expect(r.exitCode).toBe(6);
    const rep = report(r);
    expect(rep.entries.map((e) => e.status)).toEqual(['done', 'failed', 'done']);
    expect(rep.entries[1]!.error).toMatchObject({ kind: 'job-failed' });
    expect(rep.entries[1]!.error!.message).toContain('CUDA out of memory');
    expect((await readdir(sb.outDir)).sort()).toEqual(['good-1.jpg', 'good-2.jpg']);
    expect(String(r.stderr)).toMatch(/failed\s+boom\s+2\s+0\s+The generation failed: CUDA out of memory/);
    // A rerun retries the failed entry only.
    emu.log.length = 0;
    const again = await batch([path]);
    expect(again.exitCode).toBe(6);
    expect(submitsNow()).toBe(1);
  });

  it('--fail-fast submits nothing after the first failure', async () => {
    const path = await manifest('ff.txt', ['explode first', 'second', 'third', 'fourth'].join('\n'));
    const r = await batch([path, '--concurrency', '1', '--fail-fast', '--json']);
    expect(r.exitCode).toBe(6);
    expect(report(r).entries.map((e) => e.status)).toEqual(['failed', 'not-run', 'not-run', 'not-run']);
    expect(emu.submits()).toBe(1);
  });

  it('--fail-fast also stops entries already waiting at the rate gate: nothing is paid after the failure', async () => {
    const path = await manifest('ff-gate.txt', ['explode first', 'second', 'third'].join('\n'));
    // --rpm 1: the second and third entries wait at the gate (a minute) when the first fails.
    const r = await batch([path, '--concurrency', '3', '--rpm', '1', '--fail-fast', '--json']);
    expect(r.exitCode).toBe(6);
    expect(report(r).entries.map((e) => e.status)).toEqual(['failed', 'not-run', 'not-run']);
    expect(emu.submits()).toBe(1);
  });

  it('a 429 slows the whole batch down instead of failing entries', async () => {
    emu.fault({
      route: 'submit',
      times: 2,
      kind: { type: 'status', status: 429, headers: { 'retry-after-ms': '300' } },
    });
    const path = await manifest('rl.txt', ['one', 'two', 'three'].join('\n'));
    const r = await batch([path, '--concurrency', '3', '--json']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(report(r).counts.done).toBe(3);
    expect(String(r.stderr)).toMatch(/rate limited \(429\): all submits wait 0\.3s/);
    // Every accepted submit, the third entry's too (which never saw a 429), waited for the pause.
    const posts = emu.log.filter((l) => l.method === 'POST');
    const first429 = posts.find((l) => l.status === 429)!.time;
    const accepted = posts.filter((l) => l.status === 200).map((l) => l.time);
    expect(accepted).toHaveLength(3);
    for (const t of accepted.slice(1)) expect(t - first429).toBeGreaterThanOrEqual(290);
    expect(emu.submits()).toBe(3);
  });

  it('x-rate-limit-reset-at-utc is honoured as well', async () => {
    const path = await manifest('rl2.txt', 'only one\n');
    const resetAt = Date.now() + 1000;
    emu.fault({
      route: 'submit',
      kind: { type: 'status', status: 429, headers: { 'x-rate-limit-reset-at-utc': new Date(resetAt).toISOString() } },
    });
    const r = await batch([path]);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const posts = emu.log.filter((l) => l.method === 'POST');
    expect(posts.map((l) => l.status)).toEqual([429, 200]);
    // Not before the reset time (a few ms of timer granularity allowed).
    expect(posts[1]!.time).toBeGreaterThanOrEqual(resetAt - 20);
  });

  it('--rpm spaces the submits (lightly: 2 per minute, the 3rd would wait)', async () => {
    const path = await manifest('rpm.txt', ['one', 'two', 'three'].join('\n'));
    const { execa } = await import('execa');
    const child = execa(process.execPath, [BIN, 'batch', path, '--rpm', '2', '-n', '1', '-o', sb.outDir, ...FAST], {
      env: { PATH: process.env.PATH ?? '', ...sb.env },
      extendEnv: false,
      reject: false,
      cwd: sb.dir,
      stdin: 'ignore',
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    await until(
      () => stderr.includes('--rpm cap reached') && emu.submits() === 2,
      'two submits and the limiter holding the third',
    );
    expect(stderr).toMatch(/next submit in (59|60)\.\d+s/);
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    // The third was held for a minute, never sent (the limiter's timing is unit-tested on a fake clock).
    expect(emu.submits()).toBe(2);
  });
});

describe('batch: idempotent reruns', () => {
  it('a rerun costs zero submits; one changed entry costs one; the lock is stable', async () => {
    const lines = ['{"name": "a", "prompt": "alpha"}', '{"name": "b", "prompt": "beta"}', '{"prompt": "gamma"}'];
    const path = await manifest('set.jsonl', lines.join('\n'));
    const first = await batch([path]);
    expect(first.exitCode, String(first.stderr)).toBe(0);
    expect(emu.submits()).toBe(3);
    const lock1 = await readFile(`${path}.lock.json`, 'utf8');
    const doc = JSON.parse(lock1);
    expect(Object.keys(doc.entries)).toEqual([...Object.keys(doc.entries)].sort());
    expect(doc.entries.a).toMatchObject({ state: 'done', files: [{ path: 'out/a.jpg' }] });
    expect(doc.entries.a.files[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(lock1).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);

    emu.log.length = 0;
    const second = await batch([path, '--json']);
    expect(second.exitCode).toBe(0);
    expect(emu.log).toHaveLength(0);
    expect(report(second).counts.skipped).toBe(3);
    expect(await readFile(`${path}.lock.json`, 'utf8')).toBe(lock1);

    await writeFile(path, [lines[0], '{"name": "b", "prompt": "beta, but blue"}', lines[2]].join('\n'));
    const third = await batch([path, '--json']);
    expect(third.exitCode).toBe(0);
    expect(submitsNow()).toBe(1);
    expect(report(third).entries.map((e) => e.status)).toEqual(['skipped', 'done', 'skipped']);
    // The new image took the old one's place.
    expect((await readdir(sb.outDir)).filter((f) => f.startsWith('b'))).toEqual(['b.jpg']);

    // A file changed on disk is not "intact": fetched again by request id, no new submit. The
    // changed file may be someone's retouching: it is kept, the fresh image goes beside it.
    await writeFile(join(sb.outDir, 'a.jpg'), 'retouched');
    emu.log.length = 0;
    const fourth = await batch([path, '--json']);
    expect(fourth.exitCode, String(fourth.stderr)).toBe(0);
    expect(submitsNow()).toBe(0);
    const a = report(fourth).entries[0]!;
    expect(a).toMatchObject({ status: 'done' });
    expect(a.files[0]!.path).toMatch(/out\/a_2\.jpg$/);
    expect((await imageInfo(join(sb.outDir, 'a_2.jpg'))).format).toBe('jpg');
    expect(await readFile(join(sb.outDir, 'a.jpg'), 'utf8')).toBe('retouched');
  });

  it('no MaxListenersExceededWarning at concurrency 16 and more (issue 18)', async () => {
    emu.configure({ queuedPolls: 2, processingPolls: 2 });
    const path = await manifest('wide.txt', Array.from({ length: 40 }, (_, i) => `wide prompt ${i}`).join('\n'));
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const r = await batch([path, '--json', '--concurrency', '32', '-q']);
      expect(r.exitCode, String(r.stderr)).toBe(0);
      await new Promise((done) => setImmediate(done)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => /MaxListeners/.test(w))).toEqual([]);
  });

  it('makes its directories once, not once or twice per entry (issue 18: six mkdir calls an entry)', async () => {
    const path = await manifest('many.txt', Array.from({ length: 20 }, (_, i) => `prompt number ${i}`).join('\n'));
    const spy = vi.spyOn(fsp, 'mkdir');
    syncBuiltinESMExports(); // named imports of node:fs/promises see the spy too
    try {
      const r = await batch([path, '--json', '--concurrency', '4']);
      expect(r.exitCode, String(r.stderr)).toBe(0);
      expect(report(r).counts.done).toBe(20);
      // The output folder (once per slot that reached it first), the lock's folder (at its first
      // append and at each fold of its log), the journal's: a handful per run, none per entry.
      expect(spy.mock.calls.length).toBeLessThanOrEqual(10);
    } finally {
      spy.mockRestore();
      syncBuiltinESMExports();
    }
  });

  it('a rerun trusts an unchanged size and mtime without reading the image; --verify hashes it', async () => {
    const path = await manifest('v.txt', 'verify me\n');
    const first = await batch([path, '--json']);
    expect(first.exitCode, String(first.stderr)).toBe(0);
    const file = join(sb.dir, report(first).entries[0]!.files[0]!.path);
    const lockPath = `${path}.lock.json`;
    const recorded = Object.values(
      JSON.parse(await readFile(lockPath, 'utf8')).entries as Record<string, { files: { mtime_ms: number }[] }>,
    )[0]!.files[0]!;
    expect(recorded.mtime_ms).toBe(Math.floor((await stat(file)).mtimeMs));
    // Other bytes of the same size under the recorded mtime: only reading the file could tell.
    const bytes = await readFile(file);
    await writeFile(file, Buffer.alloc(bytes.length, 0x61));
    // In seconds, half a millisecond in: a Date can round to the next millisecond on the way down.
    const mtime = (recorded.mtime_ms + 0.5) / 1000;
    await utimes(file, mtime, mtime);
    // The lock written well after the image (not within the racy margin).
    const later = new Date(Date.now() + 10_000);
    await utimes(lockPath, later, later);
    emu.log.length = 0;
    const second = await batch([path, '--json']);
    expect(report(second).counts.skipped).toBe(1);
    expect(emu.log).toHaveLength(0);
    const verified = await batch([path, '--json', '--verify']);
    expect(verified.exitCode, String(verified.stderr)).toBe(0);
    expect(report(verified).entries[0]!.status).toBe('done');
    expect(submitsNow()).toBe(0); // fetched again by its request id, not paid again
  });

  it('Ctrl-C: jobs in flight stay in the lock; the rerun fetches them without paying again', async () => {
    const { path, child } = await slowBatch('slow.txt', ['slow one', 'slow two', 'slow three']);
    await until(() => emu.log.filter((l) => l.path.endsWith('/status')).length >= 4, 'both jobs to be polled');
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    const lock = JSON.parse(await readFile(`${path}.lock.json`, 'utf8'));
    const submitted = Object.values(lock.entries as Record<string, { state: string; request_id: string }>);
    expect(submitted.map((e) => e.state)).toEqual(['submitted', 'submitted']);
    expect(emu.submits()).toBe(2);

    emu.configure({ queuedPolls: 0, processingPolls: 0 });
    const again = await batch([path, '--json']);
    expect(again.exitCode, String(again.stderr)).toBe(0);
    expect(emu.submits()).toBe(3);
    expect(report(again).counts.done).toBe(3);
  });

  it('killed outright (SIGKILL, no cleanup): the paid jobs are in the lock log; the rerun fetches them without paying again', async () => {
    const { path, child } = await slowBatch('killed.txt', ['doomed one', 'doomed two', 'doomed three']);
    // A job is polled only after its request id was recorded: both are on disk by now.
    await until(() => emu.log.filter((l) => l.path.endsWith('/status')).length >= 4, 'both jobs to be polled');
    child.kill('SIGKILL');
    await child;
    expect(emu.submits()).toBe(2);
    // Nothing folded the log into a lock: the records live in the log alone.
    const log = (await readFile(`${path}.lock.json.log`, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { record: { state: string } });
    expect(log.map((l) => l.record.state)).toEqual(['submitted', 'submitted']);

    emu.configure({ queuedPolls: 0, processingPolls: 0 });
    const again = await batch([path, '--json']);
    expect(again.exitCode, String(again.stderr)).toBe(0);
    expect(emu.submits()).toBe(3);
    expect(report(again).counts.done).toBe(3);
    // The run ended by folding the log into the lock.
    expect((await readdir(sb.dir)).filter((f) => f.startsWith('killed.txt')).sort()).toEqual([
      'killed.txt',
      'killed.txt.lock.json',
    ]);
    const lock = JSON.parse(await readFile(`${path}.lock.json`, 'utf8'));
    expect(Object.values(lock.entries as Record<string, { state: string }>).map((e) => e.state)).toEqual([
      'done',
      'done',
      'done',
    ]);
  });
});

describe('batch: sharding', () => {
  it('shards are disjoint and together complete; each keeps its own lock', async () => {
    const path = await manifest('shard.txt', Array.from({ length: 20 }, (_, i) => `shard prompt ${i}`).join('\n'));
    const seen: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const r = await batch([path, '--shard', `${i}/3`, '--json']);
      expect(r.exitCode, String(r.stderr)).toBe(0);
      seen.push(...report(r).entries.map((e) => e.key));
      expect(JSON.parse(await readFile(`${path}.shard-${i}-of-3.lock.json`, 'utf8')).entries).toBeTypeOf('object');
    }
    expect(seen).toHaveLength(20);
    expect(new Set(seen).size).toBe(20);
    expect(emu.submits()).toBe(20);
  });

  it('rejects a bad --shard', async () => {
    const path = await manifest('s.txt', 'one\n');
    const r = await batch([path, '--shard', '4/3']);
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toContain('--shard: "4/3" is not allowed');
  });
});

describe('provenance', () => {
  for (const format of ['png', 'jpg', 'webp'] as const) {
    it(`--metadata embed: readable back from ${format}, image still valid`, async () => {
      const r = await runMain(
        [
          'a fox in the snow',
          '--format',
          format,
          '-n',
          '1',
          '--seed',
          '7',
          '--metadata',
          'embed',
          '-o',
          sb.outDir,
          '--json',
          ...FAST,
        ],
        sb,
      );
      expect(r.exitCode, String(r.stderr)).toBe(0);
      const out = JSON.parse(String(r.stdout));
      const file = out.files[0].path as string;
      const info = await imageInfo(file);
      expect(info.format).toBe(format);
      const p = await readEmbedded(file);
      expect(p).toMatchObject({
        prompt: 'a fox in the snow',
        seed: 7,
        model: 'flux-krea-dev',
        request_id: out.request_id,
        params: { output_format: format, seed: 7 },
      });
      expect(p!.generator).toMatch(/^flux-krea /);
      expect(info.bytes).toBe(out.files[0].bytes);
    });
  }

  it('--metadata sidecar in a batch: <file>.json next to each image; the lock hash matches the file', async () => {
    const path = await manifest('meta.jsonl', '{"name": "side", "prompt": "a small boat", "format": "png"}\n');
    const r = await batch([path, '--metadata', 'sidecar', '--json']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const entry = report(r).entries[0]!;
    const p = await readSidecar(join(sb.outDir, 'side.png'));
    expect(p).toMatchObject({
      prompt: 'a small boat',
      seed: entry.seed,
      request_id: entry.request_id,
      model: 'flux-krea-dev',
    });
    expect(Date.parse(p!.created_at)).not.toBeNaN();
  });

  it('--metadata embed in a batch: the lock records the final bytes, so the rerun is free', async () => {
    const path = await manifest('emb.txt', 'embedded one\n');
    await mkdir(sb.outDir, { recursive: true });
    const r = await batch([path, '--metadata', 'embed', '--format', 'webp']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const file = String(r.stdout).trim();
    expect(await readEmbedded(join(sb.dir, file))).toMatchObject({ prompt: 'embedded one' });
    emu.log.length = 0;
    const again = await batch([path, '--metadata', 'embed', '--format', 'webp']);
    expect(again.exitCode).toBe(0);
    expect(emu.log).toHaveLength(0);
  });
});
