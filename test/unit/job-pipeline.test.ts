/**
 * The one job pipeline (src/core/job.ts) against a scripted client: the order that keeps paid
 * jobs safe, and the hooks a batch uses. No network, no real clock.
 */
import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { Job, JobResult, SegmindClient } from '../../src/api/client.js';
import { JobFailedError } from '../../src/api/errors.js';
import { runJob, type JobSpec } from '../../src/core/job.js';
import { Journal } from '../../src/store/journal.js';
import type { ResolvedParams } from '../../src/params/schema.js';
import { BudgetError, OutputError, ProtocolError } from '../../src/errors.js';
import { Budget } from '../../src/core/money/budget.js';
import { apiErrorFor } from '../../src/api/errors.js';

/** A valid 1×1 PNG: signature, IHDR, IDAT, IEND (CRCs are not checked by the saver). */
function png(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    return Buffer.concat([len, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
  };
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.from([0, 0, 0, 0]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const params = { prompt: 'a paper boat', seed: 7, num_outputs: 2, output_format: 'png' } as unknown as ResolvedParams;

interface Script {
  log: string[];
  images?: JobResult['images'];
  waitError?: Error;
  submitError?: Error;
  metrics?: JobResult['metrics'];
}

function fakeClient(s: Script): SegmindClient {
  const job = (id: string): Job => ({ requestId: id, status: 'QUEUED', statusUrl: '', responseUrl: '' });
  return {
    // No dispatcher of its own: downloads use the shared agent.
    http: { dispatcher: async () => undefined },
    submit: async () => {
      s.log.push('submit');
      if (s.submitError) throw s.submitError;
      return job('abc123');
    },
    jobFor: (id: string) => job(id),
    wait: async (j: Job, o: { onStatus?: (st: string, j: Job) => void; pollNow?: boolean }) => {
      s.log.push(`wait ${j.requestId}${o.pollNow ? ' now' : ''}`);
      if (s.waitError) throw s.waitError;
      o.onStatus?.('COMPLETED', j);
      return {
        requestId: j.requestId,
        status: 'COMPLETED',
        images: s.images ?? [
          { kind: 'bytes', data: png() },
          { kind: 'bytes', data: png() },
        ],
        metrics: s.metrics ?? {},
        raw: {},
      };
    },
    upload: async () => {
      s.log.push('upload');
      return 'https://example.test/in.png';
    },
  } as unknown as SegmindClient;
}

async function setup(s: Script, extra: Partial<JobSpec> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'flux-krea-job-'));
  const journal = new Journal(join(dir, 'state'));
  const spec: JobSpec = {
    client: fakeClient(s),
    params,
    outDir: join(dir, 'out'),
    journal,
    intervalMs: 1000,
    deadline: Date.now() + 60_000,
    retries: 0,
    ...extra,
  };
  return { dir, journal, spec };
}

describe('runJob', () => {
  it('submits, journals, then runs the created hook, waits, saves and calls saved: in that order', async () => {
    const s: Script = { log: [] };
    const { journal, spec } = await setup(s);
    const out = await runJob({
      ...spec,
      hooks: {
        created: async (id) => {
          // The journal already holds the paid job when anything else gets to run.
          s.log.push(`created ${id}: journal ${(await journal.get(id))?.state}`);
        },
        saved: async (files) => {
          s.log.push(`saved ${files.length}`);
        },
      },
    });
    expect(s.log).toEqual(['submit', 'created abc123: journal submitted', 'wait abc123', 'saved 2']);
    expect(out.requestId).toBe('abc123');
    expect(out.files).toHaveLength(2);
    expect((await journal.get('abc123'))?.state).toBe('saved');
  });

  it('a created hook that fails (an unwritable lock) does not abandon the paid job: it is waited for and saved first', async () => {
    const s: Script = { log: [] };
    const { journal, spec } = await setup(s);
    const lockFailure = new OutputError('Cannot write the lock file');
    await expect(
      runJob({
        ...spec,
        hooks: {
          created: async () => {
            throw lockFailure;
          },
        },
      }),
    ).rejects.toBe(lockFailure);
    expect(s.log).toEqual(['submit', 'wait abc123']);
    const j = await journal.get('abc123');
    expect(j?.state).toBe('saved');
    expect(j?.files).toHaveLength(2);
  });

  it('fetches an existing job by id: no upload, no submit, polls at once', async () => {
    const s: Script = { log: [] };
    const { spec } = await setup(s, { requestId: 'old42', localImage: '/nonexistent.png' });
    const out = await runJob(spec);
    expect(s.log).toEqual(['wait old42 now']);
    expect(out.requestId).toBe('old42');
    // A resumed job's parameters are unknown: no "asked for N" warning.
    expect(out.warnings).toEqual([]);
  });

  it('uploads through the hook when given (a batch uploads each file once)', async () => {
    const s: Script = { log: [] };
    const { spec } = await setup(s, { localImage: '/some/file.png' });
    const out = await runJob({
      ...spec,
      hooks: {
        upload: async (p) => {
          s.log.push(`upload hook ${p}`);
          return 'https://example.test/u.png';
        },
      },
    });
    expect(s.log).toEqual(['upload hook /some/file.png', 'submit', 'wait abc123']);
    expect(out.params.image).toBe('https://example.test/u.png');
  });

  it('a FAILED job is journaled as failed and reported to the failed hook', async () => {
    const s: Script = {
      log: [],
      waitError: new JobFailedError('job-failed', 422, 'The generation failed: nsfw', {}, {}, 'abc123'),
    };
    const { journal, spec } = await setup(s);
    await expect(
      runJob({
        ...spec,
        hooks: {
          failed: async (id, m) => {
            s.log.push(`failed ${id} ${m}`);
          },
        },
      }),
    ).rejects.toBe(s.waitError);
    expect(s.log).toContain('failed abc123 The generation failed: nsfw');
    expect((await journal.get('abc123'))?.state).toBe('failed');
  });

  it('fewer images than asked is a warning, not an error', async () => {
    const s: Script = { log: [], images: [{ kind: 'bytes', data: png() }] };
    const { spec } = await setup(s);
    const out = await runJob(spec);
    expect(out.warnings).toEqual(['Asked for 2 images, got 1: the safety checker may have dropped some.']);
  });

  it('a partial save is a copy of the failure with the count and the saved files (errors are not changed once thrown)', async () => {
    const s: Script = {
      log: [],
      images: [
        { kind: 'bytes', data: png() },
        { kind: 'bytes', data: Buffer.from('not an image at all') },
      ],
    };
    const { dir, journal, spec } = await setup(s);
    const err = await runJob(spec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    const p = err as ProtocolError;
    expect(p.kind).toBe('server');
    expect(p.message).toMatch(/\(1 of 2 images were saved\)$/);
    expect(p.savedFiles).toHaveLength(1);
    expect((await journal.get('abc123'))?.state).toBe('partial');
    expect(await readdir(join(dir, 'out'))).toHaveLength(1);
  });
});

describe('runJob keeps at most the images asked for', () => {
  it('saves num_outputs images of a larger answer and warns about the rest', async () => {
    const s: Script = { log: [], images: Array.from({ length: 5 }, () => ({ kind: 'bytes' as const, data: png() })) };
    const { dir, spec } = await setup(s);
    const out = await runJob(spec);
    expect(out.files).toHaveLength(2);
    expect(await readdir(join(dir, 'out'))).toHaveLength(2);
    expect(out.warnings).toEqual(['Segmind sent 5 images for 2 asked; kept the first 2.']);
  });
});

describe('runJob and the budget', () => {
  it('admits before the submit, settles with the reported cost and journals it', async () => {
    const s: Script = { log: [], metrics: { cost: 0.02, remainingCredits: 9.98 } };
    const budget = new Budget({ maxCost: 1 });
    const { journal, spec } = await setup(s, { budget });
    await runJob(spec);
    expect(budget.spent).toBe(0.02);
    expect(budget.price).toBe(0.01);
    expect(await journal.get('abc123')).toMatchObject({ cost: 0.02, remainingCredits: 9.98 });
  });

  it('a job that does not fit is never submitted', async () => {
    const s: Script = { log: [] };
    const budget = new Budget({ maxCost: 0.01, price: { perImage: 0.01, jobs: 1 } });
    const { spec } = await setup(s, { budget });
    await expect(runJob(spec)).rejects.toBeInstanceOf(BudgetError);
    expect(s.log).toEqual([]);
  });

  it('what was never billed gives its share back: a refused submit (402), a FAILED job', async () => {
    for (const s of [
      { log: [], submitError: apiErrorFor(402, {}, { error: 'Insufficient credits' }) },
      { log: [], waitError: new JobFailedError('job-failed', 422, 'failed', {}, {}, 'abc123') },
    ] as Script[]) {
      const budget = new Budget({ maxCost: 0.02, price: { perImage: 0.01, jobs: 1 } });
      const { spec } = await setup(s, { budget });
      await expect(runJob(spec)).rejects.toBeDefined();
      expect(budget.spent).toBe(0);
      // The full budget is free again: a job of 2 images (0.02) fits.
      await expect(budget.admit(2)).resolves.toBeDefined();
    }
  });

  it('a job that may exist (a garbled submit answer) counts at its estimate', async () => {
    const s: Script = { log: [], submitError: new ProtocolError('garbled', { jobMayExist: true }) };
    const budget = new Budget({ maxCost: 1, price: { perImage: 0.01, jobs: 1 } });
    const { spec } = await setup(s, { budget });
    await expect(runJob(spec)).rejects.toBeInstanceOf(ProtocolError);
    expect(budget.spent).toBe(0.02);
  });

  it('a job fetched by id was paid before: the budget is not asked', async () => {
    const s: Script = { log: [], metrics: { cost: 0.02 } };
    const budget = new Budget({ maxCost: 0 });
    const { spec } = await setup(s, { budget, requestId: 'old42' });
    await expect(runJob(spec)).resolves.toBeDefined();
    expect(budget.spent).toBe(0);
  });
});
