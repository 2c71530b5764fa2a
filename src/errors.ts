/**
 * One error hierarchy for the library and the CLI. Every error carries a `kind` (which the CLI
 * maps to an exit code in one place), a message, and a `suggestion`: the next step for the user.
 * Errors that concern a job that may exist on the server carry its `requestId` so that it is
 * never lost.
 */
export type ErrorKind =
  | 'usage'        // bad flag, bad input file: nothing was sent
  | 'auth'         // no key, 401, 403
  | 'credits'      // 406
  | 'rate-limit'   // 429 after retrying
  | 'job-failed'   // 422 FAILED
  | 'deadline'     // --timeout ran out while the job still ran
  | 'interrupted'  // Ctrl-C
  | 'not-found'    // unknown or expired request id
  | 'network'      // connection, timeouts
  | 'server'       // 5xx, malformed answers
  | 'output'       // cannot write files
  | 'internal';

export interface ErrorDetails {
  suggestion?: string;
  requestId?: string;
  cause?: unknown;
}

export class FluxKreaError extends Error {
  readonly kind: ErrorKind;
  suggestion?: string;
  requestId?: string;
  /** Images that were saved before the failure: still results, printed on stdout. */
  savedFiles?: string[];

  constructor(kind: ErrorKind, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.kind = kind;
    this.suggestion = details.suggestion;
    this.requestId = details.requestId;
  }
}

/** Bad input caught before anything is sent. */
export class UsageError extends FluxKreaError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('usage', message, details);
  }
}

export class MissingKeyError extends FluxKreaError {
  constructor() {
    super('auth', 'No Segmind API key found.', {
      suggestion: 'Set SEGMIND_API_KEY, or run `flux-krea auth login` to store one. Get a key at https://cloud.segmind.com/console/api-keys',
    });
  }
}

/** The overall --timeout ran out; the job itself may still finish on the server. */
export class DeadlineError extends FluxKreaError {
  constructor(seconds: number, requestId?: string) {
    super('deadline', `Still running after ${seconds}s (--timeout).`, { requestId });
  }
}

export class InterruptedError extends FluxKreaError {
  constructor(requestId?: string) {
    super('interrupted', 'Interrupted.', { requestId });
  }
}

/** The output directory or a file in it cannot be written. */
export class OutputError extends FluxKreaError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('output', message, details);
  }
}

/** The server answered something we cannot use (HTML, invalid JSON, no image). */
export class ProtocolError extends FluxKreaError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('server', message, details);
  }
}

export function isFluxKreaError(e: unknown): e is FluxKreaError {
  return e instanceof FluxKreaError;
}
