/**
 * The library's public types, in plain TypeScript: the published declarations need neither
 * zod nor undici. test/unit/library-types.test.ts fails the typecheck when they drift from the
 * schema (src/params/schema.ts) or from the internal types they stand for.
 */
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
  /** sha256 (hex) of the file as written, hashed while it was saved. */
  sha256?: string;
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
  /** What the job cost in credits, when Segmind said (for the whole job, not this image). */
  cost?: number;
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
