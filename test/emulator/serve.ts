// CLI entry: start the emulator, print one JSON line with its URLs, run until SIGINT/SIGTERM.
// Bundled by esbuild to dist/emulator/serve.js for end-to-end tests and demos, so it uses
// only relative imports and Node built-ins.
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startEmulator, type Emulator, type EmulatorConfig, type V1Shape, type V2ResultShape } from './index.js';
import type { ErrorKey, RateLimitHeader, ResetFormat } from './types.js';

const V2_SHAPES: V2ResultShape[] = [
  'images',
  'output-string',
  'output-array',
  'output-json-string',
  'base64',
  'data-uri',
];
const ERROR_KEYS: ErrorKey[] = ['error', 'message', 'detail', 'html-message', 'error_description', 'error_message'];
const RESET_FORMATS: ResetFormat[] = ['iso', 'iso-space', 'iso-no-zone', 'epoch-s', 'epoch-ms'];
const RATE_HEADERS: RateLimitHeader[] = ['reset-at', 'retry-after', 'both', 'none'];
const V1_SHAPES: V1Shape[] = ['bytes', 'json-base64', 'json-urls'];

export const USAGE = `Usage: serve [options]
  --port <n>             API port (default 0: any free port)
  --progress <mode>      polls | time (default polls)
  --queued-ms <n>        time mode: how long a job stays QUEUED
  --processing-ms <n>    time mode: how long a job stays PROCESSING
  --queued-polls <n>     polls mode: polls answered QUEUED
  --processing-polls <n> polls mode: polls answered PROCESSING
  --v2-shape <shape>     ${V2_SHAPES.join(' | ')}
  --v1-shape <shape>     ${V1_SHAPES.join(' | ')}
  --pad-bytes <n>        extra bytes inside every served image
  --unknown-status <s>   report PROCESSING under this name
  --upload-shape <s>     file_urls | urls
  --upload-content-type <t>  text (default: JSON labelled text/plain, as upstream may) | json
  --credits <n>          starting credit balance (out of credits: 402 on v2, 406 on v1)
  --cost-per-image <n>   price of one image, charged against the balance (default 0.01)
  --price-steps <a,b,..> price per image of the 1st, 2nd, ... billed job, the last repeating
  --no-cost              results report no cost and no balance
  --no-credits-record    get-user-credits answers 404 (an account without a balance record)
  --api-key <key>        the valid API key
  --error-key <key>      ${ERROR_KEYS.join(' | ')}: where error bodies put their detail
  --validation <mode>    after-queue (default: 200, then 422 FAILED on the first poll) | before (400)
  --no-status-url        submit answers without status_url (only poll_url, the legacy output route)
  --rate-limit <n>       requests a minute before 429
  --rate-limit-routes <r>  submits (default) | all (polls, results, credits, uploads too)
  --rate-limit-header <h>  ${RATE_HEADERS.join(' | ')} (default reset-at: x-rate-limit-reset-at-utc only)
  --reset-format <f>     ${RESET_FORMATS.join(' | ')}`;

