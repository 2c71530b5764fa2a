/**
 * flux-krea as a library: the facade a Node script uses. It sits above the core, beside the
 * CLI (cli/library → core → api / output), and runs each job through the same pipeline as the
 * CLI (core/generate.ts). Its public types are in library-types.ts.
 */
import { SegmindClient as ApiClient, type Job as ApiJob, type JobResult as ApiJobResult } from './api/client.js';
import { readFile } from 'node:fs/promises';
import { sniffImage } from './api/extract.js';
import { resolveEndpoints } from './api/endpoints.js';
import { generate as runPipeline } from './core/generate.js';
import { checkLocalImage, randomSeed } from './core/params.js';
import { saveResults } from './core/save-results.js';
import { FluxKreaError, MissingKeyError, UsageError } from './errors.js';
import { applyMetadata, readEmbedded as readEmbeddedFile, readSidecar as readSidecarFile } from './output/metadata.js';
import {
  ASPECT_RATIOS as SCHEMA_ASPECT_RATIOS,
  MEGAPIXELS as SCHEMA_MEGAPIXELS,
  OUTPUT_FORMATS as SCHEMA_OUTPUT_FORMATS,
  modelParamsSchema,
} from './params/schema.js';
import type { ResolvedParams as SchemaResolvedParams } from './params/schema.js';
import type {
  AspectRatio,
  GenerateOptions,
  GenerateParams,
  GenerateResult,
  ImageRef,
  Job,
  JobResult,
  JobStatus,
  Megapixels,
  Metrics,
  OutputFormat,
  Provenance,
  ResolvedParams,
  SavedImage,
  SaveOptions,
  SegmindClientOptions,
  WaitOptions,
} from './library-types.js';

/**
 * Every aspect ratio the model accepts, e.g. for a picker.
 *
 * @example
 * if (!ASPECT_RATIOS.includes(answer as AspectRatio)) throw new Error(`pick one of ${ASPECT_RATIOS.join(', ')}`);
 */
export const ASPECT_RATIOS: readonly AspectRatio[] = SCHEMA_ASPECT_RATIOS;
/**
 * The sizes the model accepts, in megapixels.
 *
 * @example
 * console.log(MEGAPIXELS); // ['1', '0.25']
 */
export const MEGAPIXELS: readonly Megapixels[] = SCHEMA_MEGAPIXELS;
/**
 * The image formats the model can return.
 *
 * @example
 * console.log(OUTPUT_FORMATS); // ['webp', 'jpg', 'png']
 */
export const OUTPUT_FORMATS: readonly OutputFormat[] = SCHEMA_OUTPUT_FORMATS;

/**
 * The provenance embedded in a PNG, JPEG or WebP file (`metadata: 'embed'`, or the CLI's
 * `--metadata embed`), or undefined when it holds none.
 *
 * @example
 * const p = await readEmbedded('art/a-paper-boat-42-1.png');
 */
export function readEmbedded(imagePath: string): Promise<Provenance | undefined> {
  return readEmbeddedFile(imagePath);
}

/**
 * The provenance in an image's `<file>.json` sidecar (`metadata: 'sidecar'`), or undefined.
 *
 * @example
 * const p = await readSidecar('art/a-paper-boat-42-1.png');
 */
export function readSidecar(imagePath: string): Promise<Provenance | undefined> {
  return readSidecarFile(imagePath);
}

/**
 * The client for FLUX.1 Krea [dev] on Segmind. It never prints and never reads the CLI's
 * config: the key comes from `options.apiKey` or `SEGMIND_API_KEY`.
 *
 * @example
 * import { SegmindClient } from 'flux-krea';
 * const client = new SegmindClient();            // SEGMIND_API_KEY, SEGMIND_BASE_URL
 * const { files } = await client.generate({ prompt: 'a paper boat', aspect_ratio: '21:9' }, { out: 'art' });
 */
export class SegmindClient {
  readonly #api: ApiClient;
  readonly #retries: number;

