/** Exit codes: the one place where error kinds become numbers. Documented in the README and --help. */
import type { ErrorKind } from '../../errors.js';

export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  auth: 3,
  credits: 4,
  rateLimit: 5,
  jobFailed: 6,
  deadline: 7,
  state: 9,
  interrupted: 130,
} as const;

const BY_KIND: Record<ErrorKind, number> = {
  usage: EXIT.usage,
  auth: EXIT.auth,
  credits: EXIT.credits,
  'rate-limit': EXIT.rateLimit,
  'job-failed': EXIT.jobFailed,
  deadline: EXIT.deadline,
  interrupted: EXIT.interrupted,
  'not-found': EXIT.error,
  network: EXIT.error,
  server: EXIT.error,
  output: EXIT.error,
  state: EXIT.state,
  internal: EXIT.error,
};

export function exitCodeFor(kind: ErrorKind): number {
  return BY_KIND[kind];
}

export const EXIT_CODE_HELP = `Exit codes:
  0    done
  1    unexpected, network or server error, or output that cannot be written
  2    usage or validation error (nothing was sent)
  3    auth: no key, key rejected (401), model not allowed (403)
  4    not enough credits (402 on v2, 406 on v1, a team spend limit), or --max-cost or
       the balance stopped the run before it paid
  5    rate limited even after retrying (429)
  6    the generation FAILED (422, or 500 from --sync); the server's detail is shown
  7    still running when --timeout ran out (the request id is shown)
  9    flux-krea's own state is in the way (a broken config file, a batch lock in use); the message names the file
  130  interrupted (Ctrl-C); the request id and resume command are shown
       (128 + the signal's number for others: 129 SIGHUP, 131 SIGQUIT, 143 SIGTERM)`;
