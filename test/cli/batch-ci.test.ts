/**
 * A batch in CI (issue 17): `--frozen` (no key, no request, exit 8 with the reason for each
 * entry), the job summary (GITHUB_STEP_SUMMARY) and the annotations (GITHUB_ACTIONS=true).
 * In-process against the emulator; the emulator's log proves what was (not) sent.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { FAST, sandbox, type Sandbox } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';
import { expectValid } from '../helpers/schemas.js';
import { acquireLockOwner } from '../../src/store/lock-owner.js';

let emu: Emulator;
let sb: Sandbox;
beforeEach(async () => {
  emu = await startEmulator({ credits: 1000 });
  sb = await sandbox(emu);
});
afterEach(async () => {
  await emu.close();
  await sb.cleanup();
});

interface Line {
  type: string;
  key: string;
  line: number;
  status: string;
  reason?: string;
  files: { path: string }[];
  cost: number | null;
  [k: string]: unknown;
}
/** The JSON Lines of `batch --json`, each checked against the published schema. */
function lines(stdout: unknown): {
  entries: Line[];
  summary: Record<string, unknown> & { counts: Record<string, number> };
} {
  const all = String(stdout)
    .trim()
    .split('\n')
    .map((l) => expectValid<Line>('batch', JSON.parse(l)));
  const summary = all.pop() as unknown as Record<string, unknown> & { counts: Record<string, number> };
  expect(summary.type).toBe('summary');
  return { entries: all.sort((a, b) => a.line - b.line), summary };
}

const MANIFEST = [
  '{"name": "hero", "prompt": "a lighthouse at dusk"}',
  '{"name": "fox", "prompt": "a red fox", "guidance": 5}',
  '{"name": "owl", "prompt": "an owl"}',
];
async function write(lines: string[]): Promise<string> {
  await writeFile(join(sb.dir, 'assets.jsonl'), `${lines.join('\n')}\n`);
  return 'assets.jsonl';
}
const noKey = () => {
  const { SEGMIND_API_KEY: _, ...env } = sb.env;
  return env;
};
const batch = (args: string[], env: Record<string, string> = sb.env) =>
  runMain(['batch', ...args, '-o', 'art', '-n', '1', ...FAST], sb, { env });

