import { describe, expect, it } from 'vitest';
import {
  apiErrorFor,
  ConnectionError,
  DeadlineError,
  FluxKreaError,
  JobFailedError,
  MissingKeyError,
  OutputError,
  ProtocolError,
  RateLimitError,
  UsageError,
  LockBusyError,
  BrokenConfigError,
} from '../../src/errors.js';
import { parseShard } from '../../src/core/batch/shard.js';
import { presentError } from '../../src/cli/hints.js';

const FLAG_OR_COMMAND = /--[a-z]|flux-krea (result|jobs|auth)/;

describe('error values', () => {
  it('with() returns a new error of the same class and leaves the thrown one alone', () => {
    const original = new ConnectionError('Connection refused', 'ECONNREFUSED', false);
    const copy = original.with({ requestId: 'abc123', message: 'Connection refused (1 of 2 images were saved)' });
    expect(copy).toBeInstanceOf(ConnectionError);
    expect(copy).not.toBe(original);
    expect(copy).toMatchObject({
      requestId: 'abc123',
      code: 'ECONNREFUSED',
      sent: false,
      kind: 'network',
      name: 'ConnectionError',
    });
    expect(copy.message).toBe('Connection refused (1 of 2 images were saved)');
    expect(copy.stack).toBe(original.stack);
    expect(original.requestId).toBeUndefined();
    expect(original.message).toBe('Connection refused');
    expect(Object.keys(copy)).not.toContain('message');
  });

  it('apiErrorFor picks the class and keeps the facts: status, body, the server words, request id', () => {
    const e = apiErrorFor(429, { 'x-rate-limit-reset-at-utc': '2026-01-01T00:00:00Z' }, { error: 'slow down' }, 'req1');
    expect(e).toBeInstanceOf(RateLimitError);
    expect(e).toMatchObject({
      kind: 'rate-limit',
      status: 429,
      detail: 'slow down',
      requestId: 'req1',
      body: { error: 'slow down' },
    });
    expect(apiErrorFor(422, {}, '<html>x</html>').detail).toBeUndefined();
  });

  it.each([
    apiErrorFor(400, {}, {}),
    apiErrorFor(401, {}, {}),
    apiErrorFor(404, {}, {}, 'r'),
    apiErrorFor(406, {}, {}),
    apiErrorFor(422, {}, {}),
    apiErrorFor(429, {}, {}),
    apiErrorFor(503, {}, {}),
    new MissingKeyError(),
    new DeadlineError(5, 'r', false),
    new ConnectionError('x', 'ECONNRESET', true),
  ])('a library error names no flag or command: %s', (e) => {
    expect(e.message).not.toMatch(FLAG_OR_COMMAND);
    expect(e.suggestion).toBeUndefined();
  });
});

describe('an option named by its key below the CLI', () => {
  it('is printed by its flag: the message from core names none', () => {
    let thrown: unknown;
    try {
      parseShard('4/3');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect((thrown as UsageError).message).not.toMatch(FLAG_OR_COMMAND);
    expect((thrown as UsageError).option).toBe('shard');
    expect(presentError(thrown as UsageError).message).toBe(
      '--shard: "4/3" is not allowed; use i/n with 1 ≤ i ≤ n, e.g. 2/4.',
    );
  });

  it('a lock held by another run: the store says whose, the CLI says how to get past it', () => {
    const e = new LockBusyError(
      'The lock file m.lock.json is in use by another flux-krea batch (another run); nothing was sent.',
      'm.lock.json.owner',
    );
    expect(e.message).not.toMatch(FLAG_OR_COMMAND);
    expect(e.kind).toBe('state');
    expect(presentError(e).hint).toMatch(
      /its own --lock\. If no such run exists any more, delete m\.lock\.json\.owner\./,
    );
  });

  it('a broken config file: the store names the file, the CLI the command that stores a key again', () => {
    const e = new BrokenConfigError('The flux-krea config /c/config.json is not valid JSON.', '/c/config.json');
    expect(e.message).not.toMatch(/auth login/);
    expect(e.kind).toBe('state');
    expect(presentError(e).hint).toBe('Fix the file, or remove it and run `flux-krea auth login` again.');
  });

  it('uses the flag name of a model parameter, not its API name', () => {
    const e = new UsageError('"x" is not an image.', { option: 'aspect_ratio' });
    expect(presentError(e).message).toBe('--aspect: "x" is not an image.');
  });
});

describe('CLI hints from facts', () => {
  it.each<[FluxKreaError, RegExp]>([
    [new MissingKeyError(), /SEGMIND_API_KEY.*flux-krea auth login/],
    [apiErrorFor(401, {}, {}), /flux-krea auth login/],
    [apiErrorFor(404, {}, {}, 'abc'), /kept for 1 hour/],
    [apiErrorFor(404, {}, {}), /SEGMIND_BASE_URL/],
    [apiErrorFor(429, {}, {}), /--retries/],
    [apiErrorFor(504, {}, {}).with({ jobMayExist: true }), /may have been created \(and billed\)/],
    [new ProtocolError('no id', { jobMayExist: true }), /flux-krea jobs/],
    [new ConnectionError('reset', 'ECONNRESET', true).with({ requestId: 'abc' }), /flux-krea result abc/],
    [new ConnectionError('refused', 'ECONNREFUSED', false), /network connection/],
    [new OutputError('cannot write', { requestId: 'abc' }), /flux-krea result abc -o <dir>/],
    [new OutputError('cannot write'), /another directory with -o/],
    [new DeadlineError(3, undefined, true), /--sync call cannot be resumed/],
    [new JobFailedError('job-failed', 422, 'The generation failed: NSFW', {}, {}, 'abc'), /Change the prompt/],
  ])('%s → %s', (e, hint) => {
    expect(presentError(e).hint).toMatch(hint);
  });

  it('the CLI names the flag behind a deadline; the error itself does not', () => {
    const e = new DeadlineError(7, 'abc');
    expect(e.message).toBe('Still running after 7s.');
    expect(presentError(e).message).toBe('Still running after 7s (--timeout).');
  });

  it('a wrapper without advice of its own gets the advice for the error it wraps', () => {
    const inner = new ConnectionError('reset', 'ECONNRESET', true).with({ requestId: 'abc' });
    expect(
      presentError(new FluxKreaError('network', 'reset (1 of 2 images were saved)', { cause: inner })).hint,
    ).toMatch(/flux-krea result abc/);
  });

  it("an error's own suggestion (made by the CLI) wins over the derived hint", () => {
    const e = apiErrorFor(401, {}, {}).with({ suggestion: 'Try another key.' });
    expect(presentError(e).hint).toBe('Try another key.');
  });
});
