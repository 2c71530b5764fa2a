// Job state. In 'polls' mode progress is counted in status polls, so tests are deterministic
// without clocks; in 'time' mode it follows the wall clock for demos and benchmarks.
import { randomInt, randomUUID } from 'node:crypto';
import { CONTENT_TYPES, type ImageSpec } from './images/index.js';
import { imageSize, type ModelParams } from './params.js';
import type { EmulatorConfig, JobInfo, JobStatus } from './types.js';

export interface Job {
  id: string;
  api: 'v1' | 'v2';
  params: ModelParams;
  createdAt: number;
  polls: number;
  /** Set once the job was seen in a final state (polls mode) or is known to end (time mode). */
  doneAt: number | undefined;
  width: number;
  height: number;
  seed: number;
  requested: number;
  cost: number;
  /** Image file names (on the image server) that survived the safety checker. */
  files: string[];
  error: string | undefined;
  inferenceTime: number;
  expired: boolean;
}

/** Trigger words are matched case-insensitively anywhere in the prompt ("containing"). */
const hasWord = (prompt: string, word: string): boolean => prompt.toLowerCase().includes(word);

const round = (n: number): number => Math.round(n * 1e6) / 1e6;

/** The images the safety checker lets through, or the error that fails the job. */
function outcome(params: ModelParams): { kept: number[]; error: string | undefined } {
  const all = Array.from({ length: params.num_outputs }, (_, i) => i);
  // Order matters: a crash happens before any checking; "forbidden" flags every image.
  if (hasWord(params.prompt, 'explode')) return { kept: [], error: 'CUDA out of memory' };
  if (hasWord(params.prompt, 'forbidden')) return { kept: [], error: 'NSFW content detected' };
  if (hasWord(params.prompt, 'flagged') && !params.disable_safety_checker) {
    // Every second image is dropped: 1 of 2, 2 of 4; a single image is kept.
    return { kept: all.filter((i) => i % 2 === 0), error: undefined };
  }
  return { kept: all, error: undefined };
}

export class JobStore {
  private readonly jobs = new Map<string, Job>();
  /** Jobs that may still be QUEUED/PROCESSING, to measure the client's concurrency. */
  private readonly active = new Set<Job>();
  private maxActive = 0;
  submits = 0;
  /** Jobs created and billed (not those that failed validation after queueing). */
  billed = 0;
  /** Image file name -> how to render it; kept after the job expires, as upstream keeps files. */
  readonly images = new Map<string, ImageSpec>();

  constructor(
    private readonly config: EmulatorConfig,
    private readonly imageHost: () => string,
  ) {}

  create(api: 'v1' | 'v2', params: ModelParams): Job {
    const now = this.config.now();
    const { width, height } = imageSize(params);
    // Upstream, -1 (documented) and 0 mean "random"; the seed used is reported back (x-seed-value).
    const seed = params.seed === 0 || params.seed === -1 ? randomInt(1, 2 ** 31) : params.seed;
    const { kept, error } = outcome(params);
    const id = newRequestId();
    const files = kept.map((index) => {
      const name = `${id}-${index}.${params.output_format}`;
      this.images.set(name, {
        format: params.output_format,
        width,
        height,
        quality: params.output_quality,
        key: `${seed}|${params.prompt}|${index}|${params.image ?? ''}`,
      });
      return name;
    });
    const timeMode = this.config.progress === 'time';
    const job: Job = {
      id,
      api,
      params,
      createdAt: now,
      polls: 0,
      // v1 answers only when the work is done, so in polls mode it is never left running.
      doneAt: timeMode ? now + this.config.queuedMs + this.config.processingMs : api === 'v1' ? now : undefined,
      width,
      height,
      seed,
      requested: params.num_outputs,
      cost: round(params.num_outputs * this.nextPrice()),
      files: error ? [] : files,
      error,
      inferenceTime: timeMode
        ? this.config.processingMs / 1000
        : round(0.05 * params.num_inference_steps * params.num_outputs),
      expired: false,
    };
    this.jobs.set(id, job);
    this.config.credits = round(this.config.credits - job.cost);
    this.submits += 1;
    this.billed += 1;
    this.trackConcurrency(job, now);
    return job;
  }

