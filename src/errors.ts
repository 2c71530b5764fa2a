/**
 * Every error flux-krea throws, in one module: immutable values that carry facts (a `kind`,
 * a message, the request id of a job that may exist, an HTTP status and the server's words),
 * never advice about flags or commands. The CLI turns the facts into a next step
 * (`src/cli/hints.ts`) and the `kind` into an exit code (`src/cli/exit-codes.ts`).
 *
 * Fields are `readonly` and set in the constructor. A layer that learns a fact later (the
 * request id of the job a download belonged to) makes a new value with `error.with({...})`
 * instead of changing the thrown one.
 *
 * @example
 * try {
 *   await client.generate({ prompt: 'a fox' });
 * } catch (e) {
 *   if (e instanceof RateLimitError) console.error('slow down', e.status, e.requestId);
 *   else if (e instanceof FluxKreaError && e.requestId) console.error('the job may still finish:', e.requestId);
 *   else throw e;
 * }
 */

import { errorText } from './api/error-text.js';

/**
 * What went wrong, coarsely: the CLI maps each kind to one exit code.
 *
 * @example
 * if (isFluxKreaError(e) && e.kind === 'rate-limit') await later();
 */
export type ErrorKind =
  | 'usage' // bad input: nothing was sent
  | 'auth' // no key, 401, 403
  | 'credits' // 402, 406
  | 'rate-limit' // 429 after retrying
  | 'job-failed' // 422 FAILED
  | 'deadline' // the overall deadline ran out while the job still ran
  | 'interrupted' // aborted (Ctrl-C, an AbortSignal)
  | 'not-found' // unknown or expired request id
  | 'network' // connection, timeouts
  | 'server' // 5xx, malformed answers
  | 'output' // cannot write files
  | 'state' // the local config, journal or lock file cannot be read or written
  | 'internal';

/**
 * Facts an error may carry besides its message. All optional.
 *
 * @example
 * new OutputError('Cannot write art/', { requestId: 'abc', cause: err });
 */
export interface ErrorFacts {
  /** The job this concerns: it may exist on the server and be fetched later. */
  requestId?: string;
  /** Images saved before the failure (paths): results even so. */
  savedFiles?: readonly string[];
  /** A submit failed after it may have reached Segmind: a job may exist, and be billed. */
  jobMayExist?: boolean;
  /**
   * The parameter or option the problem is in, by its key (`shard`, `image`): the message
   * does not name it, and the CLI puts its flag in front.
   */
  option?: string;
  /**
   * A next step for a person. Only the CLI's own errors set it; errors from the library leave
   * it unset and the CLI derives one from the facts.
   */
  suggestion?: string;
  cause?: unknown;
}

/**
 * Accepted by `error.with()`: more facts, or a message that includes them.
 *
 * @example
 * const update: ErrorUpdate = { savedFiles: ['art/a-1.png'] };
 */
export interface ErrorUpdate extends Omit<ErrorFacts, 'cause'> {
  message?: string;
}

/**
 * The base of every flux-krea error.
 *
 * @example
 * if (e instanceof FluxKreaError) console.error(e.kind, e.message, e.requestId ?? '');
 */
export class FluxKreaError extends Error {
  readonly kind: ErrorKind;
  readonly requestId?: string;
  readonly savedFiles?: readonly string[];
  readonly jobMayExist?: boolean;
  readonly option?: string;
  readonly suggestion?: string;

  constructor(kind: ErrorKind, message: string, facts: ErrorFacts = {}) {
    super(message, facts.cause === undefined ? undefined : { cause: facts.cause });
    this.name = new.target.name;
    this.kind = kind;
    this.requestId = facts.requestId;
    this.savedFiles = facts.savedFiles;
    this.jobMayExist = facts.jobMayExist;
    this.option = facts.option;
    this.suggestion = facts.suggestion;
  }

  /**
   * A copy of this error (same class, same stack) with more facts. Thrown errors are never
   * changed: whoever learns more throws the copy.
   *
   * @example
   * throw err.requestId ? err : err.with({ requestId: job.requestId });
   */
  with(update: ErrorUpdate): this {
    const copy = Object.create(Object.getPrototypeOf(this)) as this;
    Object.defineProperties(copy, Object.getOwnPropertyDescriptors(this));
    for (const [key, value] of Object.entries(update)) {
      // `message` stays non-enumerable, as Error makes it.
      Object.defineProperty(copy, key, { value, writable: true, configurable: true, enumerable: key !== 'message' });
    }
    return copy;
  }
}

