/**
 * A CLI that feels native: typos get a did-you-mean (exit 2), colour follows NO_COLOR /
 * FORCE_COLOR / the terminal, and every command's --help ends with examples.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { sandbox, type Sandbox } from '../helpers/cli.js';
import { runMain } from '../helpers/main.js';
import { buildProgram } from '../../src/cli/main.js';
import { streamOutput } from '../../src/cli/output.js';
import { Ui } from '../../src/cli/ui.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await sandbox();
});
afterAll(async () => {
  await sb.cleanup();
});

const ANSI = /\u001b\[\d+(;\d+)*m/;
const err = (r: { stderr?: unknown }) => String(r.stderr);

describe('did-you-mean', () => {
  it.each([
    [['a cat', '--aspct', '1:1'], "unknown option '--aspct'", 'Did you mean --aspect?'],
    [['result', 'abcd1234', '--jsn'], "unknown option '--jsn'", 'Did you mean --json?'],
    [['config', 'lst'], "unknown command 'lst'", 'Did you mean list?'],
  ])('flux-krea %j exits 2 with a suggestion', async (args, problem, suggestion) => {
    const r = await runMain(args, sb);
    expect(r.exitCode).toBe(2);
    expect(err(r)).toContain(problem);
    expect(err(r)).toContain(suggestion);
    expect(String(r.stdout)).toBe('');
  });
});

describe('colour', () => {
  const bad = ['a cat', '--aspect', '16x9', '--dry-run'];

  it('FORCE_COLOR=1 colours an error even though stderr is not a terminal', async () => {
    const { NO_COLOR: _drop, ...env } = sb.env;
    const r = await runMain(bad, { ...sb, env: { ...env, FORCE_COLOR: '1' } });
    expect(r.exitCode).toBe(2);
    expect(err(r)).toMatch(ANSI);
  });

  it('NO_COLOR, or no terminal, gives plain text', async () => {
    const { NO_COLOR: _drop, ...env } = sb.env;
    expect(err(await runMain(bad, { ...sb, env: { ...env, NO_COLOR: '1' } }))).not.toMatch(ANSI);
    expect(err(await runMain(bad, { ...sb, env }))).not.toMatch(ANSI);
  });
});

/** Every command path in the tree, root first (`[]`), hidden ones left out. */
function commandPaths(cmd: Command, prefix: string[] = []): string[][] {
  const visible = cmd
    .createHelp()
    .visibleCommands(cmd)
    .filter((c) => c.name() !== 'help');
  return [prefix, ...visible.flatMap((c) => commandPaths(c, [...prefix, c.name()]))];
}

// Commands whose help has no examples yet (not in this area's files); the test also fails once
// one of them gets examples, so that this list only shrinks.
const WITHOUT_EXAMPLES: string[] = [];

describe('--help', () => {
  const program = buildProgram({
    ui: new Ui({ env: {} }),
    signal: new AbortController().signal,
    env: {},
    stdout: streamOutput(process.stdout),
    stderr: streamOutput(process.stderr),
  });
  it.each(commandPaths(program).map((p) => [p.join(' ') || '(root)', p]))(
    'flux-krea %s --help shows examples',
    async (name, path) => {
      const r = await runMain([...path, '--help'], sb);
      expect(r.exitCode).toBe(0);
      const has = /^Examples?:$/m.test(String(r.stdout));
      expect(has).toBe(!WITHOUT_EXAMPLES.includes(name));
    },
  );
});