  /** @throws MissingKeyError when no key is given and `SEGMIND_API_KEY` is unset. */
  constructor(options: SegmindClientOptions = {}) {
    const apiKey = options.apiKey ?? process.env.SEGMIND_API_KEY;
    if (!apiKey) throw new MissingKeyError();
    // A key travels in a header: a stray newline or a non-ASCII character could not be sent.
    if (!/^[\x21-\x7e]+$/.test(apiKey))
      throw new FluxKreaError('auth', 'The API key has spaces or characters that cannot be sent.');
    const { baseUrl, uploadUrl } = resolveEndpoints({
      baseUrl: options.baseUrl ?? process.env.SEGMIND_BASE_URL,
      uploadUrl: options.uploadUrl ?? process.env.SEGMIND_UPLOAD_URL,
    });
    this.#retries = options.retries ?? 4;
    const requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
    this.#api = new ApiClient({
      apiKey,
      baseUrl,
      uploadUrl,
      retries: this.#retries,
      requestTimeoutMs,
      connectTimeoutMs: Math.min(15_000, requestTimeoutMs),
    });
  }

  /**
   * One call: submit, wait, download. Resolves with the saved files; a failure after the
   * submit carries the job's `requestId`, so a paid job is never lost.
   *
   * @example
   * const { files } = await client.generate({ prompt: 'a paper boat', aspect_ratio: '21:9' }, { out: 'art' });
   */
  async generate(params: GenerateParams, options: GenerateOptions = {}): Promise<GenerateResult> {
    const { resolved, localImage } = await prepare(params);
    const outcome = await runPipeline({
      client: this.#api,
      params: resolved,
      localImage,
      sync: false,
      outDir: options.out ?? '.',
      intervalMs: options.intervalMs ?? 1000,
      deadline: Date.now() + (options.timeoutMs ?? 600_000),
      retries: this.#retries,
      signal: options.signal,
      metadata: options.metadata,
      events: {
        submitted: (id) => options.onSubmitted?.(id),
        status: (status, id) => options.onStatus?.(status, id),
      },
    });
    return {
      requestId: outcome.requestId,
      files: outcome.files,
      seed: outcome.seed,
      params: outcome.params as ResolvedParams,
      metrics: outcome.metrics,
      warnings: outcome.warnings,
    };
  }

  /**
   * Queues a job and returns at once (a local `image` is uploaded first). Every successful
   * submit is a new billed job.
   *
   * @example
   * const job = await client.submit({ prompt: 'a fox' });
   * console.log(job.requestId);
   */
  async submit(params: GenerateParams, options: { signal?: AbortSignal } = {}): Promise<Job> {
    const { resolved, localImage } = await prepare(params);
    if (localImage) {
      const data = await readFile(localImage);
      resolved.image = await this.#api.upload(data, sniffImage(data)?.mime ?? 'application/octet-stream', {
        signal: options.signal,
      });
    }
    const job = await this.#api.submit(resolved, { signal: options.signal });
    return new QueuedJob(this.#api, this.#retries, job, resolved as ResolvedParams);
  }

  /**
   * A job submitted earlier (by this program, another one, or the CLI), by its request id.
   * Segmind keeps results for one hour.
   *
   * @example
   * const result = await client.job('47411f110c6fa4fe05dcb9ffed2c1962').wait();
   */
  job(requestId: string): Job {
    if (!/^[\w.-]{4,128}$/.test(requestId))
      throw new UsageError(`${JSON.stringify(requestId)} does not look like a request id.`);
    return new QueuedJob(this.#api, this.#retries, this.#api.jobFor(requestId));
  }

  /**
   * The account's credit balance.
   *
   * @example
   * const { credits } = await client.credits();
   */
  credits(options: { signal?: AbortSignal } = {}): Promise<{ credits?: number; freeCredits?: number }> {
    return this.#api.credits(options);
  }

  /**
   * Closes the client's keep-alive connections (a script exits without it too, a moment later).
   *
   * @example
   * await client.close();
   */
  close(): Promise<void> {
    return this.#api.close();
  }
}

class QueuedJob implements Job {
  readonly requestId: string;

  constructor(
    private readonly api: ApiClient,
    private readonly retries: number,
    private readonly job: ApiJob,
    readonly params?: ResolvedParams,
  ) {
    this.requestId = job.requestId;
  }

  status(options: { signal?: AbortSignal } = {}): Promise<JobStatus> {
    return this.api.status(this.job, options);
  }

  async wait(options: WaitOptions = {}): Promise<JobResult> {
    const result = await this.api.wait(this.job, {
      intervalMs: options.intervalMs,
      deadline: options.timeoutMs === undefined ? undefined : Date.now() + options.timeoutMs,
      signal: options.signal,
      onStatus: (status) => options.onStatus?.(status),
      // A job fetched by its id may be done already.
      pollNow: this.params === undefined,
    });
    return new CompletedJob(this.api, this.retries, this.requestId, result, this.params);
  }
}

class CompletedJob implements JobResult {
  readonly status: JobStatus;
  readonly images: readonly ImageRef[];
  readonly metrics: Metrics;

  constructor(
    private readonly api: ApiClient,
    private readonly retries: number,
    readonly requestId: string,
    private readonly result: ApiJobResult,
    private readonly params?: ResolvedParams,
  ) {
    this.status = result.status;
    this.images = result.images;
    this.metrics = result.metrics;
  }

  get urls(): string[] {
    return this.images.flatMap((i) => (i.kind === 'url' ? [i.url] : []));
  }

  async save(options: SaveOptions = {}): Promise<SavedImage[]> {
    const files = await saveResults({
      client: this.api,
      result: this.result,
      dir: options.out ?? '.',
      prompt: this.params?.prompt ?? 'segmind',
      seed: this.params?.seed ?? this.requestId.slice(0, 8),
      requestId: this.requestId,
      retries: this.retries,
      signal: options.signal,
    });
    const { cost } = this.result.metrics;
    if (this.params)
      await applyMetadata(files, options.metadata, { params: { ...this.params }, requestId: this.requestId, cost });
    return files;
  }
}

/** Validates the parameters with the schema, applies its defaults and picks a seed. */
async function prepare(params: GenerateParams): Promise<{ resolved: SchemaResolvedParams; localImage?: string }> {
  const checked = modelParamsSchema.safeParse(params);
  if (!checked.success) {
    const problems = checked.error.issues.map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return `unknown parameter ${issue.keys.map((k) => JSON.stringify(k)).join(', ')} (known: ${Object.keys(modelParamsSchema.shape).join(', ')})`;
      }
      const key = String(issue.path[0] ?? 'params');
      const value = (params as unknown as Record<string, unknown>)?.[key];
      // String(): JSON would show NaN and Infinity as null.
      const shown = typeof value === 'number' ? String(value) : JSON.stringify(value);
      return `${key} ${value === undefined ? 'is missing' : `= ${shown}`}: ${issue.message}`;
    });
    throw new UsageError(`Invalid parameters: ${problems.join('; ')}.`);
  }
  const resolved: SchemaResolvedParams = { ...checked.data, seed: checked.data.seed ?? randomSeed() };
  let localImage: string | undefined;
  if (resolved.image !== undefined && !/^https?:\/\//i.test(resolved.image)) {
    localImage = resolved.image;
    const problem = await checkLocalImage(localImage);
    if (problem) throw new UsageError(`image = ${JSON.stringify(localImage)}: ${problem}.`);
  }
  return { resolved, localImage };
}
