/**
 * What every command shares: the UI, the interrupt signal, the client built from the
 * environment and the key, the journal.
 */
import { SegmindClient } from '../../api/client.js';
import { resolveEndpoints } from '../../api/endpoints.js';
import { FluxKreaError, MissingKeyError } from '../../errors.js';
import { findApiKey } from '../../store/store.js';
import { Journal } from '../../store/journal.js';
import { stateDir } from '../../util/paths.js';
import type { Ui } from '../../cli/ui.js';
import type { Output } from '../../cli/output.js';
import { formatRetry } from './status-reporter.js';
import { formatJson } from './json-document.js';

export interface Context {
  ui: Ui;
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  stdout: Output;
  /** Where people read: the Ui writes here, and so do prompts and commander's usage errors. */
  stderr: Output;
  /**
   * Hands the command's exit code to main(), which returns it (commander drops what an action
   * returns). Absent where the command tree is only built, never run (completion scripts).
   */
  done?(code: number): void;
}

export interface ClientSettings {
  retries: number;
  requestTimeoutSeconds: number;
}

export function endpoints(env: NodeJS.ProcessEnv): { baseUrl: string; uploadUrl: string } {
  return resolveEndpoints({ baseUrl: env.SEGMIND_BASE_URL, uploadUrl: env.SEGMIND_UPLOAD_URL });
}

let prepared = false;

/**
 * Called before the CLI's first request, which loads undici (src/api/undici.ts); once per process.
 *
 * V8 is limited to its baseline WebAssembly compiler (issue 18): undici parses HTTP with a
 * WebAssembly build of llhttp, which V8 otherwise re-optimises on background threads. That costs
 * about 35 MB of peak memory and 40 ms of CPU per run, and a --sync run waited for it at exit, to
 * speed up a parser that reads a few kB of headers per request. V8 is also asked to favour memory
 * over speed (--optimize-for-size): a 300-entry batch peaked 22-25 MB lower, for no CPU
 * measurable per entry. And a young collection runs after every 8 MB of downloads
 * (download-gc.ts), so that a big image's spent socket reads do not pile up.
 *
 * Here, not at start-up: once a V8 flag changes, V8 rejects its code caches (Node's built-in
 * modules, and on Node 22+ the compile cache), so everything compiled after it compiles from
 * source; set in the entry it cost every `--help` and dry run 6-8 ms. Here, not in the library:
 * V8 flags and garbage collection belong to the process, which a library does not own. Both
 * modules load with import(), so that a dry run loads neither node:v8 nor node:vm.
 */
export async function beforeFirstRequest(): Promise<void> {
  if (prepared) return;
  prepared = true;
  (await import('node:v8')).setFlagsFromString('--liftoff-only --optimize-for-size');
  (await import('./download-gc.js')).collectAsDownloadsGrow();
}

export async function makeClient(ctx: Context, s: ClientSettings): Promise<SegmindClient> {
  const { baseUrl, uploadUrl } = endpoints(ctx.env);
  const found = await findApiKey(ctx.env);
  if (!found) throw new MissingKeyError();
  // A key is sent in a header: a stray newline or non-ASCII character cannot be, and would
  // otherwise surface as a confusing network error.
  if (!/^[\x21-\x7e]+$/.test(found.key)) {
    throw new FluxKreaError(
      'auth',
      `The API key from ${found.source === 'env' ? 'SEGMIND_API_KEY' : (found.path ?? 'the config')} has spaces or characters that cannot be sent.`,
      {
        suggestion: 'Copy the key again (SG_ followed by letters and digits), or run `flux-krea auth login`.',
      },
    );
  }
  await beforeFirstRequest();
  return new SegmindClient({
    apiKey: found.key,
    baseUrl,
    uploadUrl,
    retries: s.retries,
    requestTimeoutMs: s.requestTimeoutSeconds * 1000,
    connectTimeoutMs: Math.min(15_000, s.requestTimeoutSeconds * 1000),
    onExchange: ctx.ui.verbose
      ? (e) => {
          ctx.ui.debug(
            `> ${e.method} ${e.url} ${JSON.stringify(e.requestHeaders)}${e.requestBody ? ` ${e.requestBody.slice(0, 2000)}` : ''}`,
          );
          ctx.ui.debug(
            e.error
              ? `< ${e.error} (${e.ms} ms)`
              : `< ${e.status} (${e.ms} ms) ${JSON.stringify(e.responseHeaders)} ${e.responseBody ?? ''}`,
          );
        }
      : undefined,
    onRetry: (r) => ctx.ui.warn(formatRetry(r)),
  });
}

export function openJournal(ctx: Context): Journal {
  return new Journal(stateDir(ctx.env), (m) => ctx.ui.warn(m));
}

/** A `--json` result document: schema_version first (json-document.ts). */
export function printJson(ctx: Context, value: Record<string, unknown>): void {
  ctx.stdout.write(formatJson(value));
}

export function resumeHint(requestId: string, outDir?: string): string {
  const out = outDir && outDir !== '.' ? ` -o ${shellQuote(outDir)}` : '';
  return `flux-krea result ${requestId}${out}`;
}

export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