describe('batch --frozen', () => {
  it('all current: exit 0 with no key and not one request; nothing is written', async () => {
    const m = await write(MANIFEST);
    const first = await batch([m, '--json']);
    expect(first.exitCode, first.stderr).toBe(0);
    // What this run spent: the emulator's price, one image per entry.
    const { entries: made, summary: paid } = lines(first.stdout);
    expect(made.every((e) => typeof e.cost === 'number' && e.cost > 0)).toBe(true);
    expect(paid.cost).toBeCloseTo(
      made.reduce((sum, e) => sum + e.cost!, 0),
      6,
    );
    const lock = await readFile(join(sb.dir, 'assets.jsonl.lock.json'), 'utf8');
    const lockTime = (await stat(join(sb.dir, 'assets.jsonl.lock.json'))).mtimeMs;
    emu.log.length = 0;

    const r = await batch([m, '--frozen', '--json'], noKey());
    expect(r.exitCode, r.stderr).toBe(0);
    expect(emu.log).toEqual([]);
    const { entries, summary } = lines(r.stdout);
    expect(summary).toMatchObject({
      status: 'ok',
      exit_code: 0,
      submits: 0,
      counts: { total: 3, skipped: 3, stale: 0 },
    });
    expect(entries.map((e) => e.status)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(String(r.stderr)).toContain('frozen: 3 of 3 entries current');
    expect(await readFile(join(sb.dir, 'assets.jsonl.lock.json'), 'utf8')).toBe(lock);
    expect((await stat(join(sb.dir, 'assets.jsonl.lock.json'))).mtimeMs).toBe(lockTime);
    expect(existsSync(join(sb.dir, 'assets.jsonl.lock.json.log'))).toBe(false);
  });

  it('exit 8 naming each entry that would be generated and why: new, changed, missing file, hash mismatch', async () => {
    const m = await write(MANIFEST);
    const first = await batch([m, '--json']);
    expect(first.exitCode, first.stderr).toBe(0);
    const files = Object.fromEntries(lines(first.stdout).entries.map((e) => [e.key, join(sb.dir, e.files[0]!.path)]));
    // hero: its file is gone; owl: same size, other bytes; fox: another guidance; a new entry.
    await rm(files.hero!);
    const owl = await readFile(files.owl!);
    owl[owl.length - 3] ^= 0xff;
    await writeFile(files.owl!, owl);
    await write([
      MANIFEST[0]!,
      MANIFEST[1]!.replace('"guidance": 5', '"guidance": 6'),
      MANIFEST[2]!,
      '{"name": "cat", "prompt": "a cat"}',
    ]);
    emu.log.length = 0;

    const r = await batch([m, '--frozen', '--json'], noKey());
    expect(r.exitCode).toBe(8);
    expect(emu.log).toEqual([]);
    const { entries, summary } = lines(r.stdout);
    expect(summary).toMatchObject({ status: 'stale', exit_code: 8, counts: { total: 4, skipped: 0, stale: 4 } });
    const reason = Object.fromEntries(entries.map((e) => [e.key, e.reason]));
    expect(reason.hero).toBe(`missing file art/hero.jpg`);
    // Its seed was derived from its content, so it changed with it.
    expect(reason.fox).toMatch(/^changed: guidance 5 → 6, seed \d+ → \d+$/);
    expect(reason.owl).toMatch(/^hash mismatch art\/owl\.jpg \(sha256 differs/);
    expect(reason.cat).toBe('new entry: not in the lock');
    // People read the same on stderr, with the manifest's line.
    expect(String(r.stderr)).toContain('assets.jsonl:1: hero: would be generated: missing file art/hero.jpg');
    expect(String(r.stderr)).toContain('assets.jsonl:4: cat: would be generated: new entry');
    expect(String(r.stdout)).not.toMatch(/^art\//m);
  });

  it("a lock that points outside the entry's directory is stale (the path is refused, not followed)", async () => {
    const m = await write(MANIFEST.slice(0, 1));
    expect((await batch([m])).exitCode).toBe(0);
    const lockFile = join(sb.dir, 'assets.jsonl.lock.json');
    const lock = JSON.parse(await readFile(lockFile, 'utf8')) as {
      entries: Record<string, { files: { path: string }[] }>;
    };
    lock.entries.hero!.files[0]!.path = '../outside.jpg';
    await writeFile(lockFile, JSON.stringify(lock));
    const r = await batch([m, '--frozen'], noKey());
    expect(r.exitCode).toBe(8);
    expect(String(r.stderr)).toContain(
      'hero: would be generated: the lock records a file outside the entry\'s directory ("../outside.jpg")',
    );
  });

  it('checks while another run owns the lock (it writes nothing, so it needs no ownership)', async () => {
    const m = await write(MANIFEST.slice(0, 1));
    const owner = await acquireLockOwner(join(sb.dir, 'assets.jsonl.lock.json'));
    try {
      expect((await batch([m])).exitCode).toBe(9);
      const r = await batch([m, '--frozen'], noKey());
      expect(r.exitCode).toBe(8);
      expect(String(r.stderr)).toContain('hero: would be generated: new entry');
    } finally {
      await owner.release();
    }
  });

  it('--frozen with --force is a usage error; a job paid for but not downloaded is stale, not fetched', async () => {
    const m = await write(MANIFEST.slice(0, 1));
    const both = await batch([m, '--frozen', '--force'], noKey());
    expect(both.exitCode).toBe(2);
    expect(String(both.stderr)).toContain('--frozen');

    // Run it for real but cut off before the download: the lock says "submitted".
    emu.configure({ queuedPolls: 1_000_000 });
    const cut = await batch([m, '--timeout', '1']);
    expect(cut.exitCode).toBe(7);
    emu.log.length = 0;
    const r = await batch([m, '--frozen'], noKey());
    expect(r.exitCode).toBe(8);
    expect(emu.log).toEqual([]);
    expect(String(r.stderr)).toMatch(
      /hero: would be generated: paid for but not downloaded \(request \w+\): a run that is not frozen fetches it/,
    );
  });
});

describe('GitHub Actions: job summary and annotations', () => {
  const gh = (summary: string): Record<string, string> => ({
    ...sb.env,
    GITHUB_ACTIONS: 'true',
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'o/r',
    GITHUB_RUN_ID: '42',
  });

  it('appends a summary table (counts, spend, entries, the gallery) and annotates the failed line', async () => {
    const summary = join(sb.dir, 'summary.md');
    await writeFile(summary, 'earlier step\n');
    const m = await write([MANIFEST[0]!, '{"name": "boom", "prompt": "please explode, 50% | <b>"}', MANIFEST[2]!]);
    const r = await batch([m, '--gallery', 'g.html'], gh(summary));
    expect(r.exitCode).toBe(6);
    const md = await readFile(summary, 'utf8');
    expect(md.startsWith('earlier step\n### flux-krea batch: `assets.jsonl`')).toBe(true);
    expect(md).toMatch(/\*\*2 done · 0 skipped · 1 failed\*\* of 3 · 3 submitted · spent [\d.]+ credits/);
    expect(md).toContain('| status | entry | line | files | cost | note |');
    expect(md).toMatch(/\| ✅ done \| hero \| 1 \| `art\/hero\.jpg` \| [\d.]+ \| {2}\|/);
    expect(md).toMatch(/\| ❌ failed \| boom \| 2 \| — \| — \| .*CUDA out of memory/);
    expect(md).toContain(
      "Gallery: `g.html` (in this run's [artifacts](https://github.com/o/r/actions/runs/42#artifacts) when uploaded)",
    );
    // One annotation, on the failed entry's line, escaped as the runner expects.
    const annotations = String(r.stderr)
      .split('\n')
      .filter((l) => l.startsWith('::'));
    expect(annotations).toHaveLength(1);
    expect(annotations[0]).toMatch(
      /^::error file=assets\.jsonl,line=2,title=flux-krea%3A boom failed::.*CUDA out of memory \(request \w+\)$/,
    );
  });

  it('a refused manifest: an annotation per bad line, a summary, exit 2, nothing sent', async () => {
    const summary = join(sb.dir, 'summary.md');
    const m = await write(['{"prompt": "ok"}', '{"prompt": "x", "aspect": "7:7"}', '{"prompt": ""}']);
    const r = await batch([m], gh(summary));
    expect(r.exitCode).toBe(2);
    expect(emu.log).toEqual([]);
    const annotations = String(r.stderr)
      .split('\n')
      .filter((l) => l.startsWith('::error'));
    expect(annotations.map((a) => /line=(\d+)/.exec(a)![1])).toEqual(['2', '3']);
    // In a property ':' is escaped; in the message it is not.
    expect(annotations[0]).toMatch(/^::error file=assets\.jsonl,line=2,title=flux-krea%3A invalid entry::.*"7:7"/);
    const md = await readFile(summary, 'utf8');
    expect(md).toContain('**2 problems in the manifest**: nothing was sent.');
    expect(md).toMatch(/\| 2 \| .*7:7/);
  });

  it('--frozen on a pull request: the stale lines are annotated, the summary says nothing was sent', async () => {
    const summary = join(sb.dir, 'summary.md');
    const m = await write(MANIFEST.slice(0, 2));
    const { SEGMIND_API_KEY: _, ...env } = gh(summary);
    const r = await batch([m, '--frozen'], env);
    expect(r.exitCode).toBe(8);
    const annotations = String(r.stderr)
      .split('\n')
      .filter((l) => l.startsWith('::error'));
    expect(annotations).toEqual([
      '::error file=assets.jsonl,line=1,title=flux-krea%3A hero is not current::would be generated: new entry: not in the lock',
      '::error file=assets.jsonl,line=2,title=flux-krea%3A fox is not current::would be generated: new entry: not in the lock',
    ]);
    expect(await readFile(summary, 'utf8')).toMatch(
      /### flux-krea batch --frozen: `assets\.jsonl`\n\n\*\*0 current · 2 would be generated\*\* of 2 · nothing sent/,
    );
  });

  it('off GitHub Actions: no annotations, and a summary only where GITHUB_STEP_SUMMARY says', async () => {
    const m = await write(['{"prompt": "please explode"}']);
    const r = await batch([m]);
    expect(r.exitCode).toBe(6);
    expect(String(r.stderr)).not.toContain('::error');
    const summary = join(sb.dir, 'summary.md');
    const r2 = await batch([m], { ...sb.env, GITHUB_STEP_SUMMARY: summary });
    expect(String(r2.stderr)).not.toContain('::error');
    expect(await readFile(summary, 'utf8')).toContain('1 failed');
  });
});
