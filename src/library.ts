/**
 * flux-krea as a library: the facade a Node script uses. It sits above the core, beside the
 * CLI (cli/library → core → api / output), and runs each job through the same pipeline as the
 * CLI (core/generate.ts). Its public types are plain TypeScript so that the published
 * declarations need neither zod nor undici; test/unit/library-types.test.ts fails the
 * typecheck when they drift from the schema.
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
import { ASPECT_RATIOS as SCHEMA_ASPECT_RATIOS, MEGAPIXELS as SCHEMA_MEGAPIXELS, OUTPUT_FORMATS as SCHEMA_OUTPUT_FORMATS, modelParamsSchema } from './params/schema.js';
import type { ResolvedParams as SchemaResolvedParams } from './params/schema.js';

/**
 * An aspect ratio the model accepts.
 *
 * @example
 * const wide: AspectRatio = '21:9';
 */
export type AspectRatio = '1:1' | '16:9' | '21:9' | '3:2' | '2:3' | '4:5' | '5:4' | '3:4' | '4:3' | '9:16' | '9:21';
/**
 * Image size in megapixels, as the API takes it: a string.
 *
 * @example
 * const small: Megapixels = '0.25';
 */
export type Megapixels = '1' | '0.25';
/**
 * The image file format.
 *
 * @example
 * const format: OutputFormat = 'png';
 */
export type OutputFormat = 'webp' | 'jpg' | 'png';

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
 * The model's parameters as you pass them: `prompt` is required, everything else has
 * Segmind's default. Checked before anything is sent (a `UsageError` names the parameter).
 *
 * @example
 * const params: GenerateParams = { prompt: 'a paper boat', aspect_ratio: '21:9', num_outputs: 1 };
 */
export interface GenerateParams {
  /** What to generate. Must not be empty. */
  prompt: string;
  /** Default `'16:9'`. */
  aspect_ratio?: AspectRatio;
  /** Default `'1'` (about 1024×1024 pixels); `'0.25'` halves each side. */
  megapixels?: Megapixels;
  /** How many images, 1–4. Default 2. The safety checker may return fewer. */
  num_outputs?: number;
  /** How closely to follow the prompt, 0–10. Default 7. */
  guidance?: number;
  /** Denoising steps, 1–50. Default 40. */
  num_inference_steps?: number;
  /** Default `'jpg'`. */
  output_format?: OutputFormat;
  /** Compression quality 0–100 (ignored for png). Default 90. */
  output_quality?: number;
  /** How much the prompt changes `image`, 0–1 (img2img only; server default 0.7). */
  prompt_strength?: number;
  /** Input image for img2img: an http(s) URL, or the path of a local PNG, JPEG or WebP file (uploaded first). */
  image?: string;
  /** Random seed (an integer). When omitted, one is picked and returned, so a run can be repeated. */
  seed?: number;
  /** Faster, not bit-for-bit deterministic. Default true. */
  go_fast?: boolean;
  /** Default false. */
  disable_safety_checker?: boolean;
}

/**
 * The parameters exactly as sent: defaults applied, the seed picked.
 *
 * @example
 * const { params } = await client.generate({ prompt: 'a fox' });
 * console.log(params.seed, params.aspect_ratio); // e.g. 1234567 '16:9'
 */
export interface ResolvedParams {
  prompt: string;
  aspect_ratio: AspectRatio;
  megapixels: Megapixels;
  num_outputs: number;
  guidance: number;
  num_inference_steps: number;
  output_format: OutputFormat;
  output_quality: number;
  prompt_strength?: number;
  image?: string;
  seed: number;
  go_fast: boolean;
  disable_safety_checker: boolean;
}

/**
 * A job's state. Anything but COMPLETED and FAILED means "still running".
 *
 * @example
 * const done = (s: JobStatus) => s === 'COMPLETED';
 */
export type JobStatus = 'QUEUED' | 'PROCESSING' | 'COMPLETED' | 'FAILED' | (string & {});

/**
 * What Segmind reported about a finished job (all optional: the service may omit any).
 *
 * @example
 * const { metrics } = await client.generate({ prompt: 'a fox' });
 * console.log(metrics.cost, metrics.remainingCredits);
 */
export interface Metrics {
  /** Seconds of inference. */
  inferenceTime?: number;
  /** Credits this job cost. */
  cost?: number;
  /** The account's balance after this job. */
  remainingCredits?: number;
  seed?: number;
  [key: string]: unknown;
}