/**
 * Bad input caught before anything was sent (a parameter out of range, an unreadable file).
 *
 * @example
 * await client.submit({ prompt: 'x', num_outputs: 9 }).catch((e) => e instanceof UsageError); // true
 */
export class UsageError extends FluxKreaError {
  constructor(message: string, facts: ErrorFacts = {}) {
    super('usage', message, facts);
  }
}

/**
 * A sweep makes more jobs than its cap allows (nothing was sent). The CLI says how to raise it.
 *
 * @example
 * if (e instanceof SweepTooLargeError) console.error(`${e.count} jobs, cap ${e.maxJobs}`);
 */
export class SweepTooLargeError extends UsageError {
  constructor(
    message: string,
    readonly count: number,
    readonly maxJobs: number,
  ) {
    super(message);
  }
}

/**
 * No API key: neither passed to the client nor in `SEGMIND_API_KEY`.
 *
 * @example
 * new SegmindClient({ apiKey: undefined }) // throws MissingKeyError when SEGMIND_API_KEY is unset too
 */
export class MissingKeyError extends FluxKreaError {
  constructor() {
    super('auth', 'No Segmind API key found.');
  }
}

/**
 * The overall deadline ran out; the job itself may still finish on the server.
 *
 * @example
 * catch (e) { if (e instanceof DeadlineError && e.requestId) later(e.requestId); }
 */
export class DeadlineError extends FluxKreaError {
  /** The deadline, in seconds from the start of the wait. */
  readonly seconds: number;
  /** The blocking v1 call: it has no request id to resume and may still be billed. */
  readonly sync: boolean;

  constructor(seconds: number, requestId?: string, sync = false) {
    super('deadline', `Still running after ${seconds}s.`, { requestId });
    this.seconds = seconds;
    this.sync = sync;
  }
}

/**
 * Stopped by an AbortSignal (Ctrl-C in the CLI). With a `requestId`, the job may still finish.
 *
 * @example
 * const ac = new AbortController();
 * job.wait({ signal: ac.signal }).catch((e) => e instanceof InterruptedError); // after ac.abort()
 */
export class InterruptedError extends FluxKreaError {
  constructor(requestId?: string) {
    super('interrupted', 'Interrupted.', { requestId });
  }
}

/**
 * The output directory or a file in it cannot be written.
 *
 * @example
 * catch (e) { if (e instanceof OutputError) console.error(e.message, e.cause); }
 */
export class OutputError extends FluxKreaError {
  constructor(message: string, facts: ErrorFacts = {}) {
    super('output', message, facts);
  }
}

/**
 * flux-krea's own local state (the config file, the job journal, a batch lock) is broken or
 * cannot be read or written. The message names the file; nothing was sent because of it.
 *
 * @example
 * catch (e) { if (e instanceof LocalStateError) console.error('fix or remove', e.message); }
 */
export class LocalStateError extends FluxKreaError {
  constructor(message: string, facts: ErrorFacts = {}) {
    super('state', message, facts);
  }
}

/**
 * The config file is broken (not JSON, not an object): `file` names it. Nothing was sent.
 *
 * @example
 * if (e instanceof BrokenConfigError) console.error(`fix or remove ${e.file}`);
 */
export class BrokenConfigError extends LocalStateError {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
  }
}

/**
 * A batch lock file is owned by another run (nothing was sent). `ownerFile` is the file that
 * says so, to delete when no such run exists any more.
 *
 * @example
 * if (e instanceof LockBusyError) console.error(`held; see ${e.ownerFile}`);
 */
export class LockBusyError extends LocalStateError {
  constructor(
    message: string,
    readonly ownerFile: string,
  ) {
    super(message);
  }
}

/**
 * The server answered something that cannot be used (HTML, invalid JSON, no image).
 *
 * @example
 * catch (e) { if (e instanceof ProtocolError) retryLater(e.requestId); }
 */
export class ProtocolError extends FluxKreaError {
  constructor(message: string, facts: ErrorFacts = {}) {
    super('server', message, facts);
  }
}

/**
 * What stopped a run before it paid: its own budget, the account's balance, or a job that
 * reported no cost while no price was known (spending could no longer be told).
 *
 * @example
 * if (e instanceof BudgetError && e.limit === 'balance') console.error('top up', e.left);
 */
export type BudgetLimit = 'max-cost' | 'balance' | 'unknown-cost';

/**
 * Facts of a budget stop. Credits throughout.
 *
 * @example
 * const facts: BudgetFacts = { spent: 0.04, estimate: 0.02, maxCost: 0.05, left: 0.01 };
 */
