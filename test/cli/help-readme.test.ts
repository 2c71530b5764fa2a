/** What `--help` says and what the README says must agree where both state a rule. */
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { sandbox } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';
import { batchExitCode } from '../../src/commands/shared/batch-report.js';
import type { EntryResult } from '../../src/core/batch/run-entry.js';
import type { ErrorKind } from '../../src/errors.js';

const ORDER = /\((130(?: > \d+)+)\)/;

describe('batch exit code order', () => {
  it('batch --help, the README and batchExitCode give the same order of severity', async () => {
    const sb = await sandbox();
    try {
      const help = await runMain(['batch', '--help'], sb);
      const readme = await readFile(resolve(import.meta.dirname, '../../README.md'), 'utf8');
      const fromHelp = ORDER.exec(help.stdout.replace(/\s+/g, ' '))?.[1];
      const fromReadme = ORDER.exec(readme.replace(/\s+/g, ' '))?.[1];
      expect(fromHelp).toBe(fromReadme);
      // And the code: for each pair of neighbours, a batch with both failures exits with the first.
      const kinds: Record<number, ErrorKind> = {
        3: 'auth',
        4: 'credits',
        5: 'rate-limit',
        2: 'usage',
        9: 'state',
        1: 'network',
        7: 'deadline',
        6: 'job-failed',
      };
      const codes = fromReadme!.split(' > ').map(Number).slice(1);
      const failed = (kind: ErrorKind) => ({ status: 'failed', error: { kind } }) as unknown as EntryResult;
      for (let i = 0; i + 1 < codes.length; i++) {
        expect(batchExitCode([failed(kinds[codes[i + 1]!]!), failed(kinds[codes[i]!]!)])).toBe(codes[i]);
      }
    } finally {
      await sb.cleanup();
    }
  });
});
