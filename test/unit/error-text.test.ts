/** The most specific error text, whatever key it is under (src/api/error-text.ts). */
import { describe, expect, it } from 'vitest';
import { errorText } from '../../src/api/error-text.js';
import { apiErrorFor } from '../../src/api/errors.js';

describe('errorText', () => {
  it.each([
    [{ error: 'Insufficient credits. You have 0.0 credits.' }, 'Insufficient credits. You have 0.0 credits.'],
    [{ message: 'Model not found' }, 'Model not found'],
    [{ detail: 'Bad things' }, 'Bad things'],
    [{ 'html-message': '<p>Your team <b>spend limit</b> is reached</p>' }, 'Your team spend limit is reached'],
    [
      { error: 'invalid_token', error_description: 'The access token expired', status_code: 401 },
      'The access token expired',
    ],
    [{ error_message: { message: 'Workflow node 3 failed', code: 500 } }, 'Workflow node 3 failed'],
    [{ error: { message: 'nested reason' } }, 'nested reason'],
    [{ error: 'invalid_token' }, 'invalid_token'],
    ['Not Acceptable: send Content-Type: application/json', 'Not Acceptable: send Content-Type: application/json'],
    ['<!DOCTYPE html><html><body>405</body></html>', undefined],
    ['<?xml version="1.0"?><Error/>', undefined],
    [{ error: 'red \u001b[31malert\u001b[0m' }, 'red alert'],
    [{ status: 'FAILED' }, undefined],
    [undefined, undefined],
  ])('%j → %j', (body, expected) => {
    expect(errorText(body)).toBe(expected);
  });

  it('is bounded: long text is cut, deep nesting is not walked', () => {
    expect(errorText({ error: 'x'.repeat(1000) })!.length).toBeLessThanOrEqual(301);
    let deep: unknown = { message: 'too deep' };
    for (let i = 0; i < 10_000; i++) deep = { error: deep };
    expect(errorText(deep)).toBeUndefined();
  });
});

describe('apiErrorFor (the statuses whose meaning the real service fixed)', () => {
  it.each([
    [402, 'v2', 'credits'],
    [406, 'v1', 'credits'],
    [500, 'v1', 'job-failed'],
    [500, 'v2', 'server'],
    [422, 'v2', 'job-failed'],
  ] as const)('%i on %s is %s', (status, api, kind) => {
    expect(apiErrorFor(status, {}, { error: 'x y' }, undefined, api).kind).toBe(kind);
  });
});