/**
 * One image of a result: a URL on Segmind's image host (kept 7 days), or the bytes themselves.
 *
 * @example
 * for (const image of result.images) if (image.kind === 'url') console.log(image.url);
 */
export type ImageRef =
  | { kind: 'url'; url: string; contentType?: string; fileName?: string }
  | { kind: 'bytes'; data: Buffer; contentType?: string };

/**
 * An image written to disk.
 *
 * @example
 * const [first] = await result.save({ out: 'art' });
 * console.log(first.path, first.bytes, first.format);
 */
export interface SavedImage {
  path: string;
  bytes: number;
  /** `png`, `jpg` or `webp`, from the file's own bytes. */
  format: string;
  /** Where it was downloaded from. */
  url?: string;
}

/**
 * Provenance written beside (`sidecar`) or into (`embed`) each image; `none` by default.
 *
 * @example
 * await client.generate({ prompt: 'a fox' }, { metadata: 'embed' });
 */
export type MetadataMode = 'none' | 'sidecar' | 'embed';

/**
 * How an image was made, as flux-krea records it beside (`sidecar`) or inside (`embed`) the file.
 *
 * @example
 * const p = await readEmbedded('art/a-paper-boat-42-1.png');
 * if (p) console.log(p.prompt, p.seed, p.request_id);
 */
export interface Provenance {
  /** `flux-krea <version>`. */
  generator: string;
  model: string;
  request_id: string | null;
  /** ISO 8601. */
  created_at: string;
  prompt: string;
  seed: number | null;
  /** Every parameter as sent, prompt and seed included. */
  params: Record<string, unknown>;
  /** 1-based position of this image in its job's output. */
  image: number;
}

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
 * How a `SegmindClient` reaches Segmind. Every field is optional.
 *
 * @example
 * const client = new SegmindClient({ apiKey: 'SG_…', retries: 2 });
 */
export interface SegmindClientOptions {
  /** Default: `process.env.SEGMIND_API_KEY`. Sent only to the API and upload hosts. */
  apiKey?: string;
  /** Default: `process.env.SEGMIND_BASE_URL`, else `https://api.segmind.com`. */
  baseUrl?: string;
  /** Where local input images are uploaded. Default: `SEGMIND_UPLOAD_URL`, else beside a custom base URL, else Segmind's. */
  uploadUrl?: string;
  /** Retries of each request on network errors, 429 and 5xx (never a submit that may have created a job). Default 4. */
  retries?: number;
  /** Limit for connecting and for silence while reading one answer, in ms. Default 60 000. */
  requestTimeoutMs?: number;
}

/**
 * Options of `job.wait()`.
 *
 * @example
 * await job.wait({ timeoutMs: 120_000, onStatus: (s) => console.error(s) });
 */
export interface WaitOptions {
  /** Called with the first status and every change. */
  onStatus?: (status: JobStatus) => void;
  /** Stops waiting with `InterruptedError` (the job goes on: fetch it later with `client.job(id)`). */
  signal?: AbortSignal;
  /** Stops waiting with `DeadlineError` after this long. Default: no limit. */
  timeoutMs?: number;
  /** The base poll interval in ms (polls back off from it). Default 1000. */
  intervalMs?: number;
}

/**
 * Options of `result.save()`.
 *
 * @example
 * await result.save({ out: 'art', metadata: 'embed' });
 */
export interface SaveOptions {
  /** Directory for the images, created if missing. Default: the current directory. */
  out?: string;
  /** Provenance beside or inside each image. Default `'none'`. */
  metadata?: MetadataMode;
  signal?: AbortSignal;
}

/**
 * Options of `client.generate()`.
 *
 * @example
 * await client.generate({ prompt: 'a fox' }, { out: 'art', timeoutMs: 300_000, onStatus: (s, id) => console.error(id, s) });
 */
export interface GenerateOptions extends SaveOptions {
  /** Stops with `DeadlineError` (carrying the request id) after this long. Default 600 000 (10 minutes). */
  timeoutMs?: number;
  /** The base poll interval in ms. Default 1000. */
  intervalMs?: number;
  /** Called once the job is queued: its request id fetches it later, whatever happens here. */
  onSubmitted?: (requestId: string) => void;
  /** Called with the first status and every change. */
  onStatus?: (status: JobStatus, requestId: string) => void;
}

