/**
 * flux-krea as a library: the Segmind client and the pieces the CLI is built from.
 *
 *   import { SegmindClient } from 'flux-krea';
 *   const client = new SegmindClient({ apiKey: process.env.SEGMIND_API_KEY });
 *   const job = await client.submit({ prompt: 'a red fox', ...defaults, seed: 1 });
 *   const result = await client.wait(job);
 */
export { SegmindClient, MODEL, DEFAULT_BASE_URL, DEFAULT_UPLOAD_URL } from './api/client.js';
export type { Job, JobResult, JobStatus, Metrics, ClientOptions, WaitOptions } from './api/client.js';
export { extractImages, sniffImage, type ImageRef } from './api/extract.js';
export * from './api/errors.js';
export { isRetryable, retryDelay, serverRequestedDelay, pollDelay } from './api/retry-policy.js';
export * from './errors.js';
export { modelParamsSchema, ASPECT_RATIOS, MEGAPIXELS, OUTPUT_FORMATS, type ModelParams, type ResolvedParams } from './params/schema.js';
export { runOptionsSchema, type RunOptions } from './params/run-options.js';
export { generate, type GenerateRequest, type GenerateOutcome } from './core/generate.js';
export { saveImage, type SavedImage } from './output/download.js';
export { Journal, type JournalEntry } from './store/journal.js';
export { VERSION } from './version.js';