export interface BudgetFacts {
  /** Spent by this run so far. */
  spent: number;
  /** The estimated cost of the job that was not submitted (unknown before any price is known). */
  estimate?: number;
  /** The run's budget, when it had one. */
  maxCost?: number;
  /** The account's balance as last known. */
  balance?: number;
  /** What the limit that stopped the run had left for this job, after the jobs in flight. */
  left?: number;
  /** The estimated cost of the jobs still in flight (admitted, not yet reported). */
  inFlight?: number;
}

/**
 * A job was not submitted because it could exceed the run's budget or the account's balance.
 * Nothing was paid for it. Kind `credits`, like a 402.
 *
 * @example
 * catch (e) { if (e instanceof BudgetError) console.error(e.spent, 'spent; next needs', e.estimate); }
 */
export class BudgetError extends FluxKreaError {
  readonly limit: BudgetLimit;
  readonly spent: number;
  readonly estimate?: number;
  readonly maxCost?: number;
  readonly balance?: number;
  readonly left?: number;
  readonly inFlight?: number;

  /** `message`: in place of the one made from the facts (a whole batch checked before it starts). */
  constructor(limit: BudgetLimit, facts: BudgetFacts, message?: string) {
    super('credits', message ?? budgetMessage(limit, facts));
    this.limit = limit;
    this.spent = facts.spent;
    this.estimate = facts.estimate;
    this.maxCost = facts.maxCost;
    this.balance = facts.balance;
    this.left = facts.left;
    this.inFlight = facts.inFlight;
  }
}

function budgetMessage(limit: BudgetLimit, f: BudgetFacts): string {
  // Two to six decimals, as the CLI shows credits (core/money/credits.ts), without importing it.
  const c = (n: number | undefined) => {
    if (n === undefined) return 'an unknown amount';
    const [whole, decimals = ''] = (Math.round(n * 1e6) / 1e6).toFixed(6).replace(/0+$/, '').split('.');
    return `${whole}.${decimals.padEnd(2, '0')} credits`;
  };
  const flight = f.inFlight ? `, ${c(f.inFlight)} in flight` : '';
  const next =
    f.estimate === undefined ? 'the next job (price not known yet)' : `the next job (about ${c(f.estimate)})`;
  if (limit === 'unknown-cost')
    return `Segmind reported no cost for a finished job and no price is known yet, so spending against the budget of ${c(f.maxCost)} can no longer be told; stopped after spending at least ${c(f.spent)}.`;
  if (limit === 'balance')
    return `The balance cannot cover ${next}: the balance is ${c(f.balance)}${flight}, ${c(f.left)} left.`;
  return `The budget of ${c(f.maxCost)} cannot cover ${next}: ${c(f.spent)} spent${flight}, ${c(f.left)} left.`;
}

/**
 * Response headers as Node gives them.
 *
 * @example
 * const id = (e as ApiError).headers['x-request-id'];
 */
export type Headers = Record<string, string | string[] | undefined>;

/**
 * Segmind answered with an HTTP error. One subclass per meaning, picked by `apiErrorFor()`.
 *
 * @example
 * catch (e) { if (e instanceof ApiError) console.error(e.status, e.detail, e.requestId); }
 */
export class ApiError extends FluxKreaError {
  readonly status: number;
  readonly headers: Headers;
  /** The parsed JSON body, or the text of a non-JSON one. */
  readonly body: unknown;
  /** The server's own words, from the body (at most 300 characters), when it gave any. */
  readonly detail?: string;

  constructor(kind: ErrorKind, status: number, message: string, headers: Headers, body: unknown, requestId?: string) {
    super(kind, message, { requestId });
    this.status = status;
    this.headers = headers;
    this.body = body;
    this.detail = serverMessage(body);
  }
}
/**
 * 400: the request body was rejected.
 *
 * @example
 * if (e instanceof BadRequestError) console.error(e.detail);
 */
export class BadRequestError extends ApiError {}
/**
 * 401: the key is missing or invalid.
 *
 * @example
 * if (e instanceof AuthenticationError) console.error('check SEGMIND_API_KEY');
 */
export class AuthenticationError extends ApiError {}
/**
 * 403: the account may not use the model.
 *
 * @example
 * if (e instanceof PermissionDeniedError) console.error(e.detail);
 */
export class PermissionDeniedError extends ApiError {}
/**
 * 404: unknown model, or unknown or expired request id (results are kept one hour).
 *
 * @example
 * await client.job(id).wait().catch((e) => { if (e instanceof NotFoundError) return undefined; throw e; });
 */
