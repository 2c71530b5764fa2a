/**
 * The CLI's advice for an error. Errors from the library carry facts only (a class, a kind,
 * a status, a request id); this is where they become a next step that names a command or a
 * flag. Called from the one top-level handler, `report()` in main.ts.
 */
import {
  ApiError,
  BrokenConfigError,
  BudgetError,
  ConnectionError,
  DeadlineError,
  FluxKreaError,
  InterruptedError,
  LockBusyError,
  MissingKeyError,
  ModelFailedError,
  OutputError,
  ProtocolError,
  SweepTooLargeError,
} from '../errors.js';
import { ALL_FIELDS, BATCH_FIELDS, SWEEP_FIELDS } from '../params/fields.js';

export interface PresentedError {
  message: string;
  hint?: string;
}

const KEY_PAGE = 'https://cloud.segmind.com/console/api-keys';

/** The message and the hint to print for an error. */
export function presentError(e: FluxKreaError): PresentedError {
  return { message: messageFor(e), hint: e.suggestion ?? hintFor(e) };
}

function messageFor(e: FluxKreaError): string {
  // The library says how long; the CLI says which flag set it.
  if (e instanceof DeadlineError) return `${e.message.replace(/\.$/, '')} (--timeout).`;
  // The layers below say which parameter or option, by its key; the CLI names the flag.
  if (e.option) return `${flagFor(e.option)}: ${e.message}`;
  return e.message;
}

function flagFor(key: string): string {
  const field = [...ALL_FIELDS, ...BATCH_FIELDS, ...SWEEP_FIELDS].find((f) => f.key === key);
  return `--${field?.flag ?? key.replace(/_/g, '-')}`;
}

function hintFor(e: FluxKreaError): string | undefined {
  const id = e.requestId;
  if (e.jobMayExist) {
    return 'The job may have been created (and billed) even so: check `flux-krea jobs` and your Segmind dashboard before submitting again.';
  }
  if (e instanceof MissingKeyError)
    return `Set SEGMIND_API_KEY, or run \`flux-krea auth login\` to store one. Get a key at ${KEY_PAGE}`;
  if (e instanceof BudgetError) return budgetHint(e);
  if (e instanceof BrokenConfigError) return 'Fix the file, or remove it and run `flux-krea auth login` again.';
  if (e instanceof LockBusyError)
    return `Wait for that run to finish and run again (finished entries are skipped for free), or give this run its own --lock. If no such run exists any more, delete ${e.ownerFile}.`;
  if (e instanceof SweepTooLargeError)
    return `Add --max-jobs ${e.count} to run all of them, or --dry-run --max-jobs ${e.count} to see every request first.`;
  if (e instanceof ModelFailedError) return 'Change the prompt or parameters and try again.';
  if (e instanceof ApiError) return apiHint(e);
  if (e instanceof DeadlineError) {
    if (e.sync)
      return 'A --sync call cannot be resumed and may still be billed; without --sync the job keeps a request id you can fetch later.';
    return id ? `The job keeps running on the server; fetch its images with \`flux-krea result ${id}\`.` : undefined;
  }
  if (e instanceof InterruptedError)
    return id ? `The job keeps running on the server; fetch its images with \`flux-krea result ${id}\`.` : undefined;
  if (e instanceof ConnectionError) {
    return id
      ? `Check the network, then fetch the images with \`flux-krea result ${id}\`.`
      : 'Check your network connection (and SEGMIND_BASE_URL if set), then try again.';
  }
  if (e instanceof OutputError) {
    return id
      ? `Free space or fix permissions, then fetch the images with \`flux-krea result ${id} -o <dir>\`.`
      : 'Free space or fix permissions, or choose another directory with -o.';
  }
  if (e instanceof ProtocolError) {
    return id
      ? `Try \`flux-krea result ${id}\` in a moment; if it keeps failing, generate again.`
      : 'Try again; if it persists, run with --verbose and report it.';
  }
  // An error that wraps another (e.g. a partial save around the download that failed) gets
  // the advice for the failure it carries.
  if (e.cause instanceof FluxKreaError) return e.cause.suggestion ?? hintFor(e.cause);
  return undefined;
}

const TOP_UP = 'https://cloud.segmind.com/console/billing';

function budgetHint(e: BudgetError): string {
  if (e.limit === 'balance') return `Nothing more was submitted. Top up at ${TOP_UP}, then run the same command again.`;
  if (e.limit === 'unknown-cost')
    return 'Segmind did not say what the job cost, so no budget can be kept; run without --max-cost only if an unknown spend is acceptable.';
  return 'Nothing more was submitted. Raise --max-cost, or run without it.';
}

function apiHint(e: ApiError): string | undefined {
  switch (e.status) {
    case 400:
      return 'Check the parameters; `--dry-run` shows exactly what is sent.';
    case 401:
      return 'Check SEGMIND_API_KEY, or store a valid key with `flux-krea auth login`.';
    case 402:
    case 406:
      return `Top up at ${TOP_UP} or check your team spend limit.`;
    case 403:
      return 'Check the model access of your Segmind account.';
    case 404:
      return e.requestId
        ? 'Results are kept for 1 hour; after that the job cannot be fetched.'
        : 'Check SEGMIND_BASE_URL.';
    case 422:
      return 'Change the prompt or parameters and try again; a blocked prompt will keep failing.';
    case 429:
      return 'Wait a minute and try again, or raise --retries; the free plan allows 5 requests a minute.';
    default:
      return e.status >= 500 ? 'This is on the server side; try again in a moment.' : undefined;
  }
}