function integer(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got "${value}"`);
  return n;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new Error(`--${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}

export interface ServeOptions {
  port: number;
  config: Partial<EmulatorConfig>;
}

export function parseServeArgs(argv: string[]): ServeOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: 'string' },
      progress: { type: 'string' },
      'queued-ms': { type: 'string' },
      'processing-ms': { type: 'string' },
      'queued-polls': { type: 'string' },
      'processing-polls': { type: 'string' },
      'v2-shape': { type: 'string' },
      'v1-shape': { type: 'string' },
      'pad-bytes': { type: 'string' },
      'unknown-status': { type: 'string' },
      'upload-shape': { type: 'string' },
      credits: { type: 'string' },
      'api-key': { type: 'string' },
      'upload-content-type': { type: 'string' },
      'cost-per-image': { type: 'string' },
      'price-steps': { type: 'string' },
      'no-cost': { type: 'boolean' },
      'no-credits-record': { type: 'boolean' },
      'error-key': { type: 'string' },
      validation: { type: 'string' },
      'no-status-url': { type: 'boolean' },
      'rate-limit': { type: 'string' },
      'rate-limit-routes': { type: 'string' },
      'rate-limit-header': { type: 'string' },
      'reset-format': { type: 'string' },
    },
  });
  const config: Partial<EmulatorConfig> = {};
  if (values.progress !== undefined) config.progress = oneOf('progress', values.progress, ['polls', 'time'] as const);
  if (values['queued-ms'] !== undefined) config.queuedMs = integer('queued-ms', values['queued-ms']);
  if (values['processing-ms'] !== undefined) config.processingMs = integer('processing-ms', values['processing-ms']);
  if (values['queued-polls'] !== undefined) config.queuedPolls = integer('queued-polls', values['queued-polls']);
  if (values['processing-polls'] !== undefined) {
    config.processingPolls = integer('processing-polls', values['processing-polls']);
  }
  if (values['v2-shape'] !== undefined) config.v2ResultShape = oneOf('v2-shape', values['v2-shape'], V2_SHAPES);
  if (values['v1-shape'] !== undefined) config.v1Shape = oneOf('v1-shape', values['v1-shape'], V1_SHAPES);
  if (values['pad-bytes'] !== undefined) config.imagePadBytes = integer('pad-bytes', values['pad-bytes']);
  if (values['unknown-status'] !== undefined) config.unknownStatus = values['unknown-status'];
  if (values['upload-shape'] !== undefined) {
    config.uploadShape = oneOf('upload-shape', values['upload-shape'], ['file_urls', 'urls'] as const);
  }
  if (values.credits !== undefined) {
    const credits = Number(values.credits);
    if (!Number.isFinite(credits)) throw new Error(`--credits must be a number, got "${values.credits}"`);
    config.credits = credits;
  }
  if (values['api-key'] !== undefined) config.apiKeys = [values['api-key']];
  if (values['upload-content-type'] !== undefined) {
    config.uploadContentType = oneOf('upload-content-type', values['upload-content-type'], ['json', 'text'] as const);
  }
  if (values['cost-per-image'] !== undefined) {
    const cost = Number(values['cost-per-image']);
    if (!Number.isFinite(cost) || cost < 0)
      throw new Error(`--cost-per-image must be a non-negative number, got "${values['cost-per-image']}"`);
    config.costPerImage = cost;
  }
  if (values['price-steps'] !== undefined) {
    const steps = values['price-steps'].split(',').map(Number);
    if (!steps.every((n) => Number.isFinite(n) && n >= 0))
      throw new Error(`--price-steps must be non-negative numbers separated by commas, got "${values['price-steps']}"`);
    config.priceSteps = steps;
  }
  if (values['no-cost']) config.reportCost = false;
  if (values['no-credits-record']) config.creditsRecord = false;
  if (values['error-key'] !== undefined) config.errorKey = oneOf('error-key', values['error-key'], ERROR_KEYS);
  if (values.validation !== undefined)
    config.validation = oneOf('validation', values.validation, ['after-queue', 'before'] as const);
  if (values['no-status-url']) config.omitStatusUrl = true;
  const header =
    values['rate-limit-header'] === undefined
      ? 'reset-at'
      : oneOf('rate-limit-header', values['rate-limit-header'], RATE_HEADERS);
  const routes =
    values['rate-limit-routes'] === undefined
      ? 'submits'
      : oneOf('rate-limit-routes', values['rate-limit-routes'], ['submits', 'all'] as const);
  const resetFormat =
    values['reset-format'] === undefined ? 'iso' : oneOf('reset-format', values['reset-format'], RESET_FORMATS);
  if (values['rate-limit'] !== undefined)
    config.rateLimit = { perMinute: integer('rate-limit', values['rate-limit']), header, routes, resetFormat };
  return { port: values.port === undefined ? 0 : integer('port', values.port), config };
}

/** Start from CLI arguments; resolves with the running emulator (stopped by a signal). */
export async function main(argv: string[] = process.argv.slice(2)): Promise<Emulator> {
  const { port, config } = parseServeArgs(argv);
  const emulator = await startEmulator(config, { port });
  const { url, uploadUrl, imageHost, apiKey } = emulator;
  process.stdout.write(`${JSON.stringify({ url, uploadUrl, imageHost, apiKey })}\n`);
  const close = emulator.close;
  const stop = (): void => void emulator.close();
  // Closing by hand (a test that imported main) also drops the signal handlers.
  emulator.close = async () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await close();
  };
  // Once both servers are closed nothing keeps the loop alive: Node exits with 0.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return emulator;
}

/** True when this module is the process entry (node dist/emulator/serve.js), not an import. */
function isEntry(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isEntry()) {
  main().catch((error: unknown) => {
    process.stderr.write(`emulator: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    process.exitCode = 2;
  });
}