/**
 * What `client.generate()` made.
 *
 * @example
 * const { files, seed, requestId } = await client.generate({ prompt: 'a fox' });
 */
export interface GenerateResult {
  requestId?: string;
  /** The saved images, in the order Segmind returned them. */
  files: SavedImage[];
  seed: number;
  params: ResolvedParams;
  metrics: Metrics;
  /** Things worth knowing that are not errors, e.g. fewer images than asked for. */
  warnings: string[];
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
    if (!/^[\x21-\x7e]+$/.test(apiKey)) throw new FluxKreaError('auth', 'The API key has spaces or characters that cannot be sent.');
    const { baseUrl, uploadUrl } = resolveEndpoints({
      baseUrl: options.baseUrl ?? process.env.SEGMIND_BASE_URL,
      uploadUrl: options.uploadUrl ?? process.env.SEGMIND_UPLOAD_URL,
    });
    this.#retries = options.retries ?? 4;
    const requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
    this.#api = new ApiClient({
      apiKey, baseUrl, uploadUrl, retries: this.#retries, requestTimeoutMs, connectTimeoutMs: Math.min(15_000, requestTimeoutMs),
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
      client: this.#api, params: resolved, localImage, sync: false, outDir: options.out ?? '.',
      intervalMs: options.intervalMs ?? 1000, deadline: Date.now() + (options.timeoutMs ?? 600_000),
      retries: this.#retries, signal: options.signal, metadata: options.metadata,
      events: {
        submitted: (id) => options.onSubmitted?.(id),
        status: (status, id) => options.onStatus?.(status, id),
      },
    });
    return {
      requestId: outcome.requestId, files: outcome.files, seed: outcome.seed, params: outcome.params as ResolvedParams,
      metrics: outcome.metrics, warnings: outcome.warnings,
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
      resolved.image = await this.#api.upload(data, sniffImage(data)?.mime ?? 'application/octet-stream', { signal: options.signal });
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
    if (!/^[\w.-]{4,128}$/.test(requestId)) throw new UsageError(`${JSON.stringify(requestId)} does not look like a request id.`);
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

/**
 * A queued job. Keep its `requestId`: with it, the job can be fetched for an hour, from here
 * (`client.job(id)`) or from `flux-krea result <id>`.
 *
 * @example
 * const job = await client.submit({ prompt: 'a fox' });
 * const result = await job.wait({ onStatus: (s) => console.error(s) });
 */
export interface Job {
  readonly requestId: string;
  /** The parameters sent, when this client submitted the job. */
  readonly params?: ResolvedParams;
  /**
   * One status check. A FAILED job rejects with `JobFailedError`.
   *
   * @example
   * if ((await job.status()) === 'COMPLETED') console.log('done');
   */
  status(options?: { signal?: AbortSignal }): Promise<JobStatus>;
  /**
   * Polls until the job completes and returns its result. The images are not downloaded yet:
   * `result.save()` does that, or read `result.urls`.
   *
   * @example
   * const result = await job.wait({ onStatus: (s) => console.error(s), timeoutMs: 120_000 });
   * console.log(result.urls);
   */
  wait(options?: WaitOptions): Promise<JobResult>;
}

/**
 * A completed job: its images as URLs (or bytes), its metrics, and `save()`.
 *
 * @example
 * const result = await job.wait();
 * const files = await result.save({ out: 'art' });
 */
export interface JobResult {
  readonly requestId: string;
  readonly status: JobStatus;
  readonly images: readonly ImageRef[];
  readonly metrics: Metrics;
  /**
   * The image URLs (public, no key needed; Segmind keeps them 7 days).
   *
   * @example
   * for (const url of result.urls) console.log(url);
   */
  readonly urls: string[];
  /**
   * Downloads the images into `out` (each file written atomically) and resolves with them.
   *
   * @example
   * const files = await result.save({ out: 'art', metadata: 'sidecar' });
   */
  save(options?: SaveOptions): Promise<SavedImage[]>;
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
      client: this.api, result: this.result, dir: options.out ?? '.',
      prompt: this.params?.prompt ?? 'segmind', seed: this.params?.seed ?? this.requestId.slice(0, 8),
      requestId: this.requestId, retries: this.retries, signal: options.signal,
    });
    if (this.params) await applyMetadata(files, options.metadata, { params: { ...this.params }, requestId: this.requestId });
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
      return `${key} ${value === undefined ? 'is missing' : `= ${JSON.stringify(value)}`}: ${issue.message}`;
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