  /**
   * A v2 job whose body failed validation after queueing: it has an id, its first poll answers
   * 422 FAILED with the reason, and it is not billed.
   */
  /** The price per image of the next billed job (priceSteps, else costPerImage). */
  nextPrice(): number {
    const steps = this.config.priceSteps;
    return steps?.length ? steps[Math.min(this.billed, steps.length - 1)]! : this.config.costPerImage;
  }

  createInvalid(body: unknown, reason: string): Job {
    const now = this.config.now();
    const params = (body && typeof body === 'object' ? body : {}) as ModelParams;
    const job: Job = {
      id: newRequestId(),
      api: 'v2',
      params,
      createdAt: now,
      polls: 0,
      doneAt: now,
      width: 0,
      height: 0,
      seed: 0,
      requested: 0,
      cost: 0,
      files: [],
      error: reason,
      inferenceTime: 0,
      expired: false,
    };
    this.jobs.set(job.id, job);
    this.submits += 1;
    return job;
  }

  private trackConcurrency(job: Job, now: number): void {
    for (const other of this.active) if (other.doneAt !== undefined && other.doneAt <= now) this.active.delete(other);
    this.active.add(job);
    this.maxActive = Math.max(this.maxActive, this.active.size);
    if (job.doneAt !== undefined && job.doneAt <= now) this.active.delete(job);
  }

  maxConcurrent(): number {
    return this.maxActive;
  }

  /** A job the API still knows: not expired and within retention. */
  get(id: string): Job | undefined {
    const job = this.jobs.get(id);
    if (!job || job.expired) return undefined;
    if (this.config.now() - job.createdAt >= this.config.retentionMs) return undefined;
    return job;
  }

  /** Any job ever created, for inspection by tests. */
  lookup(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  expire(id: string): void {
    const job = this.jobs.get(id);
    if (job) job.expired = true;
  }

  private final(job: Job): JobStatus {
    return job.error ? 'FAILED' : 'COMPLETED';
  }

  /** Current state without counting a poll. */
  peek(job: Job): JobStatus {
    return this.stateAfter(job, job.polls);
  }

  /** Current state, counting one poll (polls mode). */
  poll(job: Job): JobStatus {
    job.polls += 1;
    const state = this.stateAfter(job, job.polls);
    if ((state === 'COMPLETED' || state === 'FAILED') && job.doneAt === undefined) {
      job.doneAt = this.config.now();
      this.active.delete(job);
    }
    return state;
  }

  private stateAfter(job: Job, polls: number): JobStatus {
    if (job.api === 'v1') return this.final(job);
    if (this.config.progress === 'time') {
      const elapsed = this.config.now() - job.createdAt;
      if (elapsed < this.config.queuedMs) return 'QUEUED';
      if (elapsed < this.config.queuedMs + this.config.processingMs) return 'PROCESSING';
      return this.final(job);
    }
    if (job.doneAt !== undefined) return this.final(job);
    if (polls <= this.config.queuedPolls) return 'QUEUED';
    if (polls <= this.config.queuedPolls + this.config.processingPolls) return 'PROCESSING';
    return this.final(job);
  }

  imageUrls(job: Job): string[] {
    return job.files.map((name) => `${this.imageHost()}/images/${name}`);
  }

  info(job: Job): JobInfo {
    return {
      id: job.id,
      api: job.api,
      params: { ...job.params },
      status: this.peek(job),
      polls: job.polls,
      imageUrls: this.imageUrls(job),
      requested: job.requested,
      width: job.width,
      height: job.height,
      seed: job.seed,
      cost: job.cost,
      error: job.error,
      createdAt: job.createdAt,
      expired: job.expired || this.get(job.id) === undefined,
    };
  }
}

/** Observed upstream: 32 lowercase hex characters (the docs show UUIDs). */
export function newRequestId(): string {
  return randomUUID().replace(/-/g, '');
}

export function contentTypeOf(format: ModelParams['output_format']): string {
  return CONTENT_TYPES[format];
}
