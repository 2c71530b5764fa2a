/**
 * What the bin shim and the CLI bundle promise at start-up and exit, as a user sees it: a bare
 * `--version` answered by the shim, colour from a lazily loaded chunk, and the exit codes when
 * stdout is gone or full. How long a start takes is `npm run bench`'s job.
 */
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BIN, runCli, sandbox } from '../helpers/cli.js';

const root = resolve(import.meta.dirname, '../..');

describe('--version', () => {
  it('prints what commander would print, from the shim', async () => {
    const sb = await sandbox();
    try {
      const { version } = JSON.parse(await readFile(resolve(root, 'package.json'), 'utf8')) as { version: string };
      const fast = await runCli(['--version'], sb);
      const short = await runCli(['-V'], sb);
      // Any other argument goes through commander.
      const commander = await runCli(['--quiet', '--version'], sb);
      expect(commander.exitCode).toBe(0);
      expect(commander.stdout).toBe(version);
      for (const r of [fast, short]) {
        expect(r.exitCode).toBe(0);
        expect(r.stdout).toBe(commander.stdout);
        expect(r.stderr).toBe('');
      }
    } finally {
      await sb.cleanup();
    }
  });
});

describe('colour', () => {
  it('an error shown on a colour terminal is coloured (chalk, loaded lazily from its own chunk)', async () => {
    const sb = await sandbox(undefined, { FORCE_COLOR: '1', NO_COLOR: '' });
    try {
      const r = await runCli(['a cat', '--aspect', '7:7'], sb);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain('\u001b[31merror:\u001b[39m');
    } finally {
      await sb.cleanup();
    }
  });
});

describe('stdout written directly (src/cli/output.ts)', () => {
  it('a reader that has gone (`| true`) ends the run quietly, with its own exit code', async () => {
    const sb = await sandbox();
    try {
      const status = join(sb.dir, 'status');
      const cli = `"${process.execPath}" "${BIN}"`;
      // `true` exits at once, long before Node has started: the writes find the pipe closed.
      const cases: [string, string][] = [
        [`${cli} --help`, '0'],
        [`${cli} "a cat" --dry-run --json`, '0'],
        // A usage error whose --json report meets a closed stdout: still exit 2.
        [`${cli} "a cat" --aspect 7:7 --json 2>/dev/null`, '2'],
        // commander's own usage error, on a closed stderr.
        [`${cli} --bogus 2>&1 >/dev/null`, '2'],
        // No key: exit 3, its message on a closed stderr.
        [`${cli} "a cat" 2>&1 >/dev/null`, '3'],
        // Answered by the shim itself.
        [`${cli} --version`, '0'],
      ];
      for (const [cmd, code] of cases) {
        const r = await execa('sh', ['-c', `(${cmd}; echo $? > "${status}") | true`], {
          env: { PATH: process.env.PATH ?? '', ...sb.env },
          extendEnv: false,
          cwd: sb.dir,
        });
        expect(r.stderr, cmd).toBe('');
        expect((await readFile(status, 'utf8')).trim(), cmd).toBe(code);
      }
    } finally {
      await sb.cleanup();
    }
  });

  it('stdout that cannot be written (a full disk) is exit 1 with a message, not a crash', async () => {
    const sb = await sandbox();
    try {
      const cli = `"${process.execPath}" "${BIN}"`;
      const cases: [string, number][] = [
        [`${cli} --help`, 1],
        [`${cli} "a cat" --dry-run --json`, 1],
        // The usage error stays the error that counts.
        [`${cli} "a cat" --aspect 7:7 --json`, 2],
      ];
      for (const [cmd, code] of cases) {
        const r = await execa('sh', ['-c', `${cmd} > /dev/full`], {
          env: { PATH: process.env.PATH ?? '', ...sb.env },
          extendEnv: false,
          cwd: sb.dir,
          reject: false,
        });
        expect(r.exitCode, cmd).toBe(code);
        expect(r.stderr, cmd).not.toMatch(/at .*\(|Unexpected error/);
        if (code === 1) expect(r.stderr).toContain('Cannot write to stdout (ENOSPC)');
      }
    } finally {
      await sb.cleanup();
    }
  });

  it('a file gets the same text as a pipe', async () => {
    const sb = await sandbox();
    try {
      const file = join(sb.dir, 'help.txt');
      await execa('sh', ['-c', `"${process.execPath}" "${BIN}" --help > "${file}"`], {
        env: { PATH: process.env.PATH ?? '', ...sb.env },
        extendEnv: false,
      });
      const piped = await runCli(['--help'], sb);
      expect(await readFile(file, 'utf8')).toBe(`${piped.stdout}\n`);
    } finally {
      await sb.cleanup();
    }
  });
});
