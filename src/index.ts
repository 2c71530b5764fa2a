/**
 * flux-krea as a library. Everything here is public and documented; nothing else in `src/`
 * is (the CLI's internals may change in any release).
 *
 * @example
 * import { SegmindClient } from 'flux-krea';
 * const client = new SegmindClient();            // SEGMIND_API_KEY, SEGMIND_BASE_URL
 * const { files } = await client.generate({ prompt: 'a paper boat', aspect_ratio: '21:9' }, { out: 'art' });
 */
export { SegmindClient, ASPECT_RATIOS, MEGAPIXELS, OUTPUT_FORMATS, readEmbedded, readSidecar } from './library.js';
export type {
  SegmindClientOptions,
  GenerateParams,
  ResolvedParams,
  GenerateOptions,
  GenerateResult,
  WaitOptions,
  SaveOptions,
  Job,
  JobResult,
  JobStatus,
  Metrics,
  ImageRef,
  SavedImage,
  MetadataMode,
  AspectRatio,
  Megapixels,
  OutputFormat,
  Provenance,
} from './library-types.js';
export {
  FluxKreaError,
  UsageError,
  MissingKeyError,
  DeadlineError,
  InterruptedError,
  OutputError,
  ProtocolError,
  ApiError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  InsufficientCreditsError,
  ModelRetiredError,
  ModelFailedError,
  JobFailedError,
  RateLimitError,
  ServerError,
  ConnectionError,
  RequestTimeoutError,
  isFluxKreaError,
} from './errors.js';
export type { ErrorKind, ErrorFacts, ErrorUpdate, Headers } from './errors.js';
export { VERSION } from './version.js';