export class NotFoundError extends ApiError {}
/**
 * 402 (v2) or 406 (v1, spend limit): not enough credits. Never retried, never billed.
 *
 * @example
 * if (e instanceof InsufficientCreditsError) console.error('top up:', e.detail);
 */
export class InsufficientCreditsError extends ApiError {}
/**
 * 410: the model is retired.
 *
 * @example
 * if (e instanceof ModelRetiredError) console.error(e.message);
 */
export class ModelRetiredError extends ApiError {}
/**
 * 422: the job ran and FAILED (a blocked prompt, a model error); not billed.
 *
 * @example
 * if (e instanceof JobFailedError) console.error(e.requestId, e.detail); // e.g. 'NSFW content detected'
 */
export class JobFailedError extends ApiError {}
/**
 * A v1 (sync) call whose model ran and failed: Segmind serves it as 500. Not worth re-running.
 *
 * @example
 * if (e instanceof ModelFailedError) console.error(e.detail);
 */
export class ModelFailedError extends ApiError {}
/**
 * 429: rate limited, after the client's retries.
 *
 * @example
 * if (e instanceof RateLimitError) console.error(e.headers['x-rate-limit-reset-at-utc']);
 */
export class RateLimitError extends ApiError {}
/**
 * 5xx or any other status.
 *
 * @example
 * if (e instanceof ServerError && e.status >= 500) retryLater();
 */
export class ServerError extends ApiError {}

/**
 * Network failure before any HTTP answer. `sent` tells whether the request may have reached
 * the server.
 *
 * @example
 * catch (e) { if (e instanceof ConnectionError) console.error(e.code, e.sent); }
 */
export class ConnectionError extends FluxKreaError {
  /** The system error code, e.g. `ECONNREFUSED`. */
  readonly code?: string;
  readonly sent: boolean;
  constructor(message: string, code: string | undefined, sent: boolean, cause?: unknown) {
    super('network', message, { cause });
    this.code = code;
    this.sent = sent;
  }
}

/**
 * A single request took too long (connect, headers or a silent body).
 *
 * @example
 * new SegmindClient({ requestTimeoutMs: 10_000 }); // a RequestTimeoutError after 10 s of silence
 */
export class RequestTimeoutError extends ConnectionError {}

/**
 * True for any error flux-krea throws.
 *
 * @example
 * catch (e) { if (isFluxKreaError(e)) console.error(e.kind); else throw e; }
 */
export function isFluxKreaError(e: unknown): e is FluxKreaError {
  return e instanceof FluxKreaError;
}

/** The server's own message: the most specific text under any known key (see api/error-text.ts). */
export function serverMessage(body: unknown): string | undefined {
  return errorText(body);
}

/**
 * The error for an HTTP error answer: one class per status meaning. `api` tells v1 from v2
 * where a status means different things (a v1 500 is the model failing).
 */
export function apiErrorFor(
  status: number,
  headers: Headers,
  body: unknown,
  requestId?: string,
  api?: 'v1' | 'v2',
): ApiError {
  const detail = serverMessage(body);
  const say = (fallback: string) => (detail ? `${fallback}: ${detail}` : fallback);
  switch (status) {
    case 400:
      return new BadRequestError('usage', status, say('Segmind rejected the request (400)'), headers, body, requestId);
    case 401:
      return new AuthenticationError('auth', status, say('The API key was rejected (401)'), headers, body, requestId);
    case 403:
      return new PermissionDeniedError(
        'auth',
        status,
        say('This account may not use flux-krea-dev (403)'),
        headers,
        body,
        requestId,
      );
    case 404:
      return new NotFoundError('not-found', status, say('Not found (404)'), headers, body, requestId);
    case 402: // v2's "not enough credits" (observed)
    case 406: // v1's, and a team spend limit
      return new InsufficientCreditsError(
        'credits',
        status,
        say(`Not enough credits (${status})`),
        headers,
        body,
        requestId,
      );
    case 410:
      return new ModelRetiredError('server', status, say('The model is retired (410)'), headers, body, requestId);
    case 422:
      return new JobFailedError('job-failed', status, say('The generation failed'), headers, body, requestId);
    case 429:
      return new RateLimitError('rate-limit', status, say('Rate limited by Segmind (429)'), headers, body, requestId);
    case 500:
      if (api === 'v1')
        return new ModelFailedError('job-failed', status, say('The model failed (500)'), headers, body, requestId);
      return new ServerError('server', status, say(`Segmind answered HTTP ${status}`), headers, body, requestId);
    default:
      return new ServerError('server', status, say(`Segmind answered HTTP ${status}`), headers, body, requestId);
  }
}
