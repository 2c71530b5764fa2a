// Public types of the Segmind emulator. The contract it plays is docs/segmind-contract.md;
// every "unknown" there becomes a switch here so the client can be tested against each
// plausible answer.

/** How a v2 result (`GET /v2/requests/<id>`) carries the images. */
export type V2ResultShape = 'images' | 'output-string' | 'output-array' | 'output-json-string' | 'base64' | 'data-uri';

/** How a v1 (sync) answer carries the images. */
export type V1Shape = 'bytes' | 'json-base64' | 'json-urls';

/** Which key the upload route answers with. */
export type UploadShape = 'file_urls' | 'urls';

/** How the upload answer is labelled: upstream sends JSON that may be labelled text/plain. */
export type UploadContentType = 'json' | 'text';

/** The key an error body carries its detail under (docs/segmind-contract.md, "Errors"). */
export type ErrorKey = 'error' | 'message' | 'detail' | 'html-message' | 'error_description' | 'error_message';

/** How `x-rate-limit-reset-at-utc` is written: its real format is unknown. */
export type ResetFormat = 'iso' | 'iso-space' | 'iso-no-zone' | 'epoch-s' | 'epoch-ms';

/** When v2 checks the body: observed upstream, after queueing (200, then 422 FAILED on the first poll). */
export type Validation = 'after-queue' | 'before';

/** Which header(s) a 429 carries. */
export type RateLimitHeader = 'retry-after' | 'reset-at' | 'both' | 'none';

export interface RateLimitConfig {
  perMinute: number;
  header: RateLimitHeader;
  /** Which requests count and may be refused: only model submits, or every API route (polls too). */
  routes?: 'submits' | 'all';
  resetFormat?: ResetFormat;
}

export interface EmulatorConfig {
  apiKeys: string[];
  credits: number;
  costPerImage: number;
  /**
   * The price per image of the 1st, 2nd, ... billed job, the last repeating; overrides
   * costPerImage (a price that jumps mid-run).
   */
  priceSteps: number[] | undefined;
  /** false: results report no cost and no balance (v2 metrics without them, v1 without x-cost / x-remaining-credits). */
  reportCost: boolean;
  /** false: the account has no balance record, and get-user-credits answers 404 (observed upstream). */
  creditsRecord: boolean;
  /** 403 on the model routes: the account may not use this model. */
  forbidden: boolean;
  /** 410 on the model routes: the model was retired (an extension; the contract lists 410). */
  retired: boolean;
  /** 'polls' is deterministic (no clocks); 'time' uses wall-clock delays for demos and benchmarks. */
  progress: 'polls' | 'time';
  queuedPolls: number;
  processingPolls: number;
  queuedMs: number;
  processingMs: number;
  v2ResultShape: V2ResultShape;
  v1Shape: V1Shape;
  /** When set, PROCESSING is reported under this name (clients must treat it as running). */
  unknownStatus: string | undefined;
  uploadShape: UploadShape;
  uploadContentType: UploadContentType;
  /** The key of error details in the API's JSON error bodies. */
  errorKey: ErrorKey;
  validation: Validation;
  /** Submit answers without `status_url` (clients must build /v2/requests/<id>/status, not poll `poll_url`). */
  omitStatusUrl: boolean;
  /** Extra bytes inside each served image file (valid container padding, streamed). */
  imagePadBytes: number;
  rateLimit: RateLimitConfig | undefined;
  retentionMs: number;
  /** Clock used for retention, rate limits, time-mode progress and log times (tests may fake it). */
  now: () => number;
}

export type FaultRoute = 'submit' | 'submit-v1' | 'status' | 'result' | 'image' | 'upload' | 'credits' | 'any';

export type FaultKind =
  | { type: 'status'; status: number; body?: string; contentType?: string; headers?: Record<string, string> }
  | { type: 'reset' }
  | { type: 'reset-mid-body' }
  | { type: 'stall'; ms?: number }
  | { type: 'truncate' }
  | { type: 'corrupt' }
  | { type: 'invalid-json' }
  | { type: 'huge'; bytes: number }
  | { type: 'no-image' }
  | { type: 'after-create'; status: number };

export interface FaultSpec {
  route: FaultRoute;
  /** How many matching requests it applies to (default 1). */
  times?: number;
  kind: FaultKind;
}

export interface LoggedRequest {
  server: 'api' | 'images';
  method: string;
  /** Path with query string, as sent. */
  path: string;
  /** Lowercased names; x-api-key is kept verbatim so tests can assert it was (not) sent. */
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON when the body is JSON and at most 64 KB, else the raw text cut at 64 KB; undefined when empty. */
  body: unknown;
  time: number;
  /** Status code sent, 0 while pending or when no answer was given (reset, stall). */
  status: number;
  /** Which TCP connection carried it (numbered from 1 in the order they were first used). */
  connection: number;
}

export type JobStatus = 'QUEUED' | 'PROCESSING' | 'COMPLETED' | 'FAILED';

export interface JobInfo {
  id: string;
  api: 'v1' | 'v2';
  /** The parameters as resolved (defaults applied, megapixels normalised to a string). */
  params: Record<string, unknown>;
  /** Current state, computed without counting a poll. */
  status: JobStatus;
  polls: number;
  /** Images after the safety checker; empty for FAILED jobs. */
  imageUrls: string[];
  requested: number;
  width: number;
  height: number;
  seed: number;
  cost: number;
  error: string | undefined;
  createdAt: number;
  expired: boolean;
}

export interface Emulator {
  url: string;
  uploadUrl: string;
  imageHost: string;
  apiKey: string;
  log: LoggedRequest[];
  submits(): number;
  maxConcurrentJobs(): number;
  configure(patch: Partial<EmulatorConfig>): void;
  fault(f: FaultSpec): void;
  job(id: string): JobInfo | undefined;
  expire(id: string): void;
  close(): Promise<void>;
}

export const DEFAULT_API_KEY = 'SG_0123456789abcdef';

export function defaultConfig(): EmulatorConfig {
  return {
    apiKeys: [DEFAULT_API_KEY],
    credits: 100,
    costPerImage: 0.01,
    priceSteps: undefined,
    reportCost: true,
    creditsRecord: true,
    forbidden: false,
    retired: false,
    progress: 'polls',
    queuedPolls: 1,
    processingPolls: 1,
    queuedMs: 100,
    processingMs: 400,
    v2ResultShape: 'images',
    v1Shape: 'bytes',
    unknownStatus: undefined,
    uploadShape: 'file_urls',
    uploadContentType: 'text',
    errorKey: 'error',
    validation: 'after-queue',
    omitStatusUrl: false,
    imagePadBytes: 0,
    rateLimit: undefined,
    retentionMs: 3_600_000,
    now: () => Date.now(),
  };
}
